"""A resident may report without a category code (as a 12345 call centre takes a call): the report is
filed under the standard's catch-all 其他事件, marked unclassified, and waits for the dispatcher, who files
and dispatches it like any other. Staff still name the category; bad input is refused and nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from grid.events.report import UNCLASSIFIED_CATEGORY
from grid.models import GridEvent
from grid.tests import test_event_support as support
from grid.tests.test_event_public import REPORTS, body
from grid.tests.test_event_support import act, at, client_for

pytestmark = pytest.mark.django_db
media, people = support.media, support.people  # fixtures


def without_category(**changes: Any) -> dict[str, Any]:
    values = body(**changes)
    values.pop("category_code")
    return values


def test_resident_reports_without_a_category(people: dict[str, Any]) -> None:
    anonymous = client_for(None)
    created = anonymous.post(REPORTS, without_category(), format="json")
    assert created.status_code == 201, created.content
    receipt = created.json()["receipt_number"]
    event = GridEvent.objects.select_related("category").get(receipt_number=receipt)
    assert event.category.code == UNCLASSIFIED_CATEGORY and event.kind == "event"
    assert event.attributes["unclassified"] is True
    assert event.work_item is not None and event.work_item.state == "reported"
    status = anonymous.get(f"{REPORTS}{receipt}/").json()
    assert status["state"] == "reported" and status["category"]["code"] == UNCLASSIFIED_CATEGORY
    # The dispatcher takes it from there like any other report.
    event = act(event, "file", people, "dispatcher", at(3, 2, 9, 30))
    event = act(event, "dispatch", people, "dispatcher", at(3, 2, 10))
    assert anonymous.get(f"{REPORTS}{receipt}/").json()["state"] == "dispatched"


def test_a_blank_category_is_the_same_as_none(people: dict[str, Any]) -> None:
    created = client_for(None).post(REPORTS, body(category_code=""), format="json")
    assert created.status_code == 201, created.content
    event = GridEvent.objects.get(receipt_number=created.json()["receipt_number"])
    assert event.category.code == UNCLASSIFIED_CATEGORY


def test_an_unknown_category_is_still_refused(people: dict[str, Any]) -> None:
    refused = client_for(None).post(REPORTS, body(category_code="0000"), format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "category_code"
    assert not GridEvent.objects.exists()


def test_bad_input_without_a_category_writes_nothing(people: dict[str, Any]) -> None:
    anonymous = client_for(None)
    for changes, field in (
        ({"description": ""}, "description"),
        ({"lon": 121.5, "lat": 31.2}, "lon"),
        ({"reporter_phone": "110"}, "reporter_phone"),
    ):
        refused = anonymous.post(REPORTS, without_category(**changes), format="json")
        assert refused.status_code == 400, (changes, refused.content)
        assert refused.json()["errors"][0]["field"] == field
    assert not GridEvent.objects.exists()


def test_a_component_report_still_names_its_category(people: dict[str, Any]) -> None:
    refused = client_for(None).post(REPORTS, without_category(kind="component"), format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0] == {
        "code": "required",
        "message": "请选择问题分类。",
        "field": "category_code",
    }
    assert not GridEvent.objects.exists()


def test_staff_reports_still_name_the_category(people: dict[str, Any]) -> None:
    worker = client_for(people["hq_grid"])
    refused = worker.post("/api/v1/grid/events/", without_category(), format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "category_code"
    assert not GridEvent.objects.exists()
