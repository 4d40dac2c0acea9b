"""Review and decision by the item's agency, and delivery (window, EMS, electronic certificate)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from approvals.actions import (
    do_decide_application,
    do_deliver_application,
    do_pass_review,
    do_withdraw_application,
)
from approvals.models import Application, Outcome
from approvals.testing import CONFIRM_CODE
from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from outbox.models import OutboxMessage

from .test_intake import take

BASIS = "《中华人民共和国食品安全法》第三十五条"


def local(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour - 8, tzinfo=UTC)


@pytest.fixture
def licence_app(setup: dict[str, Any]) -> Application:
    return take(setup, local(2, 10), "accept")


def test_licensing_is_reviewed_then_decided(setup: dict[str, Any], licence_app: Application):
    approver = setup["district_approver"]
    with pytest.raises(Conflict):
        do_decide_application(licence_app, actor=approver, now=local(3, 10), approve=True, legal_basis=BASIS)
    app = do_pass_review(licence_app, actor=approver, now=local(3, 10), opinion="材料齐全，符合条件")
    assert app.work_item is not None and app.work_item.state == "deciding"
    # the review deadline runs on into 决定
    assert app.work_item.step_due_at == datetime(2026, 11, 9, 9, 30, tzinfo=UTC)  # 17:30 local
    app = do_decide_application(app, actor=approver, now=local(4, 10), approve=True, legal_basis=BASIS)
    assert app.outcome == Outcome.APPROVED and app.completed_at is None
    assert app.work_item is not None and app.work_item.state == "approved"
    assert OutboxMessage.objects.filter(channel="sms", kind="approvals.decided").exists()


def test_single_review_items_decide_at_once_and_refusal_needs_reasons(setup: dict[str, Any]):
    app = take(setup, local(2, 10), "accept", code=CONFIRM_CODE)
    approver = setup["hq_approver"]
    with pytest.raises(Conflict):
        do_pass_review(app, actor=approver, now=local(3, 10))
    with pytest.raises(DomainError) as caught:
        do_decide_application(app, actor=approver, now=local(3, 10), approve=False, legal_basis=BASIS)
    assert caught.value.field == "reason"
    with pytest.raises(DomainError) as caught:
        do_decide_application(app, actor=approver, now=local(3, 10), approve=True, legal_basis="")
    assert caught.value.field == "legal_basis"
    app = do_decide_application(
        app,
        actor=approver,
        now=local(3, 10),
        approve=False,
        reason="不符合参保条件",
        legal_basis="《社会保险法》",
    )
    assert app.outcome == Outcome.REFUSED and app.completed_at == local(3, 10)
    assert app.work_item is not None and app.work_item.state == "refused"


def test_only_the_agencys_approvers_decide(setup: dict[str, Any], licence_app: Application):
    for user in (setup["hq_clerk"], setup["hq_approver"], setup["hq_agency"]):
        with pytest.raises(PermissionRefused):
            do_pass_review(licence_app, actor=user, now=local(3, 10))
    with pytest.raises(NotFound):
        do_pass_review(licence_app, actor=setup["wt_grid"], now=local(3, 10))


def _approved(setup: dict[str, Any], app: Application) -> Application:
    approver = setup["district_approver"]
    app = do_pass_review(app, actor=approver, now=local(3, 10))
    return do_decide_application(app, actor=approver, now=local(3, 11), approve=True, legal_basis=BASIS)


def test_delivery_by_ems_records_the_tracking_number(setup: dict[str, Any], licence_app: Application):
    app = _approved(setup, licence_app)
    with pytest.raises(DomainError) as caught:
        do_deliver_application(
            app, actor=setup["hq_clerk"], now=local(4, 10), method="ems", ems_tracking_no="x"
        )
    assert caught.value.field == "ems_tracking_no"
    app = do_deliver_application(
        app, actor=setup["hq_clerk"], now=local(4, 10), method="ems", ems_tracking_no="ea123456789cn"
    )
    assert app.ems_tracking_no == "EA123456789CN" and app.completed_at == local(4, 10)
    assert app.work_item is not None and app.work_item.state == "completed"
    assert "EA123456789CN" in OutboxMessage.objects.filter(kind="approvals.delivered").get().body


def test_delivery_as_electronic_certificate(setup: dict[str, Any], licence_app: Application):
    from licences.models import Certificate
    from licences.reference import do_seed_licence_types

    do_seed_licence_types(actor=setup["system"], now=local(2, 9))
    app = _approved(setup, licence_app)
    app = do_deliver_application(app, actor=setup["district_approver"], now=local(4, 10), method="electronic")
    certificate = Certificate.objects.get(subject_type="approvals.application", subject_id=str(app.pk))
    assert app.certificate_identifier == certificate.identifier
    assert app.certificate_identifier.startswith("1.2.156.3005.2.")


def test_electronic_delivery_without_public_base_url_is_refused_and_nothing_lost(
    setup: dict[str, Any], licence_app: Application, settings: Any
):
    from licences.models import Certificate
    from licences.reference import do_seed_licence_types

    do_seed_licence_types(actor=setup["system"], now=local(2, 9))
    app = _approved(setup, licence_app)
    settings.PUBLIC_BASE_URL = ""
    with pytest.raises(DomainError) as caught:
        do_deliver_application(app, actor=setup["district_approver"], now=local(4, 10), method="electronic")
    assert (caught.value.code, caught.value.status) == ("public_base_url_missing", 503)
    app.refresh_from_db()
    assert app.completed_at is None and not app.certificate_identifier and not Certificate.objects.exists()
    assert app.work_item is not None and app.work_item.state != "completed"
    # Delivered another way, or electronically once the address is configured.
    settings.PUBLIC_BASE_URL = "https://zhili.example.gov.cn"
    app = do_deliver_application(app, actor=setup["district_approver"], now=local(4, 11), method="electronic")
    assert app.certificate_identifier == Certificate.objects.get().identifier


def test_withdraw(setup: dict[str, Any], licence_app: Application):
    with pytest.raises(DomainError):
        do_withdraw_application(licence_app, actor=setup["hq_clerk"], now=local(3, 10), reason="")
    app = do_withdraw_application(
        licence_app, actor=setup["hq_clerk"], now=local(3, 10), reason="申请人书面撤回"
    )
    assert app.outcome == Outcome.WITHDRAWN
    with pytest.raises(Conflict):
        do_pass_review(app, actor=setup["district_approver"], now=local(3, 11))
