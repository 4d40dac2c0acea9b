"""The early-warning rules: each a small function from the clock (passed in) to the situations it finds
(`Finding`), reading the ledger, its rollup and the grid events; none of them writes. The thresholds are
settings (`COMMAND_WARN_*`, docs/warnings.md). `command.warnings.actions.evaluate_warnings` raises a
warning per finding, once per fingerprint.

- deadline_risk: open items whose current step has used ≥ COMMAND_WARN_DEADLINE_SHARE of its limit and
  that nobody has moved for COMMAND_WARN_DEADLINE_IDLE_HOURS (likely to breach; 橙 from the orange share).
- spike: grid reports per area × minor class, today against a 7-day baseline, with the CDC's EARS
  C1/C2/C3 statistics over the daily rollup counts (`ears`).
- repeated_place: COMMAND_WARN_PLACE_COUNT reports or more within COMMAND_WARN_PLACE_RADIUS_M metres in
  the last COMMAND_WARN_PLACE_DAYS days.
- unrouted_backlog: per town, COMMAND_WARN_UNROUTED_COUNT or more filed events waiting for dispatch longer
  than COMMAND_WARN_UNROUTED_HOURS.
- approvals_queue: a centre's queue of open applications grew on each of the last
  COMMAND_WARN_QUEUE_DAYS days, by COMMAND_WARN_QUEUE_GROWTH or more in all.
- publication_late: a penalty decision not published within its statutory limit, or a revoked one still
  up (enforcement.cases.publication's own definition of late, `late_filter`).
- one_shoulder: a grid where "一肩挑" applies (party's `one_shoulder_checks`; every grid or comprehensive
  ones only, PARTY_ONE_SHOULDER_ALL_GRIDS) has no grid head (橙), or its head is not the secretary of the
  branch over it (黄). One warning per grid, problem and month while none is open for them; once the
  secretary is assigned the rule no longer finds the grid.
- territorial_*: the 三资 findings of territorial.findings (contracts expiring in 90 / 30 days, rent
  overdue, cash kept undeposited past TERRITORIAL_DEPOSIT_DAYS (坐收坐支), large payments booked without
  the approval chain, payments split under the town's threshold, contracts without income), one rule each.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from accounts.models import OrgUnit
from enforcement.cases.publication import (
    NOTICE_PUBLICATION_LATE,
    REVOKED_WITHDRAW_DAYS,
    late_filter,
    late_stage,
)
from enforcement.models import Publication
from grid.events.duplicates import METRES_PER_DEGREE_LAT, haversine_m
from grid.models import Category, GridEvent
from party.selectors import one_shoulder_checks
from territorial.findings import Finding as TerritorialFinding
from territorial.findings import findings_in
from territorial.models import CollectiveOrganisation
from territory.models import Division, Grid
from workflow.engine import step_elapsed_seconds
from workflow.models import LedgerRollup, WorkItem
from workflow.rollups import cursor_of, tail_delta

from .models import EarlyWarning, Level, Rule

WARNING_PROCESS = "command_warning"
GRID_PROCESS = "grid_event"
APPROVALS_PROCESS = "approval_application"
AREA_LENGTHS = {"town": 9, "village": 12, "grid": 15}
SERIES_DAYS = 12  # C3 needs C2 of today and the two days before, each over a 7-day baseline lagged 2 days
DEADLINE_BATCH = 2000


@dataclass(frozen=True)
class Finding:
    """A situation one rule found: what the warning will say and whom it concerns."""

    rule: str
    level: str
    fingerprint: str
    territory_code: str
    owner_unit: OrgUnit | None
    title: str
    summary: str
    evidence: dict[str, Any]
    item_ids: list[int] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- units


class Owners:
    """The unit that owns a warning about a territory: its nearest command centre, else its government
    (the units are few; read once per evaluation)."""

    def __init__(self) -> None:
        kinds = (OrgUnit.Kind.COMMAND_CENTRE, OrgUnit.Kind.GOVERNMENT)
        self.units = sorted(
            OrgUnit.objects.filter(kind__in=kinds),
            key=lambda u: (-len(u.territory_code), u.kind != OrgUnit.Kind.COMMAND_CENTRE, u.code),
        )

    def of(self, code: str) -> OrgUnit | None:
        return next((u for u in self.units if code.startswith(u.territory_code)), None)


def place_name(code: str) -> str:
    grid = Grid.objects.filter(code=code).values_list("name", flat=True).first()
    if grid:
        return str(grid)
    return str(Division.objects.filter(code=code).values_list("name", flat=True).first() or code)


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


# ---------------------------------------------------------------------------------------------- deadline


def deadline_risk(now: datetime, owners: Owners) -> list[Finding]:
    """Open, running items (any process but the warnings' own) past the share of their step limit and
    idle for the configured hours; nearest deadlines first, at most DEADLINE_BATCH per evaluation."""
    share_min = float(settings.COMMAND_WARN_DEADLINE_SHARE)
    share_orange = float(settings.COMMAND_WARN_DEADLINE_ORANGE_SHARE)
    idle = timedelta(hours=float(settings.COMMAND_WARN_DEADLINE_IDLE_HOURS))
    candidates = (
        WorkItem.objects.filter(
            closed_at__isnull=True,
            paused_at__isnull=True,
            step_due_at__gt=now,
            step_limit_seconds__gt=0,
            updated_at__lte=now - idle,
        )
        .exclude(process_name=WARNING_PROCESS)
        .select_related("assigned_unit")
        .order_by("step_due_at")[:DEADLINE_BATCH]
    )
    found = []
    for item in candidates:
        limit = float(item.step_limit_seconds or 0)
        share = (step_elapsed_seconds(item, now) or 0.0) / limit
        if share < share_min:
            continue
        idle_hours = (now - item.updated_at).total_seconds() / 3600
        level = Level.ORANGE if share >= share_orange else Level.YELLOW
        found.append(
            Finding(
                rule=Rule.DEADLINE_RISK,
                level=level,
                fingerprint=f"deadline_risk:{item.pk}:{item.step_started_at.timestamp():.0f}",
                territory_code=item.territory_code,
                owner_unit=item.assigned_unit or owners.of(item.territory_code),
                title=f"临期风险：{item.title}"[:200],
                summary=(
                    f"本环节已用时 {share:.0%}，已 {idle_hours:.1f} 小时无人办理，"
                    f"期限 {timezone.localtime(item.step_due_at):%m-%d %H:%M}。"
                ),
                evidence={
                    "process": item.process_name,
                    "state": item.state,
                    "elapsed_share": round(share, 4),
                    "limit_seconds": limit,
                    "idle_hours": round(idle_hours, 2),
                    "step_due_at": item.step_due_at.isoformat() if item.step_due_at else None,
                    "threshold_share": share_min,
                    "threshold_idle_hours": idle.total_seconds() / 3600,
                },
                item_ids=[item.pk],
            )
        )
    return found


# ---------------------------------------------------------------------------------------------- spikes


@dataclass(frozen=True)
class Ears:
    """EARS statistics of the last day of a daily series (Hutwagner et al., 2003): C1 against the 7 days
    before it, C2 against the 7 days ending 3 days before it, C3 = Σ max(0, C2 − 1) over it and the two
    days before. σ is the sample standard deviation, floored at `min_sigma` (a flat baseline would
    otherwise divide by zero and make any single report a spike)."""

    count: int
    c1: float
    c2: float
    c3: float
    mean_c1: float
    sigma_c1: float
    mean_c2: float
    sigma_c2: float
    fired: tuple[str, ...]


def _c(series: Sequence[int], t: int, lag: int, min_sigma: float) -> tuple[float, float, float]:
    base = series[t - lag - 7 : t - lag]
    mean = statistics.fmean(base)
    sigma = max(statistics.stdev(base), min_sigma)
    return (series[t] - mean) / sigma, mean, sigma


def ears(series: Sequence[int], *, threshold: float, c3_threshold: float, min_sigma: float) -> Ears:
    """`series`: SERIES_DAYS daily counts, oldest first, the day under test last."""
    if len(series) != SERIES_DAYS:
        raise ValueError(f"EARS needs {SERIES_DAYS} days, got {len(series)}")
    t = SERIES_DAYS - 1
    c1, mean1, sigma1 = _c(series, t, 0, min_sigma)
    c2s = [_c(series, t - k, 2, min_sigma) for k in (0, 1, 2)]
    c3 = sum(max(0.0, c - 1) for c, _m, _s in c2s)
    c2, mean2, sigma2 = c2s[0]
    fired = tuple(
        name
        for name, value, limit in (("C1", c1, threshold), ("C2", c2, threshold), ("C3", c3, c3_threshold))
        if value > limit
    )
    return Ears(series[t], c1, c2, c3, mean1, sigma1, mean2, sigma2, fired)


def _daily_reports(first: date, last: date, area_length: int) -> dict[tuple[str, str], Counter[date]]:
    """Reports per (area code, minor class) and local day: the rollup plus its unfolded tail."""
    counts: dict[tuple[str, str], Counter[date]] = defaultdict(Counter)
    rows = (
        LedgerRollup.objects.filter(
            process_name=GRID_PROCESS, measure="reported", day__gte=first, day__lte=last
        )
        .values_list("territory_code", "subject_class", "day")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for code, cls, day, n in rows:
        counts[(code[:area_length], cls)][day] += int(n or 0)
    for key, n in tail_delta(GRID_PROCESS, cursor_of(GRID_PROCESS)).items():
        if key.measure == "reported" and first <= key.day <= last:
            counts[(key.territory_code[:area_length], key.subject_class)][key.day] += n
    return counts


def _category_name(cls: str) -> str:
    kind, _sep, code = cls.partition(":")
    name = Category.objects.filter(kind=kind, code=code).values_list("name", flat=True).first()
    return str(name or cls or "未分类")


def spikes(now: datetime, owners: Owners) -> list[Finding]:
    threshold = float(settings.COMMAND_WARN_EARS_THRESHOLD)
    c3_threshold = float(settings.COMMAND_WARN_EARS_C3_THRESHOLD)
    min_sigma = float(settings.COMMAND_WARN_EARS_MIN_SIGMA)
    min_count = int(settings.COMMAND_WARN_EARS_MIN_COUNT)
    area_length = AREA_LENGTHS[settings.COMMAND_WARN_SPIKE_AREA]
    today = local_day(now)
    first = today - timedelta(days=SERIES_DAYS - 1)
    days = [first + timedelta(days=i) for i in range(SERIES_DAYS)]
    found = []
    for (area, cls), by_day in sorted(_daily_reports(first, today, area_length).items()):
        if by_day[today] < min_count:
            continue
        series = [by_day[d] for d in days]
        result = ears(series, threshold=threshold, c3_threshold=c3_threshold, min_sigma=min_sigma)
        if not result.fired:
            continue
        level = {1: Level.YELLOW, 2: Level.ORANGE}.get(len(result.fired), Level.RED)
        category = _category_name(cls)
        kind, _sep, code = cls.partition(":")
        start = timezone.make_aware(datetime.combine(today, datetime.min.time()))
        item_ids = list(
            GridEvent.objects.filter(
                territory_code__startswith=area,
                category__kind=kind,
                category__code=code,
                reported_at__gte=start,
                reported_at__lte=now,
                work_item__isnull=False,
            ).values_list("work_item_id", flat=True)[:200]
        )
        found.append(
            Finding(
                rule=Rule.SPIKE,
                level=level,
                fingerprint=f"spike:{area}:{cls}:{today.isoformat()}",
                territory_code=area,
                owner_unit=owners.of(area),
                title=f"事件激增：{place_name(area)} · {category}"[:200],
                summary=(
                    f"今日上报 {result.count} 件，近 7 日平均 {result.mean_c1:.1f} 件；"
                    f"EARS {'、'.join(result.fired)} 超过阈值。"
                ),
                evidence={
                    "category": cls,
                    "days": [d.isoformat() for d in days],
                    "series": series,
                    "c1": round(result.c1, 3),
                    "c2": round(result.c2, 3),
                    "c3": round(result.c3, 3),
                    "mean_c1": round(result.mean_c1, 3),
                    "sigma_c1": round(result.sigma_c1, 3),
                    "mean_c2": round(result.mean_c2, 3),
                    "sigma_c2": round(result.sigma_c2, 3),
                    "fired": list(result.fired),
                    "threshold": threshold,
                    "c3_threshold": c3_threshold,
                    "min_sigma": min_sigma,
                },
                item_ids=[int(i) for i in item_ids],
            )
        )
    return found


# ---------------------------------------------------------------------------------------------- places


def _cells(points: Sequence[dict[str, Any]], size_m: float) -> dict[tuple[int, int], list[int]]:
    """Index of points by a square cell of `size_m` (so neighbours within size_m are in the 3 × 3 cells
    around a point's own)."""
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, p in enumerate(points):
        cells[_cell(p, size_m)].append(index)
    return cells


def _cell(p: dict[str, Any], size_m: float) -> tuple[int, int]:
    cos_lat = max(math.cos(math.radians(p["lat"])), 1e-6)
    return (
        math.floor(p["lat"] * METRES_PER_DEGREE_LAT / size_m),
        math.floor(p["lon"] * METRES_PER_DEGREE_LAT * cos_lat / size_m),
    )


def repeated_places(now: datetime, owners: Owners) -> list[Finding]:
    """Greedy clusters, oldest report first: a report with at least N − 1 unclustered neighbours within
    R metres forms a cluster with them. A cluster that shares a report with an unfinished warning of this
    rule is that warning's situation, not a new one."""
    count = int(settings.COMMAND_WARN_PLACE_COUNT)
    radius = float(settings.COMMAND_WARN_PLACE_RADIUS_M)
    days = int(settings.COMMAND_WARN_PLACE_DAYS)
    points: list[dict[str, Any]] = [
        dict(row)
        for row in GridEvent.objects.filter(
            reported_at__gt=now - timedelta(days=days),
            reported_at__lte=now,
            lon__isnull=False,
            lat__isnull=False,
            work_item__isnull=False,
        )
        .exclude(work_item__state="voided")
        .order_by("reported_at", "id")
        .values("id", "work_item_id", "lon", "lat", "territory_code", "reported_at", "address")
    ]
    covered: set[int] = set()
    for ids in EarlyWarning.objects.filter(rule=Rule.REPEATED_PLACE, finished_at__isnull=True).values_list(
        "item_ids", flat=True
    ):
        covered.update(int(i) for i in ids or [])
    cells = _cells(points, radius)
    taken: set[int] = set()
    found = []
    for index, p in enumerate(points):
        if index in taken:
            continue
        row, col = _cell(p, radius)
        near = [
            j
            for dr in (-1, 0, 1)
            for dc in (-1, 0, 1)
            for j in cells.get((row + dr, col + dc), [])
            if j not in taken
            and haversine_m(p["lon"], p["lat"], points[j]["lon"], points[j]["lat"]) <= radius
        ]
        if len(near) < count:
            continue
        taken.update(near)
        members = sorted(near, key=lambda j: (points[j]["reported_at"], points[j]["id"]))
        item_ids = [int(points[j]["work_item_id"]) for j in members]
        if covered & set(item_ids):
            continue
        level = Level.ORANGE if len(members) >= 2 * count else Level.YELLOW
        anchor = points[members[0]]
        where = anchor["address"] or f"{anchor['lon']:.5f}, {anchor['lat']:.5f}"
        found.append(
            Finding(
                rule=Rule.REPEATED_PLACE,
                level=level,
                fingerprint=f"repeated_place:{anchor['id']}",
                territory_code=anchor["territory_code"],
                owner_unit=owners.of(anchor["territory_code"]),
                title=f"同一地点重复上报：{where}"[:200],
                summary=f"{days} 天内在 {radius:g} 米范围内上报 {len(members)} 件。",
                evidence={
                    "reports": len(members),
                    "radius_m": radius,
                    "days": days,
                    "threshold": count,
                    "centre": [anchor["lon"], anchor["lat"]],
                    "first_reported_at": anchor["reported_at"].isoformat(),
                    "last_reported_at": points[members[-1]]["reported_at"].isoformat(),
                },
                item_ids=item_ids,
            )
        )
    return found


# ---------------------------------------------------------------------------------------------- backlog


def unrouted_backlog(now: datetime, owners: Owners) -> list[Finding]:
    hours = float(settings.COMMAND_WARN_UNROUTED_HOURS)
    count = int(settings.COMMAND_WARN_UNROUTED_COUNT)
    waiting = WorkItem.objects.filter(
        process_name=GRID_PROCESS,
        state="filed",
        closed_at__isnull=True,
        step_started_at__lte=now - timedelta(hours=hours),
    ).values_list("pk", "territory_code", "step_started_at")
    by_town: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
    for pk, code, started in waiting:
        by_town[code[:9]].append((pk, started))
    found = []
    today = local_day(now)
    for town, rows in sorted(by_town.items()):
        if len(rows) < count:
            continue
        oldest = min(started for _pk, started in rows)
        level = (
            Level.RED if len(rows) >= 4 * count else Level.ORANGE if len(rows) >= 2 * count else Level.YELLOW
        )
        found.append(
            Finding(
                rule=Rule.UNROUTED_BACKLOG,
                level=level,
                fingerprint=f"unrouted_backlog:{town}:{today.isoformat()}",
                territory_code=town,
                owner_unit=owners.of(town),
                title=f"立案待派遣积压：{place_name(town)}"[:200],
                summary=f"{len(rows)} 件已立案超过 {hours:g} 小时仍未派遣。",
                evidence={
                    "waiting": len(rows),
                    "threshold": count,
                    "hours": hours,
                    "oldest_hours": round((now - oldest).total_seconds() / 3600, 2),
                },
                item_ids=sorted(pk for pk, _started in rows)[:200],
            )
        )
    return found


# ---------------------------------------------------------------------------------------------- approvals


def approvals_queue(now: datetime, owners: Owners) -> list[Finding]:
    """Open applications per handling unit at now and at each of the previous days (open at T: created by
    T and not closed by T), counted in one grouped query over the open and the recently closed items."""
    days = int(settings.COMMAND_WARN_QUEUE_DAYS)
    growth_min = int(settings.COMMAND_WARN_QUEUE_GROWTH)
    moments = [now - timedelta(days=back) for back in range(days, -1, -1)]  # oldest first

    def open_at(moment: datetime) -> Count:
        return Count(
            "pk", filter=Q(created_at__lte=moment) & (Q(closed_at__isnull=True) | Q(closed_at__gt=moment))
        )

    rows = (
        WorkItem.objects.filter(
            process_name=APPROVALS_PROCESS, assigned_unit__isnull=False, created_at__lte=now
        )
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=moments[0]))
        .values("assigned_unit_id")
        .annotate(**{f"q{i}": open_at(moment) for i, moment in enumerate(moments)})
        .order_by("assigned_unit_id")
    )
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=[r["assigned_unit_id"] for r in rows])}
    today = local_day(now)
    found = []
    for row in rows:
        counts: dict[str, Any] = dict(row)
        queue = [int(counts[f"q{i}"]) for i in range(len(moments))]
        growth = queue[-1] - queue[0]
        if growth < growth_min or any(b <= a for a, b in pairwise(queue)):
            continue
        unit = units[row["assigned_unit_id"]]
        found.append(
            Finding(
                rule=Rule.APPROVALS_QUEUE,
                level=Level.ORANGE if growth >= 2 * growth_min else Level.YELLOW,
                fingerprint=f"approvals_queue:{unit.code}:{today.isoformat()}",
                territory_code=unit.territory_code,
                owner_unit=unit,
                title=f"审批窗口积压增长：{unit.name}"[:200],
                summary=f"在办件连续 {days} 天增加，由 {queue[0]} 件增至 {queue[-1]} 件。",
                evidence={"queue": queue, "growth": growth, "days": days, "threshold": growth_min},
            )
        )
    return found


