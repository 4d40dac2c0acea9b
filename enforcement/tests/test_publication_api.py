"""The document and publication API views (enforcement/api/documents.py): generate, download, case
file, publish / withdraw / revoke — happy path, refused roles, the outsider (404), bad input (400 with
the field), through the routes of enforcement/api_urls.py."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from core.pdf import pdf_text
from enforcement.tests.test_documents_support import make_case, squad_people

NOW = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
ID_PATTERN = re.compile(r"\d{17}[\dXx]")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people(personas: dict[str, Any]) -> dict[str, Any]:
    return squad_people(personas, NOW)


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def decided(people: dict[str, Any]) -> Any:
    return make_case(
        people,
        now=NOW,
        number="黄综执立〔2026〕31号",
        decision_number="相黄综执罚决字〔2026〕第0031号",
        decided_at=NOW,
        fine_amount=Decimal("100"),
        penalty_summary="罚款人民币100元",
    )


def test_generate_download_and_case_file(people: dict[str, Any], personas: dict[str, Any]) -> None:
    case = decided(people)
    url = f"/api/v1/enforcement/cases/{case.pk}/documents/"
    created = api(people["officer"]).post(url, {"kind": "decision"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"] == "相黄综执罚决字〔2026〕第0031号" and body["volume"] == "main"
    pdf = api(people["leader"]).get(body["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(pdf.streaming_content)).replace(" ", "")  # type: ignore[attr-defined]
    assert "行政处罚决定书" in text and not ID_PATTERN.search(text)
    assert api(people["wt_officer"]).get(body["pdf_url"]).status_code == 404
    assert api(personas["hq_grid"]).get(body["pdf_url"]).status_code == 403
    whole = api(people["leader"]).get(f"/api/v1/enforcement/cases/{case.pk}/case-file/")
    assert whole.status_code == 200 and "卷内文件目录" in pdf_text(whole.content).replace(" ", "")
    assert api(people["wt_officer"]).get(f"/api/v1/enforcement/cases/{case.pk}/case-file/").status_code == 404


def test_generate_refusals(people: dict[str, Any], personas: dict[str, Any]) -> None:
    case = decided(people)
    url = f"/api/v1/enforcement/cases/{case.pk}/documents/"
    assert api(people["wt_officer"]).post(url, {"kind": "decision"}, format="json").status_code == 404
    assert api(personas["hq_grid"]).post(url, {"kind": "decision"}, format="json").status_code == 403
    bad = api(people["officer"]).post(url, {"kind": "poem"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "kind"
    missing = api(people["officer"]).post("/api/v1/enforcement/cases/999999/documents/", {"kind": "decision"})
    assert missing.status_code == 404


def test_publication_actions(people: dict[str, Any], personas: dict[str, Any]) -> None:
    case = decided(people)
    url = f"/api/v1/enforcement/cases/{case.pk}/publication/"
    published = api(people["officer"]).post(url, {"action": "publish"}, format="json")
    assert published.status_code == 200 and published.json()["published_at"]
    page = api(people["officer"]).get("/public/enforcement/decisions/").content.decode()
    assert "相黄综执罚决字〔2026〕第0031号" in page
    assert api(people["wt_officer"]).post(url, {"action": "publish"}, format="json").status_code == 404
    assert (
        api(personas["hq_grid"]).post(url, {"action": "withdraw", "reason": "x"}, format="json").status_code
        == 403
    )
    bad = api(people["leader"]).post(url, {"action": "erase"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "action"
    blank = api(people["leader"]).post(url, {"action": "withdraw"}, format="json")
    assert blank.status_code == 400 and blank.json()["errors"][0]["field"] == "reason"
    again = api(people["officer"]).post(url, {"action": "publish"}, format="json")
    assert again.status_code == 409
    revoked = api(people["reviewer"]).post(url, {"action": "revoke", "reason": "复议撤销"}, format="json")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    withdrawn = api(people["leader"]).post(url, {"action": "withdraw", "reason": "决定已撤销"}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["withdraw_reason"] == "决定已撤销"
