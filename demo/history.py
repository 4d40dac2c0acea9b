"""A month of plausible grid-governance history for the demo district, so every figure and page has
something real to show: ~3,000 events over the 30 days before `now` across grids, categories, channels
and every state — late, escalated (吹哨), reworked, parked, extended, sent back and wrongly dispatched,
voided and duplicated ones — with patrol items, patrols and check-ins in the two staffed towns.

Deterministic (one seeded `random.Random`) and idempotent: the events carry `attributes["demo"] =
"history"`; when any exists, nothing is added.

Two paths write the same kind of rows:
- **Real path** (`REAL_EVENTS`, ~60 events of the staffed towns): `grid.events` on the workflow
  engine, steps of all events replayed in time order with the escalation sweeper run (`sweep(now=t)`)
  before each step, exactly as production would have recorded them. These include the open
  `parked` and `extension_requested` items and every kind of step.
- **Bulk path** (the rest): one transition costs ~20 ms through the engine, far too slow for thousands of
  events on `make run`. The events, their feedback photos and the duplicate links are `bulk_create`d
  here; the work items and their transitions are the engine's: each timeline is handed to
  `workflow.bulk.do_import_items`, which replays it in memory against the pinned `grid_event`
  definition (every deadline, pause, extension and closure as `transition()` computes it, and the
  sweeper's warnings and 督办 up to `now`) and bulk-writes it with one audit event per batch. This
  module writes no work item or transition itself. Each batch also writes one summary audit event for
  its events, so the chain stays intact (`manage.py verify_audit`). Outbox messages are not written for
  history: nobody is notified of the past.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import random
import struct
import time as time_module
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from accounts import actions as account_actions
from accounts.models import Assignment, OrgUnit, Role, User
from audit.actions import record_event
from demo.history_routing import ROUTED_ACTIONS, decision_for
from grid.events.rating import do_rate_event
from grid.events.report import do_report_event
from grid.events.steps import do_event_action
from grid.models import (
    AttachmentStage,
    Category,
    CategoryStandard,
    EventAttachment,
    EventChannel,
    GridEvent,
    Patrol,
    PatrolCheckIn,
    PatrolFrequency,
    PatrolItem,
    RoutingDecision,
)
from grid.standards.routing import RoutingResult, route
from grid.standards.selectors import current_standard_version
from territory.models import Grid
from workcalendar.service import DEFAULT_WORK_HOURS, WorkHours, add_duration, is_working_day
from workflow.bulk import ItemRecord, RecordedStep, do_import_items
from workflow.clock import add_seconds, working_seconds
from workflow.definitions import ProcessDefinition, definition_of_version
from workflow.models import Priority, WorkItem
from workflow.publishing import current_version
from workflow.sweeper import sweep

logger = logging.getLogger(__name__)

SEED = 20260301
DAYS = 30
TOTAL_EVENTS = 3000
REAL_EVENTS = 60
BATCH = 500
STAFFED_TOWNS = ("320507003", "320507100")  # 黄桥, 望亭 (demo.seed.STAFFED_TOWNS)
MARK = {"demo": "history"}
LOCAL = timezone.get_default_timezone()
RESIDENT = (EventChannel.RESIDENT_WEB, EventChannel.OPEN311, EventChannel.HOTLINE)

# Minor classes the demo uses, with relative frequency.
EVENT_MIX = {
    "0102": 14,  # 暴露垃圾
    "0103": 6,  # 积存垃圾渣土
    "0104": 8,  # 道路不洁
    "0106": 4,
    "0107": 3,
    "0108": 3,
    "0101": 3,  # 私搭乱建
    "0201": 8,  # 非法小广告
    "0204": 3,
    "0301": 4,  # 施工扰民
    "0303": 3,
    "0304": 3,  # 扬尘
    "0401": 6,  # 无照经营
    "0402": 8,  # 占道经营
    "0404": 2,
    "0501": 3,  # 突发事件
    "0502": 2,
    "0504": 3,
}
COMPONENT_SHARE = 0.12
COMPONENT_CLASSES = 8  # component minor classes used (the first of the standard)
CHANNELS_STAFFED = [
    (EventChannel.PATROL, 55),
    (EventChannel.RESIDENT_WEB, 15),
    (EventChannel.OPEN311, 6),
    (EventChannel.HOTLINE, 18),
    (EventChannel.DISPATCHER, 6),
]
CHANNELS_OTHER = [
    (EventChannel.RESIDENT_WEB, 35),
    (EventChannel.OPEN311, 10),
    (EventChannel.HOTLINE, 45),
    (EventChannel.DISPATCHER, 10),
]
# Scenario → weight. "whistle" (village → town) and "village" (the village committee handles it) need a
# village head: staffed towns only; "whistle_district" goes from a town agency up to the district's.
SCENARIOS = [
    ("normal", 52),
    ("late", 9),
    ("rework", 6),
    ("extension", 4),
    ("wrong_dispatch", 3),
    ("whistle", 4),
    ("whistle_district", 2),
    ("village", 10),
    ("park", 2),
    ("self_resolve", 20),
    ("void", 6),
    ("duplicate", 5),
]
RESULTS = ["已清理完毕", "已责令整改并复查", "已拆除", "已清除并恢复原状", "已劝离并教育", "已修复"]
VOID_REASONS = ["现场核实无此问题", "不属于受理范围", "信息不全无法核实"]
SEND_BACK_REASONS = ["非本单位职责范围", "应由属地社区先行处置"]
RATINGS = [(5, 45), (4, 30), (3, 14), (2, 7), (1, 4)]
PATROL_ITEM_NAMES = [
    ("主干道及背街小巷环境卫生", PatrolFrequency.DAILY),
    ("沿街商铺门前三包", PatrolFrequency.WEEKLY),
    ("小区消防通道", PatrolFrequency.WEEKLY),
]


# ---------------------------------------------------------------------------------------------- plan


@dataclass
class Step:
    at: datetime
    action: str
    actor: str  # "dispatcher", "system", "reporter", or "unit:<code>"
    inputs: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


@dataclass
class Planned:
    index: int
    grid: str
    area_class: str
    kind: str
    category: str
    channel: str
    reported_at: datetime
    scenario: str
    real: bool = False
    steps: list[Step] = field(default_factory=list)
    duplicate_of: int | None = None
    rating: tuple[int, datetime] | None = None
    routed_unit: str | None = None
    handling: tuple[int, str] | None = None  # the standard's handling limit


def _weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Any:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


class Clock:
    """Working-time arithmetic on the default working hours (every demo unit keeps the default)."""

    def __init__(self, hours: WorkHours = DEFAULT_WORK_HOURS):
        self.hours = hours

    def after(self, start: datetime, minutes: float) -> datetime:
        return add_seconds(start, minutes * 60, "work_hours", self.hours).at

    def due(self, start: datetime, amount: int, unit: str) -> datetime:
        return add_duration(start, amount, unit, work_hours=self.hours).at

    def used(self, start: datetime, end: datetime, unit: str) -> float:
        return working_seconds(start, end, unit, self.hours)


@dataclass
class World:
    """What the plan needs to know about the demo district (loaded once)."""

    grids: list[tuple[str, str]]  # (code, area class)
    staffed: set[str]  # grid codes with a grid worker
    heads: dict[str, str]  # village code → head username
    members: dict[str, str]  # org-unit code → a member's username
    town_agencies: dict[str, list[str]]  # town → agency/station codes with a member
    standards: dict[tuple[str, str], CategoryStandard]  # (kind, minor) → first standard row
    routes: dict[tuple[str, str, str], str | None]  # (kind, minor, town) → unit code
    # (kind, minor, town) → the routing result itself (recorded as each event's routing decision)
    route_results: dict[tuple[str, str, str], RoutingResult] = field(default_factory=dict)


def _reported_at(rng: random.Random, now: datetime, channel: str) -> datetime:
    day = timezone.localtime(now).date() - timedelta(days=rng.randint(0, DAYS - 1))
    if channel == EventChannel.PATROL:
        minutes = rng.randint(8 * 60 + 40, 17 * 60)
    elif channel in (EventChannel.HOTLINE, EventChannel.DISPATCHER):
        minutes = rng.randint(8 * 60, 20 * 60)
    else:
        minutes = rng.randint(6 * 60, 23 * 60)
    moment = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=LOCAL)
    moment = moment.replace(second=rng.randint(0, 59))
    return moment - timedelta(days=1) if moment >= now else moment


def plan_events(world: World, now: datetime, *, total: int, real: int, seed: int = SEED) -> list[Planned]:
    """The events of the month and their timelines (steps later than `now` are dropped)."""
    rng = random.Random(seed)  # noqa: S311 - deterministic demo data, not security
    clock = Clock()
    minors = list(EVENT_MIX.items())
    components = sorted({minor for kind, minor, _town in world.routes if kind == "component"})
    planned: list[Planned] = []
    staffed_grids = [g for g in world.grids if g[0] in world.staffed]
    for index in range(total):
        staffed = rng.random() < 0.55
        code, area = rng.choice(staffed_grids if staffed and staffed_grids else world.grids)
        channel = _weighted(rng, CHANNELS_STAFFED if code in world.staffed else CHANNELS_OTHER)
        kind = "component" if components and rng.random() < COMPONENT_SHARE else "event"
        minor = rng.choice(components) if kind == "component" else _weighted(rng, minors)
        scenario = _weighted(rng, SCENARIOS)
        if scenario == "self_resolve" and channel != EventChannel.PATROL:
            scenario = "normal"
        if scenario in ("whistle", "village") and code[:12] not in world.heads:
            scenario = "normal"
        p = Planned(index, code, area, kind, minor, channel, _reported_at(rng, now, channel), scenario)
        if channel in RESIDENT and code in world.staffed and rng.random() < 0.5:
            # Often the grid worker had already reported the same problem (then it is not 漏报).
            found = [
                o
                for o in planned[-300:]
                if o.grid == code
                and o.channel == EventChannel.PATROL
                and timedelta(0) < p.reported_at - o.reported_at < timedelta(hours=72)
            ]
            if found:
                p.kind, p.category = found[-1].kind, found[-1].category
        if scenario == "duplicate":
            earlier = [
                o
                for o in planned[-200:]
                if o.grid[:9] == code[:9]
                and o.scenario not in ("void", "duplicate")
                and timedelta(0) < p.reported_at - o.reported_at < timedelta(days=3)
            ]
            if earlier:
                original = rng.choice(earlier)
                p.grid, p.area_class, p.kind, p.category = (
                    original.grid,
                    original.area_class,
                    original.kind,
                    original.category,
                )
                p.duplicate_of = original.index
                p.channel = rng.choice(
                    [EventChannel.RESIDENT_WEB, EventChannel.HOTLINE, EventChannel.OPEN311]
                )
            else:
                p.scenario = "normal"
        standard = world.standards.get((p.kind, p.category))
        if standard is None:  # a class without a standard row: use a common one
            p.kind, p.category = "event", "0102"
            standard = world.standards[("event", "0102")]
        p.handling = (standard.limit_for_area(p.area_class), standard.unit)
        p.routed_unit = world.routes.get((p.kind, p.category, p.grid[:9]))
        planned.append(p)
    planned.sort(key=lambda e: e.reported_at)
    # The real path: events of the staffed towns, spread over the month, every scenario represented.
    candidates = [p for p in planned if p.grid in world.staffed and p.routed_unit and p.duplicate_of is None]
    chosen: set[int] = set()
    for scenario, _ in SCENARIOS:
        pool = [p for p in candidates if p.scenario == scenario]
        chosen.update(
            p.index for p in pool[:: max(1, len(pool) // max(1, real // len(SCENARIOS)))][: real // 8]
        )
    for p in planned:
        p.real = p.index in chosen
        _timeline(rng, clock, world, p, now)
    # A duplicate follows its original's path (the link must point into the same path).
    by_index = {p.index: p for p in planned}
    for p in planned:
        if p.duplicate_of is not None:
            p.real = by_index[p.duplicate_of].real
    return planned


def _district_unit(world: World, town_unit: str) -> str:
    """The district agency a town agency whistles to: the same line (suffix) if it exists, else urban."""
    district = town_unit[:6]
    same = f"{district}-{town_unit.split('-', 1)[1]}"
    return same if same in world.members else f"{district}-urban"


def _timeline(rng: random.Random, clock: Clock, world: World, p: Planned, now: datetime) -> None:
    steps: list[Step] = []
    t = p.reported_at
    unit = p.routed_unit

    def add(minutes: tuple[float, float], action: str, actor: str, **kwargs: Any) -> datetime:
        nonlocal t
        t = clock.after(t, rng.uniform(*minutes))
        steps.append(Step(t, action, actor, **kwargs))
        return t

    if p.scenario == "void":
        add((5, 90), "void", "dispatcher", reason=rng.choice(VOID_REASONS))
    elif p.scenario == "duplicate":
        add((5, 60), "mark_duplicate", "dispatcher")
    elif p.scenario == "self_resolve":
        add((10, 50), "self_resolve", "reporter", inputs={"result": rng.choice(RESULTS)})
    elif unit is None:
        add((5, 50), "file", "dispatcher")  # stays filed: nobody is responsible (the unrouted queue)
    else:
        add((5, 50), "file", "dispatcher", inputs={"routed_unit": unit})
        first = unit
        if p.scenario == "wrong_dispatch":
            others = [u for u in world.town_agencies.get(p.grid[:9], []) if u != unit]
            first = rng.choice(others) if others else unit
        elif p.scenario in ("whistle", "village"):
            first = f"{p.grid[:12]}-vc"
        on_time_dispatch = rng.random() < 0.9
        add(
            (5, 55) if on_time_dispatch else (65, 180),
            "dispatch",
            "dispatcher",
            inputs={"assigned_unit": first},
        )
        holder = first
        if p.scenario == "wrong_dispatch" and first != unit:
            add((5, 60), "send_back", f"unit:{first}", reason=rng.choice(SEND_BACK_REASONS))
            add(
                (5, 50),
                "dispatch",
                "dispatcher",
                inputs={
                    "assigned_unit": unit,
                    "redispatch": True,
                    "previous_unit": first,
                    "wrong_dispatch": True,
                },
            )
            holder = unit
        late_sign = rng.random() < 0.06
        sign_at = add((70, 150) if late_sign else (5, 55), "sign", f"unit:{holder}")
        if late_sign:
            due = clock.due(steps[-2].at, 1, "work_hours")
            steps.insert(-1, Step(due + timedelta(minutes=1), "supervise_sign", "system"))
        if p.scenario == "whistle":
            add(
                (20, 120),
                "whistle",
                f"unit:{holder}",
                reason="超出村级处置能力，需镇职能机构处置",
                inputs={"trigger": rng.choice(["beyond_powers", "needs_enforcement"]), "assigned_unit": unit},
            )
            holder = unit
            sign_at = add((5, 50), "sign", f"unit:{holder}")
        upper = _district_unit(world, unit)
        if p.scenario == "whistle_district" and upper in world.members:
            add(
                (20, 120),
                "whistle",
                f"unit:{holder}",
                reason="超出镇级处置能力，需区职能部门处置",
                inputs={"trigger": rng.choice(["needs_enforcement", "emergency"]), "assigned_unit": upper},
            )
            holder = upper
            sign_at = add((5, 50), "sign", f"unit:{holder}")
        assert p.handling is not None
        amount, limit_unit = p.handling
        due = clock.due(sign_at, amount, limit_unit)
        if p.scenario == "park":
            # Parked within the first half of the allowance; on resumption the rest of it counts again.
            t = sign_at + (due - sign_at) * rng.uniform(0.1, 0.5)
            steps.append(Step(t, "park", "dispatcher", reason="涉及拆迁规划，暂缓处置"))
            remaining = clock.used(t, due, limit_unit)
            t = clock.after(t + timedelta(days=rng.randint(2, 6)), rng.uniform(0, 60))
            steps.append(Step(t, "unpark", "dispatcher"))
            due = add_seconds(t, remaining, limit_unit, clock.hours).at
        if p.scenario == "extension":
            # Asked for and granted before the deadline (the engine moves it by 2 working days).
            t = sign_at + (due - sign_at) * rng.uniform(0.2, 0.4)
            steps.append(Step(t, "request_extension", f"unit:{holder}", reason="需协调多部门联合处置"))
            t = sign_at + (due - sign_at) * rng.uniform(0.5, 0.9)
            steps.append(Step(t, "approve_extension", "dispatcher"))
            extended = clock.due(due, 2, "work_days")
            t = max(t, due) + (extended - max(t, due)) * rng.uniform(0.1, 0.8)
            t = clock.after(t, 0)
            steps.append(Step(t, "feedback", f"unit:{holder}", inputs={"result": rng.choice(RESULTS)}))
        elif p.scenario == "late":
            steps.append(Step(due + timedelta(minutes=1), "supervise", "system"))
            t = clock.after(due, rng.uniform(20, 600))
            steps.append(Step(t, "feedback", f"unit:{holder}", inputs={"result": rng.choice(RESULTS)}))
        else:
            span = max(60.0, (due - t).total_seconds())
            t = t + timedelta(seconds=span * rng.uniform(0.1, 0.9))
            if t >= due:
                t = due - timedelta(minutes=5)
            steps.append(Step(t, "feedback", f"unit:{holder}", inputs={"result": rng.choice(RESULTS)}))
        if p.scenario == "rework":
            add((30, 240), "verify_fail", "dispatcher", reason="现场核查未处置到位，请返工")
            rework_due = clock.due(t, amount, limit_unit)
            t = t + (rework_due - t) * rng.uniform(0.2, 0.8)
            steps.append(Step(t, "feedback", f"unit:{holder}", inputs={"result": rng.choice(RESULTS)}))
        add((30, 420), "verify_pass", "dispatcher")
    if steps and steps[-1].action in ("verify_pass", "self_resolve") and rng.random() < 0.6:
        rated = steps[-1].at + timedelta(hours=rng.uniform(1, 48))
        if rated < now:
            p.rating = (_weighted(rng, RATINGS), rated)
    p.steps = [s for s in steps if s.at < now]


# ---------------------------------------------------------------------------------------------- world


def load_world(now: datetime, *, system: User) -> World:
    grids = list(Grid.objects.filter(active=True).order_by("code").values_list("code", "area_class"))
    staffed = set(
        Assignment.objects.filter(role=Role.GRID_WORKER, active=True).values_list("territory_code", flat=True)
    )
    heads: dict[str, str] = {}
    for username, code in (
        Assignment.objects.filter(role=Role.GRID_HEAD, active=True)
        .order_by("user__username")
        .values_list("user__username", "territory_code")
    ):
        heads.setdefault(code, username)
    members: dict[str, str] = {}
    for code, username in (
        Assignment.objects.filter(active=True, user__is_active=True)
        # People of the other streams (window clerks, approvers, legal reviewers) never act in the grid loop.
        .exclude(
            role__in=[
                Role.GRID_WORKER,
                Role.DATA_STEWARD,
                Role.AUDITOR,
                Role.WINDOW_CLERK,
                Role.APPROVER,
                Role.LEGAL_REVIEWER,
            ]
        )
        .order_by("org_unit__code", "user__username")
        .values_list("org_unit__code", "user__username")
    ):
        members.setdefault(code, username)
    town_agencies: dict[str, list[str]] = {}
    for code, territory in OrgUnit.objects.filter(
        kind__in=[OrgUnit.Kind.AGENCY, OrgUnit.Kind.STATION, OrgUnit.Kind.SQUAD]
    ).values_list("code", "territory_code"):
        if len(territory) == 9 and code in members:
            town_agencies.setdefault(territory, []).append(code)
    version = current_standard_version()
    standards: dict[tuple[str, str], CategoryStandard] = {}
    for row in (
        CategoryStandard.objects.filter(version=version).select_related("category").order_by("sequence")
    ):
        standards.setdefault((row.category.kind, row.category.code), row)
    towns = sorted({code[:9] for code, _ in grids})
    routes: dict[tuple[str, str, str], str | None] = {}
    results: dict[tuple[str, str, str], RoutingResult] = {}
    sample = {town: next(code for code, _ in grids if code.startswith(town)) for town in towns}
    used = [("event", minor) for minor in EVENT_MIX] + [key for key in standards if key[0] == "component"][
        :COMPONENT_CLASSES
    ]
    for kind, minor in used:
        for town in towns:
            result = route(minor, grid_code=sample[town], kind=kind)
            unit = result.org_unit.code if result.org_unit is not None else None
            routes[(kind, minor, town)] = unit if unit in members else None
            results[(kind, minor, town)] = result
    return World(grids, staffed, heads, members, town_agencies, standards, routes, results)


def ensure_agency_staff(*, system: User, now: datetime) -> int:
    """A member of staff (no log-in) for every town agency and station and district agency that has none,
    so the loop can be walked in every town. Same naming as demo.seed.staff_specs."""
    have = set(Assignment.objects.filter(active=True).values_list("org_unit__code", flat=True))
    specs = []
    for unit in OrgUnit.objects.filter(
        kind__in=[OrgUnit.Kind.AGENCY, OrgUnit.Kind.STATION, OrgUnit.Kind.SQUAD]
    ).order_by("code"):
        if unit.code in have:
            continue
        username = f"staff_{unit.code}"
        role = Role.SQUAD_LEADER if unit.kind == OrgUnit.Kind.SQUAD else Role.AGENCY_STAFF
        name = _person_name(username)
        specs.append(account_actions.StaffSpec(username, name, unit.code, role, is_demo=True))
    return len(account_actions.do_bulk_create_staff(specs, actor=system, now=now, batch="demo-history"))


def _person_name(key: str) -> str:
    from demo.seed import person_name  # demo.seed imports this module; import late

    return person_name(key)


# ---------------------------------------------------------------------------------------------- photos


@functools.cache
def demo_png() -> bytes:
    """A small valid PNG (a grey 48×36 picture), deterministic."""
    width, height = 48, 36
    raw = b"".join(b"\x00" + bytes((150 + (x * 7 + y * 3) % 60) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@functools.cache
def _png_digest() -> str:
    return hashlib.sha256(demo_png()).hexdigest()


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("现场照片.png", demo_png(), content_type="image/png")


# ---------------------------------------------------------------------------------------------- seeding


def seed_history(
    *, now: datetime, system: User, total: int | None = None, real: int | None = None
) -> dict[str, int]:
    """Load the month (idempotent: nothing when the history is already there). Sizes default to the
    settings DEMO_HISTORY_EVENTS / DEMO_HISTORY_REAL_EVENTS, else TOTAL_EVENTS / REAL_EVENTS."""
    total = total if total is not None else int(getattr(settings, "DEMO_HISTORY_EVENTS", TOTAL_EVENTS))
    real = real if real is not None else int(getattr(settings, "DEMO_HISTORY_REAL_EVENTS", REAL_EVENTS))
    if total <= 0 or GridEvent.objects.filter(attributes__demo="history").exists():
        return {"events": 0, "real_events": 0, "transitions": 0, "patrols": 0, "check_ins": 0, "staff": 0}
    began = time_module.perf_counter()
    _WORKERS.clear()  # the lookups are per run (another database, e.g. a test's, may have filled them)
    _CATEGORY_NAMES.clear()
    staff = ensure_agency_staff(system=system, now=now)
    world = load_world(now, system=system)
    planned = plan_events(world, now, total=total, real=real)
    patrols, check_ins = seed_patrols(world, now, system=system)
    planned_at = time_module.perf_counter()
    real_count, real_transitions = run_real(world, [p for p in planned if p.real], now, system=system)
    real_at = time_module.perf_counter()
    bulk_count, bulk_transitions = write_bulk(world, [p for p in planned if not p.real], now, system=system)
    logger.info(
        "demo history: plan and patrols %.1f s, %d real events %.1f s, %d bulk events %.1f s",
        planned_at - began,
        real_count,
        real_at - planned_at,
        bulk_count,
        time_module.perf_counter() - real_at,
    )
    return {
        "events": real_count + bulk_count,
        "real_events": real_count,
        "transitions": real_transitions + bulk_transitions,
        "patrols": patrols,
        "check_ins": check_ins,
        "staff": staff,
    }


def _users(usernames: Iterable[str]) -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=set(usernames))}


def _actor_name(world: World, p: Planned, actor: str) -> str | None:
    if actor == "dispatcher":
        return "dispatcher"
    if actor == "system":
        return "system"
    if actor == "reporter":
        return _reporter_name(world, p)
    code = actor.split(":", 1)[1]
    if code.endswith("-vc"):
        return world.heads.get(code[:-3]) or world.members.get(code)
    return world.members.get(code)


def _reporter_name(world: World, p: Planned) -> str | None:
    if p.channel == EventChannel.PATROL:
        return _grid_worker(p.grid)
    if p.channel in (EventChannel.HOTLINE, EventChannel.DISPATCHER):
        return "dispatcher"
    return None


_WORKERS: dict[str, str] = {}


def _grid_worker(grid: str) -> str | None:
    if not _WORKERS:
        _WORKERS.update(
            Assignment.objects.filter(role=Role.GRID_WORKER, active=True)
            .order_by("-user__username")
            .values_list("territory_code", "user__username")
        )
    return _WORKERS.get(grid)


def run_real(world: World, planned: list[Planned], now: datetime, *, system: User) -> tuple[int, int]:
    """Replay the real-path events through the actions, all steps in time order, the sweeper before each."""
    names = {"dispatcher", "system"}
    for p in planned:
        names.add(_reporter_name(world, p) or "system")
        names.update(n for s in p.steps if (n := _actor_name(world, p, s.actor)))
    users = _users(names)
    events: dict[int, GridEvent] = {}
    agenda: list[tuple[datetime, int, int, Planned]] = []
    for p in planned:
        agenda.append((p.reported_at, p.index, -1, p))
        agenda += [(s.at, p.index, i, p) for i, s in enumerate(p.steps) if s.actor != "system"]
    agenda.sort(key=lambda a: (a[0], a[1], a[2]))
    transitions = 0
    for moment, _index, position, p in agenda:
        sweep(now=moment)
        if position < 0:
            reporter = _reporter_name(world, p)
            events[p.index] = do_report_event(
                actor=users[reporter] if reporter else None,
                now=moment,
                channel=p.channel,
                kind=p.kind,
                category_code=p.category,
                description=f"{_category_name(p)}：{_DESCRIPTIONS[p.index % len(_DESCRIPTIONS)]}",
                grid_code=p.grid,
                reporter_phone="" if reporter else _phone(p.index),
                attributes=dict(MARK),
            )
            transitions += 1
            continue
        step = p.steps[position]
        event = events[p.index]
        inputs = {
            k: v for k, v in step.inputs.items() if k not in ("redispatch", "previous_unit", "wrong_dispatch")
        }
        photos = [_photo()] if step.action in ("feedback", "self_resolve") else []
        if step.action == "mark_duplicate":
            assert p.duplicate_of is not None
            inputs["original"] = events[p.duplicate_of].receipt_number
        actor_name = _actor_name(world, p, step.actor)
        assert actor_name is not None, (p.index, step)
        events[p.index] = do_event_action(
            event,
            step.action,
            actor=users[actor_name],
            now=moment,
            reason=step.reason,
            inputs=inputs,
            photos=photos,
        )
        transitions += 1
    sweep(now=now)
    for p in planned:
        if p.rating is not None and p.index in events:
            event = GridEvent.objects.select_related("work_item").get(pk=events[p.index].pk)
            if event.work_item is None or event.work_item.state != "closed":
                continue
            reporter = _reporter_name(world, p)
            do_rate_event(
                event, rating=p.rating[0], now=p.rating[1], actor=users[reporter] if reporter else None
            )
    return len(events), transitions


_DESCRIPTIONS = [
    "路口附近发现，影响通行和环境，请尽快处理。",
    "居民反映多次，现场情况属实。",
    "巡查中发现，已拍照留存。",
    "早晚高峰尤为明显，群众意见较大。",
    "位于小区出入口旁，存在安全隐患。",
]
_CATEGORY_NAMES: dict[tuple[str, str], str] = {}


def _category_name(p: Planned) -> str:
    if not _CATEGORY_NAMES:
        _CATEGORY_NAMES.update({(c.kind, c.code): c.name for c in Category.objects.all()})
    return _CATEGORY_NAMES.get((p.kind, p.category), p.category)


def _phone(index: int) -> str:
    return f"139{(index * 7919 + 12345) % 100000000:08d}"


# ---------------------------------------------------------------------------------------------- bulk


LEVEL_OF_LENGTH = {15: "grid", 12: "village", 9: "town", 6: "district"}


def write_bulk(world: World, planned: list[Planned], now: datetime, *, system: User) -> tuple[int, int]:
    """Write the bulk-path events in batches of BATCH: the events and their photos here, the work items
    and transitions through the engine's import (`workflow.bulk.do_import_items`)."""
    names = {"dispatcher", "system"}
    for p in planned:
        names.add(_reporter_name(world, p) or "system")
        names.update(n for s in p.steps if (n := _actor_name(world, p, s.actor)))
    users = _users(names)
    units = {
        u.code: u
        for u in OrgUnit.objects.filter(
            code__in=set(world.members) | {f"{g[:12]}-vc" for g, _ in world.grids}
        )
    }
    categories = {(c.kind, c.code): c for c in Category.objects.all()}
    version = current_version("grid_event", now=now)
    definition: ProcessDefinition = definition_of_version(
        version.pk, version.content_hash, version.definition
    )
    targets = {name: action.target for name, action in definition.actions.items()}
    photo_name = default_storage.save("events/demo/现场照片.png", ContentFile(demo_png()))
    by_index: dict[int, GridEvent] = {}
    transitions = 0
    for start in range(0, len(planned), BATCH):
        batch = planned[start : start + BATCH]
        with transaction.atomic():
            transitions += _write_batch(
                batch, by_index, world, users, units, categories, targets, now, system, photo_name
            )
    return len(planned), transitions


