"""approval_application through both doors (tests/two_doors.py): every action of the definition walked on
two applications in lockstep — the `do_*_application` doors (approvals' API and pages) and the generic
work-item endpoint — with the same state, outcome and completion fields, audit rows and SMS. And the
step rules at either door: 不予受理 records its outcome, 补正 is told once, an online 即办件 is due the
same working day."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

from approvals import actions
from approvals.actions import ApplicantInput, do_file_application
from approvals.models import Application, Channel, Outcome
from approvals.testing import ID_NUMBER, IMMEDIATE_CODE, LICENCE_CODE, PHONE, material_uploads
from audit.models import AuditEvent
from core.errors import DomainError
from tests.two_doors import Move, Streams, present, uncovered
from workflow.engine import transition
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Suzhou


def _door(app: Application, move: Move, actor: Any, now: datetime) -> None:
    """Approvals' own door for each step (the functions its API and pages call)."""
    name, given = move.action, move.inputs
    common = {"actor": actor, "now": now}
    if name == "accept":
        actions.do_accept_application(app, **common)
    elif name in ("request_intake_corrections", "request_review_corrections"):
        actions.do_request_corrections(
            app,
            note=move.reason,
            override_by=given.get("override_by", ""),
            override_reason=given.get("override_reason", ""),
            **common,
        )
    elif name in ("resubmit", "review_corrected"):
        actions.do_resume_application(app, materials=given.get("materials", ()), **common)
    elif name == "refuse_acceptance":
        actions.do_refuse_acceptance(app, reason=move.reason, **common)
    elif name == "complete_on_spot":
        actions.do_complete_on_spot(app, **common)
    elif name == "pass_review":
        actions.do_pass_review(app, opinion=move.reason, **common)
    elif name in ("approve", "refuse"):
        actions.do_decide_application(
            app, approve=name == "approve", reason=move.reason, legal_basis=given["legal_basis"], **common
        )
    elif name == "deliver":
        actions.do_deliver_application(app, method=given["delivery_method"], **common)
    elif name == "withdraw":
        actions.do_withdraw_application(app, reason=move.reason, **common)
    else:  # 督办: the sweeper's step, no door of approvals' own
        transition(_item(app), name, actor=actor, now=now, reason=move.reason, inputs=dict(given))


def _item(app: Application) -> WorkItem:
    app.refresh_from_db()
    assert app.work_item is not None
    return app.work_item


def _records(app: Application) -> dict[str, Any]:
    app.refresh_from_db()
    return {
        "outcome": app.outcome,
        "outcome_reason": app.outcome_reason,
        "outcome_legal_basis": app.outcome_legal_basis,
        "completed_at": app.completed_at,
        "accepted_at": app.accepted_at,
        "corrections_note": app.corrections_note,
        "materials": app.materials,
        "delivery_method": app.delivery_method,
        "delivered_at": app.delivered_at,
        "certificate": present(app.certificate_identifier),
    }


def _maker(setup: dict[str, Any], code: str, materials: list[str]) -> Any:
    def make(now: datetime) -> Application:
        return do_file_application(
            actor=setup["hq_clerk"],
            now=now,
            item_code=code,
            centre=setup["hq_centre"],
            channel=Channel.WINDOW,
            applicant=ApplicantInput(kind="natural", name="王秀英", number=ID_NUMBER, phone=PHONE),
            materials=materials,
        )

    return make


def _streams(setup: dict[str, Any], code: str = LICENCE_CODE, materials: tuple[str, ...] = ()) -> Streams:
    return Streams(
        process="approval_application",
        people=setup,
        make=_maker(setup, code, list(materials) or ["营业执照", "经营场所平面图"]),
        stream_door=_door,
        item_of=_item,
        records=_records,
    )


