"""Contracts and the warnings computed from the clock, with hand-computed figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from core.errors import DomainError
from registry.models import Entity
from territorial import actions
from territorial.contracts import (
    ContractInput,
    do_receive_instalment,
    do_renew_contract,
    do_sign_contract,
    do_terminate_contract,
)
from territorial.figures import command_figures
from territorial.findings import findings
from territorial.funds import do_propose_payment
from territorial.models import Account, Contract, Instalment
from territorial.tests import conftest as fixtures
from territorial.tests.conftest import NOW, voucher

pytestmark = pytest.mark.django_db
tenant = fixtures.tenant  # command's tests take it from here
TODAY = date(2026, 6, 15)  # NOW in Asia/Shanghai
SQUARE = {"type": "Polygon", "coordinates": [[[120.5, 31.4], [120.51, 31.4], [120.51, 31.41], [120.5, 31.4]]]}


def _sign(
    org: Any,
    people: dict[str, Any],
    tenant: Entity,
    number: str,
    starts: date,
    ends: date,
    price: str,
    schedule: list[tuple[date, str]],
    reference: str | None = None,
) -> Contract:
    resource = actions.do_record_resource(
        org, name=f"地块{number}", kind="land", area_mu="10", outline=SQUARE, actor=people["hq_head"], now=NOW
    )
    data = ContractInput(
        number=number,
        starts_on=starts,
        ends_on=ends,
        annual_price=price,
        schedule=schedule,
        entity=tenant,
        resource=resource,
        reference_price=reference,
    )
    return do_sign_contract(org, data, actor=people["hq_head"], now=NOW)


def test_findings_and_command_figures(
    people: dict[str, Any], org: Any, funded: Account, tenant: Entity
) -> None:
    c1 = _sign(
        org,
        people,
        tenant,
        "HT-1",
        date(2025, 7, 1),
        date(2026, 7, 10),
        "10000",
        [(date(2025, 7, 1), "5000"), (date(2026, 1, 1), "5000")],
        reference="12000",
    )
    _sign(
        org,
        people,
        tenant,
        "HT-2",
        date(2025, 1, 1),
        date(2026, 8, 31),
        "8000",
        [(date(2026, 6, 20), "8000")],
    )
    _sign(
        org,
        people,
        tenant,
        "HT-3",
        date(2026, 1, 1),
        date(2028, 12, 31),
        "3000",
        [(date(2026, 3, 1), "3000")],
    )
    do_receive_instalment(c1.instalments.first(), funded, voucher=voucher(), actor=people["hq_head"], now=NOW)  # type: ignore[arg-type]
    actions.do_record_entry(
        funded,
        direction="out",
        amount="6000",
        booked_on=TODAY,
        summary="工程款",
        actor=people["hq_agency"],
        now=NOW,
    )
    for _ in range(2):
        do_propose_payment(
            funded,
            amount="3000",
            payee="乙",
            purpose="材料费",
            voucher=voucher(),
            actor=people["hq_head"],
            now=NOW,
        )
    cash = actions.do_open_account(org, name="现金", kind="cash", actor=people["hq_head"], now=NOW)
    actions.do_record_entry(
        cash,
        direction="in",
        voucher=voucher(),
        amount="800",
        booked_on=date(2026, 6, 10),
        summary="场地费",
        actor=people["hq_head"],
        now=NOW,
    )

    funded.refresh_from_db()
    assert funded.balance == Decimal("19000.00")  # 20,000 + 5,000 (HT-1 first instalment) − 6,000
    codes = sorted(f.code for f in findings(people["hq_agency"], today=TODAY))
    assert codes == sorted(
        [
            "contract_expiring_30",  # HT-1: 25 days left
            "contract_expiring_90",  # HT-2: 77 days left
            "price_below_reference",  # HT-1: 10,000 < 12,000
            "contract_without_income",  # HT-3: its only due instalment not received
            "instalment_overdue",
            "instalment_overdue",  # HT-1 2026-01-01, HT-3 2026-03-01
            "large_payment_unapproved",  # 6,000 booked without the chain
            "split_payment",  # 2 × 3,000 to 乙 the same day
            "cash_not_deposited",  # 800 in cash since 06-10, more than 3 days
        ]
    )
    assert command_figures(people["hq_agency"], now=NOW) == {
        "contracts_expiring_30": 1,
        "contracts_expiring_90": 2,
        "contracts_ended_unsettled": 0,
        "instalments_overdue": 2,
        "payments_awaiting_approval": 2,
        "warnings": 9,
    }
    assert set(command_figures(people["wt_head"], now=NOW).values()) == {0}
    assert findings(people["wt_head"], today=TODAY) == []


def test_contract_ending_before_it_starts_is_refused(
    people: dict[str, Any], org: Any, tenant: Entity
) -> None:
    with pytest.raises(DomainError) as error:
        _sign(org, people, tenant, "HT-9", date(2026, 7, 1), date(2026, 6, 30), "1000", [])
    assert error.value.code == "ends_before_start" and error.value.field == "ends_on"
    assert not Contract.objects.exists()


def test_renew_and_terminate(people: dict[str, Any], org: Any, tenant: Entity) -> None:
    contract = _sign(
        org,
        people,
        tenant,
        "HT-5",
        date(2026, 1, 1),
        date(2026, 12, 31),
        "1200",
        [(date(2026, 6, 30), "600"), (date(2026, 12, 31), "600")],
    )
    with pytest.raises(DomainError):
        do_renew_contract(contract, ends_on=date(2026, 12, 1), schedule=[], actor=people["hq_head"], now=NOW)
    with pytest.raises(DomainError) as outsider:
        do_renew_contract(contract, ends_on=date(2027, 12, 31), schedule=[], actor=people["wt_head"], now=NOW)
    assert outsider.value.status == 404
    do_renew_contract(
        contract,
        ends_on=date(2027, 12, 31),
        schedule=[(date(2027, 12, 31), "1200")],
        actor=people["hq_head"],
        now=NOW,
    )
    assert contract.instalments.count() == 3
    do_terminate_contract(
        contract, on=date(2026, 9, 30), reason="承租人退租", actor=people["hq_agency"], now=NOW
    )
    assert list(Instalment.objects.values_list("due_on", flat=True)) == [date(2026, 6, 30)]
    with pytest.raises(DomainError) as again:
        do_terminate_contract(contract, on=date(2026, 9, 30), reason="x", actor=people["hq_agency"], now=NOW)
    assert again.value.code == "contract_terminated"
