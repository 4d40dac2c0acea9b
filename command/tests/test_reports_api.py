"""/api/v1/command/reports/: list (paged, filtered), detail and download, scoped by jurisdiction: the
district's dispatcher sees every report, a town leader their town's, the outsider nothing of 黄桥."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from command.reports.models import Report
from command.tests.reports_support import generate, outsider_leader

pytestmark = pytest.mark.django_db
HUANGQIAO, WEITANG, DISTRICT = "320507003", "320507105", "320507"


@pytest.fixture
def reports(personas: dict[str, User], settings: Any, tmp_path: Any) -> dict[str, Report]:
    settings.MEDIA_ROOT = str(tmp_path)
    return {code: generate(code)[0] for code in (DISTRICT, HUANGQIAO, WEITANG)}


def api_for(user: User | None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def codes(body: dict[str, Any]) -> list[str]:
    return sorted(row["territory_code"] for row in body["results"])


def test_each_sees_the_reports_of_their_jurisdiction(
    reports: dict[str, Report], personas: dict[str, User]
) -> None:
    district = api_for(personas["dispatcher"]).get("/api/v1/command/reports/").json()
    assert district["count"] == 3 and codes(district) == [DISTRICT, HUANGQIAO, WEITANG]
    town = api_for(personas["hq_leader"]).get("/api/v1/command/reports/").json()
    assert codes(town) == [HUANGQIAO]
    row = town["results"][0]
    report = reports[HUANGQIAO]
    assert row["period"] == "2026-03" and row["kind_name"] == "月报"
    assert (row["first_day"], row["last_day"]) == ("2026-03-01", "2026-03-31")
    assert row["pdf_sha256"] == report.pdf_sha256 and row["summary"]["filed"] == 0
    assert row["downloads"]["xlsx"] == f"/api/v1/command/reports/{report.pk}/download/xlsx/"


def test_paging_and_filters(reports: dict[str, Report], personas: dict[str, User]) -> None:
    api = api_for(personas["dispatcher"])
    first = api.get("/api/v1/command/reports/", {"page_size": 2}).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"]
    assert codes(api.get("/api/v1/command/reports/", {"code": WEITANG}).json()) == [WEITANG]
    assert api.get("/api/v1/command/reports/", {"kind": "weekly"}).json()["count"] == 0


def test_detail_and_download(reports: dict[str, Report], personas: dict[str, User]) -> None:
    report = reports[HUANGQIAO]
    api = api_for(personas["hq_leader"])
    assert api.get(f"/api/v1/command/reports/{report.pk}/").json()["territory_name"] == "黄桥街道"
    for fmt, digest in (("xlsx", report.xlsx_sha256), ("pdf", report.pdf_sha256)):
        response = api.get(f"/api/v1/command/reports/{report.pk}/download/{fmt}/")
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
        assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == digest  # type: ignore[attr-defined]


def test_the_outsider_sees_nothing_of_another_town(
    reports: dict[str, Report], personas: dict[str, User]
) -> None:
    outsider = api_for(outsider_leader())
    assert codes(outsider.get("/api/v1/command/reports/").json()) == [WEITANG]
    assert outsider.get("/api/v1/command/reports/", {"code": HUANGQIAO}).json()["count"] == 0
    for report in (reports[HUANGQIAO], reports[DISTRICT]):
        for path in (f"{report.pk}/", f"{report.pk}/download/pdf/"):
            response = outsider.get(f"/api/v1/command/reports/{path}")
            assert response.status_code == 404, path
            assert response.json()["errors"][0]["code"] == "not_found"
    # A town leader does not see the district's report either.
    assert (
        api_for(personas["hq_leader"]).get(f"/api/v1/command/reports/{reports[DISTRICT].pk}/").status_code
        == 404
    )


@pytest.mark.parametrize("who", ["hq_grid", "hq_agency", "hq_officer"])
def test_other_roles_are_refused(reports: dict[str, Report], personas: dict[str, User], who: str) -> None:
    report = reports[HUANGQIAO]
    for path in ("", f"{report.pk}/", f"{report.pk}/download/xlsx/"):
        response = api_for(personas[who]).get(f"/api/v1/command/reports/{path}")
        assert response.status_code == 403, path
        assert response.json()["errors"][0]["code"] == "not_allowed"
    assert api_for(None).get("/api/v1/command/reports/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("params", "field"),
    [({"kind": "yearly"}, "kind"), ({"code": "3205070031"}, "code"), ({"code": "abc"}, "code")],
)
def test_bad_input_names_the_field(personas: dict[str, User], params: dict[str, str], field: str) -> None:
    response = api_for(personas["dispatcher"]).get("/api/v1/command/reports/", params)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == field


def test_unknown_report_or_format(personas: dict[str, User]) -> None:
    api = api_for(personas["dispatcher"])
    assert api.get("/api/v1/command/reports/999999/").status_code == 404
    assert api.get("/api/v1/command/reports/999999/download/doc/").status_code == 404


def test_in_the_openapi_document(personas: dict[str, User]) -> None:
    schema = api_for(personas["dispatcher"]).get("/api/schema/", {"format": "json"}).json()
    assert {
        "/api/v1/command/reports/",
        "/api/v1/command/reports/{report_id}/",
        "/api/v1/command/reports/{report_id}/download/{fmt}/",
    } <= set(schema["paths"])