def _write_batch(
    batch: list[Planned],
    by_index: dict[int, GridEvent],
    world: World,
    users: dict[str, User],
    units: dict[str, OrgUnit],
    categories: dict[tuple[str, str], Category],
    targets: dict[str, str],
    now: datetime,
    system: User,
    photo_name: str,
) -> int:
    events = []
    # Titles name the grid as the live path does (category（grid name）), never its 15-digit code.
    grid_names = dict(Grid.objects.filter(code__in={p.grid for p in batch}).values_list("code", "name"))
    for p in batch:
        category = categories[(p.kind, p.category)]
        reporter = _reporter_name(world, p)
        standard = world.standards[(p.kind, p.category)]
        title = f"{category.name}（{grid_names.get(p.grid, p.grid)}）"
        level, closure_level, closed = _outcome(p, units, targets)
        rating, rated_at = p.rating if p.rating is not None and closed else (None, None)
        events.append(
            GridEvent(
                level=level,
                closure_level=closure_level,
                rating=rating,
                rated_at=rated_at,
                receipt_number=f"SJ{timezone.localtime(p.reported_at):%y%m%d}D{p.index:07d}",
                kind=p.kind,
                category=category,
                standard=standard,
                channel=p.channel,
                title=title,
                description=f"{category.name}：{_DESCRIPTIONS[p.index % len(_DESCRIPTIONS)]}",
                grid_id=p.grid,
                territory_code=p.grid,
                reporter=users.get(reporter) if reporter else None,
                reported_at=p.reported_at,
                attributes=dict(MARK),
                created_at=p.reported_at,
                updated_at=p.steps[-1].at if p.steps else p.reported_at,
            )
        )
    GridEvent.objects.bulk_create(events)
    for p, event in zip(batch, events, strict=True):
        by_index[p.index] = event
    # The feedback photos first: the transitions carry their ids (as grid.events.handling records them).
    photos: dict[tuple[int, int], EventAttachment] = {}
    for p, event in zip(batch, events, strict=True):
        for position, step in enumerate(p.steps):
            if step.action in ("feedback", "self_resolve"):
                photos[(p.index, position)] = EventAttachment(
                    event=event,
                    stage=AttachmentStage.FEEDBACK,
                    file=photo_name,
                    content_type="image/png",
                    size=len(demo_png()),
                    sha256=_png_digest(),
                    uploaded_by=users.get(_actor_name(world, p, step.actor) or "") or system,
                    uploaded_at=step.at,
                )
    EventAttachment.objects.bulk_create(list(photos.values()))
    RoutingDecision.objects.bulk_create(
        [
            decision_for(
                world.route_results[(p.kind, p.category, p.grid[:9])],
                event,
                at=step.at,
                actor=users.get(_actor_name(world, p, step.actor) or ""),
            )
            for p, event in zip(batch, events, strict=True)
            for step in p.steps
            if step.action in ROUTED_ACTIONS and (p.kind, p.category, p.grid[:9]) in world.route_results
        ]
    )
    records = [
        _record(p, event, by_index, photos, world, users, system)
        for p, event in zip(batch, events, strict=True)
    ]
    items = do_import_items("grid_event", records, actor=system, now=now)
    # Link each event to its item in one statement (bulk_update builds a CASE per row: far slower).
    GridEvent.objects.filter(pk__in=[e.pk for e in events]).update(
        work_item_id=Subquery(
            WorkItem.objects.filter(
                subject_type="grid.gridevent", subject_id=Cast(OuterRef("pk"), CharField())
            ).values("pk")[:1]
        )
    )
    for event in events:
        if event.duplicate_of_id is not None:
            GridEvent.objects.filter(pk=event.pk).update(duplicate_of_id=event.duplicate_of_id)
    count = sum(item.version for item in items)  # one transition per version: start + each step
    record_event(
        actor=system,
        action="demo.history_loaded",
        subject_type="grid.gridevent",
        subject_id=f"{events[0].pk}-{events[-1].pk}",
        after={
            "events": len(events),
            "work_items": len(items),
            "transitions": count,
            "first_receipt": events[0].receipt_number,
            "last_receipt": events[-1].receipt_number,
            "digest": hashlib.sha256(",".join(e.receipt_number for e in events).encode()).hexdigest(),
        },
        now=now,
    )
    return count


