"""A summary case and an ordinary case with a hearing walked end to end through the API, with the
deadlines checked by hand (work calendar 2026: 4–6 April is the 清明 holiday)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from enforcement.models import Case, RecordEntry, ServiceRecord
from enforcement.tests.conftest import client_for

pytestmark = pytest.mark.django_db
CST = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/enforcement/cases/"
EOD = (23, 59, 59, 999999)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CST)


def end_of(month: int, day: int) -> datetime:
    return datetime(2026, month, day, *EOD, tzinfo=CST)


def act(client: Any, case_id: int, action: str, *, reason: str = "", status: int = 200, **inputs: Any) -> Any:
    response = client.post(
        f"{URL}{case_id}/actions/", {"action": action, "reason": reason, "inputs": inputs}, format="json"
    )
    assert response.status_code == status, response.content.decode()
    return response.json()


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def errors_of(body: Any) -> tuple[str, str | None]:
    error = body["errors"][0]
    return error["code"], error["field"]


SUMMARY = {
    "procedure": "summary",
    "source": "patrol",
    "matter": "CG-003",  # 占道经营: summary allowed, ordinary band 100–300
    "territory_code": "320507003201001",
    "address": "黄桥街道春申路口",
    "party_kind": "natural",
    "party_name": "张三",
    "party_number": "320507198001011231",
    "facts": "在春申路人行道上摆摊经营水果。",
    "circumstance_level": "ordinary",
    "proposed_fine": "200",
}


def test_summary_case_end_to_end(people: dict[str, Any]) -> None:
    officer = client_for(people["hq_officer"])
    with time_machine.travel(at(3, 2), tick=False):
        # The fine limit of the summary procedure: 200 yuan for a citizen.
        body = officer.post(
            URL, {**SUMMARY, "proposed_fine": "300", "officers": ["hq_officer", "hq_officer2"]}, format="json"
        )
        assert body.status_code == 422, body.content.decode()
        assert errors_of(body.json()) == ("summary_limit", "proposed_fine")
        assert "200" in body.json()["errors"][0]["message"]
        # Two officers must be present.
        body = officer.post(URL, {**SUMMARY, "officers": ["hq_officer"]}, format="json")
        assert body.status_code == 422
        assert errors_of(body.json()) == ("officers_required", "officers")
        # An organisation: up to 3,000 yuan.
        org = {
            **SUMMARY,
            "party_kind": "legal",
            "party_name": "苏州某商贸有限公司",
            "party_number": "",
            "party_credit_code": "91320507MA1MCH4W20",
            "matter": "SJ-004",
            "circumstance_level": "heavier",
            "officers": ["hq_officer", "hq_officer2"],
        }
        body = officer.post(
            URL, {**org, "proposed_fine": "3001", "discretion_justification": "情节特别严重"}, format="json"
        )
        assert errors_of(body.json()) == ("summary_limit", "proposed_fine")
        assert "3000" in body.json()["errors"][0]["message"]
        assert officer.post(URL, {**org, "proposed_fine": "3000"}, format="json").status_code == 201

        created = officer.post(URL, {**SUMMARY, "officers": ["hq_officer", "hq_officer2"]}, format="json")
        assert created.status_code == 201, created.content
        case = created.json()
        assert case["state"] == "on_site"
        assert case["party_number"] == "320507********1231"
        assert "320507198001011231" not in created.content.decode()
        assert {a["name"] for a in case["actions"]} == {"decide_on_spot", "drop"}

        decided = act(officer, case["id"], "decide_on_spot", recipient="张三")
    assert decided["state"] == "executing"
    assert decided["decision_number"].startswith("相黄综执简罚字〔2026〕")
    assert decided["fine_amount"] == "200.00"
    assert decided["services"][0]["method"] == "direct"
    assert parse(
        decided["served_at"] if "served_at" in decided else decided["services"][0]["served_at"]
    ) == at(3, 2)
    # Payment within 15 days of service: 2 March + 15 = 17 March, end of day.
    assert parse(decided["payment_due_at"]) == end_of(3, 17)

    with time_machine.travel(at(3, 5), tick=False):
        paid = act(officer, case["id"], "confirm_execution")
        assert paid["state"] == "closing"
        refused = act(officer, case["id"], "close", status=403)
        assert errors_of(refused)[0] == "not_allowed"
        leader = client_for(people["hq_squad_leader"])
        closed = act(leader, case["id"], "close")
        assert closed["state"] == "archiving"
        archived = act(officer, case["id"], "archive")
    assert archived["state"] == "archived"
    assert archived["archive_number"] == "20260001"
    steps = [entry["step"] for entry in archived["record"]]
    assert steps == ["start", "decide_on_spot", "confirm_execution", "close", "archive"]
    assert all(len(entry["content_hash"]) == 64 for entry in archived["record"])


ORDINARY = {
    "procedure": "ordinary",
    "source": "complaint",
    "matter": "CG-005",  # 违法建设: ordinary band 20,000–50,000, hearing possible
    "territory_code": "320507003201002",
    "address": "黄桥街道某村12号",
    "party_kind": "natural",
    "party_name": "李四",
    "party_number": "320507198001011231",
    "party_phone": "13800138000",
    "facts": "未取得建设工程规划许可证在宅基地上加建三层砖混结构房屋。",
    "circumstance_level": "ordinary",
    "proposed_fine": "20000",
    "officers": ["hq_officer2", "hq_officer"],
}


def test_ordinary_case_with_hearing_end_to_end(people: dict[str, Any]) -> None:
    officer = client_for(people["hq_officer2"])
    colleague = client_for(people["hq_officer"])
    leader = client_for(people["hq_squad_leader"])
    legal = client_for(people["hq_legal"])
    town_leader = client_for(people["hq_leader"])

    with time_machine.travel(at(3, 2), tick=False):
        case = officer.post(URL, ORDINARY, format="json").json()
        case_id = case["id"]
        assert case["state"] == "verifying"
        # Lead verification: 15 working days from Monday 2 March → Monday 23 March, 17:30.
        assert parse(case["step_due_at"]) == at(3, 23, 17, 30)
        proposed = act(officer, case_id, "propose_filing")
        assert proposed["state"] == "filing_approval"
        act(officer, case_id, "approve_filing", status=403)  # only the squad leader approves filing
        filed = act(leader, case_id, "approve_filing")
    assert filed["state"] == "investigating"
    assert filed["number"] == "相黄综执立字〔2026〕第0001号"
    # 90 natural days from filing on 2 March: 31 May, end of day; the 督办 step ends 10 days earlier.
    assert parse(filed["decision_due_at"]) == end_of(5, 31)
    assert parse(filed["step_due_at"]) == end_of(5, 21)

    with time_machine.travel(at(3, 3), tick=False):
        audio = b"RIFF....WAVEfmt fake transcript audio"
        upload = SimpleUploadedFile("询问录音.wav", audio, content_type="audio/wav")
        response = officer.post(
            f"{URL}{case_id}/record/",
            {"kind": "audio", "title": "询问李四录音", "file": upload},
            format="multipart",
        )
        assert response.status_code == 201, response.content
        assert response.json()["content_hash"] == hashlib.sha256(audio).hexdigest()
        response = officer.post(
            f"{URL}{case_id}/record/",
            {"kind": "transcript", "title": "询问笔录（李四）", "note": "当事人承认加建"},
            format="multipart",
        )
        assert response.status_code == 201
        # Preservation of evidence: handled within 7 working days (3 March → 12 March, 17:30).
        preserved = officer.post(
            f"{URL}{case_id}/preservation/", {"items": "搅拌机一台"}, format="json"
        ).json()
        assert parse(preserved["preservation_due_at"]) == at(3, 12, 17, 30)
        # An open preservation blocks the report.
        act(officer, case_id, "submit_report", status=422)
        officer.post(f"{URL}{case_id}/preservation/", {"decision": "解除登记保存，退还当事人"}, format="json")

    with time_machine.travel(at(3, 9), tick=False):
        act(officer, case_id, "suspend", reason="委托测绘机构测量违法建设面积")
    with time_machine.travel(at(3, 19), tick=False):
        resumed = act(officer, case_id, "resume")
    # The 10 suspended days are not counted.
    assert parse(resumed["decision_due_at"]) == end_of(6, 10)
    assert parse(resumed["step_due_at"]) == end_of(5, 31)

    with time_machine.travel(at(3, 20), tick=False):
        # Outside the band without a written justification: refused.
        body = act(officer, case_id, "submit_report", status=422, proposed_fine="60000")
        assert errors_of(body) == ("outside_band", "discretion_justification")
        reported = act(
            officer,
            case_id,
            "submit_report",
            proposed_fine="60000",
            discretion_justification="违法建设面积达300平方米，拒不停工。",
        )
        assert reported["outside_band"] is True and reported["is_major"] is True
        # Outside the band → legal review before the notice.
        body = act(officer, case_id, "issue_notice", status=422)
        assert errors_of(body) == ("legal_review_required", "action")
        sent = act(officer, case_id, "send_legal_review")
    # Legal review: 10 working days from Friday 20 March → Friday 3 April, 17:30.
    assert parse(sent["legal_review_due_at"]) == at(4, 3, 17, 30)

    with time_machine.travel(at(3, 24), tick=False):
        act(officer, case_id, "legal_review_pass", status=403, opinion="同意")
        act(legal, case_id, "legal_review_pass", opinion="事实清楚，证据确凿，超出基准理由充分，同意。")
        noticed = act(officer, case_id, "issue_notice")
    assert noticed["state"] == "notifying"
    # 5 working days to ask for a hearing (行政处罚法第八十五条: 日 = 工作日): 24 March → 31 March 17:30.
    assert parse(noticed["hearing_window_ends_at"]) == at(3, 31, 17, 30)

    with time_machine.travel(at(3, 26), tick=False):
        # Not before the window has closed, unless the party waives.
        assert errors_of(act(officer, case_id, "end_notice", status=409)) == ("hearing_window_open", "action")
        # Notice ≥ 7 working days before the hearing: 3 April is only the 6th working day after 26 March.
        body = act(
            officer,
            case_id,
            "request_hearing",
            status=422,
            hearing_at=at(4, 3).isoformat(),
            hearing_chair="hq_leader",
        )
        assert errors_of(body) == ("hearing_notice_too_late", "inputs.hearing_at")
        # The chair must not have investigated the case.
        body = act(
            officer,
            case_id,
            "request_hearing",
            status=422,
            hearing_at=at(4, 8, 9).isoformat(),
            hearing_chair="hq_officer",
        )
        assert errors_of(body) == ("chair_investigated", "inputs.hearing_chair")
        hearing = act(
            officer, case_id, "request_hearing", hearing_at=at(4, 8, 9).isoformat(), hearing_chair="hq_leader"
        )
    assert hearing["state"] == "hearing"
    assert hearing["step_due_at"] is None  # clock stopped
    assert hearing["hearing_chair"] == "hq_leader"

    with time_machine.travel(at(4, 8, 10), tick=False):
        concluded = act(colleague, case_id, "conclude_hearing", reason="当事人陈述申辩意见已记录")
    # The hearing (26 March 10:00 → 8 April 10:00 = 13 days) is not counted; after it, legal review
    # again before the decision (行政处罚法第五十八条).
    assert concluded["state"] == "hearing_review"
    assert parse(concluded["decision_due_at"]) == end_of(6, 23)
    assert parse(concluded["step_due_at"]) == end_of(6, 13)
    with time_machine.travel(at(4, 8, 15), tick=False):
        act(officer, case_id, "hearing_review_pass", status=403, opinion="同意")
        reviewed = act(legal, case_id, "hearing_review_pass", opinion="听证意见已考虑，同意作出决定。")
    assert reviewed["state"] == "deciding"
    assert parse(reviewed["step_due_at"]) == end_of(6, 13)

    with time_machine.travel(at(4, 9), tick=False):
        extended = act(town_leader, case_id, "extend_decision", reason="案情复杂")
        assert parse(extended["decision_due_at"]) == end_of(7, 23)
        body = act(town_leader, case_id, "extend_decision", status=409, reason="再次延长")
        assert errors_of(body)[0] == "already_extended"
        decided = act(leader, case_id, "decide", fine_amount="60000")
        assert decided["state"] == "serving"
        assert decided["decision_number"] == "相黄综执罚决字〔2026〕第0001号"
        body = act(officer, case_id, "serve", status=400, method="carrier_pigeon")
        assert errors_of(body) == ("invalid", "inputs.method")
        served = act(officer, case_id, "serve", method="left_at_address", recipient="李四（拒收，留置）")
    assert served["state"] == "executing"
    assert served["services"][0]["method"] == "left_at_address"
    # Payment within 15 days of service: 9 April → 24 April, end of day.
    assert parse(served["payment_due_at"]) == end_of(4, 24)

    with time_machine.travel(at(4, 27), tick=False):
        overdue = officer.get(f"{URL}{case_id}/").json()
        assert overdue["payment_overdue"] is True
        assert overdue["light"] == "red"
        act(officer, case_id, "confirm_execution", paid_at=at(4, 27).isoformat())
        act(leader, case_id, "close")
        archived = act(officer, case_id, "archive")
    assert archived["archive_number"] == "20260001"
    case_row = Case.objects.get(pk=case_id)
    assert case_row.closed_at == at(4, 27)
    record = list(RecordEntry.objects.filter(case=case_row).order_by("seq"))
    assert [e.seq for e in record] == list(range(1, len(record) + 1))
    payment = next(e for e in record if e.step == "confirm_execution")
    assert payment.meta["late"] is True
    assert ServiceRecord.objects.filter(case=case_row).count() == 1
    timeline = [row["action"] for row in archived["timeline"]]
    assert timeline[:3] == ["start", "propose_filing", "approve_filing"]
    assert timeline[-1] == "archive"
    assert archived["actions"] == []
    # The decision opened its publication row: 7 working days after 9 April → 20 April, 17:30.
    assert case_row.publication.due_at.astimezone(CST).date().isoformat() == "2026-04-20"


def test_case_scoping_and_refusals(people: dict[str, Any]) -> None:
    officer = client_for(people["hq_officer"])
    with time_machine.travel(at(3, 2), tick=False):
        case = officer.post(
            URL, {**ORDINARY, "officers": ["hq_officer", "hq_officer2"]}, format="json"
        ).json()
        # The outsider from 渭塘 sees nothing: 404 on detail and actions, nothing in the list.
        outsider = client_for(people["wt_officer"])
        assert outsider.get(f"{URL}{case['id']}/").status_code == 404
        assert (
            outsider.post(
                f"{URL}{case['id']}/actions/", {"action": "propose_filing"}, format="json"
            ).status_code
            == 404
        )
        assert outsider.get(URL).json()["count"] == 0
        # An officer of the squad who is not on the case may not act on it.
        other = client_for(people["hq_officer3"])
        assert other.get(f"{URL}{case['id']}/").json()["actions"] == []
        response = other.post(f"{URL}{case['id']}/actions/", {"action": "propose_filing"}, format="json")
        assert response.status_code == 403
        # A grid worker may not open a case; the API names bad fields.
        grid = client_for(people["hq_grid"])
        assert (
            grid.post(URL, {**ORDINARY, "territory_code": "320507003201001"}, format="json").status_code
            == 403
        )
        assert grid.post(URL, ORDINARY, format="json").status_code == 404  # not the grid worker's grid
        bad = officer.post(URL, {**ORDINARY, "party_number": "320507198001011234"}, format="json")
        assert errors_of(bad.json()) == ("invalid", "party_number")
        bad = officer.post(URL, {**ORDINARY, "matter": "NOPE"}, format="json")
        assert errors_of(bad.json()) == ("invalid", "matter")
        bad = officer.post(URL, {**ORDINARY, "procedure": "fast"}, format="json")
        assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "procedure"
        # Anonymous: 401/403.
        from rest_framework.test import APIClient

        assert APIClient().get(URL).status_code in (401, 403)
    assert Case.objects.count() == 1
