"""The rules of each step of process `approval_application` (approvals/processes/), bound to the engine in
`ApprovalsConfig.ready()` (see `workflow.handlers`): `transition()` runs them whichever door moved the
application — the `do_*_application` functions of `approvals.actions` (approvals' API and pages), the
generic work-item endpoint, the sweeper's 督办.

Every handler locks the application of the work item (409 `no_subject` without one), checks the step's
conditions, and after the move writes the application's fields, the audit row `approvals.<step>` and the
applicant's SMS. Rules held here:
- 受理 (`accept`): every required material received; the item goes to the item's reviewing unit (the
  input `assigned_unit` is set here, whatever a door sent); a 即办件 is completed on the spot instead.
- 补正 (`request_intake_corrections`, `request_review_corrections`): told once and completely
  (行政许可法第三十二条第四项). A second notice on the same application is refused
  (409 `corrections_already_notified`) unless the inputs carry an explicit override — `override_by`
  (the leader or supervisor who authorised it) and `override_reason` — which is audited
  (`approvals.corrections_override`).
- 不予受理, 不予许可, 撤回: the outcome, its reason and the completion time are recorded.
- 行政许可 is decided after 审查 (`pass_review` only for licensing items; `approve`/`refuse` not straight
  from `reviewing` for them); a decision names its legal basis.
- 送达: window, EMS (tracking number) or an electronic certificate (issued through licences).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy

from accounts.jurisdiction import user_roles
from accounts.models import Role, User
from approvals.actions.applicants import notify_applicant
from approvals.actions.intake import _clean_materials, missing_required, reviewing_unit
from approvals.actions.lifecycle import _audit, _finish, _issue_certificate
from approvals.models import Application, DeliveryMethod, ItemType, Outcome
from audit.actions import record_event
from core.errors import Conflict, DomainError
from workflow.handlers import PLAIN, Handler, Step, bind
from workflow.models import Transition

PROCESS = "approval_application"
CORRECTION_ACTIONS = ("request_intake_corrections", "request_review_corrections")
# Who may authorise a second corrections notice.
OVERRIDE_ROLES = {Role.LEADER.value, Role.SUPERVISOR.value}

Rule = Callable[[Application, Step], None]


def _app(step: Step) -> Application:
    app: Application = step.scratch["application"]
    return app


def _lock(step: Step) -> Application:
    app = (
        Application.objects.select_for_update(of=("self",))
        .select_related("item", "item_version", "centre", "item__agency", "applicant_user")
        .filter(work_item_id=step.item.pk)
        .first()
    )
    if app is None:
        raise Conflict("no_subject", "该办件没有对应的申请，不能按审批流程办理。", field="action")
    app.work_item = step.item
    step.scratch["application"] = app
    return app


# ---------------------------------------------------------------------------------------------- guards


def _materials_complete(app: Application, step: Step) -> None:
    missing = missing_required(app)
    if missing:
        raise DomainError("materials_missing", f"必需材料未收齐：{'、'.join(missing)}", field="materials")


def _guard_accept(app: Application, step: Step) -> None:
    if app.item_version.is_immediate:
        raise Conflict("invalid_transition", "即办件应当场办结。", field="action")
    _materials_complete(app, step)
    step.inputs["assigned_unit"] = reviewing_unit(app.item, app.centre).code


def _guard_on_spot(app: Application, step: Step) -> None:
    if not app.item_version.is_immediate:
        raise Conflict("invalid_transition", "只有即办件可以当场办结。", field="action")
    _materials_complete(app, step)


def _override_user(value: Any) -> User:
    user = User.objects.filter(username=str(value or "").strip(), is_active=True).first()
    if user is None or not (user_roles(user) & OVERRIDE_ROLES):
        raise DomainError(
            "invalid", "再次告知补正须由领导或督办人员批准（请填写批准人）。", field="inputs.override_by"
        )
    return user


def _guard_corrections(app: Application, step: Step) -> None:
    """补正 told once and completely; the note defaults to the missing required materials."""
    if not step.reason:
        missing = missing_required(app)
        step.reason = f"请补正：{'、'.join(missing)}" if missing else ""
    if not step.reason:
        raise DomainError("required", "请写明需要补正的材料或内容。", field="reason")
    earlier = Transition.objects.filter(item=step.item, action__in=CORRECTION_ACTIONS).order_by("-id").first()
    if earlier is None:
        return
    why = str(step.inputs.get("override_reason") or "").strip()
    if not step.inputs.get("override_by") and not why:
        raise Conflict(
            "corrections_already_notified",
            f"补正已于 {earlier.occurred_at:%Y-%m-%d} 一次性告知（行政许可法第三十二条）；"
            "再次告知须有批准人和理由。",
            field="action",
        )
    who = _override_user(step.inputs.get("override_by"))
    if not why:
        raise DomainError("required", "请写明再次告知补正的理由。", field="inputs.override_reason")
    step.inputs["override_by"] = who.username
    step.inputs["override_reason"] = why
    step.scratch["override"] = {"by": who.username, "reason": why, "earlier": earlier.pk}


def _guard_resume(app: Application, step: Step) -> None:
    given = step.inputs.get("materials") or []
    if not isinstance(given, list) or not all(isinstance(m, str) for m in given):
        raise DomainError("invalid", "补正材料须为材料名称的列表。", field="inputs.materials")
    received = {m["name"] for m in app.materials if m.get("received")} | set(given)
    app.materials = _clean_materials(app.item_version, received)


def _guard_pass_review(app: Application, step: Step) -> None:
    if app.item.item_type != ItemType.LICENSING:
        raise Conflict("invalid_transition", "该类事项只有一个审核环节，请直接作出决定。", field="action")


def _guard_decision(app: Application, step: Step) -> None:
    legal_basis = str(step.inputs.get("legal_basis") or "").strip()
    if not legal_basis:
        raise DomainError("required", "请填写决定的法律依据。", field="legal_basis")
    if step.name == "refuse" and not step.reason:
        raise DomainError("required", "不予许可须说明理由。", field="reason")
    if app.item.item_type == ItemType.LICENSING and step.from_state == "reviewing":
        raise Conflict("invalid_transition", "行政许可事项须先审查，再作决定。", field="action")
    step.inputs["legal_basis"] = legal_basis


def _guard_deliver(app: Application, step: Step) -> None:
    method = step.inputs.get("delivery_method")
    if method not in (DeliveryMethod.WINDOW, DeliveryMethod.EMS, DeliveryMethod.ELECTRONIC):
        raise DomainError("invalid", "送达方式应为窗口领取、EMS 或电子证照。", field="method")
    tracking = str(step.inputs.get("ems_tracking_no") or "").strip().upper()
    if method == DeliveryMethod.EMS and not (8 <= len(tracking) <= 30 and tracking.isalnum()):
        raise DomainError("invalid", "请填写正确的 EMS 运单号。", field="ems_tracking_no")
    step.inputs["ems_tracking_no"] = tracking


def _needs_reason(message: str) -> Rule:
    def guard(app: Application, step: Step) -> None:
        if not step.reason:
            raise DomainError("required", message, field="reason")

    return guard


# ---------------------------------------------------------------------------------------------- effects


def _name(app: Application) -> str:
    return app.item_version.name


def _effect_accept(app: Application, step: Step) -> None:
    app.accepted_at = step.now
    app.save(update_fields=["accepted_at"])
    _audit(
        app, "accept_application", actor=step.actor, now=step.now, reviewing_unit=step.inputs["assigned_unit"]
    )
    notify_applicant(app, kind="approvals.accepted", body=f"您的“{_name(app)}”申请已受理", now=step.now)


def _effect_corrections(app: Application, step: Step) -> None:
    app.corrections_note = step.reason
    app.save(update_fields=["corrections_note"])
    _audit(app, "request_corrections", actor=step.actor, now=step.now, note=step.reason)
    override = step.scratch.get("override")
    if override is not None:
        record_event(
            actor=step.actor,
            action="approvals.corrections_override",
            subject=app,
            territory_code=app.territory_code,
            after={"receipt_no": app.receipt_no, **override},
            now=step.now,
        )
    notify_applicant(
        app,
        kind="approvals.corrections",
        body=f"您的“{_name(app)}”申请需补正：{step.reason}。补正后继续办理",
        now=step.now,
    )


def _effect_resume(app: Application, step: Step) -> None:
    app.save(update_fields=["materials"])
    _audit(app, "resume_application", actor=step.actor, now=step.now)


def _effect_not_accepted(app: Application, step: Step) -> None:
    _finish(app, Outcome.NOT_ACCEPTED, step.now, step.reason)
    _audit(app, "refuse_acceptance", actor=step.actor, now=step.now, reason=step.reason)
    notify_applicant(
        app,
        kind="approvals.not_accepted",
        body=f"您的“{_name(app)}”申请不予受理：{step.reason}",
        now=step.now,
    )


def _effect_on_spot(app: Application, step: Step) -> None:
    app.accepted_at = step.now
    app.delivery_method = DeliveryMethod.WINDOW
    app.delivered_at = step.now
    app.save(update_fields=["accepted_at", "delivery_method", "delivered_at"])
    _finish(app, Outcome.APPROVED, step.now, "即办件当场办结", app.item_version.legal_basis[:500])
    _audit(app, "complete_on_spot", actor=step.actor, now=step.now)
    notify_applicant(app, kind="approvals.completed", body=f"您的“{_name(app)}”已当场办结", now=step.now)


def _effect_pass_review(app: Application, step: Step) -> None:
    _audit(app, "pass_review", actor=step.actor, now=step.now, opinion=step.reason)


def _effect_decision(app: Application, step: Step) -> None:
    approve = step.name == "approve"
    app.outcome = Outcome.APPROVED if approve else Outcome.REFUSED
    app.outcome_reason = step.reason
    app.outcome_legal_basis = step.inputs["legal_basis"]
    fields = ["outcome", "outcome_reason", "outcome_legal_basis"]
    if not approve:
        app.completed_at = step.now
        fields.append("completed_at")
    app.save(update_fields=fields)
    _audit(app, "decide_application", actor=step.actor, now=step.now, outcome=app.outcome)
    word = "已准予，待送达" if approve else f"不予许可：{step.reason}"
    notify_applicant(app, kind="approvals.decided", body=f"您的“{_name(app)}”申请{word}", now=step.now)


def _effect_deliver(app: Application, step: Step) -> None:
    method = str(step.inputs["delivery_method"])
    tracking = str(step.inputs.get("ems_tracking_no") or "")
    if method == DeliveryMethod.ELECTRONIC:
        app.certificate_identifier = _issue_certificate(
            app, actor=step.actor, now=step.now, licence_type=str(step.door.get("licence_type") or "")
        )
    app.delivery_method = method
    app.ems_tracking_no = tracking if method == DeliveryMethod.EMS else ""
    app.delivered_at = step.now
    app.completed_at = step.now
    app.save(
        update_fields=[
            "delivery_method",
            "ems_tracking_no",
            "delivered_at",
            "completed_at",
            "certificate_identifier",
        ]
    )
    _audit(app, "deliver_application", actor=step.actor, now=step.now, method=method)
    how = {
        DeliveryMethod.WINDOW: f"请到{app.centre.name}窗口领取",
        DeliveryMethod.EMS: f"已通过 EMS 寄出，运单号 {tracking}",
        DeliveryMethod.ELECTRONIC: f"电子证照已签发，标识 {app.certificate_identifier}",
    }[DeliveryMethod(method)]
    notify_applicant(app, kind="approvals.delivered", body=f"您的“{_name(app)}”已办结，{how}", now=step.now)


def _effect_withdraw(app: Application, step: Step) -> None:
    _finish(app, Outcome.WITHDRAWN, step.now, step.reason)
    _audit(app, "withdraw_application", actor=step.actor, now=step.now, reason=step.reason)


# ---------------------------------------------------------------------------------------------- binding


def _handler(guard: Rule | None, effect: Rule) -> Handler:
    def run_guard(step: Step) -> None:
        app = _lock(step)
        if guard is not None:
            guard(app, step)

    def run_effect(step: Step) -> None:
        effect(_app(step), step)

    return Handler(guard=run_guard, effect=run_effect)


HANDLERS: dict[str, Handler] = {
    "accept": _handler(_guard_accept, _effect_accept),
    "request_intake_corrections": _handler(_guard_corrections, _effect_corrections),
    "resubmit": _handler(_guard_resume, _effect_resume),
    "refuse_acceptance": _handler(_needs_reason("不予受理须说明理由。"), _effect_not_accepted),
    "complete_on_spot": _handler(_guard_on_spot, _effect_on_spot),
    "request_review_corrections": _handler(_guard_corrections, _effect_corrections),
    "review_corrected": _handler(_guard_resume, _effect_resume),
    "pass_review": _handler(_guard_pass_review, _effect_pass_review),
    "approve": _handler(_guard_decision, _effect_decision),
    "refuse": _handler(_guard_decision, _effect_decision),
    "deliver": _handler(_guard_deliver, _effect_deliver),
    "withdraw": _handler(_needs_reason("撤回须记录申请人的撤回请求。"), _effect_withdraw),
    "supervise": PLAIN,
    "supervise_decision": PLAIN,
}


# Where the stream starts this process's items (the generic create door refuses it and names this).
START_DOOR = gettext_lazy("审批申请的受理（POST /api/v1/approvals/applications/）")


def register() -> None:
    bind(PROCESS, HANDLERS, owner="approvals", start_door=START_DOOR)
