"""/api/v1/command/warnings/: the list (paged, scoped by jurisdiction, filtered by state/level/rule), the
detail (404 outside the jurisdiction), and the actions through the engine — with each refusal: roles that
are not the command centre's, the outsider from another town, bad input, a stale version."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import User
from command.warnings.models import EarlyWarning, Level

from .conftest import WEITANG

pytestmark = pytest.mark.django_db

BASE = "/api/v1/command/warnings/"


def client(user: User | None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def get(user: User | None, path: str = "", **params: Any) -> Any:
    return client(user).get(f"{BASE}{path}", params)


def act(user: User, warning: EarlyWarning, action: str, now: datetime, **body: Any) -> Any:
    with time_machine.travel(now, tick=False):
        return client(user).post(
            f"{BASE}{warning.pk}/transitions/", {"action": action, **body}, format="json"
        )


@pytest.fixture
def three(plant: Callable[..., EarlyWarning]) -> dict[str, EarlyWarning]:
    return {
        "hq_red": plant("r", level=Level.RED),
        "hq_yellow": plant("y", level=Level.YELLOW),
        "wt": plant("w", territory=WEITANG),
    }


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_the_list_is_scoped_and_paged(three: dict[str, EarlyWarning], people: dict[str, User]) -> None:
    hq = {three["hq_red"].pk, three["hq_yellow"].pk}
    assert ids(get(people["dispatcher"])) == {*hq, three["wt"].pk}
    assert ids(get(people["hq_leader"])) == hq
    assert ids(get(people["wt_leader"])) == {three["wt"].pk}
    page = get(people["dispatcher"], page_size=2).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    row = next(r for r in get(people["hq_leader"]).json()["results"] if r["id"] == three["hq_red"].pk)
    assert row["level"] == "red" and row["level_name"] == "红色预警" and row["state"] == "raised"
    assert row["state_title"] == "已发出（待签收）" and row["owner_unit"] == "320507003-gov"
    assert row["evidence"] == {"waiting": 5, "threshold": 5} and row["rule"] == "unrouted_backlog"


def test_filters(three: dict[str, EarlyWarning], people: dict[str, User], now: datetime) -> None:
    leader = people["hq_leader"]
    assert ids(get(leader, level="red")) == {three["hq_red"].pk}
    assert ids(get(leader, rule="spike")) == set()
    act(leader, three["hq_yellow"], "acknowledge", now)
    assert ids(get(leader, state="acknowledged")) == {three["hq_yellow"].pk}
    assert ids(get(leader, open="true")) == {three["hq_red"].pk, three["hq_yellow"].pk}
    assert ids(get(leader, open="false")) == set()
    assert ids(get(leader, territory=WEITANG)) == set()  # another town's code narrows to nothing


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": "purple"}, "level"),
        ({"rule": "astrology"}, "rule"),
        ({"state": "lost"}, "state"),
        ({"territory": "abc"}, "territory"),
        ({"open": "maybe"}, "open"),
        ({"page_size": "x", "page": "0"}, None),
    ],
)
def test_bad_list_input(
    three: dict[str, EarlyWarning], people: dict[str, User], params: dict[str, str], field: str | None
) -> None:
    response = get(people["hq_leader"], **params)
    if field is None:  # a bad page number is DRF's 404, in the envelope
        assert response.status_code == 404
        return
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_detail_and_the_outsider(three: dict[str, EarlyWarning], people: dict[str, User]) -> None:
    warning = three["hq_red"]
    body = get(people["hq_leader"], f"{warning.pk}/").json()
    assert body["id"] == warning.pk and [a["name"] for a in body["actions"]] == ["acknowledge", "dismiss"]
    assert [h["action"] for h in body["history"]] == ["start"]
    # The outsider (a 渭塘 leader) gets 404 — for reading and for acting; so does a missing id.
    assert get(people["wt_leader"], f"{warning.pk}/").status_code == 404
    refused = client(people["wt_leader"]).post(
        f"{BASE}{warning.pk}/transitions/", {"action": "acknowledge"}, format="json"
    )
    assert refused.status_code == 404
    assert get(people["hq_leader"], "999999/").status_code == 404


@pytest.mark.parametrize("who", ["hq_grid", "hq_agency", "hq_officer", "wt_grid"])
def test_other_roles_are_refused(three: dict[str, EarlyWarning], people: dict[str, User], who: str) -> None:
    for response in (
        get(people[who]),
        get(people[who], f"{three['hq_red'].pk}/"),
        client(people[who]).post(
            f"{BASE}{three['hq_red'].pk}/transitions/", {"action": "acknowledge"}, format="json"
        ),
    ):
        assert response.status_code == 403 and response.json()["errors"][0]["code"] == "not_allowed"
    assert get(None).status_code == 401


def test_acknowledge_handle_close(
    three: dict[str, EarlyWarning], people: dict[str, User], now: datetime
) -> None:
    warning, leader = three["hq_red"], people["hq_leader"]
    body = act(leader, warning, "acknowledge", now, version=1).json()
    assert body["state"] == "acknowledged" and [a["name"] for a in body["actions"]] == ["handle", "dismiss"]
    missing = act(leader, warning, "handle", now)
    assert missing.status_code == 400 and missing.json()["errors"][0] == {
        "code": "required",
        "message": "请填写处置措施。",
        "field": "inputs.measures",
    }
    wrong = act(leader, warning, "handle", now, inputs={"measures": ["派人"]})
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "inputs.measures"
    body = act(leader, warning, "handle", now, inputs={"measures": "  已派城管中队现场清理  "}).json()
    assert body["state"] == "handled" and body["measures"] == "已派城管中队现场清理"
    body = act(people["dispatcher"], warning, "close", now).json()
    assert body["state"] == "closed" and body["finished_at"] is not None and body["actions"] == []
    closed_again = act(leader, warning, "close", now)
    assert (
        closed_again.status_code == 409 and closed_again.json()["errors"][0]["code"] == "invalid_transition"
    )


def test_bad_actions(three: dict[str, EarlyWarning], people: dict[str, User], now: datetime) -> None:
    warning, leader = three["hq_yellow"], people["hq_leader"]
    cases = [
        ({"action": "teleport"}, 400, "unknown_action"),
        ({"action": "close"}, 409, "invalid_transition"),
        ({"action": "dismiss"}, 400, "required"),  # a reason is required
        ({"action": "supervise"}, 403, "not_allowed"),  # a leader does not 督办
        ({"action": "acknowledge", "version": 7}, 409, "stale_version"),
        ({"action": "acknowledge", "version": "x"}, 400, "invalid"),
        ({}, 400, "required"),
    ]
    for body, status, code in cases:
        with time_machine.travel(now, tick=False):
            response = client(leader).post(f"{BASE}{warning.pk}/transitions/", body, format="json")
        assert (response.status_code, response.json()["errors"][0]["code"]) == (status, code), body
    warning.work_item.refresh_from_db()
    assert warning.work_item.state == "raised" and warning.work_item.transitions.count() == 1
    body = act(leader, warning, "dismiss", now, reason="现场核实为误报").json()
    assert body["state"] == "dismissed" and body["finished_at"] is not None


def test_in_the_openapi_document(people: dict[str, User]) -> None:
    schema = client(people["dispatcher"]).get("/api/schema/", {"format": "json"}).json()
    assert {
        "/api/v1/command/warnings/",
        "/api/v1/command/warnings/{warning_id}/",
        "/api/v1/command/warnings/{warning_id}/transitions/",
    } <= set(schema["paths"])
    listing = schema["paths"]["/api/v1/command/warnings/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"state", "level", "rule", "open", "page"}


def test_the_lists_query_count_does_not_grow_with_rows(
    plant: Callable[..., EarlyWarning], people: dict[str, User]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        get(people["hq_leader"])  # warm the caches (process version, session)
        with CaptureQueriesContext(connection) as captured:
            assert get(people["hq_leader"]).status_code == 200
        return len(captured.captured_queries)

    plant("one")
    one = queries()
    for key in ("two", "three", "four"):
        plant(key)
    assert queries() == one
