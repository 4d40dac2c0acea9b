"""A voucher or an asset photo is written in the transaction that records its row and deleted when that
transaction fails after the write: no file outlives a rolled-back row. What a crash or a caller's own
rollback still leaves, `territorial_orphan_files` finds (and removes, with --delete)."""

from __future__ import annotations

import os
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from core.errors import DomainError
from registry.models import Entity
from territorial import actions, assets, contracts, funds
from territorial.files import atomic_with_files, orphan_files, store_file
from territorial.models import Account, AssetPhoto, Contract, LedgerEntry, Payment
from territorial.tests.conftest import NOW, pdf_voucher, voucher
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db
SQUARE = {"type": "Polygon", "coordinates": [[[120.5, 31.4], [120.51, 31.4], [120.51, 31.41], [120.5, 31.4]]]}


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def _files(media: Path) -> set[str]:
    return {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()} if media.exists() else set()


def _fail_after_the_write(monkeypatch: pytest.MonkeyPatch, module: Any) -> None:
    """The audit row, written after the file and the row, fails: the transaction rolls back."""

    def broken(**_: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(module, "record_event", broken)


def test_a_payment_rolled_back_after_its_voucher_leaves_no_file(
    monkeypatch: pytest.MonkeyPatch, funded: Account, clerk: User, media: Path
) -> None:
    before = _files(media)
    _fail_after_the_write(monkeypatch, funds)
    with pytest.raises(RuntimeError):
        funds.do_propose_payment(
            funded, amount="100", payee="甲", purpose="办公用品", voucher=pdf_voucher(), actor=clerk, now=NOW
        )
    assert not Payment.objects.exists() and not WorkItem.objects.exists()
    assert _files(media) == before
    monkeypatch.undo()
    payment = funds.do_propose_payment(
        funded, amount="100", payee="甲", purpose="办公用品", voucher=voucher(), actor=clerk, now=NOW
    )
    assert _files(media) == {*before, str(payment.voucher.name)}  # a committed one stays


def test_a_receipt_rolled_back_after_its_voucher_leaves_no_file(
    monkeypatch: pytest.MonkeyPatch, people: dict[str, Any], funded: Account, media: Path
) -> None:
    before = _files(media)
    _fail_after_the_write(monkeypatch, actions)
    with pytest.raises(RuntimeError):
        actions.do_record_entry(
            funded,
            direction="in",
            amount="10",
            booked_on=NOW.date(),
            summary="摊位费",
            voucher=voucher(),
            actor=people["hq_head"],
            now=NOW,
        )
    assert not LedgerEntry.objects.filter(summary="摊位费").exists()
    assert _files(media) == before


def test_rent_rolled_back_after_its_voucher_leaves_no_file(
    monkeypatch: pytest.MonkeyPatch,
    people: dict[str, Any],
    org: Any,
    funded: Account,
    tenant: Entity,
    media: Path,
) -> None:
    pond = actions.do_record_resource(
        org, name="东鱼塘", kind="water", area_mu="20", outline=SQUARE, actor=people["hq_head"], now=NOW
    )
    contract: Contract = contracts.do_sign_contract(
        org,
        contracts.ContractInput(
            number="HT-F1",
            starts_on=NOW.date(),
            ends_on=NOW.date() + timedelta(days=365),
            annual_price="6000",
            schedule=[(NOW.date(), "3000.00")],
            entity=tenant,
            resource=pond,
        ),
        actor=people["hq_head"],
        now=NOW,
    )
    before = _files(media)
    _fail_after_the_write(monkeypatch, contracts)
    with pytest.raises(RuntimeError):
        contracts.do_receive_instalment(
            contract.instalments.get(), funded, voucher=pdf_voucher(), actor=people["hq_head"], now=NOW
        )
    assert contract.instalments.get().entry_id is None
    assert _files(media) == before


def test_an_asset_photo_rolled_back_after_its_write_leaves_no_file(
    monkeypatch: pytest.MonkeyPatch, people: dict[str, Any], org: Any, media: Path
) -> None:
    card = {"number": "ZC-9", "name": "村综合楼", "kind": "building", "value": "1", "responsible": "张三"}
    change = assets.do_propose_asset_change(org, kind="purchase", card=card, actor=people["hq_head"], now=NOW)
    asset = assets.do_review_asset_change(change, "approve", actor=people["hq_agency"], now=NOW).asset
    assert asset is not None
    _fail_after_the_write(monkeypatch, assets)
    with pytest.raises(RuntimeError):
        assets.do_add_asset_photo(asset, photo=voucher("site.png"), actor=people["hq_head"], now=NOW)
    assert not AssetPhoto.objects.exists()
    assert _files(media) == set()


def test_files_of_an_inner_block_go_with_a_failing_outer_one(media: Path) -> None:
    row = Payment(voucher="")
    with pytest.raises(DomainError), atomic_with_files():
        with atomic_with_files():
            store_file(row.voucher, "inner.pdf", ContentFile(b"%PDF-1.4"))
        assert _files(media) == {str(row.voucher.name)}
        raise DomainError("later_refusal", "a rule checked after the inner block")
    assert _files(media) == set()


def test_a_file_is_stored_only_inside_its_transaction(media: Path) -> None:
    with pytest.raises(RuntimeError, match="atomic_with_files"):
        store_file(Payment(voucher="").voucher, "loose.pdf", ContentFile(b"%PDF-1.4"))
    assert _files(media) == set()


# ---------------------------------------------------------------------------------------------- orphans


def _age(media: Path, name: str, hours: int) -> None:
    path = media / name
    stamp = path.stat().st_mtime - hours * 3600
    os.utime(path, (stamp, stamp))


def test_orphan_files_are_found_and_removed(funded: Account, clerk: User, media: Path) -> None:
    kept = funds.do_propose_payment(
        funded, amount="100", payee="甲", purpose="办公用品", voucher=voucher(), actor=clerk, now=NOW
    )
    old, young = "territorial/vouchers/2026/06/old.pdf", "territorial/assets/2026/06/young.png"
    for name in (old, young):
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(b"left behind")
    _age(media, old, 30)
    _age(media, str(kept.voucher.name), 30)  # referenced: never an orphan, however old
    assert orphan_files(written_before=timezone.now() - timedelta(hours=24)) == [old]
    listed = StringIO()
    call_command("territorial_orphan_files", stdout=listed)
    assert f"{old}\n1 orphan file(s) found" in listed.getvalue() and (media / old).exists()
    call_command("territorial_orphan_files", "--delete", stdout=StringIO())
    assert (
        not (media / old).exists() and (media / young).exists() and (media / str(kept.voucher.name)).exists()
    )
    with pytest.raises(CommandError):
        call_command("territorial_orphan_files", "--hours", "0")
