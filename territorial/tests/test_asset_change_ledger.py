"""Asset cards in sync with the ledger: a purchase with its price paid or a disposal with its proceeds
names the account and carries the voucher; the town's approval books the payment or the receipt in the
same transaction (the handler bound to `approve`), the ledger still reconciles, and a refused approval
or a refused proposal writes nothing. Totals are worked by hand from the `funded` account's 20,000.00."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from audit.models import AuditEvent
from core.errors import DomainError
from territorial import actions
from territorial.assets import do_propose_asset_change, do_review_asset_change
from territorial.findings import findings
from territorial.models import Account, Asset, AssetChange, CollectiveOrganisation, LedgerEntry
from territorial.selectors import ledger, unreconciled
from territorial.tests.conftest import NOW, voucher

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "media")]

CARD = {"number": "ZC-101", "name": "收割机", "kind": "equipment", "value": "12000.00", "responsible": "张三"}
NOT_AN_IMAGE = b"<html><script>alert(1)</script></html>"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _stored(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def _purchase(org: CollectiveOrganisation, head: User, account: Account, **extra: Any) -> AssetChange:
    values: dict[str, Any] = {"amount": "8000.50", "account": account, "voucher": voucher("invoice.png")}
    values.update(extra)
    return do_propose_asset_change(org, kind="purchase", card=CARD, actor=head, now=NOW, **values)


def _balance(account: Account) -> Decimal:
    account.refresh_from_db()
    return account.balance


def test_purchase_and_disposal_are_booked_when_the_town_approves(
    people: dict[str, Any], org: CollectiveOrganisation, funded: Account
) -> None:
    change = _purchase(org, people["hq_head"], funded)
    assert change.proposal["amount"] == "8000.50" and change.voucher
    assert _balance(funded) == Decimal("20000.00")  # nothing is paid before the approval
    assert LedgerEntry.objects.filter(account=funded).count() == 1

    change = do_review_asset_change(change, "approve", actor=people["hq_agency"], now=NOW)
    change.refresh_from_db()
    entry = change.entry
    assert entry is not None and entry.account_id == funded.pk
    assert entry.amount == Decimal("-8000.50")
    assert entry.booked_on == date(2026, 6, 15)  # NOW is 10:00 in Suzhou
    assert entry.summary == "资产购置：收割机" and entry.category == "other"
    assert entry.voucher.name == change.voucher.name  # the proposal's invoice, shown on the ledger line
    assert _balance(funded) == Decimal("11999.50")  # 20000.00 − 8000.50
    assert change.asset is not None and change.asset.value == Decimal("12000.00")

    disposal = do_propose_asset_change(
        org,
        kind="disposal",
        asset=change.asset,
        amount="3500.25",
        account=funded,
        voucher=voucher("receipt.png"),
        actor=people["hq_head"],
        now=NOW,
    )
    do_review_asset_change(disposal, "approve", actor=people["hq_leader"], now=NOW)
    disposal.refresh_from_db()
    assert disposal.entry is not None and disposal.entry.amount == Decimal("3500.25")
    assert disposal.entry.summary == "资产处置收入：收割机"
    assert Asset.objects.get().state == Asset.State.DISPOSED
    assert _balance(funded) == Decimal("15499.75")  # 11999.50 + 3500.25

    book = ledger(funded)
    assert (book.receipts, book.payments) == (Decimal("23500.25"), Decimal("8000.50"))
    assert book.reconciles and [line.balance for line in book.lines] == [
        Decimal("20000.00"),
        Decimal("11999.50"),
        Decimal("15499.75"),
    ]
    assert [line.asset_change for line in book.lines] == [None, change, disposal]
    assert unreconciled() == []
    call_command("territorial_reconcile")  # raises CommandError when an account does not reconcile
    assert AuditEvent.objects.filter(action="territorial.apply_asset_change").count() == 2


def test_an_approved_purchase_is_no_unapproved_large_payment(
    people: dict[str, Any], org: CollectiveOrganisation, funded: Account
) -> None:
    """8000.50 is above the town's 5000 threshold, yet approved: the town approved the change."""
    change = _purchase(org, people["hq_head"], funded)
    do_review_asset_change(change, "approve", actor=people["hq_agency"], now=NOW)
    codes = [f.code for f in findings(people["hq_agency"], today=date(2026, 6, 15))]
    assert "large_payment_unapproved" not in codes
    actions.do_record_entry(  # the same sum paid out with no approval still is one
        funded,
        direction="out",
        amount="8000.50",
        booked_on=date(2026, 6, 15),
        summary="未经审批的支出",
        actor=people["hq_agency"],
        now=NOW,
    )
    codes = [f.code for f in findings(people["hq_agency"], today=date(2026, 6, 15))]
    assert codes.count("large_payment_unapproved") == 1


