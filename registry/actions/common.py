"""Checks every registry write shares: the grid or division named exists, required text, a choice among
the model's values, and the audit row (never a clear personal value in it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import record_event
from core.errors import DomainError
from territory.models import Division, Grid


def check_grid(code: str, field: str = "territory_code") -> str:
    if len(code) != 15 or not Grid.objects.filter(code=code).exists():
        raise DomainError("unknown_grid", _("网格编码 %(code)s 不存在。") % {"code": repr(code)}, field=field)
    return code


def check_territory(code: str) -> str:
    known = Grid.objects.filter(code=code).exists() or Division.objects.filter(code=code).exists()
    if not known:
        raise DomainError(
            "unknown_territory",
            _("区划/网格代码 %(code)s 不存在。") % {"code": repr(code)},
            field="territory_code",
        )
    return code


def required_text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError("required", _("%(label)s不能为空。") % {"label": label}, field=field)
    return value


def checked_choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise DomainError(
            "invalid_choice",
            _("%(field)s 取值无效：%(value)s。") % {"field": field, "value": repr(value)},
            field=field,
        )
    return value


def audit_write(actor: User, action: str, subject: Any, now: datetime, after: dict[str, Any]) -> None:
    record_event(
        actor=actor,
        action=action,
        subject=subject,
        territory_code=subject.territory_code,
        after=after,
        now=now,
    )


def stamp(instance: Any, actor: User, now: datetime, reason: str = "") -> Any:
    """Who changes the record, when and why, for the history row its next save writes
    (django-simple-history reads these attributes)."""
    instance._history_user = actor
    instance._history_date = now
    if reason:
        instance._change_reason = reason[:100]
    return instance
