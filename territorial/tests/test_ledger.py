"""Organisations, accounts and the ledger: hand-computed totals, roles, the outsider, bad input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from audit.models import AuditEvent
from core.errors import DomainError
from territorial import actions
from territorial.models import Account, CollectiveOrganisation, LedgerEntry
from territorial.selectors import organisations, unreconciled
from territorial.tests.conftest import NOW, voucher
from territory.testing import HUANGQIAO_VILLAGE

pytestmark = pytest.mark.django_db


def test_receipts_and_payments_to_the_fen(people: dict[str, Any], org: CollectiveOrganisation) -> None:
    account = actions.do_open_account(org, name="农商行基本户", kind="bank", actor=people["hq_head"], now=NOW)
    for direction, amount in [("in", "12000.10"), ("in", "0.20"), ("out", "3500.05"), ("in", 7)]:
        actions.do_record_entry(
            account,
            direction=direction,
            voucher=voucher(),
            amount=amount,
            booked_on=date(2026, 6, 1),
            summary="租金",
            actor=people["hq_head"],
            now=NOW,
        )
    account.refresh_from_db()
    # 12000.10 + 0.20 − 3500.05 + 7 = 8507.25 (0.1 + 0.2 in floats would not be 0.3)
    assert account.balance == Decimal("8507.25")
    assert unreconciled() == []
    assert AuditEvent.objects.filter(action="territorial.record_entry").count() == 4


def test_reconcile_finds_a_tampered_balance(people: dict[str, Any], org: CollectiveOrganisation) -> None:
    account = actions.do_open_account(org, name="现金", kind="cash", actor=people["hq_agency"], now=NOW)
    actions.do_record_entry(
        account,
        direction="in",
        voucher=voucher(),
        amount="100.00",
        booked_on=date(2026, 6, 1),
        summary="收款",
        actor=people["hq_agency"],
        now=NOW,
    )
    Account.objects.filter(pk=account.pk).update(balance=Decimal("100.01"))
    [(wrong, total)] = unreconciled()
    assert wrong.pk == account.pk and total == Decimal("100.00")


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("-5", "negative_amount"),
        ("0", "zero_amount"),
        ("1.005", "amount_precision"),
        (0.3, "invalid_amount"),
        ("abc", "invalid_amount"),
        ("NaN", "invalid_amount"),
    ],
)
def test_bad_amounts_write_nothing(
    people: dict[str, Any], org: CollectiveOrganisation, amount: Any, code: str
) -> None:
    account = actions.do_open_account(org, name="现金", kind="cash", actor=people["hq_head"], now=NOW)
    with pytest.raises(DomainError) as error:
        actions.do_record_entry(
            account,
            direction="in",
            voucher=voucher(),
            amount=amount,
            booked_on=date(2026, 6, 1),
            summary="收款",
            actor=people["hq_head"],
            now=NOW,
        )
    assert error.value.code == code and error.value.field == "amount"
    assert not LedgerEntry.objects.exists()
    account.refresh_from_db()
    assert account.balance == 0


def test_overdraft_refused(people: dict[str, Any], org: CollectiveOrganisation) -> None:
    account = actions.do_open_account(org, name="现金", kind="cash", actor=people["hq_head"], now=NOW)
    with pytest.raises(DomainError) as error:
        actions.do_record_entry(
            account,
            direction="out",
            amount="1",
            booked_on=date(2026, 6, 1),
            summary="付款",
            actor=people["hq_head"],
            now=NOW,
        )
    assert error.value.code == "insufficient_balance"
    assert not LedgerEntry.objects.exists()


def test_roles_and_the_outsider(people: dict[str, Any], org: CollectiveOrganisation) -> None:
    with pytest.raises(DomainError) as outsider:
        actions.do_open_account(org, name="现金", kind="cash", actor=people["wt_head"], now=NOW)
    assert outsider.value.status == 404
    with pytest.raises(DomainError) as officer:
        actions.do_open_account(org, name="现金", kind="cash", actor=people["hq_officer"], now=NOW)
    assert officer.value.status == 403
    with pytest.raises(DomainError) as village:  # founding an organisation is the town's act
        actions.do_create_organisation(
            village_code=HUANGQIAO_VILLAGE, name="另一社", actor=people["hq_head"], now=NOW
        )
    assert village.value.status == 403
    assert not Account.objects.exists()
    assert list(organisations(people["wt_head"])) == []
    assert list(organisations(people["hq_head"])) == [org]


def test_resource_outline_checked(people: dict[str, Any], org: CollectiveOrganisation) -> None:
    with pytest.raises(DomainError) as error:
        actions.do_record_resource(
            org,
            name="东荡",
            kind="water",
            area_mu="35.5",
            outline={"type": "Polygon", "coordinates": [[[120, 31], [121, 31]]]},
            actor=people["hq_head"],
            now=NOW,
        )
    assert error.value.code == "invalid_outline"
    square = {
        "type": "Polygon",
        "coordinates": [[[120.5, 31.4], [120.51, 31.4], [120.51, 31.41], [120.5, 31.4]]],
    }
    resource = actions.do_record_resource(
        org, name="东荡", kind="water", area_mu="35.5", outline=square, actor=people["hq_head"], now=NOW
    )
    assert resource.area_mu == Decimal("35.50")
