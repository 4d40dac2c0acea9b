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

from django.utils.translation import gettext_lazy

from accounts.jurisdiction import may_see_code
from accounts.models import Role
from audit.actions import record_event
from core.errors import Conflict, NotFound
from enforcement.actions.access import _require_team
from enforcement.actions.common import (
    GRID_FOLLOW,
    NUMBERING_ACTIONS,
    _jsonable,
)
from enforcement.actions.record import append_record
from enforcement.cases import Meta
from enforcement.cases.decision import decide, decide_no_penalty, decide_on_spot
from enforcement.cases.execution import archive, close, confirm_execution, serve
from enforcement.cases.filing import approve_filing
from enforcement.cases.hearing import conclude_hearing, end_notice, issue_notice, request_hearing
from enforcement.cases.investigation import extend, resume, submit_report
from enforcement.cases.legal_review import (
    legal_review_pass,
    legal_review_return,
    record_discussion,
    send_legal_review,
)
from enforcement.models import (
    Case,
)
from grid.events.steps import do_event_action
from territory.models import Division
from workflow.actors import system_actor
from workflow.handlers import PLAIN, Handler, Step, bind
from workflow.models import WorkItem
from workflow.publishing import definition_for


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


def nothing(case: Case, step: Step) -> Meta:
    """A step with no case fields of its own (its rules are the definition's and the team check)."""
    return {}


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


# Where the stream starts this process's items (the generic create door refuses it and names this).
START_DOOR = gettext_lazy("执法立案（POST /api/v1/enforcement/cases/）")


def register() -> None:
    for process, rules in (("case_ordinary", ORDINARY), ("case_summary", SUMMARY)):
        handlers = {name: _handler(rule) for name, rule in rules.items()}
        handlers.update(dict.fromkeys(SUPERVISION[process], PLAIN))
        bind(process, handlers, owner="enforcement", start_door=START_DOOR)
