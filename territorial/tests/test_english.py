"""English sessions of the 三资 and institution pages (territorial/locale): every staff page reachable from
territorial/urls.py, as the persona who works there, shows no Chinese outside proper names and user data
(organisations, accounts, entries, payees, purposes, assets, resources, tenants, post holders, opinions…,
all read from the database and left out); the public disclosure page too. Form refusals come back in
English. Chinese stays the default."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import OrgUnit, User
from grid.models import Category
from grid.standards.actions import do_seed_reference
from registry.models import Entity
from territorial import actions, institutions
from territorial.assets import do_add_asset_photo, do_propose_asset_change, do_review_asset_change
from territorial.contracts import ContractInput, do_receive_instalment, do_sign_contract
from territorial.funds import do_propose_payment, do_review_payment
from territorial.models import (
    Account,
    Asset,
    AssetChange,
    CollectiveOrganisation,
    InstitutionEvaluation,
    LedgerEntry,
    Payment,
    Post,
    PostHolding,
    PostMove,
    Resource,
    StationDuty,
)
from territorial.stations import do_assign_station_duty
from territorial.tests.conftest import NOW, voucher
from territory.testing import HUANGQIAO_VILLAGE
from tests.test_english_staff_pages import HAN, data_names, untranslated

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
SQUARE = {"type": "Polygon", "coordinates": [[[120.5, 31.4], [120.51, 31.4], [120.51, 31.41], [120.5, 31.4]]]}


@pytest.fixture
def world(
    people: dict[str, Any],
    funded: Account,
    clerk: User,
    tenant: Entity,
    stations: dict[str, OrgUnit],
    settings: Any,
    tmp_path: Any,
) -> dict[str, Any]:
    """A village's 三资 with something on every page: a cash account, a large expenditure booked without
    the approval chain, a lease of a fish pond (ending in 25 days, below its reference price, one rent
    overdue), an office building on the map with a photo and a lease waiting for the town, a payment
    waiting for the town and one returned; two stations with posts, a transfer, an evaluation and a duty."""
    settings.MEDIA_ROOT = tmp_path / "media"
    org = funded.organisation
    agency, head = people["hq_agency"], people["hq_head"]
    actions.do_open_account(org, name="村委会现金", kind="cash", actor=agency, now=NOW)
    actions.do_record_entry(
        funded,
        direction="out",
        amount="6000.00",
        booked_on=NOW.date(),
        summary="期初调整",
        category="management",
        actor=agency,
        now=NOW,
    )
    pond = actions.do_record_resource(
        org, name="东片鱼塘", kind="water", area_mu="12.5", outline=SQUARE, actor=head, now=NOW
    )
    contract = do_sign_contract(
        org,
        ContractInput(
            number="HT-1",
            starts_on=date(2025, 7, 1),
            ends_on=date(2026, 7, 10),
            annual_price="10000",
            reference_price="12000",
            schedule=[(date(2025, 7, 1), "5000"), (date(2026, 1, 1), "5000")],
            entity=tenant,
            resource=pond,
        ),
        actor=head,
        now=NOW,
    )
    contract.refresh_from_db()
    first = contract.instalments.order_by("due_on").first()
    assert first is not None
    do_receive_instalment(first, funded, voucher=voucher(), actor=head, now=NOW)
    purchase = do_propose_asset_change(
        org,
        kind="purchase",
        card={
            "number": "ZC-001",
            "name": "村办公楼",
            "kind": "building",
            "value": "850000.00",
            "responsible": "张三",
            "lon": "120.555",
            "lat": "31.405",
        },
        note="新建办公楼",
        amount="3000.00",  # paid now from the bank account, booked when the town approves
        account=funded,
        voucher=voucher("invoice.png"),
        actor=head,
        now=NOW,
    )
    do_review_asset_change(purchase, "approve", actor=agency, now=NOW)
    asset = Asset.objects.get(number="ZC-001")
    do_add_asset_photo(asset, photo=voucher("photo.png"), actor=head, now=NOW)
    lease = do_propose_asset_change(org, kind="lease", asset=asset, note="出租给合作社", actor=head, now=NOW)
    waiting = do_propose_payment(
        funded,
        amount="8000.00",
        payee="某某建筑队",
        purpose="村道修补",
        category="public_welfare",
        voucher=voucher(),
        actor=clerk,
        now=NOW,
    )
    do_review_payment(waiting, "committee_approve", actor=head, now=NOW)
    returned = do_propose_payment(
        funded,
        amount="300.00",
        payee="某某文具店",
        purpose="办公用品",
        voucher=voucher(),
        actor=clerk,
        now=NOW,
    )
    do_review_payment(returned, "reject", actor=head, now=NOW, reason="发票不全")

    animal, water = stations["animal"], stations["water"]
    post = institutions.do_create_post(
        animal, title="动物检疫员", category="public_service", actor=agency, now=NOW
    )
    institutions.do_fill_post(post, holder_name="王检疫", started_on=date(2024, 3, 1), actor=agency, now=NOW)
    moved = institutions.do_create_post(water, title="水质检测员", category="other", actor=agency, now=NOW)
    institutions.do_move_post(
        moved, to_unit=animal, moved_on=date(2026, 6, 1), reason="检测职责划入防疫站", actor=agency, now=NOW
    )
    institutions.do_record_evaluation(
        animal,
        year=2025,
        grade="good",
        town_opinion="防疫工作扎实",
        sector_opinion="业务规范",
        actor=agency,
        now=NOW,
    )
    do_seed_reference(actor=people["system"], now=NOW)
    do_assign_station_duty(
        animal,
        name="养殖场防疫巡查",
        category=Category.objects.get(kind="event", code="0401"),
        frequency="weekly",
        territory_code=HUANGQIAO_VILLAGE[:9],
        checkpoint="东片养殖场",
        actor=agency,
        now=NOW,
    )
    return {
        **people,
        "clerk": clerk,
        "tenant": tenant,
        "org": org,
        "contract": contract,
        "asset": asset,
        "lease": lease,
        "purchase": purchase,
        "waiting": waiting,
        "returned": returned,
        "animal": animal,
        "water": water,
    }


def territorial_names() -> list[str]:
    """The general names and data (tests.test_english_staff_pages) and the 三资 and institutions' own."""
    names: set[str] = set(data_names())
    names.update(CollectiveOrganisation.objects.values_list("name", flat=True))
    names.update(Account.objects.values_list("name", flat=True))
    names.update(LedgerEntry.objects.values_list("summary", flat=True))
    names.update(Entity.objects.values_list("name", flat=True))
    for fields in (
        Asset.objects.values_list("name", "responsible"),
        Resource.objects.values_list("name"),
        Payment.objects.values_list("payee", "purpose"),
        Post.objects.values_list("title"),
        PostHolding.objects.values_list("holder_name"),
        PostMove.objects.values_list("reason"),
        InstitutionEvaluation.objects.values_list("town_opinion", "sector_opinion"),
        StationDuty.objects.values_list("name", "checkpoint"),
        OrgUnit.objects.values_list("guiding_department"),
    ):
        for row in fields:
            names.update(row)
    for change in AssetChange.objects.all():
        names.add(change.proposal.get("note") or "")
        names.add((change.proposal.get("card") or {}).get("name") or "")
        names.add(change.work_item.title)
        names.update(change.work_item.transitions.values_list("reason", flat=True))
    for payment in Payment.objects.select_related("work_item"):
        names.add(payment.work_item.title)
        names.update(payment.work_item.transitions.values_list("reason", flat=True))
    return sorted((n for n in names if n and HAN.search(n)), key=len, reverse=True)


