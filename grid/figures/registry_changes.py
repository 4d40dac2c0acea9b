"""What the registry change requests (基础信息变更申请, process registry_change) contribute to the command
centre's basic-information tiles: the requests the village approved in the period, whose change is in
the registries since. One queryset, so the figure is its count and the drill-down its rows; a row shows
the request's masked summary (the proposal itself stays sealed)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from core.drill import drill_row
from grid.models import RegistryChangeRequest
from workflow import english
from workflow.publishing import definition_for

APPLIED = "applied"  # the terminal state `approve` leads to (grid/processes/registry_change.yaml)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def changes_approved(prefix: str, first_day: date, end_day: date) -> QuerySet[RegistryChangeRequest]:
    """Change requests under the prefix approved (and so applied) in the period."""
    return RegistryChangeRequest.objects.filter(
        territory_code__startswith=prefix,
        work_item__state=APPLIED,
        work_item__closed_at__gte=_midnight(first_day),
        work_item__closed_at__lt=_midnight(end_day),
    )


COUNTS = {"registry_changes_approved": changes_approved}
RELATED = {"registry_changes_approved": ("work_item__process_version",)}


def describe(change: RegistryChangeRequest) -> dict[str, Any]:
    item = change.work_item
    found = definition_for(item).states.get(item.state)
    state = english.state_title(item.process_name, item.state, found.title) if found else item.state
    return drill_row(
        change.pk, change.get_kind_display(), change.summary, state, change.territory_code, item.closed_at
    )
