"""An application's steps after filing — acceptance, corrections, review, decision, delivery, withdrawal —
each taken through the engine, whose bound handlers (approvals.steps) hold the rules."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from accounts.models import User
from approvals.actions.common import SUBJECT_TYPE
from approvals.models import Application
from audit.actions import record_event
from core import pii
from core.errors import Conflict, DomainError
from workflow.engine import transition
from workflow.models import WorkItem


def _step(
    application: Application,
    action: str,
    *,
    actor: User,
    now: datetime,
    reason: str = "",
    inputs: dict[str, Any] | None = None,
    expected_version: int | None = None,
    door: dict[str, Any] | None = None,
) -> Application:
    """Take `action` on the application's work item through the engine, which runs the step's rules
    bound in `approvals.steps` (the same path as the generic work-item door). Returns the application
    as the step left it."""
    if application.work_item_id is None:
        raise Conflict("invalid_transition", "该申请没有办件流程。")
    item = WorkItem.objects.select_related("process_version").get(pk=application.work_item_id)
    transition(
        item,
        action,
        actor=actor,
        now=now,
        reason=(reason or "").strip(),
        inputs=dict(inputs or {}),
        expected_version=expected_version,
        door=door,
    )
    return Application.objects.select_related(
        "item", "item_version", "centre", "work_item", "item__agency", "applicant_user"
    ).get(pk=application.pk)


def _audit(application: Application, action: str, *, actor: User, now: datetime, **after: Any) -> None:
    record_event(
        actor=actor,
        action=f"approvals.{action}",
        subject=application,
        territory_code=application.territory_code,
        after={"receipt_no": application.receipt_no, "state": _state(application), **after},
        now=now,
    )


def _state(application: Application) -> str:
    return application.work_item.state if application.work_item is not None else ""


def _current_state(application: Application) -> str:
    return (
        WorkItem.objects.filter(pk=application.work_item_id or 0).values_list("state", flat=True).first()
        or ""
    )


def _finish(app: Application, outcome: str, now: datetime, reason: str = "", legal_basis: str = "") -> None:
    app.outcome = outcome
    app.outcome_reason = reason
    app.outcome_legal_basis = legal_basis
    app.completed_at = now
    app.save(update_fields=["outcome", "outcome_reason", "outcome_legal_basis", "completed_at"])


# The doors below parse and name the step; its rules are in approvals.steps.


def do_accept_application(
    application: Application, *, actor: User, now: datetime, expected_version: int | None = None
) -> Application:
    """受理: every required material received; the item goes to its reviewing unit with the promised
    limit (working days) as the review deadline."""
    return _step(application, "accept", actor=actor, now=now, expected_version=expected_version)


def do_request_corrections(
    application: Application,
    *,
    actor: User,
    now: datetime,
    note: str,
    expected_version: int | None = None,
    override_by: str = "",
    override_reason: str = "",
) -> Application:
    """补正 (一次性告知): the clock stops until the materials come; the applicant is told what is missing.
    A second notice needs `override_by` (who authorised it) and `override_reason`."""
    state = _current_state(application)
    action = "request_review_corrections" if state == "reviewing" else "request_intake_corrections"
    inputs = (
        {"override_by": override_by, "override_reason": override_reason}
        if override_by or override_reason
        else {}
    )
    return _step(
        application,
        action,
        actor=actor,
        now=now,
        reason=note,
        inputs=inputs,
        expected_version=expected_version,
    )


def do_resume_application(
    application: Application,
    *,
    actor: User,
    now: datetime,
    materials: Iterable[str] = (),
    expected_version: int | None = None,
) -> Application:
    """补正材料已收: record what came, and continue the stopped clock."""
    action = "review_corrected" if _current_state(application) == "review_corrections" else "resubmit"
    inputs = {"materials": list(materials)} if materials else {}
    return _step(application, action, actor=actor, now=now, inputs=inputs, expected_version=expected_version)


def do_refuse_acceptance(
    application: Application, *, actor: User, now: datetime, reason: str, expected_version: int | None = None
) -> Application:
    return _step(
        application,
        "refuse_acceptance",
        actor=actor,
        now=now,
        reason=reason,
        expected_version=expected_version,
    )


def do_complete_on_spot(
    application: Application, *, actor: User, now: datetime, expected_version: int | None = None
) -> Application:
    """即办件: accepted, decided and handed over at the window at once."""
    return _step(application, "complete_on_spot", actor=actor, now=now, expected_version=expected_version)


def do_pass_review(
    application: Application,
    *,
    actor: User,
    now: datetime,
    opinion: str = "",
    expected_version: int | None = None,
) -> Application:
    """行政许可: 审查 passed, on to 决定 (the same deadline runs on)."""
    return _step(
        application, "pass_review", actor=actor, now=now, reason=opinion, expected_version=expected_version
    )


def do_decide_application(
    application: Application,
    *,
    actor: User,
    now: datetime,
    approve: bool,
    reason: str = "",
    legal_basis: str = "",
    expected_version: int | None = None,
) -> Application:
    """准予 / 不予 with reasons and the legal basis. 行政许可 is decided after 审查 (state 待决定)."""
    return _step(
        application,
        "approve" if approve else "refuse",
        actor=actor,
        now=now,
        reason=reason,
        inputs={"legal_basis": (legal_basis or "").strip()},
        expected_version=expected_version,
    )


def do_deliver_application(
    application: Application,
    *,
    actor: User,
    now: datetime,
    method: str,
    ems_tracking_no: str = "",
    licence_type: str = "",
    expected_version: int | None = None,
) -> Application:
    """送达: window pickup, EMS (tracking number recorded) or an electronic certificate issued through
    `licences.actions.do_issue_certificate` (its identifier stored on the application)."""
    return _step(
        application,
        "deliver",
        actor=actor,
        now=now,
        inputs={"delivery_method": method, "ems_tracking_no": ems_tracking_no},
        expected_version=expected_version,
        door={"licence_type": licence_type},
    )


def _issue_certificate(app: Application, *, actor: User, now: datetime, licence_type: str) -> str:
    from licences.actions import do_issue_certificate  # built by the licences app

    code = licence_type or app.item.licence_type_code
    if not code:
        raise DomainError("invalid", "该事项未配置电子证照类型，请选择其他送达方式。", field="method")
    version = app.item_version
    assert app.work_item is not None
    issuer = app.work_item.assigned_unit or app.centre
    certificate = do_issue_certificate(
        actor=actor,
        now=now,
        licence_type=code,
        holder_name=app.applicant_name,
        holder_kind=app.applicant_kind,
        holder_number=pii.decrypt(app.applicant_number_enc),
        issuer=issuer,
        issuer_credit_code=version.implementing_body_credit_code,
        title=version.name,
        body=[
            ("事项", version.name),
            ("决定", "准予"),
            ("依据", app.outcome_legal_basis[:200]),
            ("受理编号", app.receipt_no),
        ],
        subject_type=SUBJECT_TYPE,
        subject_id=str(app.pk),
    )
    return str(certificate.identifier)


def do_withdraw_application(
    application: Application, *, actor: User, now: datetime, reason: str, expected_version: int | None = None
) -> Application:
    return _step(
        application, "withdraw", actor=actor, now=now, reason=reason, expected_version=expected_version
    )
