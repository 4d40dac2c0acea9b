"""The 代办需求 API (/api/v1/party/needs/…): the needs of the jurisdiction, open ones first, filtered by
state, village or member; one need with the actions its reader may take; and the steps, through the
engine's `transition()` and the handler bound to each (party/needs.py), as the need page and /work/ take
them. Readers: the party pages' readers and the grid workers (others 403), the outsider from another town
404 and an empty list; bad filters and bad steps refused with the field named, nothing moved."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from outbox.models import OutboxMessage
from party import visits
from party.models import VisitNeed
from party.needs import do_raise_need
from party.tests.conftest import NOW
from party.tests.test_visits import POINT, planned  # noqa: F401 (fixture)
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db
NEEDS = "/api/v1/party/needs/"


@pytest.fixture(autouse=True)
def _clock(frozen: Any) -> None:
    """The API reads the clock: frozen at the fixtures' NOW."""


@pytest.fixture
def raised(planned: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """Both of the member's visits this month logged, each with a need (households HQ-0 and HQ-1)."""
    for visit, need in zip(planned["plan"], ("老人需办理高龄津贴。", "户主需补办残疾人证。"), strict=True):
        log = visits.VisitLog(lon=POINT[0], lat=POINT[1], note="入户走访。", need=need)
        visits.do_log_visit(visit, log, actor=planned["member_user"], now=NOW)
    return {**planned, "needs": list(VisitNeed.objects.order_by("id"))}


def as_user(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_documented_in_the_openapi_document() -> None:
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("needs/", "needs/{need_id}/", "needs/{need_id}/actions/"):
        assert f"/api/v1/party/{path}" in schema["paths"], path
    assert "post" in schema["paths"]["/api/v1/party/needs/{need_id}/actions/"]


def test_the_grid_worker_lists_filters_and_reads_a_need(raised: dict[str, Any]) -> None:
    users, (first, second) = raised["users"], raised["needs"]
    worker = as_user(users["hq_grid"])
    rows = worker.get(NEEDS).json()
    assert [r["id"] for r in rows] == [second.pk, first.pk]  # open ones, newest first
    row = rows[1]
    assert (row["state"], row["state_title"], row["late"]) == ("requested", "待网格员代办", False)
    assert (row["beneficiary"], row["grid_code"], row["village_code"]) == (
        "户 HQ-0",
        "320507003201001",
        "320507003201",
    )
    assert row["member"] == "李**" and row["member_id"] == raised["member"].pk
    assert row["description"] == "老人需办理高龄津贴。" and row["step_due_at"] is not None
    # Returned through the API: then filtered by state, village and member.
    done = worker.post(f"{NEEDS}{first.pk}/actions/", {"action": "decline", "reason": "已自行办理。"})
    assert done.status_code == 200 and done.json()["state"] == "declined" and done.json()["actions"] == []
    assert [r["id"] for r in worker.get(NEEDS, {"state": "declined"}).json()] == [first.pk]
    assert [r["id"] for r in worker.get(NEEDS, {"state": "requested"}).json()] == [second.pk]
    assert len(worker.get(NEEDS, {"village": "320507003201"}).json()) == 2
    assert worker.get(NEEDS, {"village": "320507003202"}).json() == []
    assert len(worker.get(NEEDS, {"member": raised["member"].pk}).json()) == 2
    assert worker.get(NEEDS, {"member": raised["member"].pk + 100}).json() == []
    detail = worker.get(f"{NEEDS}{second.pk}/").json()
    assert [a["name"] for a in detail["actions"]] == ["file", "decline"] and detail["version"] == 1


def test_a_step_through_the_api_is_the_engines(raised: dict[str, Any]) -> None:
    users, need = raised["users"], raised["needs"][0]
    worker = as_user(users["hq_grid"])
    url = f"{NEEDS}{need.pk}/actions/"
    bad = {
        "no_reason": ({"action": "decline"}, 400, "required", "reason"),
        "no_receipt": ({"action": "file"}, 400, "required", "receipt_no"),
        "not_own": ({"action": "file", "receipt_no": "XX-1"}, 400, "not_own_proxy_application", "receipt_no"),
        "unknown": ({"action": "teleport"}, 400, "unknown_action", "action"),
        "system_step": ({"action": "remind"}, 403, "not_allowed", None),
        "stale": ({"action": "decline", "reason": "x", "version": 9}, 409, "stale_version", None),
        "no_action": ({"reason": "x"}, 400, "required", "action"),
    }
    for case, (body, status, code, field) in bad.items():
        response = worker.post(url, body, format="json")
        [error] = response.json()["errors"]
        assert (response.status_code, error["code"], error["field"]) == (status, code, field), case
    item = WorkItem.objects.get(pk=need.work_item_id)
    assert (item.state, item.version) == ("requested", 1)
    assert not OutboxMessage.objects.filter(kind="party_need_decline").exists()
    # The village secretary (grid head) returns it; the member is told.
    response = as_user(users["hq_sec"]).post(
        url, {"action": "decline", "reason": "户主已搬离。", "version": 1}
    )
    assert response.status_code == 200 and response.json()["state_title"] == "已退回"
    told = OutboxMessage.objects.get(kind="party_need_decline")
    assert told.recipient == raised["member_user"] and "户主已搬离" in told.body


def test_who_may_read_and_act(raised: dict[str, Any]) -> None:
    users, need = raised["users"], raised["needs"][0]
    decline = {"action": "decline", "reason": "不需要。"}
    # The town leader reads it but may not return it (the engine's roles).
    leader = as_user(users["hq_leader"])
    assert len(leader.get(NEEDS).json()) == 2
    assert leader.get(f"{NEEDS}{need.pk}/").json()["actions"] == []
    assert leader.post(f"{NEEDS}{need.pk}/actions/", decline).status_code == 403
    # No role that reads needs: the member's own log-in, an agency's staff.
    for user in (raised["member_user"], users["hq_agency"]):
        client = as_user(user)
        for response in (
            client.get(NEEDS),
            client.get(f"{NEEDS}{need.pk}/"),
            client.post(f"{NEEDS}{need.pk}/actions/", decline),
        ):
            assert response.status_code == 403
            assert response.json()["errors"][0]["code"] == "not_allowed"
    # The outsiders from another town: an empty list, 404 for the need.
    for name in ("wt_grid", "wt_leader"):
        outsider = as_user(users[name])
        assert outsider.get(NEEDS).json() == []
        assert outsider.get(f"{NEEDS}{need.pk}/").status_code == 404
        assert outsider.post(f"{NEEDS}{need.pk}/actions/", decline).status_code == 404
    assert APIClient().get(NEEDS).status_code in (401, 403)
    assert WorkItem.objects.get(pk=need.work_item_id).state == "requested"


def test_bad_filters_are_refused_with_the_field(raised: dict[str, Any]) -> None:
    worker = as_user(raised["users"]["hq_grid"])
    for query, field in (
        ({"state": "lost"}, "state"),
        ({"village": "3205070032"}, "village"),
        ({"village": "32050700320a"}, "village"),
        ({"member": "abc"}, "member"),
    ):
        response = worker.get(NEEDS, query)
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == field, query
    assert worker.get(f"{NEEDS}999999/").status_code == 404


def test_the_lists_queries_do_not_grow_with_its_rows(raised: dict[str, Any]) -> None:
    worker = as_user(raised["users"]["hq_grid"])

    def counted() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            rows = worker.get(NEEDS).json()
        return len(rows), len(queries)

    counted()  # the first request warms the process and territory caches
    two, few = counted()
    for visit in raised["plan"]:
        do_raise_need(visit, "另需代办居住证。", actor=raised["member_user"], now=NOW)
    four, more = counted()
    assert (two, four) == (2, 4) and more == few
