"""Asset cards change only through approved actions: a village proposes a change (purchase of a new card,
lease, disposal, revaluation) on process `asset_change`; the town's 三资 office approves it and the handler
bound to `approve` applies it to the card in the same transaction. Nothing else writes an Asset.

A purchase with a price paid, or a disposal with proceeds received, moves money: the proposal names the
account and carries the voucher, and the same `approve` handler books the payment or the receipt into the
village's ledger, so the cards and the ledger never disagree about an approved change."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit.actions import record_event
from core.errors import Conflict, DomainError, NotFound
from core.uploads import clean_image
from territorial.access import check_keeper
from territorial.actions import clean_receipt_voucher, clean_voucher, post_entry
from territorial.files import atomic_with_files, store_file
from territorial.models import (
    Account,
    Asset,
    AssetChange,
    AssetPhoto,
    CollectiveOrganisation,
    ExpenditureCategory,
)
from territorial.money import clean_amount
from territorial.scans import Scan
from workflow.engine import transition
from workflow.handlers import Handler, Step, bind
from workflow.models import WorkItem
from workflow.start import do_start_item

PROCESS = "asset_change"
SUBJECT_TYPE = "territorial.assetchange"
NEXT_STATE = {
    AssetChange.Kind.LEASE: Asset.State.LEASED,
    AssetChange.Kind.DISPOSAL: Asset.State.DISPOSED,
}
# The kinds that may move money: a purchase pays its price, a disposal receives its proceeds.
PAID = AssetChange.Kind.PURCHASE
RECEIVED = AssetChange.Kind.DISPOSAL


def _clean_card(card: dict[str, Any]) -> dict[str, Any]:
    number = str(card.get("number", "")).strip()
    name = str(card.get("name", "")).strip()
    if not number:
        raise DomainError("required", _("卡片编号不能为空。"), field="number")
    if not name:
        raise DomainError("required", _("资产名称不能为空。"), field="name")
    if card.get("kind") not in Asset.Kind.values:
        raise DomainError("invalid_choice", _("资产类别无效。"), field="kind")
    responsible = str(card.get("responsible", "")).strip()
    if not responsible:
        raise DomainError("required", _("责任人不能为空。"), field="responsible")
    lon, lat = card.get("lon"), card.get("lat")
    if lon is not None or lat is not None:
        try:
            lon, lat = float(lon), float(lat)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise DomainError("invalid_location", _("位置须为经纬度。"), field="lon") from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise DomainError("invalid_location", _("坐标超出经纬度范围。"), field="lon")
    return {
        "number": number,
        "name": name,
        "kind": card["kind"],
        "responsible": responsible,
        "value": str(clean_amount(card.get("value"), field="value")),
        "lon": lon,
        "lat": lat,
    }


def do_propose_asset_change(
    organisation: CollectiveOrganisation,
    *,
    kind: str,
    actor: User,
    now: datetime,
    asset: Asset | None = None,
    card: dict[str, Any] | None = None,
    value: Any = None,
    note: str = "",
    amount: Any = None,
    account: Account | None = None,
    voucher: UploadedFile | None = None,
) -> AssetChange:
    """`purchase` needs `card` (the new card's fields); `lease`/`disposal` an `asset`; `revalue` an
    `asset` and the new `value`. A purchase's price paid or a disposal's proceeds (`amount`, optional)
    need the `account` of the organisation it moves on and the `voucher` (a purchase's always, as a
    payment's; a disposal's as a receipt's: unless TERRITORIAL_RECEIPT_VOUCHER_REQUIRED is off)."""
    check_keeper(actor, organisation.village_code)
    if kind not in AssetChange.Kind.values:
        raise DomainError("invalid_choice", _("变动类型无效。"), field="kind")
    proposal: dict[str, Any] = {"note": note.strip()[:200]}
    scan = _clean_money(organisation, kind, proposal, amount=amount, account=account, voucher=voucher)
    if kind == AssetChange.Kind.PURCHASE:
        proposal["card"] = _clean_card(card or {})
        if organisation.assets.filter(number=proposal["card"]["number"]).exists():
            raise DomainError("duplicate", _("卡片编号已存在。"), field="number", status=409)
        asset = None
    else:
        if asset is None or asset.organisation_id != organisation.pk:
            raise NotFound(field="asset")
        if asset.state == Asset.State.DISPOSED:
            raise DomainError("asset_disposed", _("该资产已处置。"), field="asset", status=409)
        if kind == AssetChange.Kind.REVALUE:
            proposal["value"] = str(clean_amount(value, field="value"))
    title = f"{AssetChange.Kind(kind).label}：{proposal['card']['name'] if asset is None else asset.name}"
    with atomic_with_files():
        item = do_start_item(
            PROCESS,
            actor=actor,
            now=now,
            title=title,
            territory_code=organisation.village_code,
            subject_type=SUBJECT_TYPE,
        )
        change = AssetChange(
            organisation=organisation,
            asset=asset,
            kind=kind,
            proposal=proposal,
            account=account if "amount" in proposal else None,
            work_item=item,
            proposed_by=actor,
            proposed_at=now,
        )
        if scan is not None:
            store_file(change.voucher, f"asset-change-{item.pk}.{scan.extension}", scan.content)
        change.save()
        item.subject_id = str(change.pk)
        item.save(update_fields=["subject_id"])
        record_event(
            actor=actor,
            action="territorial.propose_asset_change",
            subject=change,
            territory_code=organisation.village_code,
            after=proposal,
            now=now,
        )
    return change


def _clean_money(
    organisation: CollectiveOrganisation,
    kind: str,
    proposal: dict[str, Any],
    *,
    amount: Any,
    account: Account | None,
    voucher: UploadedFile | None,
) -> Scan | None:
    """The money a purchase pays or a disposal receives, put in `proposal["amount"]`; its voucher,
    checked as a payment's or a receipt's is (territorial.actions), returned to be stored."""
    if amount is None or amount == "":
        if account is not None or voucher is not None:
            raise DomainError("required", _("填写了收付款账户或凭证时须填写成交金额。"), field="amount")
        return None
    if kind not in (PAID, RECEIVED):
        raise DomainError("amount_not_applicable", _("只有购置和处置才有成交金额。"), field="amount")
    proposal["amount"] = str(clean_amount(amount, field="amount"))
    if account is None:
        raise DomainError("required", _("请选择收付款账户。"), field="account")
    if account.organisation_id != organisation.pk:
        raise NotFound(field="account")
    if kind == PAID:
        return clean_voucher(voucher, required=True, message=_("购置付款须附发票等原始凭证。"))
    return clean_receipt_voucher(voucher)


# ---------------------------------------------------------------------------------------- the handlers


def _lock_change(step: Step) -> None:
    change = AssetChange.objects.select_for_update(of=("self",)).filter(work_item_id=step.item.pk).first()
    if change is None:
        raise Conflict("no_subject", _("该办件没有对应的资产变动。"), field="action")
    step.scratch["change"] = change


def _apply(step: Step) -> None:
    change: AssetChange = step.scratch["change"]
    proposal = change.proposal
    if change.kind == AssetChange.Kind.PURCHASE:
        card = proposal["card"]
        if change.organisation.assets.filter(number=card["number"]).exists():
            raise DomainError("duplicate", _("卡片编号已存在。"), field="number", status=409)
        change.asset = Asset.objects.create(organisation=change.organisation, **card)
        before: dict[str, Any] = {}
    else:
        asset = Asset.objects.select_for_update().get(pk=change.asset_id or 0)
        if asset.state == Asset.State.DISPOSED:
            raise DomainError("asset_disposed", _("该资产已处置。"), field="asset", status=409)
        before = {"state": asset.state, "value": str(asset.value)}
        if change.kind == AssetChange.Kind.REVALUE:
            asset.value = proposal["value"]
        else:
            asset.state = NEXT_STATE[AssetChange.Kind(change.kind)]  # the card's: # not a work item
        asset.save(update_fields=["state", "value"])
    if "amount" in proposal:
        change.entry = _book(step, change)
    change.applied_at = step.now
    change.save(update_fields=["asset", "applied_at", "entry"])
    record_event(
        actor=step.actor,
        action="territorial.apply_asset_change",
        subject=change,
        territory_code=change.organisation.village_code,
        before=before,
        after=proposal,
        now=step.now,
    )


def _book(step: Step, change: AssetChange) -> Any:
    """The purchase's payment or the disposal's receipt on the proposal's account, booked on the day
    of the approval (in Suzhou) with the change's voucher; a payment the balance cannot cover is
    refused, and with it the approval."""
    amount = Decimal(change.proposal["amount"])
    account = Account.objects.select_for_update().get(pk=change.account_id or 0)
    name = change.asset.name if change.asset is not None else change.proposal["card"]["name"]
    if change.kind == PAID:
        if account.balance < amount:
            raise DomainError(
                "insufficient_balance", _("账户余额不足，不能支付。"), field="amount", status=422
            )
        signed, summary = -amount, f"资产购置：{name}"  # the ledger's own words, in no session's language
    else:
        signed, summary = amount, f"资产处置收入：{name}"
    return post_entry(
        account,
        amount=signed,
        booked_on=timezone.localtime(step.now).date(),
        summary=summary[:200],
        actor=step.actor,
        now=step.now,
        category=ExpenditureCategory.OTHER,
        stored_voucher=str(change.voucher.name or ""),
    )


HANDLERS: dict[str, Handler] = {
    "approve": Handler(guard=_lock_change, effect=_apply),
    "reject": Handler(guard=_lock_change),  # nothing applies; the reason is on the transition
}


# Where the stream starts this process's items (the generic create door refuses it and names this).
START_DOOR = gettext_lazy("资产变动申请（/territorial/asset-changes/new/）")


def register() -> None:
    bind(PROCESS, HANDLERS, owner="territorial", start_door=START_DOOR)


def do_review_asset_change(
    change: AssetChange, action: str, *, actor: User, now: datetime, reason: str = ""
) -> AssetChange:
    """As the generic door takes it: the engine checks jurisdiction, the action, state and role (the
    town's 三资 office), and the bound handler applies; every refusal is theirs."""
    item = WorkItem.objects.select_related("process_version").get(pk=change.work_item_id)
    transition(item, action, actor=actor, now=now, reason=reason)
    return AssetChange.objects.select_related("asset").get(pk=change.pk)


def do_add_asset_photo(asset: Asset, *, photo: UploadedFile | None, actor: User, now: datetime) -> AssetPhoto:
    """A photo documents the card; it changes none of its fields, so it needs no approval."""
    check_keeper(actor, asset.organisation.village_code, field="asset")
    if photo is None:
        raise DomainError("required", _("请选择照片。"), field="photo")
    image = clean_image(photo, field="photo", label=_("照片"))
    with atomic_with_files():
        row = AssetPhoto(asset=asset, uploaded_by=actor, uploaded_at=now)
        store_file(row.image, f"{asset.pk}-{int(now.timestamp())}.{image.extension}", image.content)
        row.save()
        record_event(
            actor=actor,
            action="territorial.add_asset_photo",
            subject=row,
            territory_code=asset.organisation.village_code,
            after={"asset": asset.pk},
            now=now,
        )
    return row
