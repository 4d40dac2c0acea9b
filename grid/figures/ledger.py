"""Grid-governance figures (考核指标) per grid, village, town, district or agency and period [start, end):
pure aggregate queries over the ledger — `GridEvent`, the work items of process `grid_event` and their
append-only `Transition` rows — plus the patrol tables. The number of queries does not depend on the
number of rows (about eight, whatever the period holds).

Definitions (P = [start, end); "transition in P" = its `occurred_at` lies in P):

Intake (the events *reported* in P):
- reported: events with `reported_at` in P, whatever became of them.
- valid (有效上报): of those, the ones accepted as real: filed or beyond, self-resolved included — the work
  item is no longer `reported` and is neither `voided` (作废) nor `duplicate` (重复件).
- filed (立案): of those, the ones with a `file` transition (self-resolved events are valid, never filed).
- resident_reports / missed_reports (漏报): reports through a resident channel (resident_web, open311,
  hotline) reported in P and neither voided nor duplicate; "missed" are those for which no patrol report
  (channel patrol) of the same minor class in the same grid came first, in the `window` hours before
  the resident's report (strictly before: a patrol report at the same instant was not first). The window
  is the setting GRID_MISSED_REPORT_WINDOW_HOURS (default 72).

Flow (transitions in P):
- dispatches / dispatched_on_time (及时派遣): `dispatch` transitions; on time when the transition's
  `step_elapsed_seconds` (working time spent in the `filed` step) is within the `filed` step limit: the
  item's own limit (`limit_overrides["filed"]`) or its pinned definition's. Work-hour limits are exact
  (a limit of n working hours is n × 3600 counted seconds); a work-day or natural-day limit is taken as its
  nominal length (n × working hours per day, or n × 24 h).
- send_backs (退回): `send_back` transitions.
- wrong_dispatches (错误派遣): `dispatch` transitions that re-dispatch an item right after a send-back to a
  unit other than the one that sent it back (grid.events.dispatch marks them `inputs.wrong_dispatch`, with
  `inputs.previous_unit`).
- whistles (吹哨): `whistle` transitions. late_sign_ins (报到超时): the sweeper's `supervise_sign`.
- verifications / reworks (返工): `verify_pass` + `verify_fail` transitions / `verify_fail` transitions;
  rework_rate = reworks / verifications.
- closed (结案数): events closed in P (a transition into `closed`: verify_pass or self_resolve).
- overdue (超期): the ledger's record of lateness is the sweeper's 督办: a `supervise` transition by the
  system actor, written within a minute of a handling step passing its deadline (which already counts
  approved extensions and excludes parked time). An event is late from its first such transition on.
- closed_on_time (按期结案): closed in P with no overdue record before the closing transition.
- extended / extension_rate (延期率): of the events closed in P, those with an `approve_extension` before
  closing / closed.
- closure_levels: the events closed in P by `GridEvent.closure_level` (grid / village / town /
  district: 小事不出格、大事不出村、难事不出镇) and each level's share of them.

Deadlines — DOMAIN.md's local formulas 按期结案率 = 按期结案数 / (应结案数 − 缓办数) and
结案率 = 结案数 / (应结案数 − 缓办数):
- due (应结案数): the events that fell due in P. An event falls due at its first overdue record (its
  deadline passed then), or, when it never had one, when it closed (it was settled then, on time). So
  due = the events closed in P without an overdue record before `start` + the events not closed by
  `end` whose first overdue record lies in P; each event falls due in exactly one period.
- deferred (缓办数): of the due events, those parked (挂账, `park`) or granted an extension (延期,
  `approve_extension`) before they closed, or before `end` when still open.
- due_closed / due_closed_on_time: the due events that are not deferred and closed in P / closed in P
  on time (an event closed in P that fell due earlier counts in `closed` but not here).
  on_time_closure_rate = due_closed_on_time / (due − deferred); closure_rate = due_closed /
  (due − deferred). Both lie in [0, 1]; None when the denominator is 0.

Satisfaction: ratings given in P (`rated_at` in P): count, mean, and satisfied (4–5) share.
Patrol coverage: check-ins done / due over P (grid.patrols.selectors.patrol_coverage); None for agencies.

Agency level (an org unit's code): the events whose work item the unit holds (`assigned_unit`, which is
the unit that closed a closed one), and the transitions taken while the item was dispatched to the unit
(the last `dispatch`/`whistle` before or at the transition named it); wrong dispatches count against the
unit the item was wrongly dispatched to.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT, KeyTextTransform, KeyTransform
from django.db.models.functions import Cast

from accounts.jurisdiction import jurisdiction_codes, may_see_code, scope_for
from accounts.models import OrgUnit, User
from core.errors import DomainError, NotFound
from grid.figures.rollup import DEFAULT_MISSED_WINDOW_HOURS, missed_window_hours, rollup_counts, whole_days
from grid.models import EventChannel, GridEvent
from grid.patrols.selectors import patrol_coverage
from territory.models import Division, Grid
from workcalendar.service import hours_per_working_day
from workflow.models import ProcessVersion, Transition

PROCESS = "grid_event"
LEVELS = ("grid", "village", "town", "district", "agency")
CODE_LENGTHS = {"grid": 15, "village": 12, "town": 9, "district": 6}
RESIDENT_CHANNELS = (EventChannel.RESIDENT_WEB, EventChannel.OPEN311, EventChannel.HOTLINE)
NOT_VALID_STATES = ("reported", "voided", "duplicate")
CLOSURE_LEVELS = ("grid", "village", "town", "district")
UNIT_SECONDS = {"work_hours": 3600.0, "natural_days": 86400.0}


# ---------------------------------------------------------------------------------------------- scope


@dataclass(frozen=True)
class Scope:
    level: str
    code: str
    name: str
    # The territory code prefix of the events (None for an agency).
    prefix: str | None
    unit: OrgUnit | None = None


def resolve_scope(user: User | AnonymousUser, level: str, code: str) -> Scope:
    """The unit of the figures. A malformed level or code is a 400 naming the field; an unknown code,
    or one outside the user's jurisdiction, is not found (404)."""
    if level not in LEVELS:
        raise DomainError("invalid", f"层级应为 {' / '.join(LEVELS)} 之一。", field="level")
    code = (code or "").strip()
    if not code:
        raise DomainError("required", "请指定代码。", field="code")
    if level == "agency":
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None or not may_see_code(user, unit.territory_code):
            raise NotFound(f"未找到机构：{code}", field="code")
        return Scope(level, code, unit.name, None, unit)
    if not re.fullmatch(rf"\d{{{CODE_LENGTHS[level]}}}", code):
        raise DomainError("invalid", f"{level} 代码应为 {CODE_LENGTHS[level]} 位数字。", field="code")
    if level == "grid":
        grid = Grid.objects.filter(code=code).values_list("name", flat=True).first()
        name = grid
    else:
        name = Division.objects.filter(code=code, level=level).values_list("name", flat=True).first()
    if name is None or not may_see_code(user, code):
        raise NotFound(f"未找到区划或网格：{code}", field="code")
    return Scope(level, code, name, code)