def _record(
    p: Planned,
    event: GridEvent,
    by_index: dict[int, GridEvent],
    photos: dict[tuple[int, int], EventAttachment],
    world: World,
    users: dict[str, User],
    system: User,
) -> ItemRecord:
    """The event's timeline as the engine imports it. The 督办 the sweeper would have done (overdue
    sign-for or handling) is the engine's to replay: `do_import_items` adds it at the deadline."""
    assert p.handling is not None
    steps = []
    for position, step in enumerate(p.steps):
        if step.actor == "system":
            continue
        inputs = dict(step.inputs)
        if step.action == "mark_duplicate":
            assert p.duplicate_of is not None
            original = by_index[p.duplicate_of]
            inputs.update(original=original.receipt_number, original_id=original.pk)
            event.duplicate_of = original
        if (p.index, position) in photos:
            inputs["attachments"] = [str(photos[(p.index, position)].pk)]
        actor = users.get(_actor_name(world, p, step.actor) or "") or system
        steps.append(RecordedStep(step.action, actor, step.at, inputs, step.reason))
    reporter = _reporter_name(world, p)
    return ItemRecord(
        title=event.title,
        territory_code=p.grid,
        created_at=p.reported_at,
        transitions=steps,
        subject_type="grid.gridevent",
        subject_id=str(event.pk),
        priority=Priority.NORMAL,
        limits={"handling": {"amount": p.handling[0], "unit": p.handling[1]}},
        started_by=(users.get(reporter) if reporter else None) or system,
        start_inputs={"receipt_number": event.receipt_number, "channel": p.channel},
    )


