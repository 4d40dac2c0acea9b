"""The territory map in Chromium: the district, its towns and grids drawn with Chinese labels; the
outsider sees only their own town's grids."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from accounts.models import OrgUnit, Role, User
from accounts.testing import PASSWORD, make_org_unit, make_person
from territory.actions.loading import do_load_territory
from territory.models import Grid
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def district(empty_database: None) -> dict[str, User]:
    system = User.objects.create_user(username="system", password=None, is_system=True)
    do_load_territory(actor=system, now=timezone.now())
    centre = make_org_unit("320507-command", "相城区集成指挥中心", OrgUnit.Kind.COMMAND_CENTRE, "320507")
    weitang_grid = Grid.objects.filter(code__startswith="320507105").order_by("code").first()
    assert weitang_grid is not None
    village_unit = make_org_unit(
        f"{weitang_grid.village_id}-vc",
        "渭塘镇村委会",
        OrgUnit.Kind.VILLAGE_COMMITTEE,
        weitang_grid.village_id,
    )
    return {
        "dispatcher": make_person("dispatcher", unit=centre, role=Role.DISPATCHER),
        "weitang_grid": make_person(
            "weitang_grid", unit=village_unit, role=Role.GRID_WORKER, territory_code=weitang_grid.code
        ),
    }


def _open_map(page: Any, base_url: str) -> Any:
    page.goto(f"{base_url}/territory/map/")
    page.wait_for_selector("#territory-map[data-map-ready='true']")
    return page.locator("#territory-map")


def test_dispatcher_sees_whole_district_with_chinese_labels(
    live_server: Any, page: Any, problems: PageProblems, district: dict[str, User]
) -> None:
    log_in(page, live_server.url, "dispatcher", PASSWORD)
    container = _open_map(page, live_server.url)
    grids = Grid.objects.filter(active=True).count()
    assert int(container.get_attribute("data-grids-loaded")) == grids
    assert int(container.get_attribute("data-towns-loaded")) == 13
    assert page.locator("[data-grid-code]").count() == grids
    labels = page.inner_text("#territory-map")
    for town in ["黄桥街道", "望亭镇", "渭塘镇", "阳澄湖镇"]:
        assert town in labels
    # The CJK font is really there, so the labels are glyphs, not boxes.
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '相城区')")
    assert "生成数据" in page.inner_text("body")
    screenshot(page, "map-district")
    assert problems.errors == []


def test_clicking_a_grid_shows_its_details(live_server: Any, page: Any, district: dict[str, User]) -> None:
    log_in(page, live_server.url, "weitang_grid", PASSWORD)
    container = _open_map(page, live_server.url)
    assert int(container.get_attribute("data-grids-loaded")) == 1
    grid_code = page.locator("[data-grid-code]").first.get_attribute("data-grid-code")
    assert grid_code is not None and grid_code.startswith("320507105")
    page.locator(f"[data-grid-code='{grid_code}']").first.click(force=True)
    popup = page.wait_for_selector(f"[data-grid-detail='{grid_code}']")
    text = popup.inner_text()
    assert grid_code in text
    assert "渭塘镇" in text
    assert "weitang_grid" in text or "网格员" in text
    screenshot(page, "map-grid-popup")
