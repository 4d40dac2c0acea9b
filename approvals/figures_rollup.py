"""What each `approval_application` work item counts in the ledger rollup (workflow/rollups.py), read by
the command centre's 审批服务 module. Keys, all on the item's territory code:
- `accepted` on the day of 受理 (`accept`) or of an on-the-spot completion (即办件 is accepted at once);
- `done` on the day the item reaches 办结 (completed after delivery, or refused), flagged
  instant (即办), early (decided before the promised review limit ran out, never after a 督办) and late
  (the system supervised it for lateness before);
- `overdue_first` on the day the system first supervised it (超期)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from workcalendar.service import hours_per_working_day
from workflow.actors import system_actor
from workflow.listing import PROCESS_VERSIONS
from workflow.models import Transition, WorkItem
from workflow.rollups import Key, register

PROCESS = "approval_application"
DONE_STATES = ("completed", "refused")
DECISIONS = ("approve", "refuse")
SUPERVISIONS = ("supervise", "supervise_decision")
UNIT_SECONDS = {"work_hours": 3600.0, "natural_days": 86400.0}


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


@dataclass
class _Context:
    system_id: int
    per_day_seconds: float


def review_limit_seconds(item: WorkItem, per_day: float) -> float | None:
    """The promised review limit (the item's `reviewing` override, else the definition's) in counted
    seconds, as the engine counts `step_elapsed_seconds`."""
    limit = (item.limit_overrides or {}).get("reviewing")
    if not isinstance(limit, dict) or "amount" not in limit:
        version = PROCESS_VERSIONS.many([item.process_version_id]).get(item.process_version_id)
        limit = ((version.definition.get("states", {}) if version else {}).get("reviewing") or {}).get(
            "limit"
        )
    if not limit:
        return None
    return float(limit["amount"]) * UNIT_SECONDS.get(str(limit.get("unit", "")), per_day)


class ApplicationContributor:
    def prepare(self, items: Sequence[WorkItem]) -> _Context:
        return _Context(system_id=system_actor().pk, per_day_seconds=hours_per_working_day() * 3600)

    def contribution(self, item: WorkItem, transitions: Sequence[Transition], context: Any) -> Counter[Key]:
        counts: Counter[Key] = Counter()
        where = item.territory_code
        late = early = False
        first_overdue: date | None = None
        for record in transitions:
            day = local_day(record.occurred_at)
            if record.action in ("accept", "complete_on_spot"):
                counts[Key("accepted", day, where)] += 1
            if record.action in DECISIONS:
                limit = review_limit_seconds(item, context.per_day_seconds)
                elapsed = record.step_elapsed_seconds
                early = not late and limit is not None and elapsed is not None and elapsed < limit
            if record.to_state in DONE_STATES and record.from_state not in DONE_STATES:
                instant = record.action == "complete_on_spot"
                flags = f"instant={int(instant)},early={int(instant or early)},late={int(late)}"
                counts[Key("done", day, where, flags=flags)] += 1
            if record.action in SUPERVISIONS and record.actor_id == context.system_id and not late:
                late, first_overdue = True, day
        if first_overdue is not None:
            counts[Key("overdue_first", first_overdue, where)] += 1
        return counts


register(PROCESS, ApplicationContributor())
