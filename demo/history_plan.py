"""The plan of the demo history (demo/history.py): the event mix, channels and scenarios, and each
planned event's timeline of steps, drawn from one seeded `random.Random`; the names and photos the
steps carry."""

from __future__ import annotations

import functools
import hashlib
import random
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Assignment, Role, User
from grid.models import (
    CategoryStandard,
    EventChannel,
    PatrolFrequency,
)
from grid.standards.routing import RoutingResult
from workcalendar.service import DEFAULT_WORK_HOURS, WorkHours, add_duration
from workflow.clock import add_seconds, working_seconds

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


# ------------------------------------------------------------------------------------ people and photos


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