# ---------------------------------------------------------------------------------------------- publication


def late_publications(now: datetime, owners: Owners) -> list[Finding]:
    """Decisions past their publication deadline (or revoked and not withdrawn in time), per stage; the
    owner is the squad that decided. 橙: a statutory duty (三项制度) is already breached."""
    found = []
    rows = (
        Publication.objects.filter(late_filter(now)).select_related("case", "case__squad").order_by("due_at")
    )
    for publication in rows:
        case = publication.case
        stage = late_stage(publication)
        unpublished = stage == NOTICE_PUBLICATION_LATE
        due = (
            publication.due_at
            if unpublished
            else (publication.revoked_at or now) + timedelta(days=REVOKED_WITHDRAW_DAYS)
        )
        hours_late = (now - due).total_seconds() / 3600
        what = "未按时公示" if unpublished else "已被撤销但未按时撤下"
        found.append(
            Finding(
                rule=Rule.PUBLICATION_LATE,
                level=Level.ORANGE,
                fingerprint=f"publication_late:{publication.pk}:{'publish' if unpublished else 'withdraw'}",
                territory_code=case.territory_code,
                owner_unit=case.squad or owners.of(case.territory_code),
                title=f"处罚决定{what}：{case.decision_number or case.pk}"[:200],
                summary=f"期限 {timezone.localtime(due):%m-%d %H:%M}，已超过 {hours_late:.1f} 小时。",
                evidence={
                    "decision_number": case.decision_number,
                    "stage": "publish" if unpublished else "withdraw",
                    "due_at": due.isoformat(),
                    "hours_late": round(hours_late, 2),
                },
                item_ids=[case.work_item_id] if case.work_item_id else [],
            )
        )
    return found