def staff_pages(world: dict[str, Any]) -> list[tuple[str, str]]:
    """(persona, url) of every page of territorial/urls.py that answers a GET (the photo and the voucher
    are images; the POST-only verbs show their refusals on these pages)."""
    org, contract, asset = world["org"].pk, world["contract"].pk, world["asset"].pk
    return [
        ("hq_agency", "/territorial/"),
        ("clerk", "/territorial/"),
        ("hq_agency", f"/territorial/organisations/{org}/"),
        ("hq_head", f"/territorial/organisations/{org}/"),
        ("hq_agency", "/territorial/payments/"),
        ("hq_head", "/territorial/payments/?waiting=1"),
        ("clerk", "/territorial/payments/new/"),
        ("hq_agency", f"/territorial/payments/{world['waiting'].pk}/"),
        ("hq_head", f"/territorial/payments/{world['returned'].pk}/"),
        ("hq_agency", "/territorial/contracts/"),
        ("hq_agency", "/territorial/contracts/?show=overdue"),
        ("hq_head", "/territorial/contracts/new/"),
        ("hq_head", f"/territorial/contracts/{contract}/"),
        ("hq_agency", "/territorial/assets/"),
        ("hq_head", f"/territorial/assets/{asset}/"),
        ("hq_head", f"/territorial/asset-changes/new/?kind=lease&asset={asset}"),
        ("hq_agency", f"/territorial/asset-changes/{world['lease'].pk}/"),
        ("hq_head", f"/territorial/asset-changes/{world['purchase'].pk}/"),
        ("hq_agency", "/territorial/resources/"),
        ("hq_agency", "/territorial/warnings/"),
        ("hq_agency", "/territorial/institutions/"),
        ("hq_agency", f"/territorial/institutions/{world['animal'].pk}/"),
    ]


