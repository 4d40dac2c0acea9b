"""demo.enforcement_data.seed_enforcement on the seeded demo district: the catalogue, a squad area per
zone, ≥ 4 officers posted in every squad, ~40 cases in many states (archived, hearings, late steps,
payment overdue), each with the documents of the steps it passed, made through the live action;
idempotent."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from pypdf import PdfReader

from accounts.models import OrgUnit, Role
from demo.enforcement_data import seed_enforcement
from demo.seed import seed_demo
from enforcement.cases.document_actions import build_case_file
from enforcement.models import (
    Case,
    CaseDocument,
    EnforcementMatter,
    OfficerPost,
    RecordEntry,
    ServiceRecord,
    SquadArea,
)
from territory.models import EnforcementZone
from workflow.actors import system_actor

# Seeding the whole demo district takes minutes on a loaded machine: a longer hang guard than the suite's.
pytestmark = [pytest.mark.django_db, pytest.mark.timeout(1200)]
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday 10:00 in Suzhou
# The documents of an archived case, made as its steps were done (enforcement.cases.documents).
ARCHIVED_SUMMARY = {"summary_decision", "service_receipt", "closing_report"}
ARCHIVED_ORDINARY = {
    "filing_approval",
    "inquiry_transcript",
    "advance_notice",
    "decision",
    "service_receipt",
    "closing_report",
}


def test_seed_enforcement(monkeypatch: pytest.MonkeyPatch, empty_database: None) -> None:
    # seed_demo runs seed_enforcement as one of its streams; the grid history and the other streams are
    # tested on their own (left out here: they do not feed the enforcement data).
    import demo.seed

    for name in ("seed_history", "seed_approvals", "seed_licences", "seed_ratings", "seed_evaluation"):
        monkeypatch.setattr(demo.seed, name, lambda **_kwargs: {})
    counts = seed_demo(now=NOW)["streams"]["enforcement"]
    system = system_actor()
    assert counts["matters"] == EnforcementMatter.objects.count() >= 60
    assert counts["cases"] == Case.objects.count() == 40
    assert SquadArea.objects.count() == EnforcementZone.objects.count() == counts["squad_areas"]
    for squad in OrgUnit.objects.filter(kind=OrgUnit.Kind.SQUAD):
        officers = OfficerPost.objects.filter(squad=squad, is_leader=False)
        assert officers.count() >= 4, squad.code
        assert all(post.officer.assignments.filter(role=Role.OFFICER).exists() for post in officers)
    states = {case.work_item.state for case in Case.objects.select_related("work_item") if case.work_item}
    assert {"archived", "executing", "investigating", "legal_review", "verifying"} <= states
    assert Case.objects.filter(procedure="summary").count() >= 10
    assert Case.objects.filter(hearing_requested=True).exists()
    assert Case.objects.exclude(archive_number="").count() >= 6
    assert RecordEntry.objects.filter(meta__late=True).exists()
    assert Case.objects.filter(payment_due_at__lt=NOW, paid_at__isnull=True).exists()
    _documents_as_the_live_path_makes_them(counts["documents"])
    again = seed_enforcement(now=NOW, system=system)
    assert again == {
        "matters": 0,
        "officers": 0,
        "squad_areas": 0,
        "officer_posts": 0,
        "cases": 0,
        "documents": 0,
    }


def _documents_as_the_live_path_makes_them(made: int) -> None:
    assert made == CaseDocument.objects.count() > 0
    # Every document went through do_generate_document: stored, hashed, entered in the record.
    assert RecordEntry.objects.filter(kind="document").count() == made
    archived = list(Case.objects.exclude(archive_number="").select_related("lead_officer"))
    for case in archived:
        kinds = set(case.documents.values_list("kind", flat=True))
        assert kinds == (ARCHIVED_SUMMARY if case.procedure == "summary" else ARCHIVED_ORDINARY), case.pk
    # A case still under way has the documents of the steps it passed, none of those to come.
    for case in Case.objects.filter(archive_number="", procedure="ordinary"):
        kinds = set(case.documents.values_list("kind", flat=True))
        assert ("filing_approval" in kinds) == (case.filed_at is not None), case.pk
        assert ("advance_notice" in kinds) == (case.notice_at is not None), case.pk
        assert "decision" not in kinds or case.decided_at is not None
    assert CaseDocument.objects.filter(kind="hearing_notice").exists()
    # The ordinary decision is served after it is made, so the service names it (as on the case page).
    served = ServiceRecord.objects.filter(case__procedure="ordinary")
    assert served.exists() and all(s.document is not None and s.document.kind == "decision" for s in served)

    case = next(c for c in archived if c.procedure == "ordinary")
    with time_machine.travel(NOW, tick=False):
        client = Client()
        client.force_login(case.lead_officer)
        html = client.get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert 'data-documents-state="listed"' in html and "尚未生成文书" not in html
    assert f"/enforcement/cases/{case.pk}/case-file.pdf" in html
    # Its case file: the cover, one page of contents, the documents, every page numbered in the file.
    pages = PdfReader(io.BytesIO(build_case_file(case, now=NOW))).pages
    document_pages = sum(len(PdfReader(d.pdf.open("rb")).pages) for d in case.documents.all())
    assert len(pages) == 2 + document_pages
    for number, page in enumerate(pages, start=1):
        assert f"案卷第{number}页/共{len(pages)}页" in re.sub(r"\s+", "", page.extract_text() or "")
