"""One-window intake: accept, corrections with the clock stopped and resumed, refusal, 即办件, proxy."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from approvals.actions import (
    ApplicantInput,
    do_accept_application,
    do_file_application,
    do_request_corrections,
    do_resume_application,
    do_take_application,
)
from approvals.models import Application, Channel, Outcome
from approvals.selectors import progress_of
from approvals.testing import CONFIRM_CODE, ID_NUMBER, IMMEDIATE_CODE, LICENCE_CODE, PHONE, material_uploads
from core import pii
from core.errors import DomainError, NotFound, PermissionRefused
from core.testing_codes import citizen_id, credit_code
from outbox.models import OutboxMessage

COMPANY = credit_code(7001, department="9", category="1")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """November 2026, Asia/Shanghai wall time, as UTC."""
    return datetime(2026, 11, day, hour - 8, minute, tzinfo=UTC)


def company() -> ApplicantInput:
    return ApplicantInput(kind="legal", name="苏州黄桥小厨餐饮店", number=COMPANY, phone=PHONE)


def person() -> ApplicantInput:
    return ApplicantInput(kind="natural", name="王秀英", number=ID_NUMBER, phone=PHONE)


def take(
    setup: dict[str, Any], now: datetime, decision: str, code: str = LICENCE_CODE, **extra: Any
) -> Application:
    fields: dict[str, Any] = {
        "item_code": code,
        "centre": setup["hq_centre"],
        "applicant": company() if code == LICENCE_CODE else person(),
        "materials": ["营业执照", "经营场所平面图"] if code == LICENCE_CODE else ["居民身份证", "户口簿"],
    }
    fields.update(extra)
    return do_take_application(actor=setup["hq_clerk"], now=now, decision=decision, **fields)


def test_accept_assigns_the_agency_with_the_promised_limit(setup: dict[str, Any]):
    app = take(setup, local(2, 10), "accept")
    assert app.work_item is not None
    assert app.work_item.state == "reviewing"
    assert app.work_item.assigned_unit == setup["approval_bureau"]
    # promised 5 working days from Monday 2 Nov 10:00 → end of work on Monday 9 Nov (17:30 local).
    assert app.work_item.step_due_at == local(9, 17, 30)
    assert app.accepted_at == local(2, 10)
    assert app.applicant_number_masked == COMPANY  # a credit code is public
    assert pii.decrypt(app.applicant_number_enc) == COMPANY
    assert app.item_version.version == 1
    sms = OutboxMessage.objects.filter(channel="sms", kind="approvals.accepted").get()
    assert sms.address == PHONE and app.receipt_no in sms.body


def test_corrections_stop_the_clock_and_resume_it(setup: dict[str, Any]):
    """Hand-checked: accepted Mon 2 Nov 10:00, due Mon 9 Nov 17:30 (5 working days). Corrections asked Wed
    4 Nov 10:00 leave 6 h (Wed) + 7.5 h × 3 (Thu, Fri, Mon) = 28.5 working hours. Corrected Tue 10 Nov 09:00:
    Tue 7 h, Wed 7.5 h, Thu 7.5 h = 22 h, then 6.5 h on Fri 13 Nov from 08:30 → 16:30."""
    app = take(setup, local(2, 10), "accept")
    app = do_request_corrections(
        app, actor=setup["district_approver"], now=local(4, 10), note="请补正经营场所平面图（须标注面积）"
    )
    assert app.work_item is not None
    assert app.work_item.state == "review_corrections"
    assert app.work_item.step_due_at is None
    assert app.work_item.paused_remaining_seconds == pytest.approx(28.5 * 3600)
    progress = progress_of(app, local(6, 10))
    assert progress.paused and "平面图" in progress.corrections_note
    assert progress.time_left == "剩余 3.8 个工作日"  # 28.5 h / 7.5 h, frozen while paused
    sms = OutboxMessage.objects.filter(channel="sms", kind="approvals.corrections").get()
    assert "平面图" in sms.body
    app = do_resume_application(app, actor=setup["hq_clerk"], now=local(10, 9))
    assert app.work_item is not None
    assert app.work_item.state == "reviewing"
    assert app.work_item.step_due_at == local(13, 16, 30)


def test_intake_corrections_before_acceptance(setup: dict[str, Any]):
    app = take(setup, local(2, 10), "corrections", materials=["营业执照"], reason="")
    assert app.work_item is not None and app.work_item.state == "intake_corrections"
    assert "经营场所平面图" in app.corrections_note
    # Waiting for the corrections: not acceptable until the materials came (the state refuses first).
    with pytest.raises(DomainError) as caught:
        do_accept_application(app, actor=setup["hq_clerk"], now=local(3, 9))
    assert caught.value.code == "invalid_transition"
    app = do_resume_application(app, actor=setup["hq_clerk"], now=local(3, 9), materials=["经营场所平面图"])
    assert app.work_item is not None and app.work_item.state == "submitted"
    app = do_accept_application(app, actor=setup["hq_clerk"], now=local(3, 10))
    assert app.work_item is not None and app.work_item.state == "reviewing"


def test_accept_refused_when_required_material_missing(setup: dict[str, Any]):
    with pytest.raises(DomainError) as caught:
        take(setup, local(2, 10), "accept", materials=["营业执照"])
    assert caught.value.field == "materials"
    assert not Application.objects.exists()


def test_refuse_acceptance_needs_a_reason(setup: dict[str, Any]):
    with pytest.raises(DomainError) as caught:
        take(setup, local(2, 10), "refuse", reason="")
    assert caught.value.field == "reason"
    app = take(setup, local(2, 10), "refuse", reason="不属于本中心受理范围")
    assert app.outcome == Outcome.NOT_ACCEPTED and app.completed_at == local(2, 10)
    assert app.work_item is not None and app.work_item.state == "not_accepted"


def test_immediate_item_completes_on_the_spot(setup: dict[str, Any]):
    app = take(setup, local(2, 10), "accept", code=IMMEDIATE_CODE, materials=["居民身份证"])
    assert app.work_item is not None and app.work_item.state == "completed"
    assert app.outcome == Outcome.APPROVED and app.delivery_method == "window"


@pytest.mark.parametrize(
    ("applicant", "field"),
    [
        (
            ApplicantInput(kind="natural", name="王秀英", number="320500198001010050", phone=PHONE),
            "applicant_number",
        ),
        (
            ApplicantInput(kind="legal", name="某公司", number="913205070000000000", phone=PHONE),
            "applicant_number",
        ),
        (ApplicantInput(kind="natural", name="", number=ID_NUMBER, phone=PHONE), "applicant_name"),
        (ApplicantInput(kind="natural", name="王秀英", number=ID_NUMBER, phone="12345"), "applicant_phone"),
        (ApplicantInput(kind="robot", name="王秀英", number=ID_NUMBER, phone=PHONE), "applicant_kind"),
    ],
)
def test_bad_applicant(setup: dict[str, Any], applicant: ApplicantInput, field: str):
    with pytest.raises(DomainError) as caught:
        take(setup, local(2, 10), "accept", code=CONFIRM_CODE, applicant=applicant)
    assert caught.value.field == field


def test_citizen_id_is_masked_and_hashed(setup: dict[str, Any]):
    app = take(setup, local(2, 10), "accept", code=CONFIRM_CODE)
    assert app.applicant_number_masked == pii.mask_id_number(ID_NUMBER)
    assert app.applicant_number_hash == pii.lookup_hash(ID_NUMBER)
    assert ID_NUMBER not in app.applicant_number_enc
    assert app.work_item is not None and app.work_item.assigned_unit == setup["hq_social"]


def test_only_the_centres_clerks_take_applications(setup: dict[str, Any]):
    for user in (setup["wt_clerk"], setup["hq_agency"], setup["district_approver"]):
        with pytest.raises(PermissionRefused):
            do_take_application(
                actor=user,
                now=local(2, 10),
                decision="accept",
                item_code=CONFIRM_CODE,
                centre=setup["hq_centre"],
                applicant=person(),
                materials=["居民身份证", "户口簿"],
            )


def test_item_must_be_authorised_at_the_centre(setup: dict[str, Any]):
    from approvals.actions import do_revoke_authorisation

    do_revoke_authorisation(setup["hq_centre"], [CONFIRM_CODE], actor=setup["steward"], now=local(2, 9))
    with pytest.raises(DomainError) as caught:
        take(setup, local(2, 10), "accept", code=CONFIRM_CODE)
    assert caught.value.code == "not_authorised"


def test_proxy_by_grid_worker_records_consent_and_tells_the_resident(setup: dict[str, Any]):
    with pytest.raises(DomainError) as caught:
        do_file_application(
            actor=setup["hq_grid"],
            now=local(2, 10),
            item_code=CONFIRM_CODE,
            centre=setup["hq_centre"],
            channel=Channel.PROXY,
            applicant=person(),
        )
    assert caught.value.field == "proxy_consent"
    app = do_file_application(
        actor=setup["hq_grid"],
        now=local(2, 10),
        item_code=CONFIRM_CODE,
        centre=setup["hq_centre"],
        channel=Channel.PROXY,
        applicant=person(),
        materials=["居民身份证", "户口簿"],
        proxy_consent="王秀英本人当面签字同意委托网格员代办（2026-11-02）",
    )
    assert app.proxy_worker == setup["hq_grid"]
    assert app.territory_code == "320507003201001"
    assert app.work_item is not None and app.work_item.state == "submitted"
    sms = OutboxMessage.objects.filter(channel="sms", kind="approvals.filed").get()
    assert app.receipt_no in sms.body and "代办" in sms.body
    # the centre's clerk sees and accepts it
    app = do_accept_application(app, actor=setup["hq_clerk"], now=local(2, 11))
    assert app.work_item is not None and app.work_item.state == "reviewing"


def test_outsider_grid_worker_cannot_proxy_at_another_towns_centre(setup: dict[str, Any]):
    with pytest.raises(NotFound):
        do_file_application(
            actor=setup["wt_grid"],
            now=local(2, 10),
            item_code=CONFIRM_CODE,
            centre=setup["hq_centre"],
            channel=Channel.PROXY,
            applicant=person(),
            proxy_consent="同意",
        )


def test_online_application_waits_in_pre_check(setup: dict[str, Any]):
    with pytest.raises(PermissionRefused):
        do_file_application(
            actor=setup["hq_clerk"],
            now=local(2, 10),
            item_code=CONFIRM_CODE,
            centre=setup["hq_centre"],
            channel=Channel.ONLINE,
            applicant=person(),
        )
    app = do_file_application(
        actor=setup["system"],
        now=local(2, 10),
        item_code=CONFIRM_CODE,
        centre=setup["hq_centre"],
        channel=Channel.ONLINE,
        applicant=ApplicantInput(kind="natural", name="王秀英", number=citizen_id(33), phone=PHONE),
        attachments=material_uploads("居民身份证", "户口簿"),
    )
    assert app.work_item is not None and app.work_item.state == "submitted"
    assert app.work_item.assigned_unit == setup["hq_centre"]


def test_local_resident_born_before_the_district_existed_is_accepted():
    """相城区 (320507) dates from 2001; its residents born earlier keep 320507 IDs. python-stdnum's
    birth-place table would refuse them, GB 11643's check does not."""
    from approvals.actions import clean_applicant

    first17 = "32050719650312041"
    number = (
        first17
        + "10X98765432"[
            sum(
                int(c) * w
                for c, w in zip(first17, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), strict=True)
            )
            % 11
        ]
    )
    clean = clean_applicant(ApplicantInput(kind="natural", name="沈阿大", number=number, phone=PHONE))
    assert clean.number == number