def test_refused_approvals_book_nothing(
    people: dict[str, Any], org: CollectiveOrganisation, funded: Account
) -> None:
    change = _purchase(org, people["hq_head"], funded, amount="20000.01")  # one fen more than the balance

    def unchanged() -> None:
        change.refresh_from_db()
        assert change.entry is None and change.applied_at is None and change.work_item.state == "proposed"
        assert not Asset.objects.exists()
        assert _balance(funded) == Decimal("20000.00")
        assert LedgerEntry.objects.filter(account=funded).count() == 1

    with pytest.raises(DomainError) as village:  # the village does not approve its own purchase
        do_review_asset_change(change, "approve", actor=people["hq_head"], now=NOW)
    assert village.value.status == 403
    unchanged()
    with pytest.raises(DomainError) as outsider:
        do_review_asset_change(change, "approve", actor=people["wt_head"], now=NOW)
    assert outsider.value.status == 404
    unchanged()
    with pytest.raises(DomainError) as short:
        do_review_asset_change(change, "approve", actor=people["hq_agency"], now=NOW)
    assert (short.value.code, short.value.field, short.value.status) == (
        "insufficient_balance",
        "amount",
        422,
    )
    unchanged()
    do_review_asset_change(change, "reject", actor=people["hq_agency"], now=NOW, reason="超出预算")
    unchanged_but_closed = AssetChange.objects.get(pk=change.pk)
    assert unchanged_but_closed.entry is None and _balance(funded) == Decimal("20000.00")


@pytest.mark.parametrize(
    ("kind", "extra", "code", "field"),
    [
        ("purchase", {"voucher": None}, "voucher_required", "voucher"),
        (
            "purchase",
            {"voucher": SimpleUploadedFile("invoice.png", NOT_AN_IMAGE, content_type="image/png")},
            "invalid_type",
            "voucher",
        ),
        ("purchase", {"amount": "-1"}, "negative_amount", "amount"),
        ("purchase", {"amount": "10.001"}, "amount_precision", "amount"),
        ("purchase", {"account": None}, "required", "account"),
        ("purchase", {"amount": None}, "required", "amount"),  # an account and a voucher, but no sum
        ("disposal", {"voucher": None}, "voucher_required", "voucher"),
        ("lease", {}, "amount_not_applicable", "amount"),
        ("revalue", {"value": "9000"}, "amount_not_applicable", "amount"),
    ],
)
def test_bad_money_writes_nothing(
    people: dict[str, Any],
    org: CollectiveOrganisation,
    funded: Account,
    media: Path,
    kind: str,
    extra: dict[str, Any],
    code: str,
    field: str,
) -> None:
    asset = None
    if kind != "purchase":
        bought = do_propose_asset_change(org, kind="purchase", card=CARD, actor=people["hq_head"], now=NOW)
        asset = do_review_asset_change(bought, "approve", actor=people["hq_agency"], now=NOW).asset
    before = (AssetChange.objects.count(), _stored(media))
    values: dict[str, Any] = {"amount": "3000.00", "account": funded, "voucher": voucher("v.png"), **extra}
    if kind == "purchase":
        values["card"] = CARD
    with pytest.raises(DomainError) as error:
        do_propose_asset_change(org, kind=kind, asset=asset, actor=people["hq_head"], now=NOW, **values)
    assert (error.value.code, error.value.field) == (code, field)
    assert (AssetChange.objects.count(), _stored(media)) == before
    assert _balance(funded) == Decimal("20000.00")


