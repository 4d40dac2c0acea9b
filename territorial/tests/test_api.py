"""The 三资 API: documented in the OpenAPI document, scoped to the jurisdiction (404 for the outsider,
nothing of 黄桥 in 渭塘's lists), refused to roles that keep no 三资, bad input refused in the one error
envelope with nothing written; money as strings to the fen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from registry.models import Entity
from territorial import actions
from territorial.contracts import ContractInput, do_sign_contract
from territorial.funds import do_propose_payment, do_review_payment
from territorial.models import Account, LedgerEntry, Payment
from territorial.tests.conftest import NOW, voucher
from territory.testing import HUANGQIAO_VILLAGE
from workflow.models import WorkItem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
SQUARE = {"type": "Polygon", "coordinates": [[[120.5, 31.4], [120.51, 31.4], [120.51, 31.41], [120.5, 31.4]]]}
PATHS = (
    "organisations/",
    "organisations/{org_id}/ledger/",
    "assets/",
    "resources/",
    "contracts/",
    "payments/",
    "payments/{payment_id}/",
    "payments/{payment_id}/actions/{action}/",
    "findings/",
    "disclosure/{village_code}/{year}/{month}/",
)


def as_user(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_documented_in_the_openapi_document() -> None:
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in PATHS:
        assert f"/api/v1/territorial/{path}" in schema["paths"]


def test_organisations_and_ledger(people: dict[str, Any], funded: Account, wt_org: Any) -> None:
    rows = as_user(people["hq_agency"]).get("/api/v1/territorial/organisations/").json()
    assert [(o["name"], o["accounts"][0]["balance"]) for o in rows] == [
        ("黄桥测试村股份经济合作社", "20000.00")
    ]
    outsider = as_user(people["wt_head"]).get("/api/v1/territorial/organisations/").json()
    assert [o["name"] for o in outsider] == ["渭塘测试村股份经济合作社"]
    url = f"/api/v1/territorial/organisations/{funded.organisation_id}/ledger/"
    book = as_user(people["hq_head"]).get(url).json()
    assert book[0]["reconciles"] is True and book[0]["entries"][0]["balance"] == "20000.00"
    assert as_user(people["wt_head"]).get(url).status_code == 404
    refused = as_user(people["hq_officer"]).get(url)
    assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "not_allowed"
    assert APIClient().get(url).status_code in (401, 403)


def test_payment_chain_through_the_api(
    people: dict[str, Any], funded: Account, clerk: User, media: None
) -> None:
    data = {
        "account": funded.pk,
        "amount": "8000.00",
        "payee": "某某建筑队",
        "purpose": "村道修补",
        "category": "public_welfare",
        "voucher": voucher(),
    }
    created = as_user(clerk).post("/api/v1/territorial/payments/", data, format="multipart")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["amount"] == "8000.00" and body["state"] == "proposed"
    assert body["category"] == "public_welfare"
    base = f"/api/v1/territorial/payments/{body['id']}/"
    offered = as_user(people["hq_head"]).get(base).json()["actions"]
    assert sorted(offered) == ["committee_approve", "committee_settle", "reject"]
    small = as_user(people["hq_head"]).post(f"{base}actions/committee_settle/", {}, format="json")
    assert small.status_code == 422 and small.json()["errors"][0]["code"] == "town_approval_required"
    step = as_user(people["hq_head"]).post(f"{base}actions/committee_approve/", {}, format="json")
    assert step.status_code == 200 and step.json()["state"] == "town_review"
    assert (
        as_user(people["wt_head"]).post(f"{base}actions/town_approve/", {}, format="json").status_code == 404
    )
    assert (
        as_user(people["hq_head"]).post(f"{base}actions/town_approve/", {}, format="json").status_code == 403
    )
    unknown = as_user(people["hq_agency"]).post(f"{base}actions/pay_now/", {}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["code"] == "unknown_action"
    paid = as_user(people["hq_agency"]).post(f"{base}actions/town_approve/", {}, format="json").json()
    assert paid["state"] == "paid" and paid["entry_id"] is not None
    funded.refresh_from_db()
    assert funded.balance == Decimal("12000.00")  # 20,000.00 − 8,000.00
    assert LedgerEntry.objects.get(pk=paid["entry_id"]).category == "public_welfare"  # reported under it
    waiting = as_user(people["hq_agency"]).get("/api/v1/territorial/payments/", {"waiting": "1"}).json()
    assert waiting == []
    assert as_user(people["wt_head"]).get("/api/v1/territorial/payments/").json() == []


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"voucher": None}, "voucher_required", "voucher"),
        ({"amount": "-1"}, "negative_amount", "amount"),
        ({"amount": "0.001"}, "amount_precision", "amount"),
        ({"account": ""}, "required", "account"),
        ({"category": "bribes"}, "invalid_choice", "category"),
    ],
)
def test_payment_bad_input_writes_nothing(
    people: dict[str, Any],
    funded: Account,
    clerk: User,
    media: None,
    changes: dict[str, Any],
    code: str,
    field: str,
) -> None:
    data: dict[str, Any] = {
        "account": funded.pk,
        "amount": "100",
        "payee": "甲",
        "purpose": "办公用品",
        "voucher": voucher(),
    }
    data.update(changes)
    if data["voucher"] is None:
        del data["voucher"]
    response = as_user(clerk).post("/api/v1/territorial/payments/", data, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == code and response.json()["errors"][0]["field"] == field
    assert not Payment.objects.exists() and not WorkItem.objects.exists()


def test_outsider_and_refused_role_cannot_propose(
    people: dict[str, Any], funded: Account, media: None
) -> None:
    data = {"account": funded.pk, "amount": "1", "payee": "甲", "purpose": "乙", "voucher": voucher()}
    assert (
        as_user(people["wt_head"]).post("/api/v1/territorial/payments/", data, format="multipart").status_code
        == 404
    )
    data["voucher"] = voucher()
    assert (
        as_user(people["hq_officer"])
        .post("/api/v1/territorial/payments/", data, format="multipart")
        .status_code
        == 403
    )
    assert not Payment.objects.exists()


def test_contracts_assets_resources_findings(
    people: dict[str, Any], org: Any, funded: Account, tenant: Entity
) -> None:
    resource = actions.do_record_resource(
        org, name="东片鱼塘", kind="water", area_mu="12.5", outline=SQUARE, actor=people["hq_head"], now=NOW
    )
    data = ContractInput(
        number="HT-1",
        starts_on=date(2025, 7, 1),
        ends_on=date(2026, 7, 10),
        annual_price="10000",
        reference_price="12000",
        schedule=[(date(2026, 1, 1), "5000")],
        entity=tenant,
        resource=resource,
    )
    do_sign_contract(org, data, actor=people["hq_head"], now=NOW)
    agency = as_user(people["hq_agency"])
    rows = agency.get("/api/v1/territorial/contracts/").json()
    assert [(c["number"], c["expiring_30"], c["overdue"], c["below_reference"]) for c in rows] == [
        ("HT-1", True, "5000.00", True)
    ]
    assert agency.get("/api/v1/territorial/contracts/", {"expiring_within": "20"}).json() == []
    assert len(agency.get("/api/v1/territorial/contracts/", {"expiring_within": "30"}).json()) == 1
    bad = agency.get("/api/v1/territorial/contracts/", {"expiring_within": "-3"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "expiring_within"
    assert as_user(people["wt_head"]).get("/api/v1/territorial/contracts/").json() == []
    assert agency.get("/api/v1/territorial/resources/").json()[0]["area_mu"] == "12.50"
    assert agency.get("/api/v1/territorial/assets/").json() == []
    assert agency.get("/api/v1/territorial/assets/", {"state": "lost"}).status_code == 400
    codes = sorted(f["code"] for f in agency.get("/api/v1/territorial/findings/").json())
    assert codes == [
        "contract_expiring_30",
        "contract_without_income",
        "instalment_overdue",
        "price_below_reference",
    ]
    assert as_user(people["wt_head"]).get("/api/v1/territorial/findings/").json() == []
    assert as_user(people["hq_officer"]).get("/api/v1/territorial/findings/").status_code == 403


def test_disclosure_is_public_and_masked(
    people: dict[str, Any], funded: Account, clerk: User, media: None
) -> None:
    payment = do_propose_payment(
        funded, amount="1234.56", payee="王小明", purpose="河道保洁", voucher=voucher(), actor=clerk, now=NOW
    )
    do_review_payment(payment, "committee_settle", actor=people["hq_head"], now=NOW)
    body = APIClient().get(f"/api/v1/territorial/disclosure/{HUANGQIAO_VILLAGE}/2026/6/").json()
    assert body["income"] == "20000.00" and body["expenditure"] == "1234.56"
    assert "王小明" not in str(body) and any("河道保洁" in e["summary"] for e in body["entries"])
    missing = APIClient().get("/api/v1/territorial/disclosure/320507999999/2026/6/")
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "not_found"
