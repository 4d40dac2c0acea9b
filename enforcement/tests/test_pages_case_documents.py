"""The case page's 文书 section says what is true in each state: "not yet" before the first document,
the documents (and the case file) once there are any, and, for a case archived or ended without any
(cases filed on paper before the platform made documents), that it has none, never "not yet"."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from enforcement.actions import do_case_action, do_open_case
from enforcement.cases.document_actions import do_generate_document
from enforcement.cases.publication import do_publish_decision
from enforcement.models import Case
from enforcement.tests.test_case_flow import SUMMARY, at

pytestmark = pytest.mark.django_db
NOT_YET = "尚未生成文书"
PAPER = "本案无电子文书（纸质归档）"
ENDED = "本案办结时无电子文书"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _page(user: Any, case: Case, *, language: str = "zh-hans") -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    response = client.get(f"/enforcement/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def summary_case(people: dict[str, Any], *, documents: bool, until: str = "archive") -> Case:
    """A summary case decided on the spot, paid, closed and archived through the case actions; with
    `documents`, the officer makes each step's documents as the step is done (as the case page offers)."""
    officer, leader = people["hq_officer"], people["hq_squad_leader"]
    case = do_open_case({**SUMMARY, "officers": ["hq_officer", "hq_officer2"]}, actor=officer, now=at(3, 2))
    steps = [
        ("decide_on_spot", officer, at(3, 2, 11), ("summary_decision", "service_receipt")),
        ("confirm_execution", officer, at(3, 5), ()),
        ("close", leader, at(3, 6), ("closing_report",)),
        ("archive", officer, at(3, 9), ()),
    ]
    for action, actor, moment, kinds in steps:
        inputs = {"recipient": "张三"} if action == "decide_on_spot" else {}
        case = do_case_action(case, action, actor=actor, now=moment, inputs=inputs)
        if documents:
            for kind in kinds:
                do_generate_document(case, kind, actor=officer, now=moment + timedelta(minutes=20))
        if action == until:
            break
    return case


def test_a_running_case_without_documents_says_not_yet(people: dict[str, Any]) -> None:
    with time_machine.travel(at(3, 2), tick=False):
        case = do_open_case(
            {**SUMMARY, "officers": ["hq_officer", "hq_officer2"]}, actor=people["hq_officer"], now=at(3, 2)
        )
        html = _page(people["hq_officer"], case)
    assert 'data-documents-state="not_yet"' in html and NOT_YET in html
    assert PAPER not in html and "case-file.pdf" not in html
    assert "data-generate-document" in html  # the first document is still to be made here


def test_an_archived_case_with_documents_lists_them(people: dict[str, Any]) -> None:
    case = summary_case(people, documents=True)
    with time_machine.travel(at(3, 10), tick=False):
        do_publish_decision(case, actor=people["hq_officer"], now=at(3, 10))
        html = _page(people["hq_officer"], case)
    assert 'data-documents-state="listed"' in html and NOT_YET not in html and PAPER not in html
    for document in case.documents.all():
        assert f"/enforcement/cases/{case.pk}/documents/{document.pk}.pdf" in html
    assert case.documents.count() == 3 and f"/enforcement/cases/{case.pk}/case-file.pdf" in html
    assert "data-publication" in html
    # Archived: no form offers a document the action would refuse.
    assert "data-generate-document" not in html


def test_an_archived_case_without_documents_says_it_was_filed_on_paper(people: dict[str, Any]) -> None:
    case = summary_case(people, documents=False)
    assert case.archive_number and not case.documents.exists()
    with time_machine.travel(at(3, 10), tick=False):
        do_publish_decision(case, actor=people["hq_officer"], now=at(3, 10))
        html = _page(people["hq_officer"], case)
        english = _page(people["hq_officer"], case, language="en")
    assert 'data-documents-state="paper_archived"' in html and PAPER in html
    assert NOT_YET not in html and "case-file.pdf" not in html and "data-generate-document" not in html
    assert "This case has no electronic documents (archived on paper)." in english
    assert "No documents generated yet." not in english


def test_a_closed_case_without_documents_says_it_has_none(people: dict[str, Any]) -> None:
    case = summary_case(people, documents=False, until="close")
    assert case.closed_at is not None and not case.archive_number
    with time_machine.travel(at(3, 7), tick=False):
        html = _page(people["hq_squad_leader"], case)
    assert 'data-documents-state="none"' in html and ENDED in html and NOT_YET not in html
    # Not archived yet: the closing report may still be made.
    assert "data-generate-document" in html


def test_the_outsider_sees_no_case_page(people: dict[str, Any]) -> None:
    case = summary_case(people, documents=False)
    client = Client()
    client.force_login(people["wt_officer"])
    with time_machine.travel(at(3, 10), tick=False):
        assert client.get(f"/enforcement/cases/{case.pk}/").status_code == 404
