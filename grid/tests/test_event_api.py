"""The grid events API: intake (JSON and multipart, Idempotency-Key), the scoped list with its filters and
a constant number of queries, the detail (work item, timeline, actions, attachments, candidates, masked
personal data), actions (refusals by role, outsider, input), the unrouted queue and wrong dispatch."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grid.models import GridEvent, ResponsibilityEntry
from grid.tests import test_event_support as support
from grid.tests.test_event_support import (
    HQ_GRID,
    HQ_GRID_2,
    HQ_POINT,
    SQUAD,
    URBAN,
    act,
    at,
    client_for,
    photo,
    report,
)
from workflow.models import Transition

pytestmark = pytest.mark.django_db
media, people = support.media, support.people  # fixtures

EVENTS = "/api/v1/grid/events/"


def errors(response: Any) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in response.json()["errors"]]


def test_intake_multipart_with_idempotency_key(people: dict[str, Any]) -> None:
    client = client_for(people["hq_grid"])
    body = {
        "category_code": "0102",
        "description": "垃圾成堆",
        "lon": str(HQ_POINT[0]),
        "lat": str(HQ_POINT[1]),
        "photos": [photo()],
    }
    first = client.post(EVENTS, body, format="multipart", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["channel"] == "patrol" and data["grid"]["code"] == HQ_GRID and data["state"] == "reported"
    assert [a["stage"] for a in data["attachments"]] == ["report"]
    assert data["work_item"]["limit_overrides"] == {"handling": {"amount": 4, "unit": "work_hours"}}
    assert {a["name"] for a in data["actions"]} == {"self_resolve"}
    body["photos"] = [photo()]
    again = client.post(EVENTS, body, format="multipart", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["receipt_number"] == data["receipt_number"] and GridEvent.objects.count() == 1
    body["description"] = "另一件事"
    body["photos"] = [photo()]
    reused = client.post(EVENTS, body, format="multipart", HTTP_IDEMPOTENCY_KEY="k-1")
    assert reused.status_code == 422


def test_intake_json_refusals(people: dict[str, Any]) -> None:
    body = {
        "category_code": "0102",
        "description": "热线来电：垃圾未清",
        "grid_code": HQ_GRID,
        "reporter_name": "王先生",
        "reporter_phone": "13812348000",
        "channel": "hotline",
    }
    created = client_for(people["dispatcher"]).post(EVENTS, body, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["reporter_phone"] == "138****8000" and data["reporter_name"] == "王**"
    assert "13812348000" not in created.content.decode()
    assert client_for(people["hq_agency"]).post(EVENTS, body, format="json").status_code == 403
    assert client_for(None).post(EVENTS, body, format="json").status_code == 401
    outsider = client_for(people["wt_grid"]).post(
        EVENTS,
        {"category_code": "0102", "description": "x", "lon": HQ_POINT[0], "lat": HQ_POINT[1]},
        format="json",
    )
    assert outsider.status_code == 400 and errors(outsider) == [("outside_jurisdiction", "lon")]
    bad = client_for(people["hq_grid"]).post(
        EVENTS,
        {"category_code": "9999", "description": "x", "lon": HQ_POINT[0], "lat": HQ_POINT[1]},
        format="json",
    )
    assert bad.status_code == 400 and errors(bad) == [("invalid_category", "category_code")]
    bad = client_for(people["hq_grid"]).post(EVENTS, {"category_code": "0102", "lon": "east"}, format="json")
    assert bad.status_code == 400 and {f for _, f in errors(bad)} == {"description", "lon"}


def test_list_is_scoped_filtered_and_constant_in_queries(people: dict[str, Any]) -> None:
    first = report(people, now=at(3, 2, 9))
    report(people, who="dispatcher", now=at(3, 3, 9), lon=None, lat=None, grid_code=HQ_GRID_2)
    wt = report(people, who="wt_grid", now=at(3, 3, 10), lon=120.655, lat=31.405, channel="patrol")
    act(first, "file", people, "dispatcher", at(3, 2, 9, 30))
    dispatcher = client_for(people["dispatcher"])

    def codes(query: str, client: Any = dispatcher) -> list[str]:
        response = client.get(EVENTS + query)
        assert response.status_code == 200, response.content
        return [row["receipt_number"] for row in response.json()["results"]]

    assert len(codes("")) == 3
    assert codes("", client_for(people["wt_grid"])) == [wt.receipt_number]
    assert len(codes("", client_for(people["hq_grid"]))) == 1  # their own grid only
    assert codes("?state=filed") == [first.receipt_number]
    assert len(codes("?channel=patrol")) == 2
    assert len(codes(f"?grid={HQ_GRID}")) == 1 and len(codes("?village=320507003201")) == 2
    assert codes("?town=320507105") == [wt.receipt_number]
    assert codes("?from=2026-03-02&to=2026-03-02") == [first.receipt_number]
    assert len(codes("?category=01")) == 3 and codes("?category=0109") == []
    with time_machine.travel(at(3, 2, 10, 45), tick=False):  # filed 09:30 with 1 h to dispatch: late
        assert codes("?overdue=true") == [first.receipt_number]
    with time_machine.travel(at(3, 2, 10, 15), tick=False):
        assert codes("?overdue=true") == []
    bad = dispatcher.get(EVENTS + "?grid=123")
    assert bad.status_code == 400 and errors(bad)[0][1] == "grid"
    bad = dispatcher.get(EVENTS + "?from=yesterday")
    assert bad.status_code == 400 and errors(bad)[0][1] == "from"

    with CaptureQueriesContext(connection) as three:
        dispatcher.get(EVENTS)
    for hour in range(11, 16):
        report(people, now=at(3, 4, hour))
    with CaptureQueriesContext(connection) as eight:
        assert len(dispatcher.get(EVENTS).json()["results"]) == 8
    assert len(eight.captured_queries) == len(three.captured_queries)


def test_detail_shows_item_timeline_actions_candidates_and_refuses_outsider(people: dict[str, Any]) -> None:
    original = report(people, now=at(3, 2, 9))
    event = report(people, who=None, now=at(3, 2, 10), reporter_phone="13812348000", reporter_name="张三")
    url = f"{EVENTS}{event.pk}/"
    data = client_for(people["dispatcher"]).get(url).json()
    assert data["work_item"]["state"] == "reported" and [t["action"] for t in data["timeline"]] == ["start"]
    assert {a["name"] for a in data["actions"]} == {"file", "void", "mark_duplicate", "reclassify"}
    assert [c["receipt_number"] for c in data["duplicate_candidates"]] == [original.receipt_number]
    assert data["reporter_phone"] == "138****8000" and data["reporter_name"] == "张*"
    assert data["standard"]["limit"] == 4 and data["standard"]["area_class"] == "B"
    worker = client_for(people["hq_grid"]).get(url).json()
    assert worker["duplicate_candidates"] == [] and {a["name"] for a in worker["actions"]} == {"self_resolve"}
    assert client_for(people["wt_grid"]).get(url).status_code == 404
    assert client_for(people["dispatcher"]).get(f"{EVENTS}999999/").status_code == 404


def test_actions_endpoint(people: dict[str, Any]) -> None:
    event = report(people, now=at(3, 2, 9))
    url = f"{EVENTS}{event.pk}/actions/"
    dispatcher = client_for(people["dispatcher"])
    assert client_for(people["hq_grid"]).post(url, {"action": "file"}, format="json").status_code == 403
    assert client_for(people["hq_agency"]).post(url, {"action": "file"}, format="json").status_code == 403
    assert client_for(people["wt_grid"]).post(url, {"action": "file"}, format="json").status_code == 404
    bad = dispatcher.post(url, {"action": "fly"}, format="json")
    assert bad.status_code == 400 and errors(bad) == [("unknown_action", "action")]
    bad = dispatcher.post(url, {"action": "void"}, format="json")
    assert bad.status_code == 400 and errors(bad) == [("required", "reason")]
    bad = dispatcher.post(url, {"action": "file", "inputs": "[1]"}, format="json")
    assert bad.status_code == 400
    filed = dispatcher.post(url, {"action": "file"}, format="json", HTTP_IDEMPOTENCY_KEY="file-1")
    assert filed.status_code == 200 and filed.json()["state"] == "filed"
    assert filed.json()["routing"]["unit"]["code"] == URBAN
    replay = dispatcher.post(url, {"action": "file"}, format="json", HTTP_IDEMPOTENCY_KEY="file-1")
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    stale = dispatcher.post(url, {"action": "file"}, format="json")
    assert stale.status_code == 409
    dispatched = dispatcher.post(url, {"action": "dispatch"}, format="json")
    assert dispatched.json()["assigned_unit"]["code"] == URBAN
    agency = client_for(people["hq_agency"])
    assert agency.post(url, {"action": "sign"}, format="json").status_code == 200
    no_photo = agency.post(url, {"action": "feedback", "inputs": {"result": "已清运"}}, format="json")
    assert no_photo.status_code == 400 and errors(no_photo) == [("required", "inputs.attachments")]
    bad_photo = agency.post(
        url,
        {
            "action": "feedback",
            "inputs": json.dumps({"result": "已清运"}),
            "photos": [photo(b"%PDF-1.4", "a.pdf")],
        },
        format="multipart",
    )
    assert bad_photo.status_code == 400 and errors(bad_photo) == [("invalid_type", "photos")]
    fed = agency.post(
        url,
        {"action": "feedback", "inputs": json.dumps({"result": "已清运"}), "photos": [photo()]},
        format="multipart",
    )
    assert fed.status_code == 200, fed.content
    assert fed.json()["state"] == "verifying" and [a["stage"] for a in fed.json()["attachments"]] == [
        "feedback"
    ]


def test_unrouted_queue_and_manual_dispatch(people: dict[str, Any]) -> None:
    ResponsibilityEntry.objects.filter(territory_code="320507003", category__code="01").delete()
    event = report(people, now=at(3, 2, 9))
    act(event, "file", people, "dispatcher", at(3, 2, 9, 30))
    dispatcher = client_for(people["dispatcher"])
    queue = dispatcher.get(EVENTS + "?unrouted=true").json()["results"]
    assert [row["receipt_number"] for row in queue] == [event.receipt_number]
    assert client_for(people["wt_grid"]).get(EVENTS + "?unrouted=true").json()["results"] == []
    url = f"{EVENTS}{event.pk}/actions/"
    unrouted = dispatcher.post(url, {"action": "dispatch"}, format="json")
    assert unrouted.status_code == 422 and errors(unrouted) == [("unrouted", "assigned_unit")]
    done = dispatcher.post(url, {"action": "dispatch", "inputs": {"assigned_unit": SQUAD}}, format="json")
    assert done.status_code == 200 and done.json()["assigned_unit"]["code"] == SQUAD
    assert dispatcher.get(EVENTS + "?unrouted=true").json()["results"] == []


def test_wrong_dispatch_is_recorded_on_the_redispatch(people: dict[str, Any]) -> None:
    event = report(people, now=at(3, 2, 9))
    event = act(event, "file", people, "dispatcher", at(3, 2, 9, 30))
    event = act(event, "dispatch", people, "dispatcher", at(3, 2, 10), inputs={"assigned_unit": SQUAD})
    event = act(
        event, "send_back", people, "hq_officer", at(3, 2, 10, 30), reason="非执法事项，应由城管办处理"
    )
    assert event.work_item.state == "filed"
    event = act(event, "dispatch", people, "dispatcher", at(3, 2, 11))  # routed: the urban office
    redispatch = Transition.objects.filter(item=event.work_item, action="dispatch").order_by("-id").first()
    assert redispatch is not None and redispatch.inputs["wrong_dispatch"] is True
    assert redispatch.inputs["previous_unit"] == SQUAD and redispatch.inputs["assigned_unit"] == URBAN
    first = Transition.objects.filter(item=event.work_item, action="dispatch").order_by("id").first()
    assert first is not None and "wrong_dispatch" not in first.inputs