# ---------------------------------------------------------------------------------------------- figures


@dataclass
class Figures:
    level: str
    code: str
    name: str
    start: datetime
    end: datetime
    # intake
    reported: int = 0
    valid: int = 0
    filed: int = 0
    resident_reports: int = 0
    missed_reports: int = 0
    missed_window_hours: int = DEFAULT_MISSED_WINDOW_HOURS
    # flow
    dispatches: int = 0
    dispatched_on_time: int = 0
    send_backs: int = 0
    wrong_dispatches: int = 0
    whistles: int = 0
    late_sign_ins: int = 0
    verifications: int = 0
    reworks: int = 0
    closed: int = 0
    closed_on_time: int = 0
    extended: int = 0
    closure_levels: dict[str, int] = field(default_factory=dict)
    # deadlines
    due: int = 0
    deferred: int = 0
    due_closed: int = 0
    due_closed_on_time: int = 0
    # satisfaction
    ratings: int = 0
    rating_mean: float | None = None
    satisfied: int = 0
    # patrols
    patrol_done: int | None = None
    patrol_due: int | None = None

    @property
    def rates(self) -> dict[str, float | None]:
        judged = self.due - self.deferred
        return {
            "valid_rate": _ratio(self.valid, self.reported),
            "timely_dispatch_rate": _ratio(self.dispatched_on_time, self.dispatches),
            "on_time_closure_rate": _ratio(self.due_closed_on_time, judged),
            "closure_rate": _ratio(self.due_closed, judged),
            "rework_rate": _ratio(self.reworks, self.verifications),
            "extension_rate": _ratio(self.extended, self.closed),
            "satisfaction_share": _ratio(self.satisfied, self.ratings),
            "patrol_coverage": _ratio(self.patrol_done or 0, self.patrol_due or 0)
            if self.patrol_due is not None
            else None,
        }

    @property
    def closure_level_share(self) -> dict[str, float | None]:
        total = sum(self.closure_levels.values())
        return {level: _ratio(self.closure_levels.get(level, 0), total) for level in CLOSURE_LEVELS}

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["from"] = data.pop("start")
        data["to"] = data.pop("end")
        data["rates"] = self.rates
        data["closure_level_share"] = self.closure_level_share
        return data


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator > 0 else None