# ---------------------------------------------------------------------------------------------- 一肩挑

ONE_SHOULDER_PROBLEMS = {
    "no_head": ("无网格长", Level.ORANGE),
    "no_branch": ("网格及所在村无党支部", Level.YELLOW),
    "no_secretary": ("所属党支部无书记", Level.YELLOW),
    "head_not_secretary": ("网格长不是所属党支部书记", Level.YELLOW),
}


def one_shoulder(now: datetime, owners: Owners) -> list[Finding]:
    """Grids failing the 一肩挑 check today. A grid + problem with an unfinished warning is that
    warning's situation; a closed one that still holds comes back the next month (the month is in the
    fingerprint), so a standing gap is raised at most monthly and never twice at once."""
    counties = list(Division.objects.filter(level=Division.Level.DISTRICT).values_list("code", flat=True))
    open_now = {
        (w.get("grid_code"), w.get("problem"))
        for w in EarlyWarning.objects.filter(rule=Rule.ONE_SHOULDER, finished_at__isnull=True).values_list(
            "evidence", flat=True
        )
        if isinstance(w, dict)
    }
    month = local_day(now).strftime("%Y-%m")
    found = []
    for check in one_shoulder_checks(counties):
        if check.satisfied or (check.grid_code, check.problem) in open_now:
            continue
        what, level = ONE_SHOULDER_PROBLEMS[check.problem]
        found.append(
            Finding(
                rule=Rule.ONE_SHOULDER,
                level=level,
                fingerprint=f"one_shoulder:{check.grid_code}:{check.problem}:{month}",
                territory_code=check.grid_code,
                owner_unit=owners.of(check.grid_code),
                title=f"一肩挑：{place_name(check.village_code)} {check.grid_name}{what}"[:200],
                summary=f"{check.grid_name}（{check.grid_code}）{what}；网格长应由所属党支部书记担任。",
                evidence={
                    "grid_code": check.grid_code,
                    "grid_name": check.grid_name,
                    "village_code": check.village_code,
                    "problem": check.problem,
                    "all_grids": bool(settings.PARTY_ONE_SHOULDER_ALL_GRIDS),
                },
            )
        )
    return found


