"""Window intake in bulk: the same checks set-wise, engine bulk start, links, receipts without collisions."""

from __future__ import annotations

from typing import Any

import pytest

from approvals import actions
from approvals.actions import ApplicantInput, IntakeSpec, applicants, do_file_applications_bulk
from approvals.models import Application
from approvals.testing import CONFIRM_CODE, LICENCE_CODE, PHONE
from core.errors import DomainError, PermissionRefused
from core.testing_codes import citizen_id
from workflow.models import WorkItem


def spec(n: int, code: str = LICENCE_CODE, **overrides: Any) -> IntakeSpec:
    applicant = ApplicantInput("natural", f"申请人{n}", citizen_id(n), PHONE)
    materials = ("营业执照",) if code == LICENCE_CODE else ("居民身份证",)
    return IntakeSpec(item_code=code, applicant=overrides.get("applicant", applicant), materials=materials)


def test_bulk_intake(setup: dict[str, Any], now):
    rows = do_file_applications_bulk(
        [spec(n) for n in range(5)] + [spec(9, CONFIRM_CODE)],
        centre=setup["hq_centre"],
        actor=setup["hq_clerk"],
        now=now,
    )
    assert len({r.receipt_no for r in rows}) == 6
    apps = Application.objects.select_related("work_item").order_by("id")
    assert [a.work_item.subject_id for a in apps if a.work_item] == [str(a.pk) for a in apps]
    assert {a.work_item.state for a in apps if a.work_item} == {"submitted"}
    licence = WorkItem.objects.get(subject_id=str(rows[0].pk))
    assert licence.limit_overrides == {"reviewing": {"amount": 5, "unit": "work_days"}}
    # the bulk-filed application goes on like any other
    app = actions.do_request_corrections(rows[0], actor=setup["hq_clerk"], now=now, note="")
    assert "经营场所平面图" in app.corrections_note


def test_bulk_intake_refuses_the_batch_naming_the_bad_row(setup: dict[str, Any], now):
    bad = spec(3, applicant=ApplicantInput("natural", "某人", "320500198001010050", PHONE))
    with pytest.raises(DomainError) as caught:
        do_file_applications_bulk(
            [spec(1), spec(2), bad], centre=setup["hq_centre"], actor=setup["hq_clerk"], now=now
        )
    assert caught.value.field == "2.applicant_number"
    with pytest.raises(PermissionRefused):
        do_file_applications_bulk([spec(1)], centre=setup["hq_centre"], actor=setup["wt_clerk"], now=now)
    assert not Application.objects.exists()


def test_receipt_collisions_are_drawn_again(setup: dict[str, Any], now, monkeypatch: pytest.MonkeyPatch):
    taken = do_file_applications_bulk([spec(1)], centre=setup["hq_centre"], actor=setup["hq_clerk"], now=now)[
        0
    ]
    draws = iter([taken.receipt_no, "SP2026110200000001", "SP2026110200000001", "SP2026110200000002"])
    monkeypatch.setattr(applicants, "new_receipt_no", lambda _now: next(draws))
    numbers = applicants._draw_receipts(2, now)
    assert sorted(numbers) == ["SP2026110200000001", "SP2026110200000002"]
