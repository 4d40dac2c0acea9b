"""The payment approval chain: village proposal → village committee → town 三资 office."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import DomainError
from territorial.funds import do_propose_payment, do_review_payment
from territorial.models import Account, LedgerEntry, Payment
from territorial.selectors import unreconciled
from territorial.tests.conftest import NOW, voucher
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db


def _propose(account: Account, clerk: Any, amount: str = "8000.00") -> Payment:
    return do_propose_payment(
        account,
        amount=amount,
        payee="某某建筑队",
        purpose="村道修补",
        voucher=voucher(),
        actor=clerk,
        now=NOW,
    )


def test_large_sum_needs_the_town(people: dict[str, Any], funded: Account, clerk: Any) -> None:
    payment = _propose(funded, clerk)
    assert str(payment.voucher.name).endswith(".png")
    with pytest.raises(DomainError) as small:
        do_review_payment(payment, "committee_settle", actor=people["hq_head"], now=NOW)
    assert small.value.code == "town_approval_required"
    do_review_payment(payment, "committee_approve", actor=people["hq_head"], now=NOW)
    assert not LedgerEntry.objects.filter(amount__lt=0).exists()  # nothing paid before the town signs
    with pytest.raises(DomainError) as outsider:
        do_review_payment(payment, "town_approve", actor=people["wt_head"], now=NOW)
    assert outsider.value.status == 404
    with pytest.raises(DomainError) as village:
        do_review_payment(payment, "town_approve", actor=people["hq_head"], now=NOW)
    assert village.value.status == 403
    payment = do_review_payment(payment, "town_approve", actor=people["hq_agency"], now=NOW)
    assert payment.work_item.state == "paid"
    assert payment.entry is not None and payment.entry.amount == Decimal("-8000.00")
    funded.refresh_from_db()
    assert funded.balance == Decimal("12000.00")  # 20,000.00 − 8,000.00
    assert unreconciled() == []


def test_small_sum_settled_by_the_committee(people: dict[str, Any], funded: Account, clerk: Any) -> None:
    payment = _propose(funded, clerk, amount="4999.99")
    payment = do_review_payment(payment, "committee_settle", actor=people["hq_head"], now=NOW)
    funded.refresh_from_db()
    assert funded.balance == Decimal("15000.01")  # 20,000.00 − 4,999.99


def test_the_proposer_does_not_approve(people: dict[str, Any], funded: Account) -> None:
    payment = do_propose_payment(
        funded,
        amount="100",
        payee="甲",
        purpose="办公用品",
        voucher=voucher(),
        actor=people["hq_head"],
        now=NOW,
    )
    with pytest.raises(DomainError) as error:
        do_review_payment(payment, "committee_settle", actor=people["hq_head"], now=NOW)
    assert error.value.status == 403


def test_rejected_payment_pays_nothing(people: dict[str, Any], funded: Account, clerk: Any) -> None:
    payment = _propose(funded, clerk)
    payment = do_review_payment(payment, "reject", actor=people["hq_head"], now=NOW, reason="凭证不全")
    assert payment.work_item.state == "rejected" and payment.entry is None
    funded.refresh_from_db()
    assert funded.balance == Decimal("20000.00")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"voucher": None}, "voucher_required"),
        ({"amount": "-1"}, "negative_amount"),
        ({"amount": "20000.01"}, "insufficient_balance"),
        ({"payee": " "}, "required"),
        (
            {"voucher": SimpleUploadedFile("v.png", b"<html>not an image", content_type="image/png")},
            "invalid_type",
        ),
    ],
)
def test_bad_input_writes_nothing(
    people: dict[str, Any], funded: Account, clerk: Any, changes: dict[str, Any], code: str
) -> None:
    fields: dict[str, Any] = {
        "amount": "100",
        "payee": "甲",
        "purpose": "办公用品",
        "voucher": voucher(),
        **changes,
    }
    with pytest.raises(DomainError) as error:
        do_propose_payment(funded, actor=clerk, now=NOW, **fields)
    assert error.value.code == code
    assert not Payment.objects.exists() and not WorkItem.objects.exists()


def test_outsider_cannot_propose(people: dict[str, Any], funded: Account) -> None:
    with pytest.raises(DomainError) as error:
        do_propose_payment(
            funded, amount="1", payee="甲", purpose="乙", voucher=voucher(), actor=people["wt_head"], now=NOW
        )
    assert error.value.status == 404


def test_a_long_purpose_and_payee_fit_the_ledger_line(
    people: dict[str, Any], funded: Account, clerk: Any
) -> None:
    """The ledger line reads "用途（收款方）" within its 200 characters (PostgreSQL refuses a longer one):
    the purpose is shortened on a character, with an ellipsis; the payee stays whole, as the public
    page masks a person's name by its whole."""
    purpose = ("修缮村民活动中心屋面及排水沟" * 14)[:190]
    payee = "苏州市相城区黄桥街道某某建筑装饰工程有限公司" * 4 + "第二项目部"
    assert (len(purpose), len(payee)) == (190, 93)
    payment = do_propose_payment(
        funded, amount="4800.00", payee=payee, purpose=purpose, voucher=voucher(), actor=clerk, now=NOW
    )
    assert payment.purpose == purpose and payment.payee == payee  # the proposal keeps both whole
    assert len(payment.work_item.title) <= 200
    payment = do_review_payment(payment, "committee_settle", actor=people["hq_head"], now=NOW)

    assert payment.entry is not None
    summary = LedgerEntry.objects.get(pk=payment.entry.pk).summary
    assert len(summary) == 200
    assert summary.endswith(f"…（{payee}）")
    assert summary.startswith(purpose[: 200 - len(payee) - 3])


def test_a_short_purpose_and_payee_are_not_shortened(
    people: dict[str, Any], funded: Account, clerk: Any
) -> None:
    payment = do_review_payment(
        _propose(funded, clerk, amount="100.00"), "committee_settle", actor=people["hq_head"], now=NOW
    )
    assert payment.entry is not None and payment.entry.summary == "村道修补（某某建筑队）"
    assert payment.work_item.title == "支出 100.00 元：村道修补"
