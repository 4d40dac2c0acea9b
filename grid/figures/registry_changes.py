"""What the registry changes (基础信息变更, process registry_change) contribute to the command centre's
basic-information tiles: every change the village approved in the period, whose change is in the
registries since — a new household (grid.RegistryChangeRequest) or a change to a registered record
(registry.RecordChange: a person's details, a move, an entity, a key place, a house let out), whoever
proposed it (a grid worker, or a connector's row). Both are reviewed as items of one process, so the
figure is one queryset of those items: its count, and its rows the drill-down. A row shows the item's
title, the change's masked summary (the proposal itself stays sealed). Trivial fields applied at once
were never reviewed, so they are not counted here."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.drill import drill_row
from workflow import english
from workflow.models import WorkItem
from workflow.publishing import definition_for

PROCESS = "registry_change"
APPLIED = "applied"  # the terminal state `approve` leads to (grid/processes/registry_change.yaml)
# What an item reviews, by its subject type (grid.registry_changes' SUBJECT_TYPE, RECORD_SUBJECT_TYPE).
SUBJECT_KINDS = {
    "grid.registrychangerequest": gettext_noop("新增户"),
    "registry.recordchange": gettext_noop("基础信息变更"),
}


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def changes_approved(prefix: str, first_day: date, end_day: date) -> QuerySet[WorkItem]:
    """Review items of registry changes under the prefix approved (and so applied) in the period."""
    return WorkItem.objects.filter(
        process_name=PROCESS,
        territory_code__startswith=prefix,
        state=APPLIED,
        closed_at__gte=_midnight(first_day),
        closed_at__lt=_midnight(end_day),
    )


COUNTS = {"registry_changes_approved": changes_approved}
RELATED = {"registry_changes_approved": ("process_version",)}


def describe(item: WorkItem) -> dict[str, Any]:
    found = definition_for(item).states.get(item.state)
    state = english.state_title(item.process_name, item.state, found.title) if found else item.state
    kind = SUBJECT_KINDS.get(item.subject_type, "")
    return drill_row(item.pk, _(kind) if kind else "", item.title, state, item.territory_code, item.closed_at)
