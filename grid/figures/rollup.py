"""The grid figures from the ledger rollup (workflow/rollups.py): what each `grid_event` work item counts
(its `Contributor`), and the figures of a grid / village / town / district over whole local days as
sums of rollup rows plus the unfolded tail — the same numbers as grid/figures/ledger.py's ledger queries
(tested; `reconcile_figures` compares the two on live data). Agency figures and periods that do not
start and end at local midnight are answered from the ledger (grid/figures/ledger.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from grid.models import EventChannel, GridEvent
from workcalendar.service import hours_per_working_day
from workflow.actors import system_actor
from workflow.listing import PROCESS_VERSIONS
from workflow.models import NEVER, Transition, WorkItem
from workflow.rollups import Key, cursor_of, register, sums_in, tail_delta

PROCESS = "grid_event"
RESIDENT_CHANNELS = (EventChannel.RESIDENT_WEB, EventChannel.OPEN311, EventChannel.HOTLINE)
NOT_VALID_STATES = ("reported", "voided", "duplicate")
TERMINAL_STATES = ("closed", "voided", "duplicate")
DEFERRALS = ("park", "approve_extension")
FLOW_ACTIONS = {"send_back": "send_backs", "whistle": "whistles"}


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def whole_days(start: datetime, end: datetime) -> tuple[date, date] | None:
    """[first day, end day) when the period starts and ends at local midnight, else None."""
    first, last = timezone.localtime(start), timezone.localtime(end)
    if first.time() != time.min or last.time() != time.min:
        return None
    return first.date(), last.date()


@dataclass
class _Context:
    events: dict[int, GridEvent]  # work item id → event
    patrol_first: set[int]  # event ids a patrol report came before
    system_id: int
    per_day_seconds: float


def _filed_limit(item: WorkItem, per_day: float) -> float | None:
    """The `filed` step limit in counted seconds (grid/figures/ledger.py's `_filed_limit_seconds`)."""
    unit_seconds = {"work_hours": 3600.0, "natural_days": 86400.0}
    override = (item.limit_overrides or {}).get("filed")
    if isinstance(override, dict) and "amount" in override:
        return float(override["amount"]) * unit_seconds.get(override.get("unit", ""), per_day)
    version = PROCESS_VERSIONS.many([item.process_version_id]).get(item.process_version_id)
    limit = ((version.definition.get("states", {}) if version else {}).get("filed") or {}).get("limit")
    if not limit:
        return None
    return unit_seconds.get(limit["unit"], per_day) * float(limit["amount"])


DEFAULT_MISSED_WINDOW_HOURS = 72


def missed_window_hours() -> int:
    """How far before a resident's report a patrol report of the same grid and category counts as having
    found the problem first; without one in the window the resident's report is 漏报 (missed by patrol)."""
    return int(getattr(settings, "GRID_MISSED_REPORT_WINDOW_HOURS", DEFAULT_MISSED_WINDOW_HOURS))


class GridEventContributor:
    def prepare(self, items: Sequence[WorkItem]) -> _Context:
        window = missed_window_hours()
        patrol_first = GridEvent.objects.filter(
            grid_id=OuterRef("grid_id"),
            category_id=OuterRef("category_id"),
            channel=EventChannel.PATROL,
            reported_at__lt=OuterRef("reported_at"),
            reported_at__gte=OuterRef("reported_at") - timedelta(hours=window),
        )
        events = list(
            GridEvent.objects.filter(work_item_id__in=[i.pk for i in items])
            .select_related("category")
            .only(
                "id", "work_item_id", "territory_code", "channel", "reported_at", "closure_level", "category"
            )
            .annotate(patrol_came_first=Exists(patrol_first))
        )
        return _Context(
            events={e.work_item_id: e for e in events if e.work_item_id is not None},
            patrol_first={e.pk for e in events if e.patrol_came_first},
            system_id=system_actor().pk,
            per_day_seconds=hours_per_working_day() * 3600,
        )

    def contribution(self, item: WorkItem, transitions: Sequence[Transition], context: Any) -> Counter[Key]:
        counts: Counter[Key] = Counter()
        event = context.events.get(item.pk)
        if event is None or not transitions:
            return counts
        cls = f"{event.category.kind}:{event.category.code}" if event.category_id else ""
        grid, channel = event.territory_code, event.channel
        reported_day = local_day(event.reported_at)

        def intake(measure: str) -> None:
            counts[Key(measure, reported_day, grid, cls, channel)] += 1

        state = transitions[-1].to_state
        intake("reported")
        if state not in NOT_VALID_STATES:
            intake("valid")
        if any(t.action == "file" for t in transitions):
            intake("filed")
        if channel in RESIDENT_CHANNELS and state not in ("voided", "duplicate"):
            intake("resident_reports")
            if event.pk not in context.patrol_first:
                intake("missed_reports")
        where = item.territory_code
        first_overdue: date | None = None
        first_deferral: date | None = None
        late = deferred = extended = False
        limit = None
        for record in transitions:
            day = local_day(record.occurred_at)

            def flow(measure: str, day: date = day) -> None:
                counts[Key(measure, day, where, cls, channel)] += 1

            action = record.action
            if action == "dispatch":
                flow("dispatches")
                limit = limit if limit is not None else _filed_limit(item, context.per_day_seconds)
                elapsed = record.step_elapsed_seconds
                if elapsed is not None and limit is not None and elapsed <= limit:
                    flow("dispatched_on_time")
                if isinstance(record.inputs, dict) and record.inputs.get("wrong_dispatch") is True:
                    flow("wrong_dispatches")
            elif action in FLOW_ACTIONS:
                flow(FLOW_ACTIONS[action])
            elif action == "supervise_sign" and record.actor_id == context.system_id:
                flow("late_sign_ins")
            elif action in ("verify_pass", "verify_fail"):
                flow("verifications")
                if action == "verify_fail":
                    flow("reworks")
            if record.to_state == "closed":
                flags = f"late={int(late)},def={int(deferred)},ext={int(extended)},lvl={event.closure_level}"
                since = first_overdue or NEVER
                counts[Key("closing", day, where, cls, channel, flags, since_day=since)] += 1
            # What later transitions see as "before them".
            if action == "supervise" and record.actor_id == context.system_id:
                late = True
                first_overdue = first_overdue or day
            if action in DEFERRALS:
                deferred = True
                first_deferral = first_deferral or day
            if action == "approve_extension":
                extended = True
        if first_overdue is not None:
            closed_day = NEVER
            if state in TERMINAL_STATES:
                closed_day = local_day(
                    next(t for t in reversed(transitions) if t.to_state == state).occurred_at
                )
            counts[
                Key(
                    "overdue_first",
                    first_overdue,
                    event.territory_code,
                    cls,
                    channel,
                    closed_day=closed_day,
                    deferred_day=first_deferral or NEVER,
                )
            ] += 1
        return counts


register(PROCESS, GridEventContributor())


SIMPLE = (
    "reported",
    "valid",
    "filed",
    "resident_reports",
    "missed_reports",
    "dispatches",
    "dispatched_on_time",
    "send_backs",
    "wrong_dispatches",
    "whistles",
    "late_sign_ins",
    "verifications",
    "reworks",
)


def rollup_counts(
    prefix: str, first_day: date, end_day: date, tail: Counter[Key] | None = None, where: Q | None = None
) -> dict[str, Any]:
    """The figures' counts under a territory prefix over [first_day, end_day), from the rollup rows and
    the unfolded tail (`tail`: one already unfolded by the caller, shared by the figures of a request).
    `where` narrows the stored rows (the caller narrows its `tail` the same way)."""
    if tail is None:
        tail = tail_delta(PROCESS, cursor_of(PROCESS))
    pairs = [
        (Key(m, first_day, prefix, flags=f, since_day=s, closed_day=c, deferred_day=d), n)
        for m, f, s, c, d, n in sums_in(PROCESS, prefix, first_day, end_day, where)
    ]
    pairs += [
        (key, n)
        for key, n in tail.items()
        if key.territory_code.startswith(prefix) and first_day <= key.day < end_day
    ]
    return fold_counts(pairs, first_day, end_day)


def fold_counts(pairs: Sequence[tuple[Key, int]], first_day: date, end_day: date) -> dict[str, Any]:
    """The figures' counts over [first_day, end_day) from (rollup key, count) pairs of that period."""
    out: dict[str, Any] = dict.fromkeys(SIMPLE, 0)
    out.update(closed=0, closed_on_time=0, extended=0, due=0, deferred=0, due_closed=0, due_closed_on_time=0)
    levels: Counter[str] = Counter()
    for key, n in pairs:
        if key.measure in out and key.measure in SIMPLE:
            out[key.measure] += n
        elif key.measure == "closing":
            flags = dict(part.split("=", 1) for part in key.flags.split(","))
            late, deferred = flags["late"] == "1", flags["def"] == "1"
            out["closed"] += n
            out["closed_on_time"] += 0 if late else n
            out["extended"] += n if flags["ext"] == "1" else 0
            levels[flags["lvl"]] += n
            if key.since_day >= first_day:  # not overdue before the period: falls due at closure
                out["due"] += n
                out["deferred"] += n if deferred else 0
                if not deferred:
                    out["due_closed"] += n
                    out["due_closed_on_time"] += 0 if late else n
        elif key.measure == "overdue_first" and key.closed_day >= end_day:  # not closed by the end
            out["due"] += n
            out["deferred"] += n if key.deferred_day < end_day else 0
    out["closure_levels"] = dict(levels)
    return out
