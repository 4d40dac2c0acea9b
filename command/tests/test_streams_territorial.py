"""属地管理 figures of the desk against a 三资 world worked out by hand (built through the territorial
actions), their drill-down lengths, the period rule for today's-state figures, and scoping."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from accounts.models import OrgUnit
from accounts.testing import make_org_unit
from command import streams
from registry.models import Entity
from territorial.funds import do_propose_payment
from territorial.tests import conftest as territorial_fixtures
from territorial.tests import test_contracts_findings as contract_tests
from territorial.tests.conftest import NOW, voucher

pytestmark = pytest.mark.django_db
# The territorial tests' fixtures, reused.
people, org, wt_org = territorial_fixtures.people, territorial_fixtures.org, territorial_fixtures.wt_org
funded, tenant, _sign = territorial_fixtures.funded, contract_tests.tenant, contract_tests._sign
TODAY = date(2026, 6, 15)
JUNE, END = date(2026, 6, 1), date(2026, 6, 16)
HUANGQIAO, WEITANG = "320507003", "320507105"


def test_territorial_figures_by_hand(
    people: dict[str, Any],
    org: Any,
    funded: Any,
    wt_org: Any,
    tenant: Entity,
) -> None:
    # HT-1 ends 1 Aug (within 90 days of the period's end); its 1 June instalment is unpaid (overdue).
    _sign(
        org, people, tenant, "HT-1", date(2025, 8, 1), date(2026, 8, 1), "6000", [(date(2026, 6, 1), "6000")]
    )
    # HT-2 ended 10 June, neither renewed nor terminated; HT-3 runs to 2028 (neither figure).
    _sign(org, people, tenant, "HT-2", date(2025, 6, 10), date(2026, 6, 10), "5000", [])
    _sign(org, people, tenant, "HT-3", date(2026, 1, 1), date(2028, 12, 31), "3000", [])
    do_propose_payment(
        funded,
        amount="500.00",
        payee="某施工队",
        purpose="修路",
        voucher=voucher(),
        actor=people["hq_head"],
        now=NOW,
    )
    make_org_unit("320507003-water", "黄桥街道水务站", OrgUnit.Kind.STATION, HUANGQIAO)
    hospital = make_org_unit("320507003-hospital", "黄桥人民医院", OrgUnit.Kind.HOSPITAL, HUANGQIAO)
    OrgUnit.objects.filter(pk=hospital.pk).update(management_mode=OrgUnit.ManagementMode.VERTICAL)
    make_org_unit("320507105-school", "渭塘中心小学", OrgUnit.Kind.SCHOOL, WEITANG)

    found = streams.values(HUANGQIAO, JUNE, END, today=TODAY)
    expected = {
        "territorial_contracts_expiring": 1,
        "territorial_contracts_ended": 1,
        "territorial_instalments_overdue": 1,
        "territorial_payments_awaiting": 1,
        "territorial_payments_proposed": 1,
        "territorial_institutions": 1,  # the water station; the hospital is managed vertically
        "territorial_assets": 0,
    }
    for code, value in expected.items():
        assert found[code] == value, code
        assert len(streams.items(code, HUANGQIAO, JUNE, END, today=TODAY)) == value, code
    # A period that ended before today: today's contract and payment states say nothing of it.
    may = streams.values(HUANGQIAO, date(2026, 5, 1), JUNE, today=TODAY)
    assert may["territorial_contracts_expiring"] is None and may["territorial_payments_proposed"] == 0
    assert (
        streams.items("territorial_payments_awaiting", HUANGQIAO, date(2026, 5, 1), JUNE, today=TODAY) == []
    )
    # 渭塘 sees its school and none of 黄桥's contracts or payments.
    other = streams.values(WEITANG, JUNE, END, today=TODAY)
    assert other["territorial_institutions"] == 1
    assert other["territorial_contracts_expiring"] == other["territorial_payments_awaiting"] == 0
    rows = streams.items("territorial_contracts_ended", HUANGQIAO, JUNE, END, today=TODAY)
    assert [row["receipt_number"] for row in rows] == ["HT-2"] and "某施工队" not in str(rows)
