"""The full-process record: every action appends an entry with who, when and a sha256; files carry the
hash of their bytes; stored entries can be neither changed nor deleted."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.appendonly import AppendOnlyError
from enforcement.actions import do_add_record, do_case_action, do_open_case
from enforcement.models import RecordEntry
from enforcement.tests.conftest import client_for
from enforcement.tests.test_case_flow import ORDINARY, at

pytestmark = pytest.mark.django_db


def test_record_is_append_only(people: dict[str, Any]) -> None:
    officer = people["hq_officer2"]
    case = do_open_case(dict(ORDINARY), actor=officer, now=at(3, 2))
    do_case_action(case, "propose_filing", actor=officer, now=at(3, 2, 11))
    photo = b"\x89PNG\r\n\x1a\n fake photo bytes"
    entry = do_add_record(
        case,
        kind="photo",
        title="现场照片",
        actor=officer,
        now=at(3, 2, 12),
        upload=SimpleUploadedFile("现场.png", photo, content_type="image/png"),
    )
    assert entry.content_hash == hashlib.sha256(photo).hexdigest()
    entries = list(RecordEntry.objects.filter(case=case).order_by("seq"))
    assert [(e.seq, e.step) for e in entries] == [(1, "start"), (2, "propose_filing"), (3, "filing_approval")]
    assert entries[1].actor == officer and entries[1].at == at(3, 2, 11)
    first = entries[0]
    first.title = "改过的标题"
    with pytest.raises(AppendOnlyError):
        first.save()
    with pytest.raises(AppendOnlyError):
        first.delete()
    assert RecordEntry.objects.get(pk=first.pk).title == "案件登记"


def test_record_api_refusals(people: dict[str, Any]) -> None:
    case = do_open_case(dict(ORDINARY), actor=people["hq_officer2"], now=at(3, 2))
    url = f"/api/v1/enforcement/cases/{case.pk}/record/"
    # A photo needs a file (field named); a stranger to the case is refused; the outsider gets 404.
    response = client_for(people["hq_officer2"]).post(
        url, {"kind": "photo", "title": "照片"}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "file"
    response = client_for(people["hq_officer3"]).post(
        url, {"kind": "note", "title": "记录"}, format="multipart"
    )
    assert response.status_code == 403
    response = client_for(people["wt_officer"]).post(
        url, {"kind": "note", "title": "记录"}, format="multipart"
    )
    assert response.status_code == 404
    response = client_for(people["hq_officer2"]).post(
        url, {"kind": "bogus", "title": "x"}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "kind"


def test_a_recorded_transcript_is_written_into_the_inquiry_transcript(
    people: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    from core.pdf import pdf_text
    from enforcement.cases.document_actions import do_generate_document

    settings.MEDIA_ROOT = tmp_path
    officer = people["hq_officer2"]
    case = do_open_case(dict(ORDINARY), actor=officer, now=at(3, 2))
    note = "问：彩钢棚是否你搭建？\n答：是，上个月搭的。"
    do_add_record(case, kind="transcript", title="询问当事人", actor=officer, now=at(3, 2, 11), note=note)
    document = do_generate_document(case, "inquiry_transcript", actor=officer, now=at(3, 2, 12))
    with document.pdf.open("rb") as handle:
        text = pdf_text(handle.read()).replace(" ", "")
    assert "询问当事人" in text and "问：彩钢棚是否你搭建？" in text and "答：是，上个月搭的。" in text
