"""The figures of a small, fully known week in 黄桥街道, built through the real actions with the clock frozen
at each step; every expected value is computed by hand in the comments (definitions: grid/figures/ledger.py).

Week P = [Mon 2026-03-02 00:00, Mon 2026-03-09 00:00) Asia/Shanghai. Working hours 08:30–12:00 and
13:30–17:30. Category 0102 暴露垃圾: handling limit 4 working hours in area class A; `filed` and
`dispatched` steps: 1 working hour. Grids g1 = …201001 (worker hq_grid), g2 = …201002 (worker hq_grid2).

E1 g1 patrol  Mon 09:00, file 09:10, dispatch 09:30 → village committee (20 min: on time), head signs 09:40,
              feedback 11:00, verify_pass 11:30 → closed on time at village level; rated 5 (Tue 09:00).
E2 g2 resident Mon 10:00 (no patrol report of 0102 in g2 before: 漏报), file 10:30, dispatch 13:40 → routed
              urban office (10:30–12:00 + 13:30–13:40 = 1 h 40 min > 1 h: late), sign 14:00 (due Tue 09:00),
              feedback Tue 08:45, verify_fail Tue 09:00 (rework; due Tue 14:30), feedback 10:00,
              verify_pass 10:30 → closed on time at town level; rated 3 by the resident (Tue 12:00).
E3 g1 patrol  Mon 09:30, file 09:40, dispatch 10:00 (on time) → urban office, sign 10:10 (4 h → 15:40),
              the sweeper at 15:45 supervises it (overdue), feedback 16:00, verify_pass 16:30 → closed late.
E4 g1 hotline Tue 09:00 (patrol reported 0102 in g1 on Mon: not missed), file 09:10, dispatch 09:20 (on
              time), sign 09:30, parked 10:00 — still parked.
E5 g1 patrol  Tue 09:00, file 09:05, dispatch 09:10 → squad (on time), the squad sends back 09:20, dispatch
              09:30 → village committee (10 min: on time; wrong dispatch), head signs 09:40, whistles to the
              town urban office 10:00 (吹哨), the office signs 10:10 (报到), asks for an extension 11:00,
              approved 11:10, feedback 14:00, verify_pass 14:30 → closed on time at town level, extended.
E6 g1 patrol  Wed 09:00, self-resolved 09:30 → closed at grid level.
E7 g1 resident Wed 10:00, voided 10:30.
E8 g2 resident Wed 11:00, marked a duplicate of E2 11:30.
W1 渭塘 patrol Mon 10:00 by the outsider, left reported (only in the district's figures).
Patrols: four weekly items (two per grid, created Sun 03-01); check-ins at three of them in P.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from core.errors import DomainError, NotFound
from core.testing import image_bytes
from grid.events.rating import do_rate_event
from grid.events.report import do_report_event
from grid.events.steps import do_event_action
from grid.figures.ledger import figures_for
from grid.models import GridEvent, PatrolFrequency
from grid.patrols.actions import do_check_in, do_end_patrol, do_start_patrol
from grid.standards.actions import do_add_patrol_item
from territory.models import Grid
from workflow.rollups import fold_all
from workflow.sweeper import sweep

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
G1 = "320507003201001"
G2 = "320507003201002"
WT_GRID = "320507105201001"
VILLAGE = "320507003201"
HUANGQIAO = "320507003"
VC = "320507003201-vc"
URBAN = "320507003-urban"
SQUAD = "320507003-squad1"
PNG = image_bytes("PNG")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """Local time in March 2026 (2 = Monday)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


WEEK = (at(2, 0), at(9, 0))


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.png", PNG, content_type="image/png")


class Scenario:
    def __init__(self, people: dict[str, User]):
        self.people = people
        self.events: dict[str, GridEvent] = {}

    def report(self, name: str, when: datetime, *, actor: str | None, channel: str, grid: str) -> None:
        with time_machine.travel(when, tick=False):
            self.events[name] = do_report_event(
                actor=self.people[actor] if actor else None,
                now=when,
                channel=channel,
                category_code="0102",
                description=f"{name}：路边有暴露垃圾",
                grid_code=grid,
            )

    def act(self, name: str, action: str, when: datetime, actor: str, **kwargs: Any) -> None:
        with time_machine.travel(when, tick=False):
            self.events[name] = do_event_action(
                self.events[name], action, actor=self.people[actor], now=when, **kwargs
            )

    def feedback(self, name: str, when: datetime, actor: str) -> None:
        self.act(name, "feedback", when, actor, inputs={"result": "已清除"}, photos=[photo()])

    def sweep(self, when: datetime) -> None:
        with time_machine.travel(when, tick=False):
            sweep(now=when)


