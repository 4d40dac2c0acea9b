"""The assembled case file (卷宗) numbers its pages continuously: one PDF whose every page carries its
number in the whole file (案卷第 N 页 / 共 M 页), the contents listing each document's first page, the
documents themselves as stored."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from core.errors import NotFound, PermissionRefused
from enforcement.cases.document_actions import do_assemble_case_file, do_generate_document, ordered_documents
from enforcement.tests.test_documents_support import make_case, squad_people

NOW = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # 10:00 in Suzhou
# Enough questions and answers that the inquiry transcript runs over more than one page.
INQUIRY = [
    f"问：第{n}个问题，你在春申路摆摊经营的时间、地点和经营品种是什么？答：我每天傍晚在路口卖水果。"
    for n in range(24)
]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people(personas: dict[str, Any]) -> dict[str, Any]:
    return squad_people(personas, NOW)


def _texts(pdf: bytes, *, spaces: bool = False) -> list[str]:
    texts = [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]
    return texts if spaces else [re.sub(r"\s+", "", text) for text in texts]


def _pages(document: Any) -> int:
    with document.pdf.open("rb") as handle:
        return len(PdfReader(handle).pages)


def _case_with_documents(people: dict[str, Any]) -> Any:
    case = make_case(
        people,
        now=NOW,
        number="相黄综执立字〔2026〕第0007号",
        filed_at=NOW,
        decided_at=NOW,
        closed_at=NOW,
        fine_amount=Decimal("100"),
        penalty_summary="罚款人民币100元",
        decision_number="相黄综执罚决字〔2026〕第0007号",
    )
    officer = people["officer"]
    for kind, details in (
        ("closing_report", {}),
        ("inquiry_transcript", {"lines": INQUIRY}),
        ("decision", {}),
        ("filing_approval", {"approver": "王队长"}),
    ):
        do_generate_document(case, kind, actor=officer, now=NOW, details=details)
    return case


def test_every_page_carries_its_number_in_the_whole_file(people: dict[str, Any]) -> None:
    case = _case_with_documents(people)
    documents = ordered_documents(case)
    document_pages = [_pages(d) for d in documents]
    assert max(document_pages) >= 2  # the transcript's own footer counts 1 of 2, the file's stamp goes on

    texts = _texts(do_assemble_case_file(case, actor=people["leader"], now=NOW))

    front = 2  # the cover and one page of contents
    total = front + sum(document_pages)
    assert len(texts) == total
    for number, text in enumerate(texts, start=1):
        assert f"案卷第{number}页/共{total}页" in text, (number, text[:200])
        assert len(re.findall(r"案卷第\d+页", text)) == 1
    assert "卷内文件目录" in texts[1]
    # The documents go in as stored, their own footer too: the transcript's second page is its page 2.
    at = [d.kind for d in documents].index("inquiry_transcript")
    second = front + sum(document_pages[:at]) + 1
    assert document_pages[at] >= 2
    assert f"第2页共{document_pages[at]}页" in texts[second] and f"案卷第{second + 1}页" in texts[second]


def test_contents_list_the_page_each_document_starts_on(people: dict[str, Any]) -> None:
    case = _case_with_documents(people)
    pdf = do_assemble_case_file(case, actor=people["leader"], now=NOW)
    texts, contents = _texts(pdf), _texts(pdf, spaces=True)[1]
    page = 3
    for document in ordered_documents(case):
        count = _pages(document)
        row = re.search(re.escape(document.number) + r"\s+\d{4}-\d{2}-\d{2}\s+(\d+)(?:–(\d+))?\s", contents)
        assert row is not None, (document.number, contents)
        assert int(row.group(1)) == page
        assert int(row.group(2) or row.group(1)) == page + count - 1
        # That page is the document's first: its number in the header, the file's page number on top.
        assert document.number in texts[page - 1] and f"案卷第{page}页" in texts[page - 1]
        assert document.number not in texts[page - 2] or page - 1 == 2
        page += count
    assert page - 1 == len(texts)


def test_case_file_of_a_case_without_documents_is_the_numbered_front(people: dict[str, Any]) -> None:
    case = make_case(people, now=NOW)
    texts = _texts(do_assemble_case_file(case, actor=people["officer"], now=NOW))
    assert len(texts) == 2
    assert "案卷第1页/共2页" in texts[0] and "案卷第2页/共2页" in texts[1] and "（无）" in texts[1]


def test_refusals(people: dict[str, Any], personas: dict[str, Any]) -> None:
    case = make_case(people, now=NOW)
    with pytest.raises(NotFound):
        do_assemble_case_file(case, actor=people["wt_officer"], now=NOW)
    with pytest.raises(PermissionRefused):
        do_assemble_case_file(case, actor=personas["hq_grid"], now=NOW)
