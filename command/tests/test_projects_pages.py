"""The key projects' pages: the list of the caller's jurisdiction and one project's page (its milestones,
late ones marked, and the map drawn from the API); other roles refused, the outsider 404. The project page
in Chromium with a screenshot; the projects layer on the command map."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from accounts.testing import PASSWORD
from command.projects.models import KeyProject
from command.tests.test_projects_api import projects, wt_leader  # noqa: F401 - fixtures
from grid.tests.test_pages_support import act, report
from tests.browser.conftest import PageProblems, log_in, screenshot


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
def test_list_and_project_pages_are_scoped(
    personas: dict[str, User],
    wt_leader: User,  # noqa: F811
    projects: dict[str, KeyProject],  # noqa: F811
) -> None:
    html = client_for(personas["hq_leader"]).get("/command/projects/").content.decode()
    assert "黄桥大道改造工程" in html and "渭塘河整治" not in html
    assert '<td><span class="place" title="320507003">黄桥街道</span></td>' in html
    assert f'href="/command/projects/{projects["hq"].pk}/"' in html
    page = client_for(personas["hq_leader"]).get(f"/command/projects/{projects['hq'].pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert (
        "主体完工" in body
        and "data-late" in body
        and f"/api/v1/command/projects/{projects['hq'].pk}/" in body
    )
    assert '<span class="place">黄桥街道</span> <span class="muted small">320507003</span>' in body
    outsider = client_for(wt_leader).get(f"/command/projects/{projects['hq'].pk}/")
    assert outsider.status_code == 404 and "黄桥大道" not in outsider.content.decode()
    assert client_for(personas["hq_grid"]).get("/command/projects/").status_code == 403
    assert client_for(personas["hq_grid"]).get(f"/command/projects/{projects['hq'].pk}/").status_code == 403
    assert client_for(None).get("/command/projects/").status_code == 302
    empty = client_for(wt_leader).get("/command/projects/").content.decode()
    assert "渭塘河整治" in empty


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_project_page_and_layer_in_chromium(
    live_server: Any,
    page: Any,
    problems: PageProblems,
    personas: dict[str, User],
    reference: Any,
    projects: dict[str, KeyProject],  # noqa: F811
) -> None:
    event = report(personas)
    act(event, "file", personas, "dispatcher")
    assert event.work_item is not None
    projects["hq"].work_items.add(event.work_item)
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server.url, "hq_leader", PASSWORD)
    page.goto(f"{live_server.url}/command/projects/{projects['hq'].pk}/")
    page.wait_for_selector("#cmd-project-map[data-map-ready='true']")
    assert page.get_attribute("#cmd-project-map", "data-items") == "1"
    assert page.locator("#cmd-project-map path.leaflet-interactive").count() == 2  # outline + the item
    # Today (the live server does not travel in time) both unfinished milestones are past their date.
    assert page.locator("[data-milestones] tr[data-late]").count() == 2
    screenshot(page, "command-project")
    page.goto(f"{live_server.url}/command/map/")
    page.wait_for_selector("#cmd-map[data-map-ready='true']")
    page.check("#cmd-map-projects")
    page.wait_for_selector("#cmd-map[data-projects-shown='1']")
    page.locator("#cmd-map .leaflet-marker-icon[title='黄桥大道改造工程']").click()
    page.wait_for_selector(f"[data-project-card='{projects['hq'].pk}']")
    page.wait_for_load_state("networkidle")
    assert problems.errors == []