def figures_for(user: User | AnonymousUser, level: str, code: str, start: datetime, end: datetime) -> Figures:
    """The figures of one grid / village / town / district / agency over [start, end), for a user whose
    jurisdiction covers it (NotFound otherwise)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise DomainError("invalid", "时间须带时区。", field="from")
    if end <= start:
        raise DomainError("invalid", "结束时间须晚于开始时间。", field="to")
    scope = resolve_scope(user, level, code)
    days = whole_days(start, end)
    if scope.prefix is not None and days is not None:
        return rollup_figures(scope, start, end, days)
    return compute_figures(scope, start, end, user=user)


def rollup_figures(scope: Scope, start: datetime, end: datetime, days: tuple[date, date]) -> Figures:
    """The same figures from the ledger rollup (grid/figures/rollup.py), for whole local days."""
    figures = Figures(
        scope.level, scope.code, scope.name, start, end, missed_window_hours=missed_window_hours()
    )
    assert scope.prefix is not None
    counts = rollup_counts(scope.prefix, *days)
    levels = counts.pop("closure_levels")
    for name, value in counts.items():
        setattr(figures, name, value)
    figures.closure_levels = {level: levels.get(level, 0) for level in CLOSURE_LEVELS}
    events = GridEvent.objects.filter(territory_code__startswith=scope.prefix)
    _satisfaction(figures, events, start, end)
    figures.patrol_done, figures.patrol_due = patrol_coverage([scope.prefix], start, end)
    return figures


def compute_figures(
    scope: Scope, start: datetime, end: datetime, *, user: User | AnonymousUser | None = None
) -> Figures:
    window = missed_window_hours()
    figures = Figures(scope.level, scope.code, scope.name, start, end, missed_window_hours=window)
    events = _events(scope, user)
    transitions = _transitions(scope, user)
    _intake(figures, events, start, end, window)
    _flow(figures, transitions, start, end)
    _open_overdue(figures, events, start, end)
    _satisfaction(figures, events, start, end)
    if scope.prefix is not None:
        figures.patrol_done, figures.patrol_due = patrol_coverage([scope.prefix], start, end)
    return figures


def _events(scope: Scope, user: User | AnonymousUser | None) -> QuerySet[GridEvent]:
    events = GridEvent.objects.all()
    if user is not None:
        events = scope_for(user, events, "territory_code")
    if scope.unit is not None:
        return events.filter(work_item__assigned_unit=scope.unit)
    assert scope.prefix is not None
    return events.filter(territory_code__startswith=scope.prefix)


def _process_transitions() -> QuerySet[Transition]:
    return Transition.objects.filter(item__process_name=PROCESS)


def _holder_code() -> Subquery:
    """The code of the unit an item was last dispatched or whistled to, at or before this transition."""
    return Subquery(
        Transition.objects.filter(
            item_id=OuterRef("item_id"), action__in=("dispatch", "whistle"), id__lte=OuterRef("id")
        )
        .order_by("-id")
        .values(code=KT("inputs__assigned_unit"))[:1]
    )


def _transitions(scope: Scope, user: User | AnonymousUser | None) -> QuerySet[Transition]:
    transitions = _process_transitions()
    if user is not None:
        transitions = scope_for(user, transitions, "item__territory_code")
    if scope.unit is not None:
        return transitions.annotate(holder=_holder_code())
    assert scope.prefix is not None
    return transitions.filter(item__territory_code__startswith=scope.prefix)


def _overdue_record(item_ref: str = "item_id", before: Any = None) -> Exists:
    """The sweeper's record that a handling step ran out (a system 督办), before `before` when given."""
    overdue = Transition.objects.filter(item_id=OuterRef(item_ref), action="supervise", actor__is_system=True)
    if before is not None:
        overdue = overdue.filter(before)
    return Exists(overdue)


