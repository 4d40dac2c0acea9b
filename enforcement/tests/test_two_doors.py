"""case_ordinary and case_summary through both doors (tests/two_doors.py): every action of both definitions
walked on two cases in lockstep — `do_case_action` (enforcement's API and pages) and the generic
work-item endpoint — with the same state, case fields, record entries, services, documents, audit rows
and notifications. And 行政处罚法第五十八条 at either door: a heard case is not decided without a legal
review after the hearing."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from enforcement.actions import append_record, do_case_action, do_open_case
from enforcement.models import Case, CaseDocument, RecordEntry, RecordKind, ServiceRecord
from enforcement.tests.test_case_flow import ORDINARY, SUMMARY
from tests.two_doors import Move, Streams, present, uncovered
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db
CST = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=CST)


def _maker(people: dict[str, Any], data: dict[str, Any]) -> Any:
    def make(now: datetime) -> Case:
        case = do_open_case(data, actor=people[f"{data['officers'][0]}"], now=now)
        # The transcript the report needs (a record entry, not a step).
        append_record(
            case,
            step="verifying",
            title="询问笔录",
            actor=people["hq_officer"],
            now=now,
            kind=RecordKind.TRANSCRIPT,
        )
        return case

    return make


def _door(case: Case, move: Move, actor: Any, now: datetime) -> None:
    do_case_action(case, move.action, actor=actor, now=now, reason=move.reason, inputs=dict(move.inputs))


def _item(case: Case) -> WorkItem:
    case.refresh_from_db()
    assert case.work_item is not None
    return case.work_item


SAME: tuple[str, ...] = (
    *(
        "filed_at",
        "decision_due_at",
        "extended",
        "report_at",
        "legal_review_started_at",
        "legal_review_due_at",
    ),
    *("legal_reviewed_at", "legal_review_opinion", "discussed_at", "notice_at", "hearing_window_ends_at"),
    *("hearing_requested", "hearing_at", "decided_at", "fine_amount", "penalty_summary", "served_at"),
    *("payment_due_at", "paid_at", "closed_at", "archived_at", "outside_band", "is_major", "proposed_fine"),
)
SERIALS = ("number", "decision_number", "archive_number")  # drawn per case: compared as set or not


def _records(case: Case) -> dict[str, Any]:
    case.refresh_from_db()
    return {
        **{name: getattr(case, name) for name in SAME},
        **{name: present(getattr(case, name)) for name in SERIALS},
        "record": list(RecordEntry.objects.filter(case=case).order_by("seq").values_list("step", "kind")),
        "services": list(ServiceRecord.objects.filter(case=case).values_list("method", flat=True)),
        "documents": sorted(CaseDocument.objects.filter(case=case).values_list("kind", flat=True)),
    }


def _streams(people: dict[str, Any], data: dict[str, Any], process: str) -> Streams:
    return Streams(
        process=process,
        people=people,
        make=_maker(people, data),
        stream_door=_door,
        item_of=_item,
        records=_records,
    )


OFFICER, LEADER, LEGAL, HEAD = "hq_officer2", "hq_squad_leader", "hq_legal", "hq_leader"
FILING = [
    Move("propose_filing", OFFICER),
    Move("approve_filing", LEADER),
    Move("supervise_investigating", "system"),
]
HEARING = {"hearing_at": at(3, 20).isoformat(), "hearing_chair": HEAD}
ORDINARY_ROUTES: dict[str, list[Move]] = {
    "heard_and_decided": [
        *FILING,
        Move("suspend", OFFICER, reason="委托测绘"),
        Move("resume", OFFICER),
        Move("extend_investigation", HEAD, reason="案情复杂"),
        Move("submit_report", OFFICER),
        Move("supervise_reviewing", "system"),
        Move("send_legal_review", OFFICER),
        Move("supervise_legal_review", "system"),
        Move("legal_review_return", LEGAL, reason="补充调查"),
        Move("submit_report", OFFICER),
        Move("send_legal_review", OFFICER),
        Move("legal_review_pass", LEGAL, inputs={"opinion": "同意"}),
        Move("record_discussion", LEADER, inputs={"conclusion": "同意处罚"}),
        Move("issue_notice", OFFICER),
        Move("supervise_notifying", "system"),
        Move("request_hearing", OFFICER, inputs=HEARING),
        Move("conclude_hearing", OFFICER, reason="陈述申辩已记录", at=at(3, 20, 11)),
        Move("supervise_hearing_review", "system"),
        Move("hearing_review_pass", LEGAL, inputs={"opinion": "听证意见已考虑"}),
        Move("supervise_deciding", "system"),
        Move("decide", LEADER, inputs={"fine_amount": "20000"}),
        Move("serve", OFFICER, inputs={"method": "direct", "recipient": "李四"}),
        Move("supervise_executing", "system"),
        Move("confirm_execution", OFFICER),
        Move("close", LEADER),
        Move("archive", OFFICER),
    ],
    "heard_returned_no_penalty": [
        *FILING,
        Move("submit_report", OFFICER),
        Move("issue_notice", OFFICER),
        Move("request_hearing", OFFICER, inputs=HEARING),
        Move("conclude_hearing", OFFICER, at=at(3, 20, 11)),
        Move("hearing_review_return", LEGAL, reason="听证中提出新证据，补充调查"),
        Move("submit_report", OFFICER),
        Move("send_legal_review", OFFICER),
        Move("legal_review_pass", LEGAL, inputs={"opinion": "同意"}),
        Move("issue_notice", OFFICER),
        Move("end_notice", OFFICER, inputs={"waived": True}),
        Move("extend_decision", HEAD, reason="等待鉴定结论"),
        Move("decide_no_penalty", LEADER, reason="违法行为轻微并及时改正"),
    ],
    "dropped": [Move("supervise_verifying", "system"), Move("drop_lead", OFFICER, reason="线索不实")],
    "not_filed": [Move("propose_filing", OFFICER), Move("reject_filing", LEADER, reason="不属管辖")],
}
SUMMARY_DATA = {**SUMMARY, "officers": ["hq_officer", "hq_officer2"]}
SUMMARY_ROUTES: dict[str, list[Move]] = {
    "decided_on_spot": [
        Move("decide_on_spot", "hq_officer", inputs={"fine_amount": "200"}),
        Move("supervise_executing", "system"),
        Move("confirm_execution", "hq_officer"),
        Move("close", LEADER),
        Move("archive", "hq_officer"),
    ],
    "dropped": [Move("drop", "hq_officer", reason="当事人已自行改正")],
}


@pytest.mark.parametrize("route", sorted(ORDINARY_ROUTES))
def test_ordinary_case_is_the_same_through_both_doors(people: dict[str, Any], route: str) -> None:
    streams = _streams(people, ORDINARY, "case_ordinary")
    assert streams.walk(ORDINARY_ROUTES[route], at(3, 2)) == [m.action for m in ORDINARY_ROUTES[route]]


@pytest.mark.parametrize("route", sorted(SUMMARY_ROUTES))
def test_summary_case_is_the_same_through_both_doors(people: dict[str, Any], route: str) -> None:
    streams = _streams(people, SUMMARY_DATA, "case_summary")
    assert streams.walk(SUMMARY_ROUTES[route], at(3, 2)) == [m.action for m in SUMMARY_ROUTES[route]]


def test_the_routes_take_every_action(people: dict[str, Any]) -> None:
    ordinary = _streams(people, ORDINARY, "case_ordinary").actions(at(3, 2))
    summary = _streams(people, SUMMARY_DATA, "case_summary").actions(at(3, 2))
    assert uncovered(list(ORDINARY_ROUTES.values()), ordinary) == set()
    assert uncovered(list(SUMMARY_ROUTES.values()), summary) == set()


# ---------------------------------------------------------------------------------------------- rules


def test_a_heard_case_needs_legal_review_before_the_decision(people: dict[str, Any]) -> None:
    """行政处罚法第五十八条. A case pinned to a definition where the hearing led straight to the decision
    (the old version) is refused the decision at either door until a review after the hearing."""
    case = _maker(people, ORDINARY)(at(3, 2))
    for move in [*FILING[:2], Move("submit_report", OFFICER), Move("issue_notice", OFFICER)]:
        _door(case, move, people[move.actor], at(3, 3))
    _door(case, Move("request_hearing", OFFICER, inputs=HEARING), people[OFFICER], at(3, 4))
    # Simulate the old definition's outcome: the case reached 待作出决定 with a hearing and no review.
    Case.objects.filter(pk=case.pk).update(hearing_requested=True, legal_reviewed_at=None)
    _door(case, Move("conclude_hearing", OFFICER), people[OFFICER], at(3, 20, 11))
    assert _item(case).state == "hearing_review"
    client = APIClient()
    client.force_authenticate(people[LEADER])
    refused = client.post(
        f"/api/v1/work-items/{case.work_item_id}/transitions/",
        {"action": "decide", "inputs": {"fine_amount": "20000"}},
        format="json",
    )
    assert refused.status_code == 409  # the definition itself: no decision from hearing_review
    # The guard, for a heard case in 待作出决定 without a review after the hearing (old version).
    from enforcement.cases.decision import _reviewed_after_hearing

    case.refresh_from_db()
    with pytest.raises(Exception) as caught:
        _reviewed_after_hearing(case)
    assert getattr(caught.value, "code", None) == "legal_review_required"
    _door(case, Move("hearing_review_pass", LEGAL, inputs={"opinion": "同意"}), people[LEGAL], at(3, 21, 10))
    case.refresh_from_db()
    _reviewed_after_hearing(case)  # reviewed after the hearing: allowed
    _door(case, Move("decide", LEADER, inputs={"fine_amount": "20000"}), people[LEADER], at(3, 21, 11))
    assert _item(case).state == "serving"
