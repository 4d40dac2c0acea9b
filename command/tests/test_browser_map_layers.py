"""The command map and the wall screen in Chromium: the dispatcher toggles the layers of open grid events,
enforcement cases and applications and opens a case's and an application's card (no party, no
applicant); with a base map configured (MAP_TILE_URL, served here by the test on the site's own origin)
the command map and the screen draw its tiles under the layers with its attribution, with none only the
outlines; tiles in GCJ-02 shift what is drawn by the same transform as territory/coords.py. Screenshots
at 1440×900 (the map) and 1920×1080 (the screen)."""

from __future__ import annotations

import io
from typing import Any

import pytest
import time_machine
from PIL import Image, ImageDraw

from accounts.models import User
from accounts.testing import PASSWORD
from command.tests.test_map_work import APPLICANT, LATER, PARTY
from command.tests.test_map_work import planted as planted  # fixture
from command.tokens import do_issue_screen_token
from grid.tests.test_pages_support import report
from territory.coords import wgs84_to_gcj02
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TILES = "**/test-tiles/**"


def _tile() -> bytes:
    """A pale 256-px tile with a darker frame, so the tiles show as a grid under the layers."""
    image = Image.new("RGB", (256, 256), (233, 239, 226))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 255, 255), outline=(190, 200, 180), width=2)
    draw.line((0, 128, 255, 128), fill=(214, 222, 206))
    draw.line((128, 0, 128, 255), fill=(214, 222, 206))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _serve_tiles(page: Any) -> list[str]:
    asked: list[str] = []
    body = _tile()

    def fulfil(route: Any) -> None:
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=body)

    page.route(TILES, fulfil)
    return asked


def _open_map(page: Any, base_url: str) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, base_url, "dispatcher", PASSWORD)
    page.goto(f"{base_url}/command/map/")
    page.wait_for_selector("#cmd-map[data-map-ready='true']")


def _toggle(page: Any, layer: str, on: bool) -> None:
    box = f"#cmd-map-filters input[name=layer][value={layer}]"
    page.check(box) if on else page.uncheck(box)
    page.wait_for_selector("#cmd-map[data-layers-ready='true']")


def _open_only_marker(page: Any) -> None:
    markers = page.locator("#cmd-map .leaflet-overlay-pane path.leaflet-interactive")
    assert markers.count() == 1
    markers.first.dispatch_event("click")


def test_dispatcher_toggles_the_layers_and_opens_their_cards(
    live_server: Any,
    page: Any,
    problems: PageProblems,
    planted: dict[str, Any],
    reference: Any,
) -> None:
    report(planted)  # one open grid event in grid 1
    case, application = planted["A"], planted["P"]
    with time_machine.travel(LATER, tick=True):
        _open_map(page, live_server.url)
        # 1 event + 2 cases + 1 application (W's town has no place; I is closed).
        assert page.get_attribute("#cmd-map", "data-markers") == "4"
        assert (
            page.get_attribute("#cmd-map", "data-shown-case"),
            page.get_attribute("#cmd-map", "data-shown-application"),
        ) == ("2", "1")
        assert "另有 1 件所属区划无位置，未标注" in page.inner_text("#cmd-map-count")
        assert page.locator("#cmd-map .leaflet-tile").count() == 0  # no base map configured: outlines only
        assert page.locator("#cmd-map .leaflet-control-attribution").count() == 0
        page.wait_for_load_state("networkidle")
        screenshot(page, "command-map-layers")

        _toggle(page, "event", False)
        _toggle(page, "application", False)
        assert page.get_attribute("#cmd-map", "data-markers") == "2"
        _toggle(page, "case", False)
        assert page.get_attribute("#cmd-map", "data-markers") == "0"
        _toggle(page, "application", True)
        assert page.get_attribute("#cmd-map", "data-markers") == "1"
        _open_only_marker(page)
        card = page.locator(f"[data-work-card='application-{application.pk}']")
        card.wait_for()
        text = card.inner_text()
        assert application.receipt_no in text and "待受理（预审）" in text and "按所属区划位置标注" in text
        assert card.locator(f"a[href='/approvals/applications/{application.pk}/']").inner_text() == "打开办件"
        assert APPLICANT not in text
        screenshot(page, "command-map-application-card")

        _toggle(page, "application", False)
        _toggle(page, "case", True)
        page.uncheck("#cmd-map-filters input[name=light][value=yellow]")  # both cases are yellow
        assert page.get_attribute("#cmd-map", "data-markers") == "0"
        page.check("#cmd-map-filters input[name=light][value=yellow]")
        # Case A stands in grid 2, case B in grid 1: far enough apart not to cluster; open A's card.
        markers = page.locator("#cmd-map .leaflet-overlay-pane path.leaflet-interactive")
        assert markers.count() == 2
        for i in range(2):
            markers.nth(i).dispatch_event("click")
            if page.locator(f"[data-work-card='case-{case.pk}']").count():
                break
        card = page.locator(f"[data-work-card='case-{case.pk}']")
        card.wait_for()
        text = card.inner_text()
        assert "占道经营" in text and "线索核查" in text and "预警" in text and "黄桥测试村第2网格" in text
        assert card.locator(f"a[href='/enforcement/cases/{case.pk}/']").count() == 1
        assert PARTY not in text and card.locator("[data-approximate]").count() == 0
        screenshot(page, "command-map-case-card")
    assert problems.errors == []


