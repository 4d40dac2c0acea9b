"""巡查覆盖率 and 漏报率 (with 群众反映数 and 漏报数) in the command centre, over the grid tests' planted week
in 黄桥 (grid/tests/test_figures.py describes every event and patrol), each value computed by hand:

- four weekly patrol items, two per grid, created Sun 03-01: the week (one ISO week) has one slot due
  each → 4 due; g1 checked in at both (Thu), g2 at one (Fri) → 3 done. Town 3/4, g1 2/2, g2 1/2.
- resident reports that count: E2 (g2, resident web) and E4 (g1, hotline); E7 was voided, E8 is a
  duplicate. E2 had no patrol report of 0102 in g2 before it (漏报); E4 followed E1/E3's patrol reports in
  g1 (not missed). Town 1/2, g1 0/1, g2 1/1.

The command's figures are the grid's own (grid/figures/ledger.py): tested equal, not recomputed here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from command import indicators as ind
from command import map_layers, streams
from grid.figures.ledger import figures_for
from grid.tests.test_figures import G1, G2, HUANGQIAO, WEEK, Scenario
from workflow.rollups import fold_all

pytestmark = pytest.mark.django_db

MON, NEXT_MON = date(2026, 3, 2), date(2026, 3, 9)
PARAMS = {"level": "town", "code": HUANGQIAO, "from": "2026-03-02", "to": "2026-03-08"}
NEW = ("patrol_coverage", "missed_report_rate", "resident_reports", "missed_reports")


def get(user: User | None, path: str, **params: str) -> Any:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api.get(f"/api/v1/command/{path}", params)


@pytest.fixture
def wt_leader(personas: dict[str, User]) -> User:
    unit = OrgUnit.objects.get(code="320507105201-vc")
    return make_person("wt_leader", unit=unit, role=Role.LEADER, territory_code="320507105")


def test_the_catalogue_defines_them_in_both_languages() -> None:
    for code, zh, en in (
        ("patrol_coverage", "巡查覆盖率", "Patrol coverage"),
        ("missed_report_rate", "漏报率", "Missed-report rate"),
        ("missed_reports", "漏报数", "Missed by patrols"),
        ("resident_reports", "群众反映数", "Resident reports"),
    ):
        found = ind.REGISTRY[code]
        assert (found.zh, found.en, found.source) == (zh, en, "grid") and found.connected
        assert found.definition and found.definition_en
    assert ind.REGISTRY["patrol_coverage"].formula == "patrol_done / patrol_due"
    assert ind.REGISTRY["missed_report_rate"].formula == "missed_reports / resident_reports"
    # Check-ins have no class, channel or handling unit; reports have all three.
    assert ind.REGISTRY["patrol_coverage"].dimensions == ("level", "code", "period")
    assert {"category", "source", "unit"} <= set(ind.REGISTRY["missed_report_rate"].dimensions)


@pytest.mark.parametrize("folded", [False, True])
def test_the_week_by_hand_and_equal_to_the_grids_figures(
    week: Callable[[], Scenario], personas: dict[str, User], folded: bool
) -> None:
    week()
    if folded:
        fold_all("grid_event", now=WEEK[1])
    found = ind.figures(HUANGQIAO, MON, NEXT_MON)
    assert {code: found[code]["value"] for code in NEW} == {
        "patrol_coverage": 0.75,  # 3 / 4
        "missed_report_rate": 0.5,  # 1 / 2
        "resident_reports": 2,  # E2, E4
        "missed_reports": 1,  # E2
    }
    # 环比: the items were created on the last day of the week before (Sun 03-01), so its slot was due
    # and nothing was done: 0/4, and the change is +75 percentage points. It had no report: no ratio.
    assert found["patrol_coverage"]["previous"] == 0.0 and found["patrol_coverage"]["mom"] == 0.75
    assert found["missed_reports"]["previous"] == 0 and found["missed_reports"]["mom"] is None
    assert found["missed_report_rate"]["previous"] is None
    grid = figures_for(personas["dispatcher"], "town", HUANGQIAO, *WEEK)
    assert found["patrol_coverage"]["value"] == grid.rates["patrol_coverage"]
    assert (found["missed_reports"]["value"], found["resident_reports"]["value"]) == (
        grid.missed_reports,
        grid.resident_reports,
    )


def test_per_grid_in_grouped_reads_and_on_the_choropleth(week: Callable[[], Scenario]) -> None:
    week()
    grouped = ind.counts_by_unit([G1, G2], MON, NEXT_MON)
    for code in (G1, G2):
        assert grouped[code] == ind.counts(code, MON, NEXT_MON), code
    values = {code: ind.values_of(grouped[code]) for code in (G1, G2)}
    assert (values[G1]["patrol_coverage"], values[G2]["patrol_coverage"]) == (1.0, 0.5)  # 2/2, 1/2
    assert (values[G1]["missed_report_rate"], values[G2]["missed_report_rate"]) == (0.0, 1.0)  # 0/1, 1/1
    features, coloured = map_layers.grid_values(HUANGQIAO, "patrol_coverage", MON, NEXT_MON)
    assert coloured
    assert {f["properties"]["code"]: f["properties"]["value"] for f in features} == {G1: 1.0, G2: 0.5}


def test_drill_downs_equal_the_figures(week: Callable[[], Scenario], personas: dict[str, User]) -> None:
    s = week()
    receipts = {name: event.receipt_number for name, event in s.events.items()}
    missed = streams.drill("missed_reports", HUANGQIAO, MON, NEXT_MON)
    assert [row["receipt_number"] for row in missed.rows] == [receipts["E2"]]
    residents = streams.drill("resident_reports", HUANGQIAO, MON, NEXT_MON)
    assert sorted(row["receipt_number"] for row in residents.rows) == sorted([receipts["E2"], receipts["E4"]])
    # 巡查覆盖率: one row per check-in slot due (the denominator), the done ones are the numerator.
    slots = streams.drill("patrol_coverage", HUANGQIAO, MON, NEXT_MON)
    assert slots.total == len(slots.rows) == 4
    assert sorted((row["title"], row["territory_code"], row["state"]) for row in slots.rows) == [
        ("巡查点1（每周）", G1, "已打卡"),
        ("巡查点1（每周）", G2, "已打卡"),
        ("巡查点2（每周）", G1, "已打卡"),
        ("巡查点2（每周）", G2, "未打卡"),
    ]
    assert {row["day"] for row in slots.rows} == {MON}  # the ISO week's Monday
    assert streams.drill("patrol_coverage", HUANGQIAO, MON, NEXT_MON, limit=3).truncated
    # Through the API, each count equals its list; the outsider's town has none of it.
    body = get(personas["hq_leader"], "figures/", **PARAMS).json()["indicators"]
    for code in ("patrol_coverage", "missed_reports", "resident_reports"):
        items = get(personas["hq_leader"], "figures/items/", indicator=code, **PARAMS).json()
        expected = 4 if code == "patrol_coverage" else body[code]["value"]
        assert items["count"] == len(items["items"]) == expected, code


def test_the_desk_shows_the_tiles_and_links_them(
    week: Callable[[], Scenario], personas: dict[str, User]
) -> None:
    from django.test import Client

    week()
    client = Client()
    client.force_login(personas["hq_leader"])
    html = client.get("/command/", PARAMS).content.decode()
    assert "巡查覆盖率" in html and "75.0%" in html and "漏报率" in html and "50.0%" in html
    assert "indicator=patrol_coverage" in html  # its slots
    assert "indicator=resident_reports" in html  # 漏报率 drills down to its denominator
    page = client.get("/command/items/", {**PARAMS, "indicator": "patrol_coverage"})
    assert page.status_code == 200 and page.content.decode().count("data-item-row") == 4


def test_the_outsider_other_roles_and_bad_input(
    week: Callable[[], Scenario], personas: dict[str, User], wt_leader: User
) -> None:
    week()
    for path in ("figures/", "figures/items/"):
        response = get(wt_leader, path, indicator="patrol_coverage", **PARAMS)
        assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found", path
    own = get(
        wt_leader, "figures/", indicator="patrol_coverage", **{"from": "2026-03-02", "to": "2026-03-08"}
    )
    assert own.json()["indicators"]["patrol_coverage"]["value"] is None  # 渭塘 has no patrol item
    for who in ("hq_grid", "hq_agency", "hq_officer"):
        refused = get(personas[who], "figures/items/", indicator="patrol_coverage", **PARAMS)
        assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "not_allowed", who
    # A rate has no items of its own, except 巡查覆盖率's slots.
    bad = get(personas["hq_leader"], "figures/items/", indicator="missed_report_rate", **PARAMS)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "indicator"
    cut = get(personas["hq_leader"], "figures/", indicator="patrol_coverage", source="patrol", **PARAMS)
    assert cut.status_code == 400 and cut.json()["errors"][0]["field"] == "source"
