"""Asset cards change only through approved actions: a village proposes a change (purchase of a new card,
lease, disposal, revaluation) on process `asset_change`; the town's 三资 office approves it and the handler
bound to `approve` applies it to the card in the same transaction. Nothing else writes an Asset."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit.actions import record_event
from core.errors import Conflict, DomainError, NotFound
from core.uploads import clean_image
from territorial.access import check_keeper
from territorial.files import atomic_with_files, store_file
from territorial.models import Asset, AssetChange, AssetPhoto, CollectiveOrganisation
from territorial.money import clean_amount
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
) -> AssetChange:
    """`purchase` needs `card` (the new card's fields); `lease`/`disposal` an `asset`; `revalue` an
    `asset` and the new `value`."""
    check_keeper(actor, organisation.village_code)
    if kind not in AssetChange.Kind.values:
        raise DomainError("invalid_choice", _("变动类型无效。"), field="kind")
    proposal: dict[str, Any] = {"note": note.strip()[:200]}
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
    with transaction.atomic():
        item = do_start_item(
            PROCESS,
            actor=actor,
            now=now,
            title=title,
            territory_code=organisation.village_code,
            subject_type=SUBJECT_TYPE,
        )
        change = AssetChange.objects.create(
            organisation=organisation,
            asset=asset,
            kind=kind,
            proposal=proposal,
            work_item=item,
            proposed_by=actor,
            proposed_at=now,
        )
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
    change.applied_at = step.now
    change.save(update_fields=["asset", "applied_at"])
    record_event(
        actor=step.actor,
        action="territorial.apply_asset_change",
        subject=change,
        territory_code=change.organisation.village_code,
        before=before,
        after=proposal,
        now=step.now,
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