# ---------------------------------------------------------------------------------------------- 三资


# territorial finding code → (rule, level); a contract that moves from 90 to 30 days left raises anew.
TERRITORIAL_CODES: dict[str, tuple[str, str]] = {
    "contract_expiring_90": (Rule.TERRITORIAL_CONTRACT_EXPIRING, Level.YELLOW),
    "contract_expiring_30": (Rule.TERRITORIAL_CONTRACT_EXPIRING, Level.ORANGE),
    "instalment_overdue": (Rule.TERRITORIAL_INSTALMENT_OVERDUE, Level.YELLOW),
    "cash_not_deposited": (Rule.TERRITORIAL_CASH_NOT_DEPOSITED, Level.ORANGE),
    "large_payment_unapproved": (Rule.TERRITORIAL_LARGE_UNAPPROVED, Level.RED),
    "split_payment": (Rule.TERRITORIAL_SPLIT_PAYMENT, Level.ORANGE),
    "contract_without_income": (Rule.TERRITORIAL_CONTRACT_NO_INCOME, Level.YELLOW),
}


def _territorial_finding(f: TerritorialFinding, owners: Owners) -> Finding:
    rule, level = TERRITORIAL_CODES[f.code]
    evidence: dict[str, Any] = {"code": f.code, "subject_type": f.subject_type, "subject_id": f.subject_id}
    if f.amount is not None:
        evidence["amount"] = str(f.amount)
    return Finding(
        rule=rule,
        level=level,
        fingerprint=f"{rule}:{f.code}:{f.subject_type}:{f.subject_id}",
        territory_code=f.village_code,
        owner_unit=owners.of(f.village_code),
        title=f"{Rule(rule).label}：{place_name(f.village_code)}"[:200],
        summary=f.message,
        evidence=evidence,
    )