BASIS = {"legal_basis": "《中华人民共和国食品安全法》第三十五条"}
ROUTES: dict[str, list[Move]] = {
    "licence": [
        Move("accept", "hq_clerk"),
        Move("supervise", "system"),
        Move("request_review_corrections", "district_approver", reason="平面图比例不符，请补正"),
        Move("review_corrected", "district_approver", inputs={"materials": ["经营场所平面图"]}),
        Move("pass_review", "district_approver", reason="符合条件"),
        Move("supervise_decision", "system"),
        Move("approve", "district_approver", inputs=BASIS),
        Move("deliver", "hq_clerk", inputs={"delivery_method": "window"}),
    ],
    "refused": [
        Move("accept", "hq_clerk"),
        Move("pass_review", "district_approver"),
        Move("refuse", "district_approver", reason="经营场所不符合要求", inputs=BASIS),
    ],
    "not_accepted": [
        Move("request_intake_corrections", "hq_clerk", reason="请补交营业执照"),
        Move("resubmit", "hq_clerk", inputs={"materials": ["营业执照"]}),
        Move("refuse_acceptance", "hq_clerk", reason="不属于本中心受理范围"),
    ],
    "withdrawn": [Move("accept", "hq_clerk"), Move("withdraw", "hq_clerk", reason="申请人书面撤回")],
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_step_is_the_same_through_both_doors(setup: dict[str, Any], route: str) -> None:
    streams = _streams(setup)
    assert streams.walk(ROUTES[route], START) == [m.action for m in ROUTES[route]]


# Walked on an immediate item (即办件), not on the licence the routes above take.
IMMEDIATE = [Move("complete_on_spot", "hq_clerk")]


def test_immediate_item_through_both_doors(setup: dict[str, Any]) -> None:
    streams = _streams(setup, IMMEDIATE_CODE, ("居民身份证",))
    assert streams.walk(IMMEDIATE, START) == ["complete_on_spot"]


def test_the_routes_take_every_action(setup: dict[str, Any]) -> None:
    routes = [*ROUTES.values(), IMMEDIATE]
    assert uncovered(routes, _streams(setup).actions(START)) == set()


# ---------------------------------------------------------------------------------------------- rules


def _generic(setup: dict[str, Any], app: Application, who: str, action: str, **body: Any) -> Any:
    client = APIClient()
    client.force_authenticate(setup[who])
    return client.post(
        f"/api/v1/work-items/{app.work_item_id}/transitions/", {"action": action, **body}, format="json"
    )


def test_refuse_acceptance_through_the_generic_door_records_the_outcome(setup: dict[str, Any]) -> None:
    app = _maker(setup, LICENCE_CODE, ["营业执照"])(START)
    response = _generic(setup, app, "hq_clerk", "refuse_acceptance", reason="材料不全且不属受理范围")
    assert response.status_code == 200
    app.refresh_from_db()
    assert app.outcome == Outcome.NOT_ACCEPTED and app.completed_at is not None
    assert app.outcome_reason == "材料不全且不属受理范围"


def test_corrections_are_told_once(setup: dict[str, Any]) -> None:
    """行政许可法第三十二条第四项: once and completely. A second notice (intake, then again in review) is
    refused at both doors unless an authorised override (who, why) is given — and that is audited."""
    app = _maker(setup, LICENCE_CODE, ["营业执照"])(START)
    actions.do_request_corrections(app, actor=setup["hq_clerk"], now=START, note="请补交经营场所平面图")
    actions.do_resume_application(app, actor=setup["hq_clerk"], now=START, materials=["经营场所平面图"])
    actions.do_accept_application(app, actor=setup["hq_clerk"], now=START)
    with pytest.raises(DomainError) as caught:
        actions.do_request_corrections(app, actor=setup["district_approver"], now=START, note="再补一份")
    assert caught.value.code == "corrections_already_notified"
    refused = _generic(setup, app, "district_approver", "request_review_corrections", reason="再补一份")
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["code"] == "corrections_already_notified"
    # An override by someone who may not authorise it is refused too.
    bad = _generic(
        setup,
        app,
        "district_approver",
        "request_review_corrections",
        reason="再补一份",
        inputs={"override_by": "hq_clerk", "override_reason": "现场核查发现新问题"},
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "inputs.override_by"
    ok = _generic(
        setup,
        app,
        "district_approver",
        "request_review_corrections",
        reason="现场核查发现排烟设施不符，请补正",
        inputs={"override_by": "hq_leader", "override_reason": "现场核查发现新问题"},
    )
    assert ok.status_code == 200
    audit = AuditEvent.objects.get(action="approvals.corrections_override")
    assert audit.after is not None
    assert audit.after["by"] == "hq_leader" and audit.after["reason"] == "现场核查发现新问题"


@pytest.mark.parametrize("channel", [Channel.WINDOW, Channel.ONLINE])
def test_immediate_item_is_due_the_same_working_day(setup: dict[str, Any], channel: str) -> None:
    """An 即办件 filed at 10:00 on a Monday is due at the end of that working day, not in 2 working days."""
    actor = setup["hq_clerk"] if channel == Channel.WINDOW else setup["system"]
    # At the window the clerk ticks the card seen; online it is uploaded.
    materials: dict[str, Any] = (
        {"materials": ["居民身份证"]}
        if channel == Channel.WINDOW
        else {"attachments": material_uploads("居民身份证")}
    )
    app = do_file_application(
        actor=actor,
        now=START,
        item_code=IMMEDIATE_CODE,
        centre=setup["hq_centre"],
        channel=channel,
        applicant=ApplicantInput(kind="natural", name="王秀英", number=ID_NUMBER, phone=PHONE),
        **materials,
    )
    item = _item(app)
    assert item.state == "submitted"
    assert item.step_due_at == datetime(2026, 11, 2, 9, 30, tzinfo=UTC)  # 17:30 in Suzhou, same day