def _outcome(p: Planned, units: dict[str, OrgUnit], targets: dict[str, str]) -> tuple[str, str, bool]:
    """(level, closure level, closed) after the planned steps: dispatch and whistle move the level to
    the unit's, self-resolving keeps it at grid (as grid.events.dispatch does)."""
    level, closure_level = "grid", ""
    for step in p.steps:
        if step.action in ("dispatch", "whistle"):
            unit = units.get(step.inputs["assigned_unit"])
            level = LEVEL_OF_LENGTH[len(unit.territory_code)] if unit is not None else level
        if targets[step.action] == "closed":
            closure_level = level
    closed = bool(p.steps) and targets[p.steps[-1].action] == "closed"
    return level, closure_level, closed


# ---------------------------------------------------------------------------------------------- patrols


def seed_patrols(world: World, now: datetime, *, system: User) -> tuple[int, int]:
    """Patrol items for every grid with a grid worker (created before the month), and a month of patrols:
    a round on ~80 % of working days and ~30 % of other days, checking in at the daily item every time
    and at each weekly item once a week."""
    rng = random.Random(SEED + 1)  # noqa: S311 - deterministic demo data
    start_day = timezone.localtime(now).date() - timedelta(days=DAYS)
    created = datetime.combine(start_day - timedelta(days=5), time(9), tzinfo=LOCAL)
    workers = dict(
        Assignment.objects.filter(role=Role.GRID_WORKER, active=True)
        .order_by("-user__username")
        .values_list("territory_code", "user_id")
    )
    grids = sorted(code for code in world.staffed if code in workers)
    existing = set(PatrolItem.objects.filter(grid_id__in=grids).values_list("grid_id", flat=True))
    categories = {c.code: c for c in Category.objects.filter(kind="event", code__in=["0104", "0402", "0501"])}
    new_items = [
        PatrolItem(
            grid_id=grid,
            name=name,
            category=categories.get(code),
            frequency=frequency,
            active=True,
            created_at=created,
            updated_at=created,
        )
        for grid in grids
        if grid not in existing
        for (name, frequency), code in zip(PATROL_ITEM_NAMES, ["0104", "0402", "0501"], strict=True)
    ]
    with transaction.atomic():
        PatrolItem.objects.bulk_create(new_items)
        items: dict[str, list[PatrolItem]] = {}
        for item in PatrolItem.objects.filter(grid_id__in=grids, active=True).order_by("id"):
            items.setdefault(item.grid_id, []).append(item)
        patrols: list[Patrol] = []
        visits: list[list[PatrolItem]] = []
        seen_week: set[tuple[int, int]] = set()
        today = timezone.localtime(now).date()
        for grid in grids:
            for offset in range(DAYS):
                day: date = start_day + timedelta(days=offset)
                if day >= today or rng.random() > (0.8 if is_working_day(day) else 0.3):
                    continue
                began = datetime.combine(day, time(9), tzinfo=LOCAL) + timedelta(minutes=rng.randint(0, 240))
                stops = []
                for item in items.get(grid, []):
                    week = (item.pk, day.isocalendar().week)
                    if item.frequency == PatrolFrequency.DAILY or (
                        week not in seen_week and rng.random() < 0.5
                    ):
                        seen_week.add(week)
                        stops.append(item)
                patrols.append(
                    Patrol(
                        worker_id=workers[grid],
                        grid_id=grid,
                        started_at=began,
                        ended_at=began + timedelta(minutes=15 * len(stops) + 10),
                    )
                )
                visits.append(stops)
        Patrol.objects.bulk_create(patrols)
        check_ins = [
            PatrolCheckIn(
                patrol=patrol,
                patrol_item=item,
                checked_at=patrol.started_at + timedelta(minutes=5 + 15 * n),
                lon=item.lon,
                lat=item.lat,
                normal=True,
            )
            for patrol, stops in zip(patrols, visits, strict=True)
            for n, item in enumerate(stops)
        ]
        PatrolCheckIn.objects.bulk_create(check_ins)
        record_event(
            actor=system,
            action="demo.patrols_loaded",
            subject_type="grid.patrol",
            after={"patrol_items": len(new_items), "patrols": len(patrols), "check_ins": len(check_ins)},
            now=now,
        )
    return len(patrols), len(check_ins)
