"""A station's duty on the institution page: the town's office gives 黄桥's water station the pipeline
checks of the town; the duty lists the patrol items it put on the grids, and a burst pipe there now goes
to the station."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import OrgUnit
from accounts.testing import PASSWORD
from grid.models import Category
from grid.standards.actions import do_seed_reference
from grid.standards.routing import route
from territorial.models import StationDuty
from territorial.tests.conftest import people, stations  # noqa: F401 (fixtures)
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 1400}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_town_assigns_the_water_station_its_pipeline_checks(
    live_server: Any,
    desk: Any,
    people: dict[str, Any],  # noqa: F811
    stations: dict[str, OrgUnit],  # noqa: F811
) -> None:
    do_seed_reference(actor=people["system"], now=timezone.now())
    pipes = Category.objects.get(kind="event", code="0401")
    water = stations["water"]
    base = live_server.url
    problems = PageProblems()
    problems.attach(desk)
    log_in(desk, base, "hq_agency", PASSWORD)
    desk.goto(f"{base}/territorial/institutions/{water.pk}/")
    form = "[data-duty-form]"
    desk.fill(f"{form} #id_name", "供水管网巡检")
    desk.select_option(f"{form} #id_category", str(pipes.pk))
    desk.select_option(f"{form} #id_frequency", "weekly")
    desk.select_option(f"{form} #id_territory_code", "320507003")
    desk.fill(f"{form} #id_checkpoint", "主干管阀门井")
    desk.click(f"{form} button[type=submit]")
    desk.wait_for_load_state("networkidle")
    duty = StationDuty.objects.get()
    row = desk.inner_text(f"[data-duty='{duty.pk}']")
    assert "供水管网巡检" in row and "0401" in row and "每周" in row
    desk.locator(f"[data-duty='{duty.pk}']").scroll_into_view_if_needed()
    screenshot(desk, "territorial-station-duty")
    assert route("0401", grid_code="320507003201001").org_unit == water
    assert problems.errors == []