def build_week(people: dict[str, User]) -> Scenario:
    s = Scenario(people)
    # E1
    s.report("E1", at(2, 9), actor="hq_grid", channel="patrol", grid=G1)
    s.act("E1", "file", at(2, 9, 10), "dispatcher")
    s.act("E1", "dispatch", at(2, 9, 30), "dispatcher", inputs={"assigned_unit": VC})
    s.act("E1", "sign", at(2, 9, 40), "hq_head")
    s.feedback("E1", at(2, 11), "hq_head")
    s.act("E1", "verify_pass", at(2, 11, 30), "dispatcher")
    # E2 (resident, g2)
    s.report("E2", at(2, 10), actor=None, channel="resident_web", grid=G2)
    s.act("E2", "file", at(2, 10, 30), "dispatcher")
    s.act("E2", "dispatch", at(2, 13, 40), "dispatcher")  # routed to the urban office
    s.act("E2", "sign", at(2, 14), "hq_agency")
    # E3
    s.report("E3", at(2, 9, 30), actor="hq_grid", channel="patrol", grid=G1)
    s.act("E3", "file", at(2, 9, 40), "dispatcher")
    s.act("E3", "dispatch", at(2, 10), "dispatcher")
    s.act("E3", "sign", at(2, 10, 10), "hq_agency")
    s.sweep(at(2, 15, 45))  # E3's handling ran out at 15:40 → 督办; E2 (due Tue 09:00) is untouched
    s.feedback("E3", at(2, 16), "hq_agency")
    s.act("E3", "verify_pass", at(2, 16, 30), "dispatcher")
    # E2 continued: feedback, rework, feedback, pass
    s.feedback("E2", at(3, 8, 45), "hq_agency")
    s.act("E2", "verify_fail", at(3, 9), "dispatcher", reason="垃圾未清理干净")
    s.feedback("E2", at(3, 10), "hq_agency")
    s.act("E2", "verify_pass", at(3, 10, 30), "dispatcher")
    # E4 (hotline, parked)
    s.report("E4", at(3, 9), actor="dispatcher", channel="hotline", grid=G1)
    s.act("E4", "file", at(3, 9, 10), "dispatcher")
    s.act("E4", "dispatch", at(3, 9, 20), "dispatcher")
    s.act("E4", "sign", at(3, 9, 30), "hq_agency")
    s.act("E4", "park", at(3, 10), "dispatcher", reason="待拆迁，暂缓处置")
    # E5 (send-back, wrong dispatch, whistle, extension)
    s.report("E5", at(3, 9), actor="hq_grid", channel="patrol", grid=G1)
    s.act("E5", "file", at(3, 9, 5), "dispatcher")
    s.act("E5", "dispatch", at(3, 9, 10), "dispatcher", inputs={"assigned_unit": SQUAD})
    s.act("E5", "send_back", at(3, 9, 20), "hq_officer", reason="非执法中队职责")
    s.act("E5", "dispatch", at(3, 9, 30), "dispatcher", inputs={"assigned_unit": VC})
    s.act("E5", "sign", at(3, 9, 40), "hq_head")
    s.act(
        "E5",
        "whistle",
        at(3, 10),
        "hq_head",
        reason="需城管力量",
        inputs={"trigger": "beyond_powers", "assigned_unit": URBAN},
    )
    s.act("E5", "sign", at(3, 10, 10), "hq_agency")
    s.act("E5", "request_extension", at(3, 11), "hq_agency", reason="需协调环卫车辆")
    s.act("E5", "approve_extension", at(3, 11, 10), "dispatcher")
    s.feedback("E5", at(3, 14), "hq_agency")
    s.act("E5", "verify_pass", at(3, 14, 30), "dispatcher")
    # E6 (self-resolved), E7 (voided), E8 (duplicate of E2)
    s.report("E6", at(4, 9), actor="hq_grid", channel="patrol", grid=G1)
    s.act("E6", "self_resolve", at(4, 9, 30), "hq_grid", inputs={"result": "已清除"}, photos=[photo()])
    s.report("E7", at(4, 10), actor=None, channel="resident_web", grid=G1)
    s.act("E7", "void", at(4, 10, 30), "dispatcher", reason="现场无此问题")
    s.report("E8", at(4, 11), actor=None, channel="resident_web", grid=G2)
    s.act(
        "E8",
        "mark_duplicate",
        at(4, 11, 30),
        "dispatcher",
        inputs={"original": s.events["E2"].receipt_number},
    )
    # W1: the outsider's town
    s.report("W1", at(2, 10), actor="wt_grid", channel="patrol", grid=WT_GRID)
    # Ratings
    with time_machine.travel(at(3, 9), tick=False):
        do_rate_event(s.events["E1"], rating=5, now=at(3, 9), actor=people["hq_grid"])
    with time_machine.travel(at(3, 12), tick=False):
        do_rate_event(s.events["E2"], rating=3, now=at(3, 12))
    # Patrols: 4 weekly items, check-ins at 3
    grids = {code: Grid.objects.get(code=code) for code in (G1, G2)}
    items = {
        (code, n): do_add_patrol_item(
            grids[code],
            name=f"巡查点{n}",
            frequency=PatrolFrequency.WEEKLY,
            actor=people["hq_head"],
            now=at(1, 9),
        )
        for code in (G1, G2)
        for n in (1, 2)
    }
    for worker, code, numbers, day in (("hq_grid", G1, (1, 2), 5), ("hq_grid2", G2, (1,), 6)):
        patrol = do_start_patrol(grids[code], actor=people[worker], now=at(day, 9))
        for n in numbers:
            do_check_in(patrol, items[(code, n)], actor=people[worker], now=at(day, 9, 10 * n))
        do_end_patrol(patrol, actor=people[worker], now=at(day, 10))
    return s


