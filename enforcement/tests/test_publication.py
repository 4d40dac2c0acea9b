"""Publication of decisions (三项制度): deadlines by hand, publish / withdraw / revocation with their
refusals, the public page (never an ID number), and the sweeper-side check with its notices."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import OrgUnit, Role
from accounts.testing import make_person
from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from enforcement.cases.publication import (
    check_publications,
    do_publish_decision,
    do_record_revocation,
    do_withdraw_publication,
    ensure_publication,
    late_publications_for,
    publication_due_at,
)
from enforcement.models import DiscretionBand, Publication
from enforcement.tests.test_documents_support import CITIZEN_ID, CREDIT_CODE, make_case, squad_people
from outbox.models import OutboxMessage
from registry.testing import register_named_person

DECIDED = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Suzhou
ID_PATTERN = re.compile(r"\d{17}[\dXx]")
_serial = iter(range(1, 1000))


@pytest.fixture
def people(personas: dict[str, Any]) -> dict[str, Any]:
    return squad_people(personas, DECIDED)


def decided_case(people: dict[str, Any], **fields: Any) -> Any:
    n = next(_serial)
    return make_case(
        people,
        now=DECIDED,
        number=f"黄综执立〔2026〕{n}号",
        decision_number=f"相黄综执罚决字〔2026〕第{n:04d}号",
        decided_at=DECIDED,
        fine_amount=Decimal("100"),
        penalty_summary="罚款人民币100元",
        decision_basis="《城市市容和环境卫生管理条例》第三十六条",
        **fields,
    )


def test_publication_deadline_is_seven_working_days_after_the_decision(db: None) -> None:
    # Decided Tue 10 Nov 2026: working days 11, 12, 13, 16, 17, 18, 19 → end of Thu 19 Nov, 17:30 local.
    assert publication_due_at(DECIDED) == datetime(2026, 11, 19, 9, 30, tzinfo=UTC)
    # Decided Fri 25 Sep 2026 (中秋, a holiday): 1–7 Oct are 国庆 holidays and Sat 10 Oct is a 调休
    # working day: 28, 29, 30 Sep, 8, 9, 10, 12 Oct → Mon 12 Oct 17:30 local.
    assert publication_due_at(datetime(2026, 9, 25, 2, tzinfo=UTC)) == datetime(
        2026, 10, 12, 9, 30, tzinfo=UTC
    )


def test_publish_sets_the_removal_date_by_party_kind(people: dict[str, Any]) -> None:
    natural, legal = decided_case(people), decided_case(people, natural=False)
    now = DECIDED + timedelta(days=1)
    first = do_publish_decision(natural, actor=people["officer"], now=now)
    second = do_publish_decision(legal, actor=people["leader"], now=now)
    assert first.due_at == datetime(2026, 11, 19, 9, 30, tzinfo=UTC)
    assert first.published_at == now and first.remove_due_at == now.replace(year=2028)
    assert second.remove_due_at == now.replace(year=2031)


def test_publish_refusals(people: dict[str, Any], personas: dict[str, Any]) -> None:
    case = decided_case(people)
    with pytest.raises(NotFound):
        do_publish_decision(case, actor=people["wt_officer"], now=DECIDED)
    with pytest.raises(PermissionRefused):
        do_publish_decision(case, actor=personas["hq_grid"], now=DECIDED)
    with pytest.raises(Conflict):
        do_publish_decision(make_case(people, now=DECIDED), actor=people["officer"], now=DECIDED)
    do_publish_decision(case, actor=people["officer"], now=DECIDED)
    with pytest.raises(Conflict) as twice:
        do_publish_decision(case, actor=people["officer"], now=DECIDED)
    assert twice.value.code == "already_published"


def test_public_page_shows_the_decision_and_never_an_id_number(
    people: dict[str, Any], client: Client
) -> None:
    natural, legal = decided_case(people), decided_case(people, natural=False)
    hidden = decided_case(people)
    for case in (natural, legal):
        do_publish_decision(case, actor=people["officer"], now=DECIDED)
    response = client.get("/public/enforcement/decisions/")
    assert response.status_code == 200
    html = response.content.decode()
    assert natural.decision_number in html and legal.decision_number in html
    assert hidden.decision_number not in html
    assert "陈**" in html and "陈小明" not in html
    assert "苏州某某餐饮有限公司" in html and CREDIT_CODE in html
    assert "擅自占用城市道路摆摊经营" in html and "罚款人民币100元" in html and "第三十六条" in html
    assert "相城区黄桥街道办事处" in html
    assert CITIZEN_ID not in html and not ID_PATTERN.search(html)
    assert "138" not in html.split("<main>")[1]
    # Natural persons cannot be looked up by name; legal persons can.
    assert (
        natural.decision_number
        not in client.get("/public/enforcement/decisions/", {"q": "陈小明"}).content.decode()
    )
    assert (
        legal.decision_number in client.get("/public/enforcement/decisions/", {"q": "餐饮"}).content.decode()
    )
    assert (
        client.get("/public/enforcement/decisions/", {"town": "320507105"})
        .content.decode()
        .count("data-decision=")
        == 0
    )


def test_matters_page_lists_basis_benchmark_procedure_and_remedies(
    people: dict[str, Any], client: Client
) -> None:
    case = decided_case(people)
    DiscretionBand.objects.create(
        matter=case.matter, level="heavier", circumstances="多次违法", fine_min=200, fine_max=500
    )
    html = client.get("/public/enforcement/").content.decode()
    for phrase in [
        "擅自占用城市道路摆摊经营",
        "第十四条",
        "第三十六条",
        "首次违法且及时改正",
        "可适用简易程序",
        "可申请听证",
        "行政复议",
        "行政诉讼",
    ]:
        assert phrase in html, phrase
    assert (
        client.get("/public/enforcement/", {"sector": "education"}).content.decode().count("data-matter=")
        == 0
    )
    assert client.get("/public/enforcement/", {"sector": "nonsense"}).status_code == 200


def test_withdraw_needs_a_reason_and_takes_the_entry_down(people: dict[str, Any], client: Client) -> None:
    case = decided_case(people)
    do_publish_decision(case, actor=people["officer"], now=DECIDED)
    with pytest.raises(DomainError) as blank:
        do_withdraw_publication(case, " ", actor=people["leader"], now=DECIDED)
    assert blank.value.field == "reason"
    with pytest.raises(PermissionRefused):
        do_withdraw_publication(case, "错误", actor=people["officer"], now=DECIDED)
    with pytest.raises(NotFound):
        do_withdraw_publication(case, "错误", actor=people["wt_officer"], now=DECIDED)
    publication = do_withdraw_publication(
        case, "信息有误，更正后重新公示", actor=people["leader"], now=DECIDED
    )
    assert publication.withdrawn_at == DECIDED
    assert case.decision_number not in client.get("/public/enforcement/decisions/").content.decode()
    with pytest.raises(Conflict):
        do_withdraw_publication(case, "again", actor=people["leader"], now=DECIDED)


def test_check_raises_one_notice_for_a_late_publication(
    people: dict[str, Any], personas: dict[str, Any]
) -> None:
    late = decided_case(people)
    on_time = decided_case(people)
    # No publication rows yet: the check opens them with the deadline from the decision.
    before_due = check_publications(now=datetime(2026, 11, 19, 9, 0, tzinfo=UTC))
    assert (before_due.opened, before_due.publication_late) == (2, 0)
    do_publish_decision(on_time, actor=people["officer"], now=datetime(2026, 11, 19, 9, 0, tzinfo=UTC))
    after_due = datetime(2026, 11, 19, 9, 31, tzinfo=UTC)
    report = check_publications(now=after_due)
    assert report.publication_late == 1 and report.notices >= 2
    notified = set(
        OutboxMessage.objects.filter(kind="enforcement.publication_late").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"hq_leader", "hq_squad_leader"} <= notified
    assert "wt_officer" not in notified
    again = check_publications(now=after_due + timedelta(hours=1))
    assert again.publication_late == 1 and again.notices == 0
    rows = list(late_publications_for(personas["dispatcher"], now=after_due))
    assert [p.case_id for p in rows] == [late.pk]
    assert list(late_publications_for(people["leader"], now=after_due)) == rows
    wt_leader = make_person(
        "wt_leader", unit=OrgUnit.objects.get(code="320507105-squad1"), role=Role.SQUAD_LEADER
    )
    assert list(late_publications_for(wt_leader, now=after_due)) == []
    with pytest.raises(PermissionRefused):
        late_publications_for(personas["hq_grid"], now=after_due)


def test_revoked_decision_must_come_down_within_three_days(people: dict[str, Any], client: Client) -> None:
    case = decided_case(people)
    do_publish_decision(case, actor=people["officer"], now=DECIDED)
    with pytest.raises(PermissionRefused):
        do_record_revocation(case, "复议撤销", actor=people["officer"], now=DECIDED)
    revoked_at = DECIDED + timedelta(days=10)
    do_record_revocation(case, "相城区人民政府复议决定撤销", actor=people["reviewer"], now=revoked_at)
    assert check_publications(now=revoked_at + timedelta(days=2)).withdrawal_late == 0
    report = check_publications(now=revoked_at + timedelta(days=3, minutes=1))
    assert report.withdrawal_late == 1 and report.notices >= 1
    do_withdraw_publication(
        case, "决定已被复议撤销", actor=people["reviewer"], now=revoked_at + timedelta(days=4)
    )
    assert check_publications(now=revoked_at + timedelta(days=5)).withdrawal_late == 0


def test_expired_entries_never_show_and_are_withdrawn_by_the_check(
    people: dict[str, Any], client: Client
) -> None:
    case = decided_case(people)
    do_publish_decision(case, actor=people["officer"], now=DECIDED)
    publication = Publication.objects.get(case=case)
    assert publication.remove_due_at is not None
    with time_at(publication.remove_due_at + timedelta(minutes=1)):
        assert case.decision_number not in client.get("/public/enforcement/decisions/").content.decode()
    report = check_publications(now=publication.remove_due_at + timedelta(minutes=1))
    assert report.expired_withdrawn == 1
    publication.refresh_from_db()
    assert publication.withdrawn_at is not None and "期满" in publication.withdraw_reason
    assert ensure_publication(case).pk == publication.pk


def time_at(moment: datetime) -> Any:
    import time_machine

    return time_machine.travel(moment, tick=False)


def test_personal_data_typed_into_the_published_text_is_masked(
    people: dict[str, Any], client: Client
) -> None:
    # DOMAIN finding: an ID number typed into penalty_summary or basis was published in full.
    case = decided_case(people)
    case.penalty_summary = f"对当事人陈小明（身份证{CITIZEN_ID}，电话13812348000）罚款人民币100元"
    case.decision_basis = "《城市市容和环境卫生管理条例》第三十六条；联系人：张三丰 0512-65432100"
    case.save(update_fields=["penalty_summary", "decision_basis"])
    do_publish_decision(case, actor=people["officer"], now=DECIDED)

    html = client.get("/public/enforcement/decisions/").content.decode()

    for planted in (CITIZEN_ID, "13812348000", "陈小明", "张三丰", "65432100"):
        assert planted not in html
    assert "罚款人民币100元" in html and "第三十六条" in html and "陈**" in html


def test_registered_names_are_masked_but_a_legal_partys_name_stays_and_the_page_asks_once(
    people: dict[str, Any], personas: dict[str, Any], client: Client
) -> None:
    register_named_person("李建国", actor=personas["system"], now=DECIDED)
    cases = [decided_case(people, natural=False) for _ in range(3)]
    for case in cases:
        case.party_name = "苏州李建国餐饮有限公司"
        case.penalty_summary = "对苏州李建国餐饮有限公司罚款人民币100元；经查李建国系其店员"
        case.save(update_fields=["party_name", "penalty_summary"])
        do_publish_decision(case, actor=people["officer"], now=DECIDED)

    with CaptureQueriesContext(connection) as captured:
        html = client.get("/public/enforcement/decisions/").content.decode()

    assert html.count("对苏州李建国餐饮有限公司罚款人民币100元；经查李**系其店员") == 3
    assert html.count("苏州李建国餐饮有限公司") == 6  # the party column and the result, three rows
    asked = [q["sql"] for q in captured.captured_queries if 'FROM "registry_person"' in q["sql"]]
    assert len(asked) == 1
