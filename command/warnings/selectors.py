"""Scoped reads of the early warnings: a command-centre user sees the warnings of their jurisdiction
(everything else is 404), filtered by state, level and rule."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from accounts.jurisdiction import scope_for
from accounts.models import User
from command.selectors import require_command_role
from core.errors import NotFound
from workflow.access import available_actions
from workflow.models import Transition, WorkItem
from workflow.process_definition import ActionDef

from .models import LEVEL_ORDER, TERRITORIAL_RULES, EarlyWarning, Level, Rule

OPEN_STATES = ("raised", "acknowledged", "handled")
SUPERVISE_ACTIONS = ("supervise", "supervise_handling")


def warnings_visible_to(user: User | AnonymousUser) -> QuerySet[EarlyWarning]:
    require_command_role(user)
    return scope_for(
        user,
        EarlyWarning.objects.select_related("work_item", "work_item__process_version", "owner_unit"),
        "territory_code",
    )


@dataclass(frozen=True)
class WarningFilters:
    state: str = ""
    level: str = ""
    rule: str = ""
    open: bool | None = None
    territory: str = ""


def filter_warnings(user: User | AnonymousUser, filters: WarningFilters) -> QuerySet[EarlyWarning]:
    queryset = warnings_visible_to(user)
    if filters.state:
        queryset = queryset.filter(work_item__state=filters.state)
    if filters.level:
        queryset = queryset.filter(level=filters.level)
    if filters.rule:
        queryset = queryset.filter(rule=filters.rule)
    if filters.open is True:
        queryset = queryset.filter(finished_at__isnull=True)
    elif filters.open is False:
        queryset = queryset.filter(finished_at__isnull=False)
    if filters.territory:
        queryset = queryset.filter(territory_code__startswith=filters.territory)
    return queryset.order_by("-raised_at", "-id")


def actions_in_order(item: WorkItem, user: User) -> list[ActionDef]:
    """The actions `user` may take on a warning's item, the forward step first and 误报 last; within each,
    the definition's written order (the sort is stable)."""
    return sorted(available_actions(item, user), key=lambda a: (a.destructive, a.optional))


def get_warning_for(user: User | AnonymousUser, warning_id: int) -> EarlyWarning:
    found = warnings_visible_to(user).filter(pk=warning_id).first()
    if found is None:
        raise NotFound()
    return found


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def open_at_end(prefix: str, end_day: date) -> QuerySet[EarlyWarning]:
    """The warnings under `prefix` raised before `end_day` (a local day) and not closed, dismissed or
    withdrawn before it: open at the end of a period."""
    end = _midnight(end_day)
    return EarlyWarning.objects.filter(territory_code__startswith=prefix, raised_at__lt=end).exclude(
        finished_at__lt=end
    )


def territorial_open(prefix: str, first_day: date, end_day: date) -> QuerySet[EarlyWarning]:
    """The desk's 属地管理 figure: the 三资 warnings (each about a village) open at the end of the period."""
    return open_at_end(prefix, end_day).filter(rule__in=TERRITORIAL_RULES)


def period_summary(prefix: str, first_day: date, end_day: date) -> dict[str, Any]:
    """What the warnings of a territory did over [first_day, end_day) (local days), for the periodic
    reports: raised (by level and rule), closed, dismissed, withdrawn by the system (its situation cleared),
    supervised, and still open at the end."""
    start, end = _midnight(first_day), _midnight(end_day)
    here = EarlyWarning.objects.filter(territory_code__startswith=prefix)
    raised = here.filter(raised_at__gte=start, raised_at__lt=end)
    finished = here.filter(finished_at__gte=start, finished_at__lt=end)
    supervised = (
        Transition.objects.filter(
            item__early_warning__in=here,
            action__in=SUPERVISE_ACTIONS,
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .values("item_id")
        .distinct()
        .count()
    )
    by_level = Counter(raised.values_list("level", flat=True))
    by_rule = Counter(raised.values_list("rule", flat=True))
    return {
        "raised": sum(by_level.values()),
        "by_level": [(str(label), by_level.get(code, 0)) for code, label in Level.choices],
        "by_rule": [(str(label), by_rule[code]) for code, label in Rule.choices if by_rule.get(code)],
        "closed": finished.filter(work_item__state="closed").count(),
        "dismissed": finished.filter(work_item__state="dismissed").count(),
        "withdrawn": finished.filter(work_item__state="withdrawn").count(),
        "supervised": supervised,
        "open_at_end": open_at_end(prefix, end_day).count(),
    }


def open_for_screen(prefix: str, now: datetime) -> list[dict[str, Any]]:
    """The wall screen's open warnings under `prefix` (red first, newest first, at most 20). A hall screen
    may be opened with a token: each row names the rule and the place only — no item title or address."""
    from command.warnings.rules import place_name

    rows = (
        EarlyWarning.objects.filter(territory_code__startswith=prefix, work_item__state__in=OPEN_STATES)
        .order_by("-raised_at", "-id")
        .only("level", "rule", "territory_code", "raised_at")[:100]
    )
    ranked = sorted(rows, key=lambda w: (LEVEL_ORDER[Level(w.level)], -w.raised_at.timestamp()))[:20]
    return [
        {
            "level": str(Level(w.level).label),
            "title": f"{Rule(w.rule).label} · {place_name(w.territory_code)}",
            "raised_at": w.raised_at.isoformat(),
        }
        for w in ranked
    ]