def english(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_every_staff_page_reads_in_english(world: dict[str, Any]) -> None:
    names = territorial_names()
    found = {}
    for persona, url in staff_pages(world):
        response = english(world[persona]).get(url)
        assert response.status_code == 200, (persona, url)
        left = untranslated(response.content.decode(), names)
        if left:
            found[(persona, url)] = left
    assert found == {}


def test_the_pages_speak_english_where_it_matters(world: dict[str, Any]) -> None:
    """Not only no Chinese: the English is there (headings, model choices, process states and actions,
    the warnings' messages)."""
    agency = english(world["hq_agency"])
    index = agency.get("/territorial/").content.decode()
    assert "<h1>Rural collective funds, assets and resources</h1>" in index
    payment = agency.get(f"/territorial/payments/{world['waiting'].pk}/").content.decode()
    assert "Public-welfare spending" in payment
    assert "Awaiting review by the town collective-assets office" in payment
    assert "Town collective-assets office approves" in payment and "Proposed" in payment
    contract = (
        english(world["hq_head"]).get(f"/territorial/contracts/{world['contract'].pk}/").content.decode()
    )
    assert "Ends within 30 days" in contract and "东片鱼塘 (12.50 mu)" in contract
    assert "10000.00 yuan (reference price 12000.00)" in contract
    warnings = agency.get("/territorial/warnings/").content.decode()
    assert "Contract HT-1 ends on 2026-07-10 (in 25 days)" in warnings
    assert "yuan paid out on 2026-06-15 without approval" in warnings
    change = agency.get(f"/territorial/asset-changes/{world['lease'].pk}/").content.decode()
    assert "<h1>Lease #" in change and 'data-action="approve">Approve</button>' in change
    bought = agency.get(f"/territorial/asset-changes/{world['purchase'].pk}/").content.decode()
    assert "Purchase price paid" in bought and "Booked on 2026-06-15" in bought
    ledger = agency.get(f"/territorial/organisations/{world['org'].pk}/").content.decode()
    assert f"Asset change #{world['purchase'].pk}" in ledger


def test_refusals_on_the_forms_are_english(world: dict[str, Any]) -> None:
    names = territorial_names()
    head = english(world["hq_head"])
    org = world["org"]
    url = f"/territorial/organisations/{org.pk}/entries/"
    entry = {"account": org.accounts.get(kind="bank").pk, "direction": "in", "booked_on": "2026-06-15"}
    negative = head.post(url, {**entry, "amount": "-5", "summary": "鱼塘租金"})
    assert negative.status_code == 400
    assert 'data-field-error="amount">The amount cannot be negative.</p>' in negative.content.decode()
    assert untranslated(negative.content.decode(), [*names, "鱼塘租金"]) == []
    missing = head.post(url, {**entry, "amount": "5"})
    assert missing.status_code == 400 and "This field is required." in missing.content.decode()
    assert untranslated(missing.content.decode(), names) == []
    contract = {
        "number": "HT-2",
        "counterparty_kind": "entity",
        "counterparty": world["tenant"].uscc,
        "subject": f"resource:{Resource.objects.get().pk}",
        "annual_price": "100",
        "starts_on": "2026-07-01",
        "ends_on": "2027-06-30",
        "schedule": "2026-07-01",
    }
    unknown = head.post("/territorial/contracts/new/", {**contract, "counterparty": "91320507MA0000000X"})
    assert unknown.status_code == 400
    assert "This organisation is not in the base information registry." in unknown.content.decode()
    bad = head.post("/territorial/contracts/new/", contract)
    assert bad.status_code == 400
    assert 'Line 1 must be "date amount".' in bad.content.decode().replace("&quot;", '"')
    assert untranslated(bad.content.decode(), names) == []


def test_the_public_disclosure_page_reads_in_english(world: dict[str, Any]) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/public/territorial/{HUANGQIAO_VILLAGE}/2026/6/").content.decode()
    assert "June 2026 Village finance disclosure" in html
    assert untranslated(html, territorial_names()) == []


def test_chinese_stays_the_default(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["hq_agency"])
    index = client.get("/territorial/").content.decode()
    assert "<h1>农村集体“三资”</h1>" in index and "Rural collective" not in index
    payment = client.get(f"/territorial/payments/{world['waiting'].pk}/").content.decode()
    assert "公益支出" in payment and "待镇三资办审核" in payment and "镇三资办审核通过" in payment
    warnings = client.get("/territorial/warnings/").content.decode()
    assert "合同 HT-1 将于 2026-07-10 到期（25 天）" in warnings
    assert "Contract HT-1" not in warnings
    public = Client().get(f"/public/territorial/{HUANGQIAO_VILLAGE}/2026/6/").content.decode()
    assert "2026年6月" in public and "June 2026" not in public
