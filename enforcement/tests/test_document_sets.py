"""Summary and ordinary cases have different document sets; an archived case gets no new document; a
number names one document only (trust finding 13: an ordinary 决定书 under the summary decision's number
on an archived summary case)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from core.errors import Conflict, NotFound
from enforcement.cases.document_actions import do_generate_document
from enforcement.cases.documents import kinds_for
from enforcement.models import Case, CaseDocument
from enforcement.tests.test_documents_support import make_case, squad_people

NOW = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
SUMMARY_NUMBER = "相黄综执简罚字〔2026〕第0003号"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people(personas: dict[str, Any]) -> dict[str, Any]:
    return squad_people(personas, NOW)


def _summary(people: dict[str, Any], **fields: Any) -> Any:
    return make_case(
        people,
        now=NOW,
        procedure="summary",
        decided_at=NOW,
        fine_amount=Decimal("100"),
        decision_number=SUMMARY_NUMBER,
        **fields,
    )


def _refused(case: Any, kind: str, people: dict[str, Any]) -> str:
    before = CaseDocument.objects.count()
    with pytest.raises(Conflict) as caught:
        do_generate_document(case, kind, actor=people["officer"], now=NOW)
    assert caught.value.field == "kind"
    assert CaseDocument.objects.count() == before
    return caught.value.code


def test_summary_case_has_no_ordinary_documents(people: dict[str, Any]) -> None:
    case = _summary(people)
    for kind in ("decision", "filing_approval", "advance_notice", "inquiry_transcript"):
        assert _refused(case, kind, people) == "wrong_procedure", kind
    document = do_generate_document(case, "summary_decision", actor=people["officer"], now=NOW)
    assert document.number == SUMMARY_NUMBER
    assert (
        do_generate_document(case, "closing_report", actor=people["officer"], now=NOW).kind
        == "closing_report"
    )
    assert set(kinds_for("summary")) == {"summary_decision", "service_receipt", "closing_report"}


def test_ordinary_case_has_no_summary_decision(people: dict[str, Any]) -> None:
    case = make_case(people, now=NOW, decided_at=NOW, fine_amount=Decimal("100"))
    assert _refused(case, "summary_decision", people) == "wrong_procedure"
    assert "decision" in kinds_for("ordinary") and "summary_decision" not in kinds_for("ordinary")


def test_archived_case_gets_no_document(people: dict[str, Any]) -> None:
    case = _summary(people, closed_at=NOW, archived_at=NOW, archive_number="20260001")
    for kind in ("summary_decision", "closing_report", "service_receipt", "decision"):
        assert _refused(case, kind, people) == "archived", kind


def test_a_number_names_one_document(people: dict[str, Any]) -> None:
    case = _summary(people)
    do_generate_document(case, "summary_decision", actor=people["officer"], now=NOW)
    # Converted to the ordinary procedure afterwards: its decision would take the summary decision's number.
    Case.objects.filter(pk=case.pk).update(procedure="ordinary")
    case.refresh_from_db()
    assert _refused(case, "decision", people) == "number_used"


def test_outsider_gets_404_page_lists_only_the_procedures_kinds(people: dict[str, Any]) -> None:
    case = _summary(people)
    with pytest.raises(NotFound):
        do_generate_document(case, "decision", actor=people["wt_officer"], now=NOW)
    client = Client()
    client.force_login(people["officer"])
    html = client.get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert 'value="summary_decision"' in html and 'value="advance_notice"' not in html
