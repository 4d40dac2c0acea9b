"""The 三资 staff pages: each page's happy path, the refused role (a town officer keeps no 三资), the
outsider from 渭塘 (404 for what is not theirs, nothing of 黄桥 in lists), and bad input refused on the form
with the action's message and nothing written."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import User
from registry.models import Entity
from territorial import actions
from territorial.assets import do_propose_asset_change
from territorial.contracts import ContractInput, do_sign_contract
from territorial.funds import do_propose_payment
from territorial.models import Account, Asset, AssetChange, Contract, LedgerEntry, Payment, Resource
from territorial.tests.conftest import NOW, voucher
from workflow.models import WorkItem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
SQUARE = {"type": "Polygon", "coordinates": [[[120.5, 31.4], [120.51, 31.4], [120.51, 31.41], [120.5, 31.4]]]}


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _payment(funded: Account, clerk: User, amount: str = "8000.00") -> Payment:
    return do_propose_payment(
        funded, amount=amount, payee="某某建筑队", purpose="村道修补", voucher=voucher(), actor=clerk, now=NOW
    )


def _contract(org: Any, people: dict[str, Any], tenant: Entity, **changes: Any) -> Contract:
    resource = actions.do_record_resource(
        org, name="东片鱼塘", kind="water", area_mu="12.5", outline=SQUARE, actor=people["hq_head"], now=NOW
    )
    fields: dict[str, Any] = {
        "number": "HT-1",
        "starts_on": date(2025, 7, 1),
        "ends_on": date(2026, 7, 10),  # 25 days after NOW
        "annual_price": "10000",
        "reference_price": "12000",
        "schedule": [(date(2025, 7, 1), "5000"), (date(2026, 1, 1), "5000")],
        "entity": tenant,
        "resource": resource,
        **changes,
    }
    return do_sign_contract(org, ContractInput(**fields), actor=people["hq_head"], now=NOW)


# ---------------------------------------------------------------------------------------------- overview


def test_index_lists_own_organisations(people: dict[str, Any], funded: Account, wt_org: Any) -> None:
    page = as_user(people["hq_agency"]).get("/territorial/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "黄桥测试村股份经济合作社" in text and "20000.00" in text
    assert "渭塘测试村股份经济合作社" not in text
    assert "三资" in text  # the navigation link
    outsider = as_user(people["wt_head"]).get("/territorial/").content.decode()
    assert "黄桥测试村股份经济合作社" not in outsider and "渭塘测试村股份经济合作社" in outsider
    assert as_user(people["hq_officer"]).get("/territorial/").status_code == 403
    assert Client().get("/territorial/").status_code == 302


# ---------------------------------------------------------------------------------------------- ledger


def test_ledger_reconciles_and_records_a_receipt(people: dict[str, Any], funded: Account) -> None:
    org = funded.organisation
    url = f"/territorial/organisations/{org.pk}/"
    head = as_user(people["hq_head"])
    page = head.get(url)
    assert page.status_code == 200 and 'data-reconciles="yes"' in page.content.decode()
    posted = head.post(
        f"{url}entries/",
        {
            "account": funded.pk,
            "direction": "in",
            "amount": "1234.56",
            "booked_on": "2026-06-15",
            "summary": "鱼塘租金",
            "voucher": voucher("receipt.png"),
        },
    )
    assert posted.status_code == 302
    funded.refresh_from_db()
    assert funded.balance == Decimal("21234.56")  # 20,000.00 + 1,234.56
    text = head.get(url).content.decode()
    assert "鱼塘租金" in text and "21234.56" in text


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-5", "金额不能为负数。"), ("1.234", "金额最多精确到分（两位小数）。"), ("abc", "金额须为以元为单位")],
)
def test_ledger_bad_amount_writes_nothing(
    people: dict[str, Any], funded: Account, amount: str, message: str
) -> None:
    org = funded.organisation
    response = as_user(people["hq_head"]).post(
        f"/territorial/organisations/{org.pk}/entries/",
        {
            "account": funded.pk,
            "direction": "in",
            "amount": amount,
            "booked_on": "2026-06-15",
            "summary": "x",
        },
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert LedgerEntry.objects.count() == 1  # only the fixture's receipt


def test_ledger_outsider_and_refused_role(people: dict[str, Any], funded: Account) -> None:
    org = funded.organisation
    url = f"/territorial/organisations/{org.pk}/"
    assert as_user(people["wt_head"]).get(url).status_code == 404
    assert as_user(people["hq_officer"]).get(url).status_code == 403
    entry = {
        "account": funded.pk,
        "direction": "in",
        "amount": "1",
        "booked_on": "2026-06-15",
        "summary": "x",
    }
    assert as_user(people["wt_head"]).post(f"{url}entries/", entry).status_code == 404
    assert LedgerEntry.objects.count() == 1


def test_town_opens_an_account(people: dict[str, Any], org: Any) -> None:
    url = f"/territorial/organisations/{org.pk}/accounts/"
    assert as_user(people["hq_agency"]).post(url, {"name": "现金", "kind": "cash"}).status_code == 302
    assert org.accounts.get().kind == "cash"
    assert as_user(people["wt_head"]).post(url, {"name": "x", "kind": "cash"}).status_code == 404


# ---------------------------------------------------------------------------------------------- payments


def test_propose_with_voucher_and_approve_through_the_chain(
    people: dict[str, Any], funded: Account, clerk: User, media: None
) -> None:
    form = as_user(clerk).get("/territorial/payments/new/")
    assert form.status_code == 200 and "农商行基本户" in form.content.decode()
    posted = as_user(clerk).post(
        "/territorial/payments/new/",
        {
            "account": funded.pk,
            "amount": "8000.00",
            "payee": "某某建筑队",
            "purpose": "村道修补",
            "voucher": voucher(),
        },
    )
    payment = Payment.objects.get()
    assert posted.status_code == 302 and posted["Location"] == f"/territorial/payments/{payment.pk}/"
    url = f"/territorial/payments/{payment.pk}/"
    head = as_user(people["hq_head"])
    detail = head.get(url).content.decode()
    assert "待村委会审核" in detail and 'data-action="committee_approve"' in detail
    assert 'data-action="committee_settle"' in detail  # offered; its guard refuses 8,000 (≥ 5,000)
    refused = head.post(f"{url}review/", {"action": "committee_settle"})
    assert refused.status_code == 422 and "须报镇三资办审核" in refused.content.decode()
    assert head.post(f"{url}review/", {"action": "committee_approve"}).status_code == 302
    assert as_user(people["hq_head"]).post(f"{url}review/", {"action": "town_approve"}).status_code == 403
    assert as_user(people["wt_head"]).post(f"{url}review/", {"action": "town_approve"}).status_code == 404
    assert as_user(people["hq_agency"]).post(f"{url}review/", {"action": "town_approve"}).status_code == 302
    payment.refresh_from_db()
    assert payment.entry is not None and payment.entry.amount == Decimal("-8000.00")
    ledger = head.get(f"/territorial/organisations/{funded.organisation_id}/").content.decode()
    assert "村道修补（某某建筑队）" in ledger and "12000.00" in ledger  # 20,000.00 − 8,000.00
    assert f"/territorial/payments/{payment.pk}/voucher/" in ledger
    image = head.get(f"{url}voucher/")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    assert as_user(people["wt_head"]).get(f"{url}voucher/").status_code == 404
    assert as_user(people["hq_officer"]).get(url).status_code == 403
    listing = head.get("/territorial/payments/").content.decode()
    assert "已审批支付" in listing
    assert "村道修补" not in as_user(people["wt_head"]).get("/territorial/payments/").content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"voucher": None}, "支出须附原始凭证。"),
        ({"amount": "-1"}, "金额不能为负数。"),
        ({"amount": "20000.01"}, "账户余额不足。"),
    ],
)
def test_payment_bad_input_writes_nothing(
    people: dict[str, Any], funded: Account, clerk: User, media: None, changes: dict[str, Any], message: str
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
    response = as_user(clerk).post("/territorial/payments/new/", data)
    assert response.status_code in (400, 422) and message in response.content.decode()
    assert not Payment.objects.exists() and not WorkItem.objects.exists()


def test_outsider_cannot_propose_on_another_towns_account(
    people: dict[str, Any], funded: Account, media: None
) -> None:
    data = {"account": funded.pk, "amount": "1", "payee": "甲", "purpose": "乙", "voucher": voucher()}
    assert as_user(people["wt_head"]).post("/territorial/payments/new/", data).status_code == 404
    assert as_user(people["hq_officer"]).post("/territorial/payments/new/", data).status_code == 403
    assert not Payment.objects.exists()


def test_rejection_needs_a_reason(people: dict[str, Any], funded: Account, clerk: User, media: None) -> None:
    payment = _payment(funded, clerk)
    url = f"/territorial/payments/{payment.pk}/review/"
    head = as_user(people["hq_head"])
    assert head.post(url, {"action": "reject"}).status_code == 400
    assert head.post(url, {"action": "reject", "reason": "凭证不全"}).status_code == 302
    payment.refresh_from_db()
    assert payment.work_item.state == "rejected" and payment.entry is None
    assert "凭证不全" in head.get(f"/territorial/payments/{payment.pk}/").content.decode()


# ---------------------------------------------------------------------------------------------- contracts


def test_overview_lists_overdue_rents_each_linked_to_its_contract(
    people: dict[str, Any], org: Any, tenant: Entity, wt_org: Any
) -> None:
    contract = _contract(org, people, tenant)
    text = as_user(people["hq_agency"]).get("/territorial/").content.decode()
    assert text.count("data-overdue-rent=") == 2  # 2025-07-01 and 2026-01-01, neither received
    assert f'href="/territorial/contracts/{contract.pk}/">HT-1</a>' in text
    assert "2026-01-01" in text and "5000.00" in text
    outsider = as_user(people["wt_head"]).get("/territorial/").content.decode()
    assert "data-overdue-rent=" not in outsider and "HT-1" not in outsider


def test_contract_list_flags_and_outsider(people: dict[str, Any], org: Any, tenant: Entity) -> None:
    contract = _contract(org, people, tenant)
    page = as_user(people["hq_agency"]).get("/territorial/contracts/")
    text = page.content.decode()
    assert page.status_code == 200 and "HT-1" in text
    for flag in ("expiring_30", "overdue", "below_reference"):
        assert f'data-flag="{flag}"' in text
    assert "逾期应收 10000.00 元" in text  # 2025-07-01 and 2026-01-01, 5,000 each, none received
    assert (
        "HT-1" in as_user(people["hq_agency"]).get("/territorial/contracts/?show=expiring").content.decode()
    )
    assert "HT-1" not in as_user(people["wt_head"]).get("/territorial/contracts/").content.decode()
    assert as_user(people["wt_head"]).get(f"/territorial/contracts/{contract.pk}/").status_code == 404
    assert as_user(people["hq_officer"]).get(f"/territorial/contracts/{contract.pk}/").status_code == 403
    detail = as_user(people["hq_head"]).get(f"/territorial/contracts/{contract.pk}/").content.decode()
    assert "苏州某农业有限公司" in detail and "东片鱼塘" in detail


def test_sign_contract_from_the_form(people: dict[str, Any], org: Any, tenant: Entity) -> None:
    resource = actions.do_record_resource(
        org, name="北片耕地", kind="land", area_mu="30", outline=SQUARE, actor=people["hq_head"], now=NOW
    )
    data = {
        "number": "HT-7",
        "counterparty_kind": "entity",
        "counterparty": tenant.uscc,
        "subject": f"resource:{resource.pk}",
        "annual_price": "36000.00",
        "reference_price": "",
        "starts_on": "2026-07-01",
        "ends_on": "2029-06-30",
        "schedule": "2026-07-01 36000.00\n2027-07-01 36000.00\n2028-07-01 36000.00",
    }
    head = as_user(people["hq_head"])
    bad = head.post("/territorial/contracts/new/", {**data, "ends_on": "2026-06-30"})
    assert bad.status_code == 400 and "合同到期日期须晚于起始日期。" in bad.content.decode()
    negative = head.post("/territorial/contracts/new/", {**data, "annual_price": "-36000"})
    assert negative.status_code == 400 and "金额不能为负数。" in negative.content.decode()
    unknown = head.post("/territorial/contracts/new/", {**data, "counterparty": "91320507MA0000000X"})
    assert unknown.status_code == 400 and "基础信息库中没有该单位。" in unknown.content.decode()
    assert not Contract.objects.exists()
    assert as_user(people["wt_head"]).post("/territorial/contracts/new/", data).status_code == 404
    assert not Contract.objects.exists()
    made = head.post("/territorial/contracts/new/", data)
    contract = Contract.objects.get()
    assert made.status_code == 302 and contract.instalments.count() == 3
    assert sum(i.amount for i in contract.instalments.all()) == Decimal("108000.00")


def test_receive_renew_terminate(people: dict[str, Any], org: Any, tenant: Entity, funded: Account) -> None:
    contract = _contract(org, people, tenant)
    url = f"/territorial/contracts/{contract.pk}/"
    head = as_user(people["hq_head"])
    first = contract.instalments.order_by("due_on").first()
    assert first is not None
    received = head.post(
        f"{url}receive/", {"instalment": first.pk, "account": funded.pk, "voucher": voucher()}
    )
    assert received.status_code == 302
    funded.refresh_from_db()
    assert funded.balance == Decimal("25000.00")  # 20,000.00 + 5,000.00
    again = head.post(f"{url}receive/", {"instalment": first.pk, "account": funded.pk})
    assert again.status_code == 409 and "该笔应收款已收讫。" in again.content.decode()
    early = head.post(f"{url}renew/", {"ends_on": "2026-07-01", "schedule": ""})
    assert early.status_code == 400 and "续签到期日须晚于原到期日。" in early.content.decode()
    renewed = head.post(f"{url}renew/", {"ends_on": "2027-07-10", "schedule": "2027-01-01 10000"})
    assert renewed.status_code == 302
    contract.refresh_from_db()
    assert contract.ends_on == date(2027, 7, 10) and contract.instalments.count() == 3
    assert (
        as_user(people["wt_head"]).post(f"{url}terminate/", {"on": "2026-06-30", "reason": "x"}).status_code
        == 404
    )
    no_reason = head.post(f"{url}terminate/", {"on": "2026-06-30", "reason": ""})
    assert no_reason.status_code == 400
    assert head.post(f"{url}terminate/", {"on": "2026-06-30", "reason": "承租人退租"}).status_code == 302
    contract.refresh_from_db()
    assert contract.state == "terminated"


# ---------------------------------------------------------------------------------------------- assets


def test_asset_purchase_approved_shows_on_the_card(people: dict[str, Any], org: Any) -> None:
    head = as_user(people["hq_head"])
    data = {
        "kind": "purchase",
        "organisation": org.pk,
        "number": "ZC-001",
        "name": "村办公楼",
        "asset_kind": "building",
        "value": "850000.00",
        "responsible": "张三",
        "lon": "120.555",
        "lat": "31.405",
        "note": "新建",
    }
    bad = head.post("/territorial/asset-changes/new/", {**data, "value": "-1"})
    assert bad.status_code == 400 and "金额不能为负数。" in bad.content.decode()
    assert not AssetChange.objects.exists()
    assert as_user(people["wt_head"]).post("/territorial/asset-changes/new/", data).status_code == 404
    assert head.post("/territorial/asset-changes/new/", data).status_code == 302
    change = AssetChange.objects.get()
    url = f"/territorial/asset-changes/{change.pk}/"
    assert 'data-action="approve"' not in head.get(url).content.decode()  # the town approves
    assert head.post(url, {"action": "approve"}).status_code == 403
    assert as_user(people["hq_agency"]).post(url, {"action": "approve"}).status_code == 302
    asset = Asset.objects.get()
    card = head.get(f"/territorial/assets/{asset.pk}/").content.decode()
    assert "850000.00" in card and "territorial-map-config" in card and f'data-change="{change.pk}"' in card
    assert "ZC-001" in head.get("/territorial/assets/").content.decode()
    assert as_user(people["wt_head"]).get(f"/territorial/assets/{asset.pk}/").status_code == 404
    assert "ZC-001" not in as_user(people["wt_head"]).get("/territorial/assets/").content.decode()


def test_lease_of_an_asset_waits_for_the_town(people: dict[str, Any], org: Any) -> None:
    change = do_propose_asset_change(
        org,
        kind="purchase",
        card={"number": "ZC-2", "name": "仓库", "kind": "building", "value": "1000", "responsible": "李"},
        actor=people["hq_head"],
        now=NOW,
    )
    as_user(people["hq_agency"]).post(f"/territorial/asset-changes/{change.pk}/", {"action": "approve"})
    asset = Asset.objects.get()
    head = as_user(people["hq_head"])
    posted = head.post(
        "/territorial/asset-changes/new/", {"kind": "lease", "organisation": org.pk, "asset": asset.pk}
    )
    assert posted.status_code == 302
    asset.refresh_from_db()
    assert asset.state == "in_use"  # not before the town approves
    assert "待镇三资办审核" in head.get("/territorial/assets/").content.decode()


# ------------------------------------------------------------------------------------ resources, warnings


def test_resources_record_and_bad_outline(people: dict[str, Any], org: Any) -> None:
    head = as_user(people["hq_head"])
    data = {"organisation": org.pk, "name": "南片鱼塘", "kind": "water", "area_mu": "8.5", "outline": ""}
    bad = head.post(
        "/territorial/resources/", {**data, "outline": '{"type": "Point", "coordinates": [1, 2]}'}
    )
    assert bad.status_code == 400 and "范围须为 GeoJSON 多边形" in bad.content.decode()
    assert not Resource.objects.exists()
    ok = head.post("/territorial/resources/", {**data, "outline": json.dumps(SQUARE)})
    assert ok.status_code == 302 and Resource.objects.get().area_mu == Decimal("8.50")
    assert "南片鱼塘" in head.get("/territorial/resources/").content.decode()
    assert "南片鱼塘" not in as_user(people["wt_head"]).get("/territorial/resources/").content.decode()
    assert (
        as_user(people["wt_head"])
        .post("/territorial/resources/", {**data, "outline": json.dumps(SQUARE)})
        .status_code
        == 404
    )
    assert as_user(people["hq_officer"]).get("/territorial/resources/").status_code == 403


def test_warnings_page(people: dict[str, Any], org: Any, tenant: Entity) -> None:
    contract = _contract(org, people, tenant)
    page = as_user(people["hq_agency"]).get("/territorial/warnings/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "合同 HT-1 将于 2026-07-10 到期（25 天）" in text
    assert f"/territorial/contracts/{contract.pk}/" in text
    only = (
        as_user(people["hq_agency"]).get("/territorial/warnings/?code=price_below_reference").content.decode()
    )
    assert "低于参考价" in only and "到期（25 天）" not in only
    assert "HT-1" not in as_user(people["wt_head"]).get("/territorial/warnings/").content.decode()
    assert as_user(people["hq_officer"]).get("/territorial/warnings/").status_code == 403


def test_asset_photos(people: dict[str, Any], org: Any, media: None) -> None:
    change = do_propose_asset_change(
        org,
        kind="purchase",
        card={"number": "ZC-3", "name": "水泵", "kind": "equipment", "value": "3000", "responsible": "李"},
        actor=people["hq_head"],
        now=NOW,
    )
    as_user(people["hq_agency"]).post(f"/territorial/asset-changes/{change.pk}/", {"action": "approve"})
    asset = Asset.objects.get()
    url = f"/territorial/assets/{asset.pk}/photos/"
    head = as_user(people["hq_head"])
    bad = head.post(url, {"photo": SimpleUploadedFile("x.png", b"<html>", content_type="image/png")})
    assert bad.status_code == 400 and not asset.photos.exists()
    assert as_user(people["wt_head"]).post(url, {"photo": voucher("p.png")}).status_code == 404
    assert head.post(url, {"photo": voucher("p.png")}).status_code == 302
    photo = asset.photos.get()
    assert f'data-photo="{photo.pk}"' in head.get(f"/territorial/assets/{asset.pk}/").content.decode()
    image = head.get(f"{url}{photo.pk}/")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    assert as_user(people["wt_head"]).get(f"{url}{photo.pk}/").status_code == 404