def _deferral(item_ref: str, before: Any) -> Exists:
    return Exists(
        Transition.objects.filter(
            item_id=OuterRef(item_ref), action__in=("park", "approve_extension")
        ).filter(before)
    )


def _filed_limit_seconds() -> Case:
    """The `filed` step limit of each transition's item, in counted seconds (see the module docstring)."""
    per_day = hours_per_working_day() * 3600
    whens = [
        When(
            item__limit_overrides__filed__unit=unit,
            then=Cast(
                KeyTextTransform("amount", KeyTransform("filed", "item__limit_overrides")), FloatField()
            )
            * Value(seconds),
        )
        for unit, seconds in (*UNIT_SECONDS.items(), ("work_days", per_day))
    ]
    for version_id, definition in ProcessVersion.objects.filter(name=PROCESS).values_list("id", "definition"):
        limit = (definition.get("states", {}).get("filed") or {}).get("limit")
        if limit:
            seconds = UNIT_SECONDS.get(limit["unit"], per_day) * float(limit["amount"])
            whens.append(When(item__process_version_id=version_id, then=Value(seconds)))
    return Case(*whens, default=Value(None), output_field=FloatField())


def _intake(
    figures: Figures, events: QuerySet[GridEvent], start: datetime, end: datetime, window: int
) -> None:
    patrol_first = GridEvent.objects.filter(
        grid_id=OuterRef("grid_id"),
        category_id=OuterRef("category_id"),
        channel=EventChannel.PATROL,
        reported_at__lt=OuterRef("reported_at"),
        reported_at__gte=OuterRef("reported_at") - timedelta(hours=window),
    )
    counted_resident = Q(channel__in=RESIDENT_CHANNELS) & ~Q(work_item__state__in=("voided", "duplicate"))
    row = (
        events.filter(reported_at__gte=start, reported_at__lt=end)
        .annotate(
            was_filed=Exists(Transition.objects.filter(item_id=OuterRef("work_item_id"), action="file")),
            patrol_reported=Exists(patrol_first),
        )
        .aggregate(
            reported=Count("pk"),
            valid=Count("pk", filter=~Q(work_item__state__in=NOT_VALID_STATES)),
            filed=Count("pk", filter=Q(was_filed=True)),
            resident=Count("pk", filter=counted_resident),
            missed=Count("pk", filter=counted_resident & Q(patrol_reported=False)),
        )
    )
    figures.reported, figures.valid, figures.filed = row["reported"], row["valid"], row["filed"]
    figures.resident_reports, figures.missed_reports = row["resident"], row["missed"]


