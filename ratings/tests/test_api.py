"""POST /api/v1/ratings/codes/, POST /api/v1/ratings/ (online and window pad),
GET /api/v1/ratings/figures/."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

from outbox.models import OutboxMessage
from ratings.models import Rating
from ratings.tests.factories import BAD_WINDOW_SCORES, ONLINE_SCORES, PHONE, WINDOW_SCORES, make_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(people: dict[str, Any], item: Any, now: datetime) -> Any:
    return make_application(centre=people["hq_centre"], clerk=people["hq_clerk"], item=item, now=now)


def _client(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _fields(response: Any) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def test_online_rating_through_the_api(application: Any, frozen: Any) -> None:
    client = _client()
    sent = client.post(
        "/api/v1/ratings/codes/", {"receipt_no": application.receipt_no, "phone": PHONE}, format="json"
    )
    assert sent.status_code == 202
    sms = OutboxMessage.objects.get(kind="phone_code")
    code = "".join(ch for ch in sms.body if ch.isdigit())[:6]
    body = {
        "receipt_no": application.receipt_no,
        "phone": PHONE,
        "code": code,
        "stage": "completed",
        "level": 5,
        "scores": ONLINE_SCORES,
    }
    created = client.post("/api/v1/ratings/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["channel"] == "online" and created.json()["rectification"] is None
    replay = client.post("/api/v1/ratings/", body, format="json")
    assert replay.status_code == 200 and replay.json()["id"] == created.json()["id"]
    other = client.post("/api/v1/ratings/", {**body, "level": 3}, format="json")
    assert other.status_code == 409 and _fields(other) == {"stage"}


def test_online_bad_input(application: Any, frozen: Any) -> None:
    client = _client()
    assert _fields(client.post("/api/v1/ratings/codes/", {"phone": PHONE}, format="json")) == {"receipt_no"}
    unknown = client.post(
        "/api/v1/ratings/codes/", {"receipt_no": application.receipt_no, "phone": "13900139000"}
    )
    assert unknown.status_code == 404 and _fields(unknown) == {"receipt_no"}
    missing = client.post(
        "/api/v1/ratings/", {"stage": "completed", "level": 5, "phone": PHONE}, format="json"
    )
    assert missing.status_code == 400 and _fields(missing) == {"receipt_no"}
    bad_level = client.post("/api/v1/ratings/", {"stage": "completed", "level": 9}, format="json")
    assert bad_level.status_code == 400 and _fields(bad_level) == {"level"}
    wrong_code = client.post(
        "/api/v1/ratings/",
        {
            "receipt_no": application.receipt_no,
            "phone": PHONE,
            "code": "123456",
            "stage": "completed",
            "level": 5,
        },
        format="json",
    )
    assert wrong_code.status_code == 400 and _fields(wrong_code) == {"code"}
    assert not Rating.objects.exists()


def test_window_pad_rating(application: Any, people: dict[str, Any], frozen: Any) -> None:
    body = {
        "application": application.pk,
        "stage": "completed",
        "level": 2,
        "scores": BAD_WINDOW_SCORES,
        "comment": "材料说明不清",
    }
    created = _client(people["hq_clerk"]).post("/api/v1/ratings/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["channel"] == "window" and created.json()["rectification"] is not None
    # The rectification item is on the engine's API for the centre.
    item_id = created.json()["rectification"]
    work = _client(people["hq_clerk2"]).get(f"/api/v1/work-items/{item_id}/")
    assert work.status_code == 200 and work.json()["state"] == "callback"


def test_window_pad_refusals(application: Any, people: dict[str, Any], frozen: Any) -> None:
    body = {"application": application.pk, "stage": "completed", "level": 5, "scores": WINDOW_SCORES}
    assert _client().post("/api/v1/ratings/", body, format="json").status_code == 401
    # 黄桥 agency staff see the application but are not its centre; 渭塘's clerk does not see it.
    assert _client(people["hq_agency"]).post("/api/v1/ratings/", body, format="json").status_code == 403
    assert _client(people["wt_clerk"]).post("/api/v1/ratings/", body, format="json").status_code == 404
    bad = _client(people["hq_clerk"]).post(
        "/api/v1/ratings/", {**body, "scores": {"overall": 5}}, format="json"
    )
    assert bad.status_code == 400 and _fields(bad) == {"scores.service_efficiency"}
    assert not Rating.objects.exists()


def test_figures_api(application: Any, people: dict[str, Any], frozen: Any) -> None:
    _client(people["hq_clerk"]).post(
        "/api/v1/ratings/",
        {"application": application.pk, "stage": "completed", "level": 4, "scores": WINDOW_SCORES},
        format="json",
    )
    url = "/api/v1/ratings/figures/?by=clerk&from=2026-03-01&to=2026-03-31"
    ok = _client(people["hq_leader"]).get(url)
    assert ok.status_code == 200
    data = ok.json()
    assert [(row["key"], row["rated"], row["satisfaction_rate"]) for row in data["rows"]] == [
        ("hq_clerk", 1, 1.0)
    ]
    assert data["rows"][0]["levels"] == {"5": 0, "4": 1, "3": 0, "2": 0, "1": 0}
    assert _client(people["wt_clerk"]).get(url).json()["rows"] == []  # the outsider sees nothing of 黄桥
    assert _client(people["wt_clerk"]).get(url + "&centre=320507003-service").status_code == 404
    assert _client(people["hq_grid"]).get(url).status_code == 403
    assert _client().get(url).status_code in (401, 403)
    bad = _client(people["hq_leader"]).get("/api/v1/ratings/figures/?from=2026-13-01")
    assert bad.status_code == 400 and _fields(bad) == {"from"}
    bad_by = _client(people["hq_leader"]).get("/api/v1/ratings/figures/?by=town")
    assert bad_by.status_code == 400 and _fields(bad_by) == {"by"}
