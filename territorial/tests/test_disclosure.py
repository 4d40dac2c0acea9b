"""The public monthly 财务公开 page: totals from the ledger, personal names masked, nothing else shown."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from accounts.models import OrgUnit, Role
from accounts.testing import make_person
from territorial import actions
from territorial.funds import do_propose_payment, do_review_payment
from territorial.models import Account
from territorial.tests.conftest import NOW, voucher
from territory.testing import HUANGQIAO_VILLAGE

pytestmark = pytest.mark.django_db


def test_month_page_shows_the_paid_payment_masked(people: dict[str, Any], funded: Account) -> None:
    clerk = make_person("hq_clerk", unit=OrgUnit.objects.get(code="320507003201-vc"), role=Role.GRID_WORKER)
    payment = do_propose_payment(
        funded,
        amount="1234.56",
        payee="王小明",
        purpose="河道保洁",
        voucher=voucher(),
        actor=clerk,
        now=NOW,
    )
    do_review_payment(payment, "committee_settle", actor=people["hq_head"], now=NOW)
    actions.do_record_entry(
        funded,
        direction="in",
        amount="0.44",
        booked_on=date(2026, 6, 2),
        summary="利息",
        actor=people["hq_agency"],
        now=NOW,
    )
    actions.do_record_entry(
        funded,
        direction="in",
        amount="99",
        booked_on=date(2026, 5, 31),
        summary="上月",
        actor=people["hq_agency"],
        now=NOW,
    )
    response = Client().get(f"/public/territorial/{HUANGQIAO_VILLAGE}/2026/6/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong data-income>20000.44</strong>" in html  # 20,000.00 + 0.44 (May's 99 not in June)
    assert "<strong data-expenditure>1234.56</strong>" in html
    assert "河道保洁" in html and "王小明" not in html and "王**" in html


def test_unknown_village_or_month_is_404(db: None, territory: Any) -> None:
    assert Client().get("/public/territorial/320507003999/2026/6/").status_code == 404
    assert Client().get(f"/public/territorial/{HUANGQIAO_VILLAGE}/2026/13/").status_code == 404