def week_builder(personas: dict[str, User], settings: Any, tmp_path: Any) -> Callable[[], Scenario]:
    """The week's builder (territory, personas and the reference data must exist)."""
    settings.MEDIA_ROOT = str(tmp_path)
    vc = OrgUnit.objects.get(code=VC)
    people = dict(personas)
    people["hq_head"] = make_person("hq_head", unit=vc, role=Role.GRID_HEAD, territory_code=VILLAGE)
    people["hq_grid2"] = make_person("hq_grid2", unit=vc, role=Role.GRID_WORKER, territory_code=G2)
    return lambda: build_week(people)


@pytest.fixture
def week(
    territory: Any, personas: dict[str, User], reference: Any, settings: Any, tmp_path: Any
) -> Callable[[], Scenario]:
    return week_builder(personas, settings, tmp_path)


# The expectations of the week for 黄桥街道 (and for its village, which holds every 黄桥 event).
TOWN_WEEK = {
    "reported": 8,  # E1–E8
    "valid": 6,  # E1–E6 (E7 voided, E8 duplicate)
    "filed": 5,  # E1–E5 (E6 self-resolved)
    "resident_reports": 2,  # E2, E4 (E7 voided and E8 duplicate do not count)
    "missed_reports": 1,  # E2: no patrol report of 0102 in g2; E4: E1/E3 in g1 within 72 h
    "dispatches": 6,  # E1, E2, E3, E4, E5 ×2
    "dispatched_on_time": 5,  # all but E2 (1 h 40 min in `filed`)
    "send_backs": 1,  # E5
    "wrong_dispatches": 1,  # E5: squad → village committee
    "whistles": 1,  # E5
    "late_sign_ins": 0,
    "verifications": 5,  # E1 pass, E2 fail + pass, E3 pass, E5 pass
    "reworks": 1,  # E2
    "closed": 5,  # E1, E2, E3, E5, E6
    "closed_on_time": 4,  # all but E3
    "extended": 1,  # E5
    "closure_levels": {"grid": 1, "village": 1, "town": 3, "district": 0},  # E6 | E1 | E2, E3, E5
    "due": 5,  # the five closures; E4 is parked (never overdue)
    "deferred": 1,  # E5 (extension approved)
    "due_closed": 4,  # E1, E2, E3, E6
    "due_closed_on_time": 3,  # E1, E2, E6
    "ratings": 2,
    "rating_mean": 4.0,  # (5 + 3) / 2
    "satisfied": 1,
    "patrol_done": 3,
    "patrol_due": 4,
}
TOWN_RATES = {
    "valid_rate": 0.75,  # 6 / 8
    "timely_dispatch_rate": 0.8333,  # 5 / 6
    "on_time_closure_rate": 0.75,  # 3 / (5 − 1)
    "closure_rate": 1.0,  # 4 / (5 − 1)
    "rework_rate": 0.2,  # 1 / 5
    "extension_rate": 0.2,  # 1 / 5
    "satisfaction_share": 0.5,  # 1 / 2
    "patrol_coverage": 0.75,  # 3 / 4
}


