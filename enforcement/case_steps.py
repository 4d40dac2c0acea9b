"""The rules of each step of processes `case_ordinary` and `case_summary` (enforcement/processes/),
bound to the engine in `EnforcementConfig.ready()` (see `workflow.handlers`): `transition()` runs them
whichever door moved the case — `enforcement.actions.do_case_action` (enforcement's API and pages), the
generic work-item endpoint, the sweeper's 督办.

Every handler: the actor check (an officer acts only on the cases they work on; squad leaders, leaders
and reviewers on any case in their jurisdiction), the case locked (after the town's numbering row for the
steps that draw a number), the step's statutory checks and the case fields it sets (one function per
step below), then — after the engine moved — the case saved, a RecordEntry (who, when, sha256 of what was
done), the audit row `enforcement.case_<action>` and the grid event following its case.

Statutory rules held here (行政处罚法): summary procedure ≥ 2 officers and the fine caps (art. 51);
investigation by ≥ 2 officers (art. 42); a transcript before the report; preserved evidence decided
before the report; legal review of major / outside-band penalties before the notice (art. 58); the
hearing window, notice and chair (art. 63–64); after a hearing, legal review before the decision
(art. 58: state `hearing_review`, and `decide` refuses a heard case without a review after the hearing);
the 90-day decision limit moved by paused time and one extension (art. 60).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from accounts.jurisdiction import may_see_code
from accounts.models import Role
from audit.actions import record_event
from core.errors import Conflict, DomainError, NotFound, Unprocessable
from enforcement.actions.access import _require_team
from enforcement.actions.cases import _add_paused_time, _archive_number, _filing_number, _serve
from enforcement.actions.common import (
    DECISION_DAYS,
    EXTENSION_DAYS,
    GRID_FOLLOW,
    HEARING_NOTICE_WORK_DAYS,
    HEARING_WINDOW_WORK_DAYS,
    INVESTIGATING_ROLES,
    LEGAL_REVIEW_WORK_DAYS,
    NUMBERING_ACTIONS,
    _jsonable,
    _local_date,
    _parse_moment,
    _user,
    end_of_day_after,
    end_of_work_days_after,
    parse_money,
)
from enforcement.actions.opening import check_discretion, check_summary_limit
from enforcement.actions.record import append_record
from enforcement.documents import next_number
from enforcement.models import (
    Case,
    CaseOfficer,
    CaseOfficerRole,
    DocumentKind,
    RecordEntry,
    RecordKind,
    ServiceMethod,
)
from enforcement.publication import ensure_publication
from grid.events.steps import do_event_action
from territory.models import Division
from workcalendar.service import LOCAL_TZ, add_working_days
from workflow.actors import system_actor
from workflow.engine import definition_for
from workflow.handlers import PLAIN, Handler, Step, bind
from workflow.models import WorkItem

Meta = dict[str, Any]


# ---------------------------------------------------------------------------------------------- helpers


def _decide(case: Case, inputs: dict[str, Any], reason: str, *, now: datetime, summary: bool) -> None:
    fine = parse_money(inputs.get("fine_amount"), "inputs.fine_amount")
    if fine is None:
        fine = case.proposed_fine
    if summary:
        check_summary_limit(case.party_kind, fine)
    if (
        fine != case.proposed_fine
        and check_discretion(case.matter, case.circumstance_level, fine, case.discretion_justification)
        and not case.legal_reviewed_at
    ):
        raise Unprocessable(
            "outside_band", "决定的罚款超出裁量基准，须先经法制审核。", field="inputs.fine_amount"
        )
    measures = str(inputs.get("penalty_summary") or "").strip()
    if not fine and not measures and not case.proposed_measures:
        raise DomainError("required", "请填写处罚内容（罚款金额或警告等）。", field="inputs.penalty_summary")
    case.fine_amount = fine
    parts = [f"罚款人民币{fine}元"] if fine else []
    if measures or case.proposed_measures:
        parts.insert(0, measures or case.proposed_measures)
    case.penalty_summary = "；".join(parts)
    case.decision_basis = str(inputs.get("decision_basis") or case.matter.penalty_basis).strip()
    case.decision_number = next_number(
        case, DocumentKind.SUMMARY_DECISION if summary else DocumentKind.DECISION, now
    )
    case.decided_at = now
    ensure_publication(case)


def _update_findings(case: Case, inputs: dict[str, Any]) -> None:
    """调查终结: the facts and the proposed penalty may be settled now (re-checked against the band)."""
    if "facts" in inputs:
        case.facts = str(inputs["facts"]).strip()
    if "circumstance_level" in inputs:
        case.circumstance_level = str(inputs["circumstance_level"])
    if "circumstances" in inputs:
        case.circumstances = str(inputs["circumstances"]).strip()
    if "proposed_fine" in inputs:
        case.proposed_fine = parse_money(inputs["proposed_fine"], "inputs.proposed_fine")
    if "proposed_measures" in inputs:
        case.proposed_measures = str(inputs["proposed_measures"]).strip()
    if "discretion_justification" in inputs:
        case.discretion_justification = str(inputs["discretion_justification"]).strip()
    if not case.facts:
        raise DomainError("required", "请填写违法事实。", field="inputs.facts")
    outside = check_discretion(
        case.matter, case.circumstance_level, case.proposed_fine, case.discretion_justification
    )
    case.outside_band = outside
    if outside:
        case.is_major = True
    if inputs.get("is_major"):
        case.is_major = True
        case.needs_discussion = True


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


def _follow_grid_event(case: Case, item: WorkItem, *, now: datetime) -> None:
    """The grid event follows its case (GRID_FOLLOW, by the state the case reached): closed when the case
    closes, returned to the dispatcher when no case is filed."""
    follow, heading = GRID_FOLLOW.get(item.state, ("", ""))
    event = case.grid_event
    if not follow or event is None or event.work_item_id is None:
        return
    event_item = WorkItem.objects.filter(pk=event.work_item_id).values_list("state", flat=True).first()
    if event_item != "enforcement":
        return
    reason = f"{heading}：{definition_for(item).states[item.state].title}" if heading else ""
    do_event_action(event, follow, actor=system_actor(), now=now, reason=reason, inputs={"case": case.pk})


# ---------------------------------------------------------------------------------------------- steps
# One function per step: the checks and the case fields; returns what the record entry carries.


def decide_on_spot(case: Case, step: Step) -> Meta:
    if CaseOfficer.objects.filter(case=case).count() < 2:
        raise Unprocessable("officers_required", "简易程序须有两名以上执法人员在场。", field="officers")
    _decide(case, step.inputs, step.reason, now=step.now, summary=True)
    step.inputs.setdefault("method", ServiceMethod.DIRECT)
    _serve(
        case,
        step.inputs,
        actor=step.actor,
        now=step.now,
        kinds=[DocumentKind.SUMMARY_DECISION, DocumentKind.DECISION],
    )
    return {
        "decision_number": case.decision_number,
        "fine": case.fine_amount,
        "method": step.inputs["method"],
    }


def approve_filing(case: Case, step: Step) -> Meta:
    if CaseOfficer.objects.filter(case=case, role__in=INVESTIGATING_ROLES).count() < 2:
        raise Unprocessable(
            "officers_required", "调查取证须有两名以上执法人员，请先增加办案人员。", field="officers"
        )
    case.number = _filing_number(case, step.now)
    case.filed_at = step.now
    case.decision_due_at = end_of_day_after(step.now, DECISION_DAYS)
    return {"number": case.number, "decision_due_at": case.decision_due_at}


def resume(case: Case, step: Step) -> Meta:
    _add_paused_time(case, step.item, step.now)
    return {"decision_due_at": case.decision_due_at}


def extend(case: Case, step: Step) -> Meta:
    if case.extended:
        raise Conflict("already_extended", "办案期限只能延长一次（30日）。", field="action")
    case.extended = True
    if case.decision_due_at is not None:
        case.decision_due_at = end_of_day_after(case.decision_due_at, EXTENSION_DAYS)
    return {"decision_due_at": case.decision_due_at}


def submit_report(case: Case, step: Step) -> Meta:
    if not RecordEntry.objects.filter(case=case, kind=RecordKind.TRANSCRIPT).exists():
        raise Unprocessable("transcript_required", "调查终结前须有询问笔录或现场笔录。", field="record")
    if case.preserved_at is not None and case.preservation_handled_at is None:
        raise Unprocessable("preservation_open", "先行登记保存的证据尚未作出处理决定。", field="preservation")
    _update_findings(case, step.inputs)
    case.report_at = step.now
    return {}


def _open_legal_review(case: Case, now: datetime) -> Meta:
    case.legal_review_started_at = now
    case.legal_review_due_at = end_of_work_days_after(now, LEGAL_REVIEW_WORK_DAYS)
    case.legal_reviewed_at = None
    return {"legal_review_due_at": case.legal_review_due_at}


def send_legal_review(case: Case, step: Step) -> Meta:
    return _open_legal_review(case, step.now)


def _legal_opinion(case: Case, step: Step) -> Meta:
    opinion = str(step.inputs.get("opinion") or step.reason).strip()
    if not opinion:
        raise DomainError("required", "请填写法制审核意见。", field="inputs.opinion")
    case.legal_review_opinion = opinion
    late = case.legal_review_due_at is not None and step.now > case.legal_review_due_at
    return {"opinion": opinion, "late": late, "due_at": case.legal_review_due_at}


def legal_review_pass(case: Case, step: Step) -> Meta:
    meta = _legal_opinion(case, step)
    case.legal_reviewed_at = step.now
    return meta


def legal_review_return(case: Case, step: Step) -> Meta:
    return _legal_opinion(case, step)


def record_discussion(case: Case, step: Step) -> Meta:
    conclusion = str(step.inputs.get("conclusion") or step.reason).strip()
    if not conclusion:
        raise DomainError("required", "请填写集体讨论结论。", field="inputs.conclusion")
    case.discussed_at = step.now
    return {"conclusion": conclusion}


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


def request_hearing(case: Case, step: Step) -> Meta:
    return _schedule_hearing(case, step.inputs, now=step.now)


def conclude_hearing(case: Case, step: Step) -> Meta:
    """听证结束: the paused time moves the decision limit; the case goes to legal review (art. 58)."""
    if case.hearing_at is None or step.now < case.hearing_at:
        raise Conflict("hearing_not_held", "听证尚未举行。", field="action")
    _add_paused_time(case, step.item, step.now)
    meta = {"decision_due_at": case.decision_due_at}
    if step.action.target == "hearing_review":
        meta.update(_open_legal_review(case, step.now))
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


def _reviewed_after_hearing(case: Case) -> None:
    """行政处罚法第五十八条: a case that went through a hearing is legally reviewed after the hearing and
    before the decision."""
    if not case.hearing_requested:
        return
    reviewed = case.legal_reviewed_at
    if reviewed is None or (case.hearing_at is not None and reviewed < case.hearing_at):
        raise Unprocessable(
            "legal_review_required",
            "经过听证的案件须在听证后经法制审核，方可作出决定（行政处罚法第五十八条）。",
            field="action",
        )


def decide(case: Case, step: Step) -> Meta:
    _reviewed_after_hearing(case)
    _decide(case, step.inputs, step.reason, now=step.now, summary=False)
    late = case.decision_due_at is not None and step.now > case.decision_due_at
    return {"decision_number": case.decision_number, "fine": case.fine_amount, "late": late}


def decide_no_penalty(case: Case, step: Step) -> Meta:
    _reviewed_after_hearing(case)
    case.decided_at = step.now
    case.penalty_summary = "不予行政处罚"
    return {"reason": step.reason}


def serve(case: Case, step: Step) -> Meta:
    service = _serve(case, step.inputs, actor=step.actor, now=step.now, kinds=[DocumentKind.DECISION])
    meta: Meta = {"method": service.method, "receipt_hash": service.receipt_hash}
    if case.decided_at is not None:
        meta["late"] = step.now > end_of_work_days_after(case.decided_at, 7)
    return meta


def confirm_execution(case: Case, step: Step) -> Meta:
    if not case.fine_amount:
        return {}
    paid = step.inputs.get("paid_at")
    case.paid_at = _parse_moment(paid, "inputs.paid_at") if paid else step.now
    late = case.payment_due_at is not None and case.paid_at > case.payment_due_at
    return {"paid_at": case.paid_at, "late": late}


def close(case: Case, step: Step) -> Meta:
    case.closed_at = step.now
    return {}


def archive(case: Case, step: Step) -> Meta:
    case.archive_number = _archive_number(case, step.now)
    case.archived_at = step.now
    return {"archive_number": case.archive_number}


def nothing(case: Case, step: Step) -> Meta:
    """A step with no case fields of its own (its rules are the definition's and the team check)."""
    return {}


# ---------------------------------------------------------------------------------------------- binding


def _case_of(step: Step, *, lock: bool) -> Case:
    queryset = Case.objects.select_related("matter", "grid_event").filter(work_item_id=step.item.pk)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    case = queryset.first()
    if case is None:
        raise Conflict("no_subject", "该办件没有对应的执法案件，不能按办案流程办理。", field="action")
    return case


def _actors(step: Step) -> None:
    """One place for who may take a case step beyond the definition's roles: outside the case's
    jurisdiction 404; an officer only on a case they work on."""
    case = _case_of(step, lock=False)
    if not step.actor.is_system and not may_see_code(step.actor, case.territory_code):
        raise NotFound("未找到该案件。", field="case")
    if Role.OFFICER.value in step.action.roles:
        _require_team(case, step.actor)


def _handler(rule: Callable[[Case, Step], Meta]) -> Handler:
    def guard(step: Step) -> None:
        if step.name in NUMBERING_ACTIONS:
            # The town's division row is the numbering lock (as for documents): one serial at a time.
            town = Case.objects.filter(work_item_id=step.item.pk).values_list("town_code", flat=True).first()
            list(Division.objects.select_for_update().filter(code=town or ""))
        case = _case_of(step, lock=True)
        step.scratch["case"] = case
        step.scratch["meta"] = rule(case, step)
        step.inputs.update(_jsonable(step.inputs))

    def effect(step: Step) -> None:
        case: Case = step.scratch["case"]
        meta = _jsonable(step.scratch["meta"])
        case.updated_at = step.now
        case.save()
        append_record(
            case,
            step=step.name,
            title=step.action.title,
            actor=step.actor,
            now=step.now,
            meta={"from": step.from_state, "to": step.item.state, "reason": step.reason, **meta},
        )
        record_event(
            actor=step.actor,
            action=f"enforcement.case_{step.name}",
            subject=case,
            territory_code=case.territory_code,
            after={"state": step.item.state, **meta},
            now=step.now,
        )
        _follow_grid_event(case, step.item, now=step.now)

    return Handler(actors=_actors, guard=guard, effect=effect)


ORDINARY: dict[str, Callable[[Case, Step], Meta]] = {
    "propose_filing": nothing,
    "drop_lead": nothing,
    "approve_filing": approve_filing,
    "reject_filing": nothing,
    "suspend": nothing,
    "resume": resume,
    "extend_investigation": extend,
    "submit_report": submit_report,
    "send_legal_review": send_legal_review,
    "legal_review_pass": legal_review_pass,
    "legal_review_return": legal_review_return,
    "record_discussion": record_discussion,
    "issue_notice": issue_notice,
    "request_hearing": request_hearing,
    "conclude_hearing": conclude_hearing,
    "hearing_review_pass": legal_review_pass,
    "hearing_review_return": legal_review_return,
    "end_notice": end_notice,
    "extend_decision": extend,
    "decide": decide,
    "decide_no_penalty": decide_no_penalty,
    "serve": serve,
    "confirm_execution": confirm_execution,
    "close": close,
    "archive": archive,
}
SUMMARY: dict[str, Callable[[Case, Step], Meta]] = {
    "decide_on_spot": decide_on_spot,
    "drop": nothing,
    "confirm_execution": confirm_execution,
    "close": close,
    "archive": archive,
}
# 督办 by the sweeper (or a supervisor): no case fields, no record entry — the engine's rows only.
SUPERVISION = {
    "case_ordinary": (
        "supervise_verifying",
        "supervise_investigating",
        "supervise_reviewing",
        "supervise_legal_review",
        "supervise_hearing_review",
        "supervise_notifying",
        "supervise_deciding",
        "supervise_executing",
    ),
    "case_summary": ("supervise_executing",),
}


def register() -> None:
    for process, rules in (("case_ordinary", ORDINARY), ("case_summary", SUMMARY)):
        handlers = {name: _handler(rule) for name, rule in rules.items()}
        handlers.update(dict.fromkeys(SUPERVISION[process], PLAIN))
        bind(process, handlers, owner="enforcement")
