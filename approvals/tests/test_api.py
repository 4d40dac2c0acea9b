"""The approvals API: public catalogue, filing, scoped reads, actions, the report, the error envelope."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from approvals.models import Application
from approvals.testing import CONFIRM_CODE, ID_NUMBER, IMMEDIATE_CODE, LICENCE_CODE, PHONE

from .conftest import NOW
from .test_intake import COMPANY


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def body(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "item": LICENCE_CODE,
        "centre": "320507003-service",
        "channel": "window",
        "applicant_kind": "legal",
        "applicant_name": "苏州黄桥小厨餐饮店",
        "applicant_number": COMPANY,
        "applicant_phone": PHONE,
        "materials": ["营业执照", "经营场所平面图"],
        "decision": "accept",
    }
    data.update(overrides)
    return data


def fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def test_catalogue_is_public_and_filterable(setup: dict[str, Any]):
    api = client_for()
    rows = api.get("/api/v1/approvals/items/").json()
    assert rows["count"] == 3
    assert {r["implementation_code"] for r in rows["results"]} == {LICENCE_CODE, CONFIRM_CODE, IMMEDIATE_CODE}
    assert api.get("/api/v1/approvals/items/", {"type": "XK"}).json()["count"] == 1
    assert api.get("/api/v1/approvals/items/", {"level": "town"}).json()["count"] == 2
    assert api.get("/api/v1/approvals/items/", {"theme": "social_security"}).json()["count"] == 1
    assert api.get("/api/v1/approvals/items/", {"centre": "320507003-service"}).json()["count"] == 3
    assert api.get("/api/v1/approvals/items/", {"centre": "nowhere"}).json()["count"] == 0
    detail = api.get(f"/api/v1/approvals/items/{LICENCE_CODE}/").json()
    assert detail["promised_limit"] == {"amount": 5, "unit": "work_days", "note": "不含现场核查时间"}
    assert [m["name"] for m in detail["materials"] if m["required"]] == ["营业执照", "经营场所平面图"]
    assert "320507105-service" in detail["centres"]
    missing = api.get("/api/v1/approvals/items/NOPE/")
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "not_found"


def test_window_clerk_files_and_accepts(setup: dict[str, Any]):
    response = client_for(setup["hq_clerk"]).post("/api/v1/approvals/applications/", body(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["state"] == "reviewing" and data["handling_unit"] == "区行政审批局"
    assert data["applicant_phone"] == "138****8000"
    assert PHONE not in str(data)
    assert data["history"][0]["action"] == "start" and data["history"][1]["action"] == "accept"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"applicant_number": "91320507000000000X"}, "applicant_number"),
        ({"applicant_kind": "natural", "applicant_number": "123"}, "applicant_number"),
        ({"applicant_phone": "555"}, "applicant_phone"),
        ({"item": "NOPE"}, "item"),
        ({"centre": "nowhere"}, "centre"),
        ({"decision": "maybe"}, "decision"),
        ({"materials": ["营业执照"]}, "materials"),
        ({"materials": ["不存在的材料"]}, "materials"),
        ({"applicant_name": ""}, "applicant_name"),
    ],
)
def test_bad_input_names_the_field(setup: dict[str, Any], overrides: dict[str, Any], field: str):
    response = client_for(setup["hq_clerk"]).post(
        "/api/v1/approvals/applications/", body(**overrides), format="json"
    )
    assert response.status_code == 400, response.json()
    assert field in fields(response)
    assert not Application.objects.exists()


def test_roles_that_may_not_file(setup: dict[str, Any]):
    for user in ("hq_agency", "district_approver", "wt_clerk", "hq_leader"):
        response = client_for(setup[user]).post("/api/v1/approvals/applications/", body(), format="json")
        assert response.status_code == 403, user
    assert client_for().post("/api/v1/approvals/applications/", body(), format="json").status_code in (
        401,
        403,
    )


def test_proxy_filing_by_grid_worker(setup: dict[str, Any]):
    data = body(
        channel="proxy",
        decision="",
        item=CONFIRM_CODE,
        applicant_kind="natural",
        applicant_name="王秀英",
        applicant_number=ID_NUMBER,
        materials=["居民身份证", "户口簿"],
    )
    response = client_for(setup["hq_grid"]).post("/api/v1/approvals/applications/", data, format="json")
    assert response.status_code == 400 and "proxy_consent" in fields(response)
    data["proxy_consent"] = "本人同意委托网格员代办"
    response = client_for(setup["hq_grid"]).post("/api/v1/approvals/applications/", data, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "submitted"
    outsider = client_for(setup["wt_grid"]).post("/api/v1/approvals/applications/", data, format="json")
    assert outsider.status_code == 404


def test_detail_is_scoped(setup: dict[str, Any]):
    app_id = (
        client_for(setup["hq_clerk"])
        .post("/api/v1/approvals/applications/", body(), format="json")
        .json()["id"]
    )
    url = f"/api/v1/approvals/applications/{app_id}/"
    assert client_for(setup["district_approver"]).get(url).status_code == 200
    assert client_for(setup["hq_leader"]).get(url).status_code == 200
    for outsider in ("wt_grid", "wt_clerk"):
        assert client_for(setup[outsider]).get(url).status_code == 404
    assert client_for(setup["wt_clerk"]).get("/api/v1/approvals/applications/").json()["count"] == 0
    assert client_for(setup["hq_clerk"]).get("/api/v1/approvals/applications/").json()["count"] == 1
    assert client_for(setup["hq_clerk"]).get("/api/v1/approvals/applications/999999/").status_code == 404


def test_actions_through_the_api(setup: dict[str, Any]):
    clerk, approver = client_for(setup["hq_clerk"]), client_for(setup["district_approver"])
    app = clerk.post("/api/v1/approvals/applications/", body(), format="json").json()
    url = f"/api/v1/approvals/applications/{app['id']}/"
    response = approver.post(url + "corrections/", {"reason": "平面图须标注面积"}, format="json")
    assert response.status_code == 200 and response.json()["clock_stopped"] is True
    stale = approver.post(url + "resume/", {"version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["errors"][0]["code"] == "stale_version"
    assert clerk.post(url + "resume/", {}, format="json").json()["state"] == "reviewing"
    assert clerk.post(url + "review/", {}, format="json").status_code == 403
    early = approver.post(url + "decide/", {"approve": True, "legal_basis": "《食品安全法》"}, format="json")
    assert early.status_code == 409  # 审查 first
    assert approver.post(url + "review/", {"reason": "符合条件"}, format="json").json()["state"] == "deciding"
    bad = approver.post(url + "decide/", {"approve": True, "legal_basis": ""}, format="json")
    assert bad.status_code == 400 and "legal_basis" in fields(bad)
    decided = approver.post(
        url + "decide/", {"approve": True, "legal_basis": "《食品安全法》"}, format="json"
    )
    assert decided.json()["state"] == "approved"
    bad = clerk.post(url + "deliver/", {"method": "pigeon"}, format="json")
    assert bad.status_code == 400 and "method" in fields(bad)
    done = clerk.post(url + "deliver/", {"method": "ems", "ems_tracking_no": "EA123456789CN"}, format="json")
    assert done.json()["state"] == "completed" and done.json()["ems_tracking_no"] == "EA123456789CN"
    assert (
        client_for(setup["wt_clerk"]).post(url + "withdraw/", {"reason": "x"}, format="json").status_code
        == 404
    )
    assert clerk.post(url + "fly/", {}, format="json").status_code == 404


def test_centre_report(setup: dict[str, Any]):
    data = client_for(setup["dispatcher"]).get("/api/v1/approvals/centres/report/").json()
    assert {c["code"] for c in data["centres_short"]} == {"320507003-service", "320507105-service"}
    hq = client_for(setup["hq_clerk"]).get("/api/v1/approvals/centres/report/").json()
    assert [c["code"] for c in hq["centres"]] == ["320507003-service"]
    assert client_for().get("/api/v1/approvals/centres/report/").status_code in (401, 403)


def test_schema_lists_the_endpoints(setup: dict[str, Any]):
    schema = client_for(setup["dispatcher"]).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/approvals/items/",
        "/api/v1/approvals/items/{code}/",
        "/api/v1/approvals/applications/",
        "/api/v1/approvals/applications/{application_id}/",
        "/api/v1/approvals/centres/report/",
    ):
        assert path in paths