def test_town_week_matches_the_hand_computed_figures(
    week: Callable[[], Scenario], personas: dict[str, User]
) -> None:
    week()
    figures = figures_for(personas["dispatcher"], "town", HUANGQIAO, *WEEK).as_dict()
    assert {name: figures[name] for name in TOWN_WEEK} == TOWN_WEEK
    assert figures["rates"] == TOWN_RATES
    # 小事不出格 1/5, 大事不出村 1/5, 难事不出镇 3/5.
    assert figures["closure_level_share"] == {"grid": 0.2, "village": 0.2, "town": 0.6, "district": 0.0}


def test_village_and_district_add_up(week: Callable[[], Scenario], personas: dict[str, User]) -> None:
    week()
    village = figures_for(personas["hq_leader"], "village", VILLAGE, *WEEK)
    assert village.reported == 8 and village.closed == 5 and village.missed_reports == 1
    district = figures_for(personas["dispatcher"], "district", "320507", *WEEK)
    # W1 adds one report (not yet valid) in 渭塘; nothing else changes.
    assert (district.reported, district.valid, district.closed) == (9, 6, 5)


def test_grid_figures_split_the_week(week: Callable[[], Scenario], personas: dict[str, User]) -> None:
    week()
    g2 = figures_for(personas["dispatcher"], "grid", G2, *WEEK)
    # g2 holds E2 and E8: two reports, one valid (E2), E2's late dispatch, its rework, its 3 rating.
    assert (g2.reported, g2.valid, g2.filed) == (2, 1, 1)
    assert (g2.dispatches, g2.dispatched_on_time, g2.reworks, g2.verifications) == (1, 0, 1, 2)
    assert (g2.resident_reports, g2.missed_reports) == (1, 1)
    assert (g2.ratings, g2.rating_mean) == (1, 3.0)
    assert (g2.patrol_done, g2.patrol_due) == (1, 2)
    g1 = figures_for(personas["dispatcher"], "grid", G1, *WEEK)
    assert (g1.reported, g1.closed, g1.closed_on_time, g1.whistles) == (6, 4, 3, 1)
    assert (g1.patrol_done, g1.patrol_due) == (2, 2)


def test_periods_split_by_day(week: Callable[[], Scenario], personas: dict[str, User]) -> None:
    week()
    monday = figures_for(personas["dispatcher"], "town", HUANGQIAO, at(2, 0), at(3, 0))
    # Monday: E1, E2, E3 reported; E1 and E3 closed (E3 late); E2 still in handling.
    assert (monday.reported, monday.closed, monday.closed_on_time) == (3, 2, 1)
    assert (monday.due, monday.deferred, monday.due_closed_on_time) == (2, 0, 1)
    assert (monday.dispatches, monday.dispatched_on_time) == (3, 2)
    tuesday = figures_for(personas["dispatcher"], "town", HUANGQIAO, at(3, 0), at(4, 0))
    # Tuesday: E4, E5 reported; E2 and E5 closed; E5 deferred; E2 rated; E1 rated (09:00).
    assert (tuesday.reported, tuesday.closed, tuesday.due, tuesday.deferred) == (2, 2, 2, 1)
    assert (tuesday.ratings, tuesday.rating_mean) == (2, 4.0)


def test_overdue_and_still_open_falls_due_in_its_period(
    week: Callable[[], Scenario], personas: dict[str, User]
) -> None:
    s = week()
    # E4 resumes Thu 09:00 with 3 h 30 min left (parked at Tue 10:00 after 30 min of 4 h) → due 13:30+1 h
    # = Thu 14:00 (08:30 would be wrong: the remaining time counts from 09:00: 09:00–12:00 = 3 h, then
    # 13:30–14:00). The sweeper at 14:05 records it overdue; it is still open at the end of the week.
    s.act("E4", "unpark", at(5, 9), "dispatcher")
    s.sweep(at(5, 14, 5))
    figures = figures_for(personas["dispatcher"], "town", HUANGQIAO, *WEEK)
    # due: 5 closures + E4 (open, overdue in P) = 6; deferred: E5 + E4 (parked before) = 2.
    assert (figures.due, figures.deferred, figures.due_closed, figures.due_closed_on_time) == (6, 2, 4, 3)
    # The next week: E4 fell due in this one, so it is not due again there.
    later = figures_for(personas["dispatcher"], "town", HUANGQIAO, at(9, 0), at(16, 0))
    assert later.due == 0