def _flow(figures: Figures, transitions: QuerySet[Transition], start: datetime, end: datetime) -> None:
    in_period = transitions.filter(occurred_at__gte=start, occurred_at__lt=end)
    before_this = Q(id__lt=OuterRef("id"))
    mine = Q()
    wrong_mine = Q()
    if figures.level == "agency":
        mine = Q(holder=figures.code)
        wrong_mine = Q(inputs__previous_unit=figures.code)
    closing = Q(to_state="closed") & mine
    deferred = Q(was_deferred=True)
    late = Q(was_late=True)
    earlier = Q(fell_due_earlier=True)
    wrong = Q(action="dispatch", inputs__wrong_dispatch=True) & wrong_mine
    counts: dict[str, Any] = {
        "dispatches": Count("pk", filter=Q(action="dispatch") & mine),
        "dispatched_on_time": Count(
            "pk", filter=Q(action="dispatch", step_elapsed_seconds__lte=F("filed_limit")) & mine
        ),
        "send_backs": Count("pk", filter=Q(action="send_back") & mine),
        "wrong_dispatches": Count("pk", filter=wrong),
        "whistles": Count("pk", filter=Q(action="whistle") & mine),
        "late_sign_ins": Count("pk", filter=Q(action="supervise_sign", actor__is_system=True) & mine),
        "verifications": Count("pk", filter=Q(action__in=("verify_pass", "verify_fail")) & mine),
        "reworks": Count("pk", filter=Q(action="verify_fail") & mine),
        "closed": Count("pk", filter=closing),
        "closed_on_time": Count("pk", filter=closing & ~late),
        "extended": Count("pk", filter=closing & Q(was_extended=True)),
        "due_by_closure": Count("pk", filter=closing & ~earlier),
        "due_closed": Count("pk", filter=closing & ~earlier & ~deferred),
        "due_closed_on_time": Count("pk", filter=closing & ~earlier & ~deferred & ~late),
        "deferred_closed": Count("pk", filter=closing & ~earlier & deferred),
    }
    for level in CLOSURE_LEVELS:
        counts[f"level_{level}"] = Count("pk", filter=closing & Q(item__grid_event__closure_level=level))
    row = in_period.annotate(
        filed_limit=_filed_limit_seconds(),
        was_late=_overdue_record(before=before_this),
        fell_due_earlier=_overdue_record(before=Q(occurred_at__lt=start)),
        was_deferred=_deferral("item_id", before_this),
        was_extended=Exists(
            Transition.objects.filter(item_id=OuterRef("item_id"), action="approve_extension").filter(
                before_this
            )
        ),
    ).aggregate(**counts)
    for name in (
        "dispatches",
        "dispatched_on_time",
        "send_backs",
        "wrong_dispatches",
        "whistles",
        "late_sign_ins",
        "verifications",
        "reworks",
        "closed",
        "closed_on_time",
        "extended",
        "due_closed",
        "due_closed_on_time",
    ):
        setattr(figures, name, row[name])
    figures.closure_levels = {level: row[f"level_{level}"] for level in CLOSURE_LEVELS}
    # Closed events fall due when they close (see the module docstring); open overdue ones are added next.
    figures.due = row["due_by_closure"]
    figures.deferred = row["deferred_closed"]


def _open_overdue(figures: Figures, events: QuerySet[GridEvent], start: datetime, end: datetime) -> None:
    """Events not closed by `end` whose first overdue record lies in P: due in P, not closed."""
    not_closed_by_end = Q(work_item__closed_at__isnull=True) | Q(work_item__closed_at__gte=end)
    row = (
        events.filter(not_closed_by_end)
        .annotate(
            overdue_in_period=_overdue_record("work_item_id", Q(occurred_at__gte=start, occurred_at__lt=end)),
            overdue_before=_overdue_record("work_item_id", Q(occurred_at__lt=start)),
            was_deferred=_deferral("work_item_id", Q(occurred_at__lt=end)),
        )
        .filter(overdue_in_period=True, overdue_before=False)
        .aggregate(due=Count("pk"), deferred=Count("pk", filter=Q(was_deferred=True)))
    )
    figures.due += row["due"]
    figures.deferred += row["deferred"]


def _satisfaction(figures: Figures, events: QuerySet[GridEvent], start: datetime, end: datetime) -> None:
    row = events.filter(rated_at__gte=start, rated_at__lt=end, rating__isnull=False).aggregate(
        ratings=Count("pk"), mean=Avg("rating"), satisfied=Count("pk", filter=Q(rating__gte=4))
    )
    figures.ratings, figures.satisfied = row["ratings"], row["satisfied"]
    figures.rating_mean = round(float(row["mean"]), 2) if row["mean"] is not None else None


def jurisdiction_summary(user: User | AnonymousUser) -> list[str]:
    """The codes whose figures the user may ask for (the roots of their jurisdiction)."""
    return jurisdiction_codes(user)
