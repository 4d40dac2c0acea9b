"""The public monthly 财务公开 page: totals from the ledger, personal names masked (payees who are
persons, registered people wherever named), enterprises' names shown, nothing else; one registry lookup."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role
from accounts.testing import make_person
from registry.models import Entity
from registry.testing import register_named_person
from territorial import actions
from territorial.assets import do_propose_asset_change, do_review_asset_change
from territorial.contracts import ContractInput, do_sign_contract
from territorial.disclosure import is_organisation
from territorial.funds import do_propose_payment, do_review_payment
from territorial.models import Account
from territorial.tests import conftest as fixtures
from territorial.tests.conftest import NOW, voucher
from territory.testing import HUANGQIAO_VILLAGE

pytestmark = pytest.mark.django_db
tenant = fixtures.tenant


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
        voucher=voucher(),
        amount="0.44",
        booked_on=date(2026, 6, 2),
        summary="利息",
        actor=people["hq_agency"],
        now=NOW,
    )
    actions.do_record_entry(
        funded,
        direction="in",
        voucher=voucher(),
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


def _pay(funded: Account, people: dict[str, Any], *, payee: str, purpose: str) -> None:
    clerk = make_person("hq_clerk", unit=OrgUnit.objects.get(code="320507003201-vc"), role=Role.GRID_WORKER)
    payment = do_propose_payment(
        funded, amount="100", payee=payee, purpose=purpose, voucher=voucher(), actor=clerk, now=NOW
    )
    do_review_payment(payment, "committee_settle", actor=people["hq_head"], now=NOW)


def test_an_enterprise_payee_is_public_a_person_and_registered_names_are_masked(
    people: dict[str, Any], funded: Account, tenant: Entity
) -> None:
    register_named_person("李建国", actor=people["system"], now=NOW)
    _pay(funded, people, payee="苏州李建国建筑工程有限公司", purpose="村道修补")
    _pay(funded, people, payee="王小明", purpose="河道保洁（李建国监督验收）")
    purchase = do_propose_asset_change(
        funded.organisation,
        kind="purchase",
        card={
            "number": "ZC-9",
            "name": "李建国家东侧仓库",
            "kind": "building",
            "value": "5000",
            "responsible": "张三",
            "lon": 120.56,
            "lat": 31.41,
        },
        actor=people["hq_head"],
        now=NOW,
    )
    asset = do_review_asset_change(purchase, "approve", actor=people["hq_agency"], now=NOW).asset
    do_sign_contract(
        funded.organisation,
        ContractInput(
            number="HT-9",
            starts_on=date(2026, 1, 1),
            ends_on=date(2027, 1, 1),
            annual_price="1000",
            schedule=[],
            entity=tenant,
            asset=asset,
        ),
        actor=people["hq_head"],
        now=NOW,
    )

    with CaptureQueriesContext(connection) as captured:
        html = Client().get(f"/public/territorial/{HUANGQIAO_VILLAGE}/2026/6/").content.decode()
    asked = [q["sql"] for q in captured.captured_queries if 'FROM "registry_person"' in q["sql"]]
    api = APIClient().get(f"/api/v1/territorial/disclosure/{HUANGQIAO_VILLAGE}/2026/6/").json()

    for body in (html, str(api)):
        # An enterprise's name is public information, also where it holds a person's name.
        assert "村道修补（苏州李建国建筑工程有限公司）" in body and tenant.name in body
        # A person payee by surname; a registered person wherever the page names him.
        assert "河道保洁（李**监督验收）（王**）" in body and "王小明" not in body
        assert "李**家东侧仓库" in body  # the contract's subject and the asset change alike
        assert body.count("李建国") == 1  # inside the enterprise's name only
    assert len(asked) == 1  # one lookup for the whole page


def test_organisations_are_told_from_people_by_the_end_and_length_of_the_name() -> None:
    assert is_organisation("苏州市相城区黄桥路桥工程有限公司")
    assert is_organisation("黄桥张记五金店") and is_organisation("相城区黄桥街道办事处")
    assert not is_organisation("王小明") and not is_organisation("欧阳小店")  # a person can be 4 long
    assert not is_organisation("王小明（代收）") and not is_organisation("")


def test_a_shortened_ledger_line_still_masks_a_person_payee(people: dict[str, Any], funded: Account) -> None:
    """A purpose of 200 characters and a person as payee are longer together than the ledger line: the
    purpose is shortened, never the payee, so the public page still finds the whole name and masks it."""
    _pay(funded, people, payee="王小明", purpose="河道保洁" * 50)
    html = Client().get(f"/public/territorial/{HUANGQIAO_VILLAGE}/2026/6/").content.decode()
    assert "王小明" not in html
    kept = 200 - len("（王小明）") - len("…")  # 194 characters of the purpose
    assert ("河道保洁" * 50)[:kept] + "…（王**）" in html