def test_the_base_map_under_the_command_map_and_the_screen(
    live_server: Any,
    page: Any,
    problems: PageProblems,
    planted: dict[str, Any],
    settings: Any,
) -> None:
    settings.MAP_TILE_URL = f"{live_server.url}/test-tiles/{{z}}/{{x}}/{{y}}.png"
    settings.MAP_TILE_ATTRIBUTION = "测试底图 © 测绘"
    asked = _serve_tiles(page)
    with time_machine.travel(LATER, tick=True):
        _open_map(page, live_server.url)
        page.wait_for_selector("#cmd-map .leaflet-tile-loaded")
        assert asked and all("/test-tiles/" in url for url in asked)
        assert "测试底图 © 测绘" in page.inner_text("#cmd-map .leaflet-control-attribution")
        assert page.get_attribute("#cmd-map", "data-markers") == "3"  # the layers draw on top
        assert page.locator("#cmd-map .leaflet-cmdGrids-pane path").count() == 4
        page.wait_for_load_state("networkidle")
        screenshot(page, "command-map-basemap")

        key = do_issue_screen_token(
            name="大厅", territory_code="320507003", expires_at=None, actor=planted["hq_leader"], now=LATER
        )[1]
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.goto(f"{live_server.url}/command/screen/?token={key}")
        for ready in ("figures-ready", "grids-ready", "items-ready"):
            page.wait_for_selector(f"#screen[data-{ready}='true']")
        page.wait_for_selector("#scr-map .leaflet-tile-loaded")
        assert "测试底图 © 测绘" in page.inner_text("#scr-map .leaflet-control-attribution")
        assert page.locator("#scr-map .leaflet-cmdGrids-pane path").count() == 2
        page.wait_for_load_state("networkidle")
        screenshot(page, "command-screen-basemap")
    assert problems.errors == []


def test_gcj02_tiles_shift_what_is_drawn(
    live_server: Any, page: Any, problems: PageProblems, personas: dict[str, User], settings: Any
) -> None:
    settings.MAP_TILE_URL = f"{live_server.url}/test-tiles/{{z}}/{{x}}/{{y}}.png"
    settings.MAP_TILE_CRS = "gcj02"
    _serve_tiles(page)
    _open_map(page, live_server.url)
    for lon, lat in ((120.555, 31.405), (120.62, 31.47), (116.3975, 39.9087), (2.35, 48.85)):
        shifted = page.evaluate(f"window.ZhiliLayers.gcj02({lon}, {lat})")
        assert shifted == pytest.approx(list(wgs84_to_gcj02(lon, lat)), abs=1e-12), (lon, lat)
    # The grid outlines are drawn where their corners fall in GCJ-02: the drawn bounds are the shifted
    # corners' (the four test grids: 0.01° squares at 120.55–120.57 and 120.65–120.67, 31.40–31.41).
    corners = [
        wgs84_to_gcj02(lon, lat)
        for lon in (120.55, 120.56, 120.57, 120.65, 120.66, 120.67)
        for lat in (31.40, 31.41)
    ]
    west, south, east, north = (float(v) for v in page.get_attribute("#cmd-map", "data-bounds").split(","))
    assert west == pytest.approx(min(c[0] for c in corners), abs=1e-9)
    assert south == pytest.approx(min(c[1] for c in corners), abs=1e-9)
    assert east == pytest.approx(max(c[0] for c in corners), abs=1e-9)
    assert north == pytest.approx(max(c[1] for c in corners), abs=1e-9)
    assert west - 120.55 > 0.004 and south - 31.40 < -0.002  # ~400 m east and ~230 m south of WGS-84
    page.wait_for_load_state("networkidle")
    screenshot(page, "command-map-gcj02")
    assert problems.errors == []
