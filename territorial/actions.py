"""Writes of the 三资 core: organisations, accounts and their ledger, resources. One transaction each,
with its audit row. Asset cards change only through territorial/assets.py (on the engine)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import record_event
from core.errors import DomainError, NotFound
from territorial.access import check_keeper, check_town
from territorial.files import atomic_with_files, store_file
from territorial.models import (
    Account,
    CollectiveOrganisation,
    ExpenditureCategory,
    LedgerEntry,
    Resource,
)
from territorial.money import clean_amount
from territorial.scans import Scan, clean_scan
from territory.models import Division


def _text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError("required", _("此项不能为空。"), field=field)
    if len(value) > limit:
        raise DomainError("too_long", _("不能超过 %(limit)s 个字。") % {"limit": limit}, field=field)
    return value


def do_create_organisation(
    *, village_code: str, name: str, credit_code: str = "", actor: User, now: datetime
) -> CollectiveOrganisation:
    if not Division.objects.filter(code=village_code, level=Division.Level.VILLAGE).exists():
        raise NotFound(field="village_code")
    check_town(actor, village_code, field="village_code")
    name = _text(name, "name", 100)
    if CollectiveOrganisation.objects.filter(village_code=village_code, name=name).exists():
        raise DomainError("duplicate", _("该村已有同名集体经济组织。"), field="name", status=409)
    with transaction.atomic():
        org = CollectiveOrganisation.objects.create(
            village_code=village_code, name=name, credit_code=credit_code.strip(), created_at=now
        )
        record_event(
            actor=actor,
            action="territorial.create_organisation",
            subject=org,
            territory_code=village_code,
            after={"name": name},
            now=now,
        )
    return org


def do_open_account(
    organisation: CollectiveOrganisation, *, name: str, kind: str, actor: User, now: datetime
) -> Account:
    check_keeper(actor, organisation.village_code)
    name = _text(name, "name", 100)
    if kind not in Account.Kind.values:
        raise DomainError("invalid_choice", _("账户类型无效。"), field="kind")
    if organisation.accounts.filter(name=name).exists():
        raise DomainError("duplicate", _("已有同名账户。"), field="name", status=409)
    with transaction.atomic():
        account = Account.objects.create(organisation=organisation, name=name, kind=kind)
        record_event(
            actor=actor,
            action="territorial.open_account",
            subject=account,
            territory_code=organisation.village_code,
            after={"name": name, "kind": kind},
            now=now,
        )
    return account


def clean_category(value: str) -> str:
    """An expenditure heading (支出类别); empty means 其他支出."""
    value = (value or "").strip() or ExpenditureCategory.OTHER
    if value not in ExpenditureCategory.values:
        raise DomainError("invalid_choice", _("支出类别无效。"), field="category")
    return value


def clean_voucher(voucher: UploadedFile | None, *, required: bool, message: str) -> Scan | None:
    """The voucher of a payment or a receipt (a scan or a photo of the 凭证, 收据, 票据): an image
    re-encoded without metadata or a PDF rewritten and checked for active content (territorial.scans).
    Missing: refused with `voucher_required` and `message` when `required`, else None."""
    if voucher is None:
        if required:
            raise DomainError("voucher_required", message, field="voucher")
        return None
    return clean_scan(voucher, field="voucher", label=_("凭证"))


def receipt_voucher_required() -> bool:
    """Whether a receipt must carry its voucher (TERRITORIAL_RECEIPT_VOUCHER_REQUIRED, on by default)."""
    return bool(settings.TERRITORIAL_RECEIPT_VOUCHER_REQUIRED)


def clean_receipt_voucher(voucher: UploadedFile | None) -> Scan | None:
    """A receipt's voucher, required unless TERRITORIAL_RECEIPT_VOUCHER_REQUIRED is off."""
    return clean_voucher(
        voucher, required=receipt_voucher_required(), message=_("收款须附收据或票据的凭证。")
    )


