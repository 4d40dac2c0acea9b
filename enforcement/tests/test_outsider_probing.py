"""The outsider (an officer of 渭塘) probing 黄桥 case ids through the document and publication doors,
on the pages and the API: whatever the input — a bad kind, no reason, a valid body — an existing case
elsewhere answers exactly as a missing one, so ids cannot be enumerated; nothing is written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from enforcement.models import CaseDocument, Publication
from enforcement.tests.test_documents_support import squad_people
from enforcement.tests.test_publication_api import NOW, decided

pytestmark = pytest.mark.django_db
# The CSP nonce and the CSRF token differ per response.
PER_RESPONSE = re.compile(rb'(nonce|value|content)="[^"]*"|"X-CSRFToken": "[^"]*"')


def stable(page: bytes) -> bytes:
    return PER_RESPONSE.sub(b"", page)


PAGE_POSTS = [
    ("documents/", {"kind": "nonsense"}),
    ("documents/", {"kind": ""}),
    ("documents/", {"kind": "filing_approval"}),
    ("publication/", {"action": "withdraw", "reason": ""}),
    ("publication/", {"action": "publish"}),
]
API_POSTS = [
    ("documents/", {"kind": "nonsense"}),
    ("documents/", {}),
    ("documents/", {"kind": "decision"}),
    ("publication/", {"action": "nonsense"}),
    ("publication/", {"action": "withdraw", "reason": ""}),
    ("publication/", {"action": "revoke", "reason": ""}),
]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people(personas: dict[str, Any]) -> dict[str, Any]:
    return squad_people(personas, NOW)


@pytest.mark.parametrize(("door", "body"), PAGE_POSTS)
def test_pages_answer_alike_for_a_case_elsewhere_and_none(
    people: dict[str, Any], door: str, body: dict[str, str]
) -> None:
    case = decided(people)
    outsider = Client()
    outsider.force_login(people["wt_officer"])
    existing = outsider.post(f"/enforcement/cases/{case.pk}/{door}", body)
    missing = outsider.post(f"/enforcement/cases/{case.pk + 1000}/{door}", body)
    assert existing.status_code == missing.status_code == 404
    assert stable(existing.content) == stable(missing.content)
    assert not CaseDocument.objects.filter(case=case).exists()
    assert not Publication.objects.filter(case=case, published_at__isnull=False).exists()


@pytest.mark.parametrize(("door", "body"), API_POSTS)
def test_api_answers_alike_for_a_case_elsewhere_and_none(
    people: dict[str, Any], door: str, body: dict[str, str]
) -> None:
    case = decided(people)
    outsider = APIClient()
    outsider.force_authenticate(people["wt_officer"])
    existing = outsider.post(f"/api/v1/enforcement/cases/{case.pk}/{door}", body, format="json")
    missing = outsider.post(f"/api/v1/enforcement/cases/{case.pk + 1000}/{door}", body, format="json")
    assert existing.status_code == missing.status_code == 404
    assert existing.json() == missing.json()
    assert existing.json()["errors"][0]["code"] == "not_found"
    assert not CaseDocument.objects.filter(case=case).exists()


def test_the_own_officer_still_gets_the_input_error(people: dict[str, Any]) -> None:
    case = decided(people)
    officer = APIClient()
    officer.force_authenticate(people["officer"])
    bad = officer.post(f"/api/v1/enforcement/cases/{case.pk}/documents/", {"kind": "nonsense"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "kind"
    no_reason = officer.post(
        f"/api/v1/enforcement/cases/{case.pk}/publication/", {"action": "withdraw"}, format="json"
    )
    assert no_reason.status_code == 403  # an officer may not withdraw: the role, then the input
