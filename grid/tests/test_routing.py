"""Routing through the responsibility list: 先属地后属主 for events, 先属主后属地 for components, one level
up at a time, and a visible unrouted result when nothing matches."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import OrgUnit
from accounts.testing import make_org_unit
from audit.models import AuditEvent
from core.errors import DomainError, NotFound, PermissionRefused
from grid.models import Category, RoutingDecision
from grid.standards.actions import do_record_routing, do_seed_reference, do_set_responsibility
from grid.standards.routing import responsibilities_for_grid, route

pytestmark = pytest.mark.django_db

GRID = "320507003201001"
OTHER_TOWN_GRID = "320507105201001"


@pytest.fixture
def units(personas: dict[str, Any], now: Any) -> dict[str, OrgUnit]:
    """Categories and standard only (no town rows), and the units to route to."""
    do_seed_reference(actor=personas["system"], now=now, district_code="999999")
    return {
        "urban": OrgUnit.objects.get(code="320507003-urban"),
        "village": OrgUnit.objects.get(code="320507003201-vc"),
        "water": make_org_unit("320507003-water", "黄桥水务站", OrgUnit.Kind.STATION, "320507003"),
        "district": make_org_unit("320507-urban", "相城区城市管理局", OrgUnit.Kind.AGENCY, "320507"),
    }


def cat(code: str, kind: str = "event") -> Category:
    return Category.objects.get(kind=kind, code=code)


def assign(
    personas: dict[str, Any], now: Any, category: Category, code: str, basis: str, unit: OrgUnit
) -> None:
    do_set_responsibility(
        category=category, territory_code=code, basis=basis, org_unit=unit, actor=personas["system"], now=now
    )


def test_event_goes_territorial_at_grid_level(
    units: dict[str, OrgUnit], personas: dict[str, Any], now: Any
) -> None:
    assign(personas, now, cat("0102"), GRID, "territorial", units["village"])
    assign(personas, now, cat("01"), "320507003", "territorial", units["urban"])
    result = route("0102", grid_code=GRID)
    assert result.org_unit == units["village"]
    assert (result.level, result.basis) == ("grid", "territorial")
    assert result.reason_text.startswith("事件先属地后属主")
    assert f"网格 {GRID} 匹配 黄桥测试村村委会" in result.reason_text
    assert [step["level"] for step in result.trail] == ["grid"]


def test_no_match_falls_back_one_level_up(
    units: dict[str, OrgUnit], personas: dict[str, Any], now: Any
) -> None:
    assign(personas, now, cat("01"), "320507003", "territorial", units["urban"])
    result = route("0102", grid_code=GRID)
    assert result.org_unit == units["urban"]
    assert (result.level, result.basis) == ("town", "territorial")
    assert [(s["level"], s["matched"]) for s in result.trail] == [
        ("grid", False),
        ("village", False),
        ("town", True),
    ]
    assert (
        f"网格 {GRID} 无匹配，上溯至村 320507003201 无匹配，"
        "上溯至镇/街道 320507003 匹配 黄桥街道城市管理办公室" in result.reason_text
    )
    assert "按大类 市容环境" in result.reason_text
    # The other town's grid shares no prefix with 黄桥: nothing there.
    assert route("0102", grid_code=OTHER_TOWN_GRID).org_unit is None


def test_minor_class_beats_wildcard_at_the_same_level(
    units: dict[str, OrgUnit], personas: dict[str, Any], now: Any
) -> None:
    assign(personas, now, cat("01"), "320507003", "territorial", units["urban"])
    assign(personas, now, cat("0105"), "320507003", "territorial", units["water"])
    assert route("0105", grid_code=GRID).org_unit == units["water"]
    assert route("0102", grid_code=GRID).org_unit == units["urban"]
    # A more specific territory wins over a more specific category further up.
    assign(personas, now, cat("01"), "320507003201", "territorial", units["village"])
    assert route("0105", grid_code=GRID).org_unit == units["village"]


def test_event_falls_back_to_the_owner(units: dict[str, OrgUnit], personas: dict[str, Any], now: Any) -> None:
    assign(personas, now, cat("04"), "320507", "owner", units["district"])
    result = route("0401", grid_code=GRID)
    assert result.org_unit == units["district"]
    assert (result.level, result.basis) == ("district", "owner")
    assert [s["basis"] for s in result.trail] == ["territorial"] * 4 + ["owner"] * 4
    assert "属地：网格" in result.reason_text and "属主：" in result.reason_text
    # A known owner answers the owner step directly, still after the territory.
    given = route("0401", grid_code=GRID, owner_unit=units["water"])
    assert (given.org_unit, given.level, given.basis) == (units["water"], "owner_unit", "owner")
    assign(personas, now, cat("04"), "320507003", "territorial", units["urban"])
    assert route("0401", grid_code=GRID, owner_unit=units["water"]).org_unit == units["urban"]


def test_component_goes_to_the_owner_first(
    units: dict[str, OrgUnit], personas: dict[str, Any], now: Any
) -> None:
    manhole = cat("0101", "component")
    assign(personas, now, manhole, GRID, "territorial", units["village"])
    assign(personas, now, cat("01", "component"), "320507003", "owner", units["water"])
    result = route("0101", grid_code=GRID, kind="component")
    assert (result.org_unit, result.level, result.basis) == (units["water"], "town", "owner")
    assert result.reason_text.startswith("部件先属主后属地")
    # Without an owner row the component falls to the territory.
    other = route("0102", grid_code=GRID, kind="component")
    assert other.org_unit == units["water"]  # the major-class wildcard covers 0102 too
    only_territorial = route("0101", grid_code=OTHER_TOWN_GRID, kind="component")
    assert only_territorial.org_unit is None
    assign(personas, now, manhole, "320507105", "territorial", units["district"])
    fallback = route("0101", grid_code=OTHER_TOWN_GRID, kind="component")
    assert (fallback.org_unit, fallback.level, fallback.basis) == (units["district"], "town", "territorial")
    # The same rows route an event the other way round: territory first.
    assign(personas, now, cat("0101"), GRID, "territorial", units["village"])
    assign(personas, now, cat("01"), "320507003", "owner", units["water"])
    assert route("0101", grid_code=GRID).org_unit == units["village"]


def test_unrouted_when_nothing_matches(units: dict[str, OrgUnit]) -> None:
    result = route("0601", grid_code=GRID)
    assert result.org_unit is None and not result.routed
    assert (result.level, result.basis) == ("unrouted", None)
    assert len(result.trail) == 8 and not any(s["matched"] for s in result.trail)
    assert "未路由" in result.reason_text


def test_routing_uses_two_queries(
    units: dict[str, OrgUnit], personas: dict[str, Any], now: Any, django_assert_num_queries: Any
) -> None:
    assign(personas, now, cat("01"), "320507003", "territorial", units["urban"])
    with django_assert_num_queries(2):
        route("0102", grid_code=GRID)


def test_bad_input(units: dict[str, OrgUnit]) -> None:
    with pytest.raises(DomainError) as exc:
        route("0102", grid_code="3205070032010")
    assert exc.value.field == "grid"
    with pytest.raises(NotFound):
        route("0999", grid_code=GRID)
    with pytest.raises(DomainError) as exc:
        route("0102", grid_code=GRID, kind="thing")
    assert exc.value.field == "kind"


def test_every_decision_is_recorded_with_its_reason(
    units: dict[str, OrgUnit], personas: dict[str, Any], now: Any
) -> None:
    assign(personas, now, cat("01"), "320507003", "territorial", units["urban"])
    routed = do_record_routing(
        route("0102", grid_code=GRID),
        subject_type="grid.event",
        subject_id="41",
        actor=personas["dispatcher"],
        now=now,
    )
    unrouted = do_record_routing(
        route("0601", grid_code=GRID),
        subject_type="grid.event",
        subject_id="42",
        actor=personas["system"],
        now=now,
    )
    routed.refresh_from_db()
    assert routed.chosen_unit == units["urban"] and routed.level == "town" and routed.basis == "territorial"
    assert "匹配 黄桥街道城市管理办公室" in routed.reason and routed.trail[-1]["matched"] is True
    assert (routed.category_code, routed.grid_code, routed.decided_at) == ("0102", GRID, now)
    assert routed.actor == personas["dispatcher"]
    assert unrouted.chosen_unit is None and unrouted.level == "unrouted" and "未路由" in unrouted.reason
    assert RoutingDecision.objects.count() == 2
    audit = AuditEvent.objects.filter(action="grid.routing_decided").order_by("id")
    assert [(a.subject_type, a.subject_id, a.territory_code) for a in audit] == [
        ("grid.event", "41", GRID),
        ("grid.event", "42", GRID),
    ]
    afters: list[Any] = [a.after for a in audit]
    assert afters[0]["org_unit"] == "320507003-urban" and afters[1]["org_unit"] is None
    with pytest.raises(DomainError):
        do_record_routing(route("0601", grid_code=GRID), subject_type="", subject_id="", actor=None, now=now)


def test_responsibility_list_needs_a_reference_editor(
    units: dict[str, OrgUnit], personas: dict[str, Any], now: Any
) -> None:
    with pytest.raises(PermissionRefused):
        do_set_responsibility(
            category=cat("01"),
            territory_code="320507003",
            basis="territorial",
            org_unit=units["urban"],
            actor=personas["hq_agency"],
            now=now,
        )
    with pytest.raises(DomainError) as exc:
        assign(personas, now, cat("01"), "3205070", "territorial", units["urban"])
    assert exc.value.field == "territory_code"


def test_responsibilities_for_a_grid(units: dict[str, OrgUnit], personas: dict[str, Any], now: Any) -> None:
    assign(personas, now, cat("01"), "320507003", "territorial", units["urban"])
    assign(personas, now, cat("0105"), GRID, "territorial", units["water"])
    rows = {(r["kind"], r["category"].code): r for r in responsibilities_for_grid(GRID)}
    assert len(rows) == 6 + 7
    environment = rows[("event", "01")]
    assert environment["result"].org_unit == units["urban"]
    assert [(e["category"].code, e["result"].org_unit) for e in environment["exceptions"]] == [
        ("0105", units["water"])
    ]
    assert rows[("event", "06")]["result"].org_unit is None
