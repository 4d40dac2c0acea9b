"""Dispatch without typing codes: the queue row and the event page offer the units in the dispatcher's
jurisdiction by name in a picker with the routed unit preselected; a unit outside the jurisdiction is
refused beside the field; the work-item page hands over and reassigns with pickers, not code boxes."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_org_unit, make_person
from grid.models import GridEvent
from grid.tests import test_pages_support as support
from grid.tests.test_pages_support import URBAN, act, client_for, report
from workflow.start import do_start_item

pytestmark = pytest.mark.django_db
page_people = support.page_people  # fixture
People = dict[str, User]
ELSEWHERE = "320508001-urban"  # a unit of another district: outside the dispatcher's jurisdiction


def _select(html: str, name: str) -> str:
    match = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert match is not None, f"no <select name={name}>"
    return match.group(0)


@pytest.fixture
def elsewhere(page_people: People) -> OrgUnit:
    unit = make_org_unit(ELSEWHERE, "别区城市管理办公室", OrgUnit.Kind.AGENCY, "320508001")
    make_person("elsewhere_agency", unit=unit, role=Role.AGENCY_STAFF)
    return unit


def test_queue_row_offers_units_by_name_with_the_routed_one_selected(
    page_people: People, elsewhere: OrgUnit
) -> None:
    event = report(page_people)
    act(event, "file", page_people, "dispatcher")
    html = client_for(page_people["dispatcher"]).get("/grid/dispatch/dispatch/").content.decode()
    picker = _select(html, "dispatch-assigned_unit")
    assert f'<option value="{URBAN}" selected>黄桥街道城市管理办公室</option>' in picker
    assert "data-search" in picker and ELSEWHERE not in picker
    assert '<input name="dispatch-assigned_unit"' not in html and "承办机构代码" not in html


def test_event_page_dispatch_picker_and_scope(page_people: People, elsewhere: OrgUnit) -> None:
    event = report(page_people)
    act(event, "file", page_people, "dispatcher")
    client = client_for(page_people["dispatcher"])
    html = client.get(f"/grid/events/{event.pk}/").content.decode()
    picker = _select(html, "dispatch-assigned_unit")
    assert re.search(rf'<option value="{URBAN}"[^>]*selected[^>]*>黄桥街道城市管理办公室</option>', picker)
    assert ELSEWHERE not in picker and "承办机构（代码）" not in html
    # A unit outside the jurisdiction (posted by hand) is refused beside the field; nothing changes.
    response = client.post(
        f"/grid/events/{event.pk}/act/",
        {"action": "dispatch", "dispatch-action": "dispatch", "dispatch-assigned_unit": ELSEWHERE},
    )
    assert response.status_code == 400
    assert 'data-field-error="dispatch-assigned_unit"' in response.content.decode()
    assert GridEvent.objects.filter(pk=event.pk, work_item__state="filed").exists()
    # The preselected unit dispatches.
    response = client.post(
        f"/grid/events/{event.pk}/act/",
        {"action": "dispatch", "dispatch-action": "dispatch", "dispatch-assigned_unit": URBAN},
    )
    assert response.status_code == 303
    assert GridEvent.objects.filter(
        pk=event.pk, work_item__state="dispatched", work_item__assigned_unit__code=URBAN
    ).exists()


def test_work_item_page_uses_pickers_for_unit_and_person(page_people: People, elsewhere: OrgUnit) -> None:
    dispatcher = page_people["dispatcher"]
    with time_machine.travel(support.NOW, tick=False):
        item = do_start_item(
            "sample_complaint",
            actor=dispatcher,
            now=support.NOW,
            title="占道经营投诉",
            territory_code=support.HQ_GRID,
        )
        html = client_for(dispatcher).get(reverse("workflow:item", args=[item.pk])).content.decode()
    units = _select(html, "field_assigned_unit")
    assert f'<option value="{URBAN}">黄桥街道城市管理办公室</option>' in units and ELSEWHERE not in units
    people = _select(html, "field_assignee")
    assert '<option value="hq_agency">' in people and "elsewhere_agency" not in people
    assert "承办人账号" not in html and ">assigned_unit<" not in html and "assigned_unit<input" not in html
    # The outsider never sees the page.
    assert client_for(page_people["wt_grid"]).get(reverse("workflow:item", args=[item.pk])).status_code == 404


def test_destructive_actions_look_apart_and_ask_to_confirm(page_people: People) -> None:
    event = report(page_people)
    html = client_for(page_people["dispatcher"]).get(f"/grid/events/{event.pk}/").content.decode()
    void = re.search(r'<button[^>]*data-act="void"[^>]*>', html)
    file = re.search(r'<button[^>]*data-act="file"[^>]*>', html)
    assert void is not None and file is not None
    assert "danger" in void.group(0) and "data-confirm=" in void.group(0)
    assert "danger" not in file.group(0) and "data-confirm" not in file.group(0)
    assert 'name="void-reason"' in html