def post_entry(
    account: Account,
    *,
    amount: Decimal,
    booked_on: date,
    summary: str,
    actor: User,
    now: datetime,
    category: str = "",
    voucher: Scan | None = None,
    stored_voucher: str = "",
) -> LedgerEntry:
    """Book `amount` (signed) on `account` inside the caller's transaction (an atomic_with_files(), when
    a voucher is given: its file is deleted if the booking rolls back); the balance moves in the same
    statement (F expression) so two bookings at once both count. `stored_voucher` names a file already
    kept with another row (an asset change's voucher) that the entry shows as its own."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post_entry must run inside the transaction of the booking")
    entry = LedgerEntry(
        account=account,
        booked_on=booked_on,
        amount=amount,
        summary=summary,
        category=(category or ExpenditureCategory.OTHER) if amount < 0 else "",
        recorded_by=actor,
        recorded_at=now,
    )
    if voucher is not None:
        store_file(entry.voucher, f"receipt.{voucher.extension}", voucher.content)
    elif stored_voucher:
        entry.voucher.name = stored_voucher
    entry.save()
    Account.objects.filter(pk=account.pk).update(balance=F("balance") + amount)
    return entry


def do_record_entry(
    account: Account,
    *,
    direction: str,
    amount: Any,
    booked_on: date,
    summary: str,
    actor: User,
    now: datetime,
    category: str = "",
    voucher: UploadedFile | None = None,
) -> LedgerEntry:
    """A receipt (`in`, with its voucher: required unless TERRITORIAL_RECEIPT_VOUCHER_REQUIRED is
    off) or, for opening balances and corrections by the town, a payment (`out`, under an expenditure
    heading, 其他支出 when none is given; a voucher is kept when given); village payments proper go
    through the approval chain of the funds module."""
    check_keeper(actor, account.organisation.village_code, field="account")
    if direction not in ("in", "out"):
        raise DomainError("invalid_choice", _("收支方向无效。"), field="direction")
    value = clean_amount(amount)
    summary = _text(summary, "summary", 200)
    heading = clean_category(category) if direction == "out" else ""
    if booked_on > timezone.localtime(now).date():  # the day in Suzhou, not in UTC
        raise DomainError("future_date", _("记账日期不能晚于今天。"), field="booked_on")
    if direction == "in":
        image = clean_receipt_voucher(voucher)
    else:
        image = clean_voucher(voucher, required=False, message="")
    signed = value if direction == "in" else -value
    with atomic_with_files():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        if locked.balance + signed < 0:
            raise DomainError("insufficient_balance", _("账户余额不足。"), field="amount", status=422)
        entry = post_entry(
            locked,
            amount=signed,
            booked_on=booked_on,
            summary=summary,
            actor=actor,
            now=now,
            category=heading,
            voucher=image,
        )
        record_event(
            actor=actor,
            action="territorial.record_entry",
            subject=entry,
            territory_code=account.organisation.village_code,
            after={"amount": str(signed), "summary": summary, "voucher": bool(entry.voucher)},
            now=now,
        )
    return entry


def _clean_outline(outline: Any) -> dict[str, Any]:
    if not isinstance(outline, dict) or outline.get("type") != "Polygon":
        raise DomainError("invalid_outline", _("范围须为 GeoJSON 多边形（Polygon）。"), field="outline")
    rings: Any = outline.get("coordinates")
    try:
        ring = rings[0]
        points = [(float(p[0]), float(p[1])) for p in ring]
    except (TypeError, IndexError, ValueError):
        raise DomainError("invalid_outline", _("多边形坐标格式错误。"), field="outline") from None
    if len(points) < 4 or points[0] != points[-1]:
        raise DomainError("invalid_outline", _("多边形须至少三个点且首尾闭合。"), field="outline")
    if not all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in points):
        raise DomainError("invalid_outline", _("坐标超出经纬度范围。"), field="outline")
    return {"type": "Polygon", "coordinates": [[list(p) for p in points]]}


def do_record_resource(
    organisation: CollectiveOrganisation,
    *,
    name: str,
    kind: str,
    area_mu: Any,
    outline: Any,
    actor: User,
    now: datetime,
) -> Resource:
    check_keeper(actor, organisation.village_code)
    name = _text(name, "name", 100)
    if kind not in Resource.Kind.values:
        raise DomainError("invalid_choice", _("资源类别无效。"), field="kind")
    area = clean_amount(area_mu, field="area_mu")
    shape = _clean_outline(outline)
    with transaction.atomic():
        resource = Resource.objects.create(
            organisation=organisation, name=name, kind=kind, area_mu=area, outline=shape
        )
        record_event(
            actor=actor,
            action="territorial.record_resource",
            subject=resource,
            territory_code=organisation.village_code,
            after={"name": name, "area_mu": str(area)},
            now=now,
        )
    return resource
