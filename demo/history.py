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

import logging
import random
import time as time_module
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import actions as account_actions
from accounts.models import Assignment, OrgUnit, Role, User
from audit.actions import record_event
from demo.history_bulk import _CATEGORY_NAMES, _DESCRIPTIONS, _category_name, _phone, write_bulk
from demo.history_plan import (
    _WORKERS,
    COMPONENT_CLASSES,
    DAYS,
    EVENT_MIX,
    LOCAL,
    MARK,
    PATROL_ITEM_NAMES,
    REAL_EVENTS,
    SEED,
    TOTAL_EVENTS,
    Planned,
    World,
    _actor_name,
    _photo,
    _reporter_name,
    _users,
    plan_events,
)
from demo.names import person_name
from grid.events.rating import do_rate_event
from grid.events.report import do_report_event
from grid.events.steps import do_event_action
from grid.models import (
    Category,
    CategoryStandard,
    GridEvent,
    Patrol,
    PatrolCheckIn,
    PatrolFrequency,
    PatrolItem,
)
from grid.standards.routing import RoutingResult, route
from grid.standards.selectors import current_standard_version
from territory.models import Grid
from workcalendar.service import is_working_day
from workflow.sweeper import sweep

logger = logging.getLogger(__name__)


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
        name = person_name(username)
        specs.append(account_actions.StaffSpec(username, name, unit.code, role, is_demo=True))
    return len(account_actions.do_bulk_create_staff(specs, actor=system, now=now, batch="demo-history"))


# ---------------------------------------------------------------------------------------------- photos


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
