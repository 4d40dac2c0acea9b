"""告知 and 听证: the notice of the proposed penalty (after the legal review and discussion it needs), the
hearing window, the hearing's notice and chair (行政处罚法 art. 63–64), the hearing concluded (its paused
time moves the decision limit; the case goes to legal review) and the end of the notice period."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accounts.jurisdiction import may_see_code
from core.errors import Conflict, DomainError, Unprocessable
from enforcement.actions.common import (
    HEARING_NOTICE_WORK_DAYS,
    HEARING_WINDOW_WORK_DAYS,
    INVESTIGATING_ROLES,
    _local_date,
    _parse_moment,
    _user,
    end_of_work_days_after,
)
from enforcement.cases import Meta
from enforcement.cases.deadlines import add_paused_time
from enforcement.cases.legal_review import open_legal_review
from enforcement.models import (
    Case,
    CaseOfficer,
    CaseOfficerRole,
)
from workcalendar.service import LOCAL_TZ, add_working_days
from workflow.handlers import Step


def issue_notice(case: Case, step: Step) -> Meta:
    if (case.is_major or case.outside_band) and case.legal_reviewed_at is None:
        raise Unprocessable(
            "legal_review_required",
            "重大案件或超出裁量基准的处罚须经法制审核后方可告知。",
            field="action",
        )
    if case.needs_discussion and case.discussed_at is None:
        raise Unprocessable("discussion_required", "本案须经集体讨论后方可告知。", field="action")
    if case.proposed_fine is None and not case.proposed_measures:
        raise Unprocessable("penalty_required", "请先确定拟处罚内容。", field="proposed_fine")
    case.notice_at = step.now
    case.hearing_window_ends_at = end_of_work_days_after(step.now, HEARING_WINDOW_WORK_DAYS)
    return {"hearing_window_ends_at": case.hearing_window_ends_at}


def _schedule_hearing(case: Case, inputs: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    if not case.matter.hearing_possible:
        raise Unprocessable("hearing_not_available", "该执法事项的处罚不属于听证范围。", field="action")
    if case.hearing_window_ends_at is not None and now > case.hearing_window_ends_at:
        raise Conflict("hearing_window_closed", "听证申请期（告知后5个工作日）已过。", field="action")
    hearing_at = _parse_moment(inputs.get("hearing_at"), "inputs.hearing_at")
    earliest = add_working_days(_local_date(now), HEARING_NOTICE_WORK_DAYS)
    if _local_date(hearing_at) < earliest:
        raise Unprocessable(
            "hearing_notice_too_late",
            f"听证通知须在听证7日（工作日）前送达：最早可定于 {earliest:%Y-%m-%d}。",
            field="inputs.hearing_at",
        )
    chair = _user(inputs.get("hearing_chair"), "inputs.hearing_chair")
    if not may_see_code(chair, case.territory_code):
        raise DomainError("invalid", "听证主持人不在本案管辖范围内。", field="inputs.hearing_chair")
    if CaseOfficer.objects.filter(case=case, officer=chair, role__in=INVESTIGATING_ROLES).exists():
        raise Unprocessable(
            "chair_investigated",
            f"{chair} 参与了本案调查，不能主持听证（行政处罚法第六十四条）。",
            field="inputs.hearing_chair",
        )
    case.hearing_requested = True
    case.hearing_at = hearing_at
    case.hearing_notified_at = now
    case.hearing_chair = chair
    CaseOfficer.objects.get_or_create(case=case, officer=chair, role=CaseOfficerRole.HEARING_CHAIR)
    inputs["hearing_at"] = hearing_at.isoformat()
    return {"hearing_at": hearing_at, "hearing_chair": chair.username}


def request_hearing(case: Case, step: Step) -> Meta:
    return _schedule_hearing(case, step.inputs, now=step.now)


def conclude_hearing(case: Case, step: Step) -> Meta:
    """听证结束: the paused time moves the decision limit; the case goes to legal review (art. 58)."""
    if case.hearing_at is None or step.now < case.hearing_at:
        raise Conflict("hearing_not_held", "听证尚未举行。", field="action")
    add_paused_time(case, step.item, step.now)
    meta = {"decision_due_at": case.decision_due_at}
    if step.action.target == "hearing_review":
        meta.update(open_legal_review(case, step.now))
    return meta


def end_notice(case: Case, step: Step) -> Meta:
    waived = bool(step.inputs.get("waived"))
    if not waived and case.hearing_window_ends_at is not None and step.now <= case.hearing_window_ends_at:
        raise Conflict(
            "hearing_window_open",
            f"听证申请期至 {case.hearing_window_ends_at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M} 届满，"
            "当事人未明确放弃前不能进入决定。",
            field="action",
        )
    return {"waived": waived}