def test_an_account_of_another_village_is_not_found(
    people: dict[str, Any], org: CollectiveOrganisation, wt_org: CollectiveOrganisation, funded: Account
) -> None:
    theirs = actions.do_open_account(wt_org, name="渭塘基本户", kind="bank", actor=people["system"], now=NOW)
    with pytest.raises(DomainError) as error:
        _purchase(org, people["hq_head"], theirs)
    assert (error.value.code, error.value.field, error.value.status) == ("not_found", "account", 404)
    assert not AssetChange.objects.exists()


def test_disposal_without_receipt_voucher_when_receipts_need_none(
    people: dict[str, Any], org: CollectiveOrganisation, funded: Account, settings: Any
) -> None:
    """The disposal's proceeds follow the receipt rule: TERRITORIAL_RECEIPT_VOUCHER_REQUIRED off, none."""
    settings.TERRITORIAL_RECEIPT_VOUCHER_REQUIRED = False
    bought = do_propose_asset_change(org, kind="purchase", card=CARD, actor=people["hq_head"], now=NOW)
    asset = do_review_asset_change(bought, "approve", actor=people["hq_agency"], now=NOW).asset
    disposal = do_propose_asset_change(
        org, kind="disposal", asset=asset, amount="600", account=funded, actor=people["hq_head"], now=NOW
    )
    do_review_asset_change(disposal, "approve", actor=people["hq_agency"], now=NOW)
    disposal.refresh_from_db()
    assert disposal.entry is not None and not disposal.entry.voucher
    assert _balance(funded) == Decimal("20600.00")


# ------------------------------------------------------------------------------------------- the pages


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_propose_approve_and_show_the_booking(
    people: dict[str, Any], org: CollectiveOrganisation, funded: Account, wt_org: CollectiveOrganisation
) -> None:
    head = as_user(people["hq_head"])
    form = {
        "kind": "purchase",
        "organisation": org.pk,
        "number": "ZC-201",
        "name": "喷灌设备",
        "asset_kind": "equipment",
        "value": "6800.00",
        "responsible": "李四",
        "amount": "6800.00",
        "account": funded.pk,
    }
    refused = head.post("/territorial/asset-changes/new/", form)  # no invoice
    assert refused.status_code == 400 and "购置付款须附发票等原始凭证" in refused.content.decode()
    assert not AssetChange.objects.exists()
    outsider = as_user(people["wt_head"]).post(
        "/territorial/asset-changes/new/", {**form, "voucher": voucher("invoice.png")}
    )
    assert outsider.status_code == 404 and not AssetChange.objects.exists()
    posted = head.post("/territorial/asset-changes/new/", {**form, "voucher": voucher("invoice.png")})
    assert posted.status_code == 302
    change = AssetChange.objects.get()
    url = f"/territorial/asset-changes/{change.pk}/"
    page = head.get(url).content.decode()
    assert "data-money" in page and "6800.00" in page and "审核通过时记账" in page
    scan = head.get(f"{url}voucher/")
    assert scan.status_code == 200 and scan.content.startswith(b"\x89PNG")
    assert as_user(people["wt_head"]).get(f"{url}voucher/").status_code == 404
    assert as_user(people["hq_officer"]).get(f"{url}voucher/").status_code == 403

    assert as_user(people["hq_agency"]).post(url, {"action": "approve"}).status_code == 302
    assert _balance(funded) == Decimal("13200.00")  # 20000.00 − 6800.00
    assert "2026-06-15 已记账" in head.get(url).content.decode()
    book = head.get(f"/territorial/organisations/{org.pk}/").content.decode()
    assert f'href="{url}" data-asset-change' in book and 'data-reconciles="yes"' in book