def test_agency_figures_follow_the_unit(week: Callable[[], Scenario], personas: dict[str, User]) -> None:
    week()
    urban = figures_for(personas["dispatcher"], "agency", URBAN, *WEEK)
    # The urban office holds E2, E3, E4, E5: dispatched to it E2, E3, E4 (E5 came by whistle).
    assert (urban.reported, urban.dispatches, urban.dispatched_on_time, urban.whistles) == (4, 3, 2, 1)
    # It closed E2, E3, E5 (E3 late), reworked E2 once; E5 was extended.
    assert (urban.closed, urban.closed_on_time, urban.reworks, urban.extended) == (3, 2, 1, 1)
    assert urban.patrol_due is None
    squad = figures_for(personas["dispatcher"], "agency", SQUAD, *WEEK)
    # The squad was dispatched E5 once, sent it back, and that dispatch was wrong.
    assert (squad.dispatches, squad.send_backs, squad.wrong_dispatches, squad.closed) == (1, 1, 1, 0)


def test_query_count_does_not_grow_with_rows(
    week: Callable[[], Scenario], personas: dict[str, User], django_assert_max_num_queries: Any
) -> None:
    # Whole days come from the ledger rollup plus its unfolded tail (a fixed handful of queries for the
    # tail's items, whatever their number); see grid/figures/rollup.py.
    dispatcher = personas["dispatcher"]
    with django_assert_max_num_queries(14):
        figures_for(dispatcher, "town", HUANGQIAO, *WEEK)
    week()
    dispatcher = User.objects.get(pk=dispatcher.pk)  # a fresh user: no cached jurisdiction
    with django_assert_max_num_queries(14):
        figures_for(dispatcher, "town", HUANGQIAO, *WEEK)
    fold_all("grid_event", now=WEEK[1] + timedelta(days=1))
    dispatcher = User.objects.get(pk=dispatcher.pk)
    with django_assert_max_num_queries(9):  # all folded: the tail is empty
        figures_for(dispatcher, "town", HUANGQIAO, *WEEK)


def test_outsider_and_bad_codes(week: Callable[[], Scenario], personas: dict[str, User]) -> None:
    outsider = personas["wt_grid"]
    with pytest.raises(NotFound):
        figures_for(outsider, "town", HUANGQIAO, *WEEK)
    with pytest.raises(NotFound):
        figures_for(outsider, "agency", URBAN, *WEEK)
    with pytest.raises(NotFound):
        figures_for(personas["dispatcher"], "town", "320507999", *WEEK)
    for level, code, field in (
        ("town", "3205", "code"),
        ("county", HUANGQIAO, "level"),
        ("town", "", "code"),
    ):
        with pytest.raises(DomainError) as refused:
            figures_for(personas["dispatcher"], level, code, *WEEK)
        assert refused.value.field == field and refused.value.status == 400
    with pytest.raises(DomainError) as refused:
        figures_for(personas["dispatcher"], "town", HUANGQIAO, WEEK[1], WEEK[0])
    assert refused.value.field == "to"
    # The grid worker sees their own grid's figures, not the next grid's.
    assert figures_for(personas["hq_grid"], "grid", G1, *WEEK).code == G1
    with pytest.raises(NotFound):
        figures_for(personas["hq_grid"], "grid", G2, *WEEK)


def test_missed_window_is_a_setting(
    week: Callable[[], Scenario], personas: dict[str, User], settings: Any
) -> None:
    week()
    # E4 (Tue 09:00) follows E3's patrol report (Mon 09:30) by 23 h 30 min, so a 12-hour window counts it
    # as missed (E5, the patrol report at the very same instant, was not first).
    settings.GRID_MISSED_REPORT_WINDOW_HOURS = 12
    figures = figures_for(personas["dispatcher"], "town", HUANGQIAO, *WEEK)
    assert (figures.missed_reports, figures.missed_window_hours) == (2, 12)
