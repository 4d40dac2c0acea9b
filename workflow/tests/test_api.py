"""The work-item API, end to end through the sample process: start, dispatch, claim, park and resume,
extension with approval, escalation by the sweeper, rework, close — with hand-checkable deadlines —
and, for every endpoint, the refusals: outsider 404, role 403, bad input 400, wrong state 409."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import User
from workflow.models import IdempotencyRecord, Transition, WorkItem
from workflow.tasks import run_sweep
from workflow.tests.conftest import GRID, URBAN, at

pytestmark = pytest.mark.django_db

CREATE = {
    "process": "sample_complaint",
    "title": "夜间施工扰民",
    "territory_code": GRID,
}


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(user: User, url: str, body: dict[str, Any], when: datetime, **headers: str) -> Any:
    with time_machine.travel(when, tick=False):
        return client_for(user).post(url, body, format="json", headers=headers)


def get(user: User, url: str, when: datetime, **params: Any) -> Any:
    with time_machine.travel(when, tick=False):
        return client_for(user).get(url, params)


def act(user: User, item_id: int, when: datetime, action: str, reason: str = "", **inputs: Any) -> Any:
    return post(
        user,
        f"/api/v1/work-items/{item_id}/transitions/",
        {"action": action, "reason": reason, "inputs": inputs},
        when,
    )


def local(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_sample_process_from_start_to_end(personas: dict[str, Any]) -> None:
    grid, dispatcher, agency = personas["hq_grid"], personas["dispatcher"], personas["hq_agency"]
    created = post(grid, "/api/v1/work-items/", CREATE, at(2026, 9, 29, 10))
    assert created.status_code == 201, created.json()
    body = created.json()
    item_id = body["id"]
    assert body["state"] == "registered" and body["light"] == "green"
    assert local(body["due_at"]) == at(2026, 10, 26, 17, 30)
    # The grid worker who reported it may not dispatch it.
    assert body["actions"] == []

    dispatched = act(dispatcher, item_id, at(2026, 9, 30, 10), "dispatch", assigned_unit=URBAN)
    assert dispatched.status_code == 200, dispatched.json()
    body = dispatched.json()
    assert body["state"] == "handling" and body["assigned_unit"] == URBAN and body["assignee"] is None
    assert local(body["step_due_at"]) == at(2026, 10, 13, 17, 30)
    assert body["deadline_provisional"] is False

    # Anyone in the unit sees and claims it.
    detail = get(agency, f"/api/v1/work-items/{item_id}/", at(2026, 10, 8, 9))
    assert {"claim", "park", "request_extension"} <= {a["name"] for a in detail.json()["actions"]}
    claimed = act(agency, item_id, at(2026, 10, 8, 9), "claim")
    assert claimed.json()["assignee"] == "hq_agency"

    parked = act(agency, item_id, at(2026, 10, 9, 9, 30), "park", reason="等待业主返回")
    assert parked.json()["clock_stopped"] is True and parked.json()["step_due_at"] is None
    resumed = act(personas["hq_agency_colleague"], item_id, at(2026, 10, 15, 8, 30), "resume")
    assert local(resumed.json()["step_due_at"]) == at(2026, 10, 20, 16, 30)

    requested = act(agency, item_id, at(2026, 10, 19, 9), "request_extension", reason="需协调供电公司")
    assert requested.json()["state"] == "extension_requested"
    approved = act(dispatcher, item_id, at(2026, 10, 19, 10), "approve_extension")
    assert approved.status_code == 200
    # Three working days after Tue 10-20: 10-21, 10-22, 10-23 → Fri 10-23 17:30.
    assert local(approved.json()["step_due_at"]) == at(2026, 10, 23, 17, 30)

    # Nobody acts: the sweeper (huey task, clock frozen) warns, then supervises at the deadline.
    with time_machine.travel(at(2026, 10, 23, 17, 30), tick=False):
        result = run_sweep()
    assert result["overdue"] == 1 and result["escalated"] == 1
    overdue = get(agency, f"/api/v1/work-items/{item_id}/", at(2026, 10, 26, 9))
    assert overdue.json()["light"] == "red" and overdue.json()["overdue"] is True
    assert overdue.json()["time_left"]["display"].startswith("超期")
    assert [h["action"] for h in overdue.json()["history"]][-1] == "supervise"
    assert overdue.json()["history"][-1]["actor"] == "system"

    submitted = act(
        agency, item_id, at(2026, 12, 30, 10), "submit", result="已整改", attachments=["photo-1.jpg"]
    )
    assert submitted.status_code == 200, submitted.json()
    body = submitted.json()
    # 3 working days from 2026-12-30: 12-31, 2027-01-01 (no 2027 data yet: Mon–Fri), Mon 01-04.
    assert local(body["step_due_at"]) == at(2027, 1, 4, 17, 30)
    assert body["deadline_provisional"] is True

    rework = act(dispatcher, item_id, at(2026, 12, 30, 15), "rework", reason="现场仍有堆物")
    assert rework.json()["state"] == "handling"
    act(agency, item_id, at(2026, 12, 31, 10), "submit", result="已清理", attachments=["photo-2.jpg"])
    closed = act(dispatcher, item_id, at(2026, 12, 31, 11), "close")
    assert closed.json()["state"] == "closed" and closed.json()["closed_at"] is not None
    assert closed.json()["actions"] == [] and closed.json()["light"] is None
    history = [h["action"] for h in closed.json()["history"]]
    assert history == [
        "start", "dispatch", "claim", "park", "resume", "request_extension", "approve_extension",
        "supervise", "submit", "rework", "submit", "close",
    ]  # fmt: skip


@pytest.fixture
def item(personas: dict[str, Any]) -> WorkItem:
    response = post(
        personas["dispatcher"], "/api/v1/work-items/", {**CREATE, "assigned_unit": URBAN}, at(2026, 9, 29, 10)
    )
    assert response.status_code == 201
    item_id = response.json()["id"]
    act(
        personas["dispatcher"],
        item_id,
        at(2026, 9, 30, 10),
        "dispatch",
        assigned_unit=URBAN,
        assignee="hq_agency",
    )
    return WorkItem.objects.get(pk=item_id)


def test_outsider_gets_404_everywhere(personas: dict[str, Any], item: WorkItem) -> None:
    outsider = personas["wt_grid"]
    assert get(outsider, f"/api/v1/work-items/{item.pk}/", at(2026, 10, 8)).status_code == 404
    response = act(outsider, item.pk, at(2026, 10, 8), "park", reason="x")
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"
    assert get(outsider, "/api/v1/work-items/", at(2026, 10, 8)).json()["count"] == 0
    created = post(outsider, "/api/v1/work-items/", CREATE, at(2026, 10, 8))
    assert created.status_code == 404
    assert Transition.objects.filter(item=item).count() == 2


def test_role_refused_is_403(personas: dict[str, Any], item: WorkItem) -> None:
    response = act(personas["hq_officer"], item.pk, at(2026, 10, 8), "park", reason="x")
    assert response.status_code == 403 and response.json()["errors"][0]["code"] == "not_allowed"
    colleague = act(
        personas["hq_agency_colleague"], item.pk, at(2026, 10, 8), "submit", result="x", attachments=["a"]
    )
    assert colleague.status_code == 403
    # Agency staff may not start this process (start roles: dispatcher, grid_worker).
    assert post(personas["hq_agency"], "/api/v1/work-items/", CREATE, at(2026, 10, 8)).status_code == 403


def test_bad_input_is_400_with_the_field(personas: dict[str, Any], item: WorkItem) -> None:
    agency = personas["hq_agency"]
    no_reason = act(agency, item.pk, at(2026, 10, 8), "park")
    assert no_reason.status_code == 400 and no_reason.json()["errors"][0]["field"] == "reason"
    no_field = act(agency, item.pk, at(2026, 10, 8), "submit", attachments=["a"])
    assert no_field.status_code == 400 and no_field.json()["errors"][0]["field"] == "inputs.result"
    no_action = post(agency, f"/api/v1/work-items/{item.pk}/transitions/", {"inputs": {}}, at(2026, 10, 8))
    assert no_action.status_code == 400 and no_action.json()["errors"][0]["field"] == "action"
    bad_create = post(
        personas["dispatcher"], "/api/v1/work-items/", {**CREATE, "territory_code": "abc"}, at(2026, 10, 8)
    )
    assert bad_create.status_code == 400 and bad_create.json()["errors"][0]["field"] == "territory_code"
    unknown = post(
        personas["dispatcher"], "/api/v1/work-items/", {**CREATE, "process": "nope"}, at(2026, 10, 8)
    )
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "process"
    bad_light = get(agency, "/api/v1/work-items/", at(2026, 10, 8), light="purple")
    assert bad_light.status_code == 400 and bad_light.json()["errors"][0]["field"] == "light"


def test_wrong_state_and_stale_version_are_409(personas: dict[str, Any], item: WorkItem) -> None:
    closing = act(personas["dispatcher"], item.pk, at(2026, 10, 8), "close")
    assert closing.status_code == 409 and closing.json()["errors"][0]["code"] == "invalid_transition"
    stale = post(
        personas["hq_agency"],
        f"/api/v1/work-items/{item.pk}/transitions/",
        {"action": "claim", "version": item.version - 1},
        at(2026, 10, 8),
    )
    assert stale.status_code == 409 and stale.json()["errors"][0]["code"] == "stale_version"


def test_list_filters_and_scoping(personas: dict[str, Any], item: WorkItem) -> None:
    dispatcher, agency, grid = personas["dispatcher"], personas["hq_agency"], personas["hq_grid"]
    other = post(grid, "/api/v1/work-items/", {**CREATE, "title": "积存垃圾"}, at(2026, 10, 8, 9))
    assert other.status_code == 201
    everything = get(dispatcher, "/api/v1/work-items/", at(2026, 10, 8, 10))
    assert everything.json()["count"] == 2
    mine = get(agency, "/api/v1/work-items/", at(2026, 10, 8, 10), mine="true")
    assert [row["id"] for row in mine.json()["results"]] == [item.pk]
    unit = get(personas["hq_agency_colleague"], "/api/v1/work-items/", at(2026, 10, 8, 10), my_unit="true")
    assert [row["id"] for row in unit.json()["results"]] == [item.pk]
    registered = get(dispatcher, "/api/v1/work-items/", at(2026, 10, 8, 10), state="registered")
    assert [row["title"] for row in registered.json()["results"]] == ["积存垃圾"]
    assert get(dispatcher, "/api/v1/work-items/", at(2026, 10, 8, 10), process="nope").json()["count"] == 0
    # 10-12 16:18 is 80 % of the handling step: yellow until 10-13 17:30, red after.
    yellow = get(dispatcher, "/api/v1/work-items/", at(2026, 10, 12, 17), light="yellow")
    assert [row["id"] for row in yellow.json()["results"]] == [item.pk]
    assert yellow.json()["results"][0]["light"] == "yellow"
    red = get(dispatcher, "/api/v1/work-items/", at(2026, 10, 14, 9), light="red")
    assert {row["id"] for row in red.json()["results"]} == {item.pk, other.json()["id"]}
    overdue = get(dispatcher, "/api/v1/work-items/", at(2026, 10, 8, 12), overdue="true")
    assert [row["id"] for row in overdue.json()["results"]] == []
    territory = get(dispatcher, "/api/v1/work-items/", at(2026, 10, 8, 10), territory="320507105")
    assert territory.json()["count"] == 0
    row = everything.json()["results"][-1]
    assert {"deadline_provisional", "time_left", "light", "step_due_at"} <= set(row)


def test_list_query_count_does_not_grow_with_rows(
    personas: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for n in range(6):
        post(personas["hq_grid"], "/api/v1/work-items/", {**CREATE, "title": f"事件{n}"}, at(2026, 10, 8, 9))
    with django_assert_max_num_queries(8):
        response = get(personas["dispatcher"], "/api/v1/work-items/", at(2026, 10, 8, 10))
    assert response.json()["count"] == 6


def test_idempotency_key_returns_the_first_result(personas: dict[str, Any], item: WorkItem) -> None:
    agency = personas["hq_agency"]
    body = {"action": "park", "reason": "等待业主", "inputs": {}}
    url = f"/api/v1/work-items/{item.pk}/transitions/"
    first = post(agency, url, body, at(2026, 10, 8), **{"Idempotency-Key": "k-1"})
    retry = post(agency, url, body, at(2026, 10, 8, 10, 1), **{"Idempotency-Key": "k-1"})
    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert Transition.objects.filter(item=item, action="park").count() == 1
    different = post(agency, url, {**body, "reason": "别的"}, at(2026, 10, 8), **{"Idempotency-Key": "k-1"})
    assert different.status_code == 422 and different.json()["errors"][0]["field"] == "Idempotency-Key"
    # The key is per user: the same key from a colleague is a new request (here refused: already parked).
    colleague = post(
        personas["hq_agency_colleague"], url, body, at(2026, 10, 8), **{"Idempotency-Key": "k-1"}
    )
    assert colleague.status_code == 409


def test_idempotent_create(personas: dict[str, Any]) -> None:
    grid = personas["hq_grid"]
    first = post(grid, "/api/v1/work-items/", CREATE, at(2026, 10, 8), **{"Idempotency-Key": "report-77"})
    again = post(grid, "/api/v1/work-items/", CREATE, at(2026, 10, 8), **{"Idempotency-Key": "report-77"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert WorkItem.objects.count() == 1 and IdempotencyRecord.objects.count() == 1


def test_anonymous_is_401() -> None:
    assert APIClient().get("/api/v1/work-items/").status_code == 401
