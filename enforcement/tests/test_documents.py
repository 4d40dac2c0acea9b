"""Generating the standard forms: numbers, case data, masking, the stored hash and the record entry;
who may generate them; the case file in volume order with its table of contents."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from core.pdf import content_hash, pdf_text
from enforcement.cases.document_actions import do_assemble_case_file, do_generate_document
from enforcement.cases.documents import number_prefix, town_abbreviation
from enforcement.models import RecordEntry, ServiceRecord
from enforcement.tests.test_documents_support import CITIZEN_ID, CREDIT_CODE, make_case, squad_people
from territory.models import Division

NOW = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # 10:00 in Suzhou
ID_PATTERN = re.compile(r"\d{17}[\dXx]")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people(personas: dict[str, Any]) -> dict[str, Any]:
    return squad_people(personas, NOW)


def text_of(document: Any) -> str:
    with document.pdf.open("rb") as handle:
        return pdf_text(handle.read()).replace(" ", "")


_numbers = iter(range(1, 1000))


def decided(people: dict[str, Any], **fields: Any) -> Any:
    return make_case(
        people,
        now=NOW,
        number=f"黄综执立〔2026〕{next(_numbers)}号",
        decided_at=NOW,
        fine_amount=Decimal("100"),
        penalty_summary="罚款人民币100元",
        decision_basis="《城市市容和环境卫生管理条例》第三十六条",
        **fields,
    )


def test_decision_is_numbered_filled_masked_hashed_and_recorded(people: dict[str, Any]) -> None:
    case = decided(people)
    document = do_generate_document(case, "decision", actor=people["officer"], now=NOW)
    assert document.number == "相黄综执罚决字〔2026〕第0001号"
    assert document.volume == "main"
    text = text_of(document)
    for expected in [
        "行政处罚决定书",
        "相城区黄桥街道办事处",
        "陈小明",
        "罚款人民币100元",
        "十五日内",
        "六十日内",
        "320507********1234",
        "擅自占用城市道路摆摊经营",
    ]:
        assert expected in text, expected
    assert CITIZEN_ID not in text and not ID_PATTERN.search(text)
    with document.pdf.open("rb") as handle:
        assert content_hash(handle.read()) == document.content_hash
    entry = RecordEntry.objects.get(case=case)
    assert (entry.kind, entry.step, entry.content_hash) == (
        "document",
        "document:decision",
        document.content_hash,
    )
    assert document.number in entry.title


def test_serials_count_per_town_kind_and_year(people: dict[str, Any]) -> None:
    first = do_generate_document(decided(people), "decision", actor=people["officer"], now=NOW)
    second = do_generate_document(decided(people), "decision", actor=people["officer"], now=NOW)
    notice = do_generate_document(decided(people), "advance_notice", actor=people["officer"], now=NOW)
    next_year = do_generate_document(
        decided(people), "decision", actor=people["officer"], now=datetime(2027, 1, 4, 2, tzinfo=UTC)
    )
    weitang = make_case(
        people,
        now=NOW,
        town_code="320507105",
        territory_code="320507105201001",
        squad=people["wt_squad"],
        lead=people["wt_officer"],
        assist=people["wt_officer"],
        decided_at=NOW,
        fine_amount=Decimal("50"),
    )
    other_town = do_generate_document(weitang, "decision", actor=people["wt_officer"], now=NOW)
    assert first.number.endswith("第0001号") and second.number.endswith("第0002号")
    assert notice.number == "相黄综执罚告字〔2026〕第0001号"
    assert next_year.number == "相黄综执罚决字〔2027〕第0001号"
    assert other_town.number == "相渭综执罚决字〔2026〕第0001号"


def test_decision_keeps_the_number_the_case_was_decided_under(people: dict[str, Any]) -> None:
    case = decided(people, decision_number="相黄综执罚决字〔2026〕第0007号")
    document = do_generate_document(case, "decision", actor=people["officer"], now=NOW)
    assert document.number == "相黄综执罚决字〔2026〕第0007号"
    later = do_generate_document(decided(people), "decision", actor=people["officer"], now=NOW)
    assert later.number == "相黄综执罚决字〔2026〕第0008号"


def test_town_abbreviation_takes_two_characters_when_a_sibling_shares_the_first(
    people: dict[str, Any],
) -> None:
    assert town_abbreviation("320507003") == "黄"
    Division.objects.create(code="320507102", name="黄埭镇", level=Division.Level.TOWN, parent_id="320507")
    assert town_abbreviation("320507003") == "黄桥"
    assert number_prefix("320507003", "decision", 2026) == "相黄桥综执罚决字〔2026〕"


def test_every_form_renders_with_chinese_text_and_no_clear_id(people: dict[str, Any]) -> None:
    case = decided(
        people,
        hearing_requested=True,
        hearing_at=datetime(2026, 11, 20, 1, tzinfo=UTC),
        hearing_chair=people["leader"],
        notice_at=NOW,
        filed_at=NOW,
    )
    RecordEntry.objects.create(
        case=case,
        seq=1,
        step="investigate",
        kind="transcript",
        title="询问陈小明",
        content_hash="0" * 64,
        actor=people["officer"],
        at=NOW,
        meta={"text": "问：是否在此摆摊？\n答：是的。"},
    )
    ServiceRecord.objects.create(
        case=case,
        document_kind="decision",
        method="direct",
        served_at=NOW,
        recipient="陈小明",
        receipt_hash="1" * 64,
        actor=people["officer"],
    )
    expectations = {
        "filing_approval": ["立案审批表", "巡查发现", "同意立案"],
        "inquiry_transcript": ["询问笔录", "是否在此摆摊", "答：是的"],
        "advance_notice": ["行政处罚事先告知书", "陈述和申辩", "五日内", "罚款人民币100元"],
        "hearing_notice": ["听证通知书", "王队长", "七日前"],
        "service_receipt": ["送达回证", "直接送达", "行政处罚决定书"],
        "closing_report": ["结案报告", "建议结案归档"],
        "decision": ["行政处罚决定书"],
    }
    for kind, phrases in expectations.items():
        document = do_generate_document(case, kind, actor=people["officer"], now=NOW)
        text = text_of(document)
        assert document.number in text.replace(" ", ""), kind
        for phrase in phrases:
            assert phrase in text, (kind, phrase)
        assert not ID_PATTERN.search(text), kind
        assert "13812348000" not in text
    assert RecordEntry.objects.filter(case=case, kind="document").count() == len(expectations)


def test_legal_person_forms_show_the_credit_code(people: dict[str, Any]) -> None:
    case = decided(people, natural=False)
    text = text_of(do_generate_document(case, "decision", actor=people["officer"], now=NOW))
    assert CREDIT_CODE in text and "苏州某某餐饮有限公司" in text


def test_refusals(people: dict[str, Any], personas: dict[str, Any]) -> None:
    case = decided(people)
    with pytest.raises(NotFound):
        do_generate_document(case, "decision", actor=people["wt_officer"], now=NOW)
    with pytest.raises(PermissionRefused):
        do_generate_document(case, "decision", actor=personas["hq_grid"], now=NOW)
    with pytest.raises(DomainError) as bad:
        do_generate_document(case, "love_letter", actor=people["officer"], now=NOW)
    assert bad.value.field == "kind"
    with pytest.raises(Conflict) as hearing:
        do_generate_document(case, "hearing_notice", actor=people["officer"], now=NOW)
    assert hearing.value.code == "not_ready"
    undecided = make_case(people, now=NOW)
    with pytest.raises(Conflict):
        do_generate_document(undecided, "decision", actor=people["officer"], now=NOW)
    do_generate_document(case, "decision", actor=people["officer"], now=NOW)
    with pytest.raises(Conflict) as twice:
        do_generate_document(case, "decision", actor=people["officer"], now=NOW)
    assert twice.value.code == "already_generated"


def test_case_file_is_one_pdf_in_volume_order_with_a_table_of_contents(people: dict[str, Any]) -> None:
    case = decided(people, filed_at=NOW, closed_at=NOW)
    actor = people["officer"]
    closing = do_generate_document(case, "closing_report", actor=actor, now=NOW)
    decision = do_generate_document(case, "decision", actor=actor, now=NOW)
    filing = do_generate_document(case, "filing_approval", actor=actor, now=NOW)
    pdf = do_assemble_case_file(case, actor=people["leader"], now=NOW)
    pages = PdfReader(io.BytesIO(pdf)).pages
    texts = [(page.extract_text() or "").replace(" ", "") for page in pages]
    toc = "".join(texts[:2])
    assert "卷内文件目录" in toc and "正卷" in toc and "副卷" in toc
    assert toc.index("立案审批表") < toc.index("行政处罚决定书") < toc.index("副卷") < toc.index("结案报告")
    body = texts[2:] if "卷内文件目录" in texts[1] else texts[1:]
    order = [
        next(i for i, t in enumerate(texts) if d.number in t and "卷内文件目录" not in t)
        for d in (filing, decision, closing)
    ]
    assert order == sorted(order)
    assert len(body) >= 3
    with pytest.raises(NotFound):
        do_assemble_case_file(case, actor=people["wt_officer"], now=NOW)


def test_summary_decision_takes_the_case_number_and_states_the_on_the_spot_procedure(
    people: dict[str, Any],
) -> None:
    case = decided(people, procedure="summary", decision_number="相黄综执简罚字〔2026〕第0003号")
    document = do_generate_document(case, "summary_decision", actor=people["officer"], now=NOW)
    assert document.number == "相黄综执简罚字〔2026〕第0003号"
    text = text_of(document)
    assert "当场行政处罚决定书" in text and "第五十一条" in text and "出示执法证件" in text
    assert "事先告知书" not in text
    entry = RecordEntry.objects.get(case=case)
    assert entry.file and entry.content_hash == document.content_hash
