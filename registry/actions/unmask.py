"""Unmasking one personal value: a permission, a purpose from the list, a rate limit per user, and an
UnmaskRecord with its audit row."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core import ratelimit
from core.errors import DomainError, PermissionRefused
from registry import access, crypto, sensitivity
from registry.actions.common import audit_write, checked_choice
from registry.models import (
    Entity,
    Person,
    SensitiveRecord,
    UnmaskRecord,
)


def _throttle(actor: User, now: datetime) -> None:
    """Unmasks per user and hour, counted by the platform's one rate limiter (429 with Retry-After)."""
    limit = int(getattr(settings, "REGISTRY_UNMASKS_PER_HOUR", 30))
    ratelimit.enforce(
        "registry-unmask",
        str(actor.pk),
        limit=limit,
        window=timedelta(hours=1),
        now=now,
        code="rate_limited",
        message=_("每小时最多解密查看 %(limit)s 次，请稍后再试。") % {"limit": limit},
    )


def _clear_value(subject: Person | Entity, field: str) -> str:
    if isinstance(subject, Entity):
        if field == "legal_representative":
            return subject.legal_representative
        return crypto.unseal(subject, "legal_representative_phone_sealed")
    if field == "name":
        return subject.name
    if field in {"id_number", "phone", "address_detail"}:
        return crypto.unseal(subject, f"{field}_sealed")
    record = SensitiveRecord.objects.filter(person=subject).first()
    if record is None:
        return ""
    if field == "note":
        return crypto.unseal(record, "note_sealed")
    return "、".join(crypto.unseal_list(record, f"{field}_sealed"))


def do_unmask(
    subject: Person | Entity,
    *,
    field: str,
    purpose: str,
    note: str = "",
    work_item: str = "",
    actor: User,
    now: datetime,
) -> str:
    """The clear value of one field, for a stated purpose; writes an UnmaskRecord and an audit row."""
    kind = "entity" if isinstance(subject, Entity) else "person"
    spec = sensitivity.FIELDS.get(field)
    if spec is None or spec.subject != kind:
        raise DomainError(
            "unknown_field", _("字段 %(field)s 不可解密查看。") % {"field": repr(field)}, field="field"
        )
    level = access.access_read(actor, subject.territory_code)
    if level < spec.level:
        raise PermissionRefused("not_allowed", _("您的岗位无权查看%(field)s原文。") % {"field": spec.label})
    checked_choice(purpose, UnmaskRecord.Purpose, "purpose")
    note = (note or "").strip()
    if purpose == UnmaskRecord.Purpose.OTHER and not note:
        raise DomainError("purpose_note_required", _("用途为“其他”时须说明理由。"), field="note")
    _throttle(actor, now)
    with transaction.atomic():
        record = UnmaskRecord.objects.create(
            actor=actor,
            person=subject if isinstance(subject, Person) else None,
            entity=subject if isinstance(subject, Entity) else None,
            field=field,
            purpose=purpose,
            note=note[:300],
            work_item=(work_item or "").strip()[:60],
            territory_code=subject.territory_code,
            at=now,
        )
        audit_write(
            actor,
            "registry.unmasked",
            subject,
            now,
            {"field": field, "purpose": purpose, "record": record.pk},
        )
    return _clear_value(subject, field)