def territorial_rule(rule: str) -> Callable[[datetime, Owners], list[Finding]]:
    """The rule `rule` over all villages' 三资 at the local day of `now`."""

    def evaluate(now: datetime, owners: Owners) -> list[Finding]:
        found = findings_in(CollectiveOrganisation.objects.all(), today=local_day(now))
        return [
            _territorial_finding(f, owners)
            for f in found
            if f.code in TERRITORIAL_CODES and TERRITORIAL_CODES[f.code][0] == rule
        ]

    evaluate.__name__ = rule
    return evaluate


RULES: dict[str, Callable[[datetime, Owners], list[Finding]]] = {
    Rule.DEADLINE_RISK: deadline_risk,
    Rule.SPIKE: spikes,
    Rule.REPEATED_PLACE: repeated_places,
    Rule.UNROUTED_BACKLOG: unrouted_backlog,
    Rule.APPROVALS_QUEUE: approvals_queue,
    Rule.PUBLICATION_LATE: late_publications,
    Rule.ONE_SHOULDER: one_shoulder,
    **{
        rule: territorial_rule(rule)
        for rule in (
            Rule.TERRITORIAL_CONTRACT_EXPIRING,
            Rule.TERRITORIAL_INSTALMENT_OVERDUE,
            Rule.TERRITORIAL_CASH_NOT_DEPOSITED,
            Rule.TERRITORIAL_LARGE_UNAPPROVED,
            Rule.TERRITORIAL_SPLIT_PAYMENT,
            Rule.TERRITORIAL_CONTRACT_NO_INCOME,
        )
    },
}
