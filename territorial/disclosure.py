"""财务公开: the monthly public page of a village, built from the ledger, the contracts and the applied
asset changes, and whether a month's page was complete by its deadline (`late_entries`: the monthly
report and the command desk read that one rule). Every row leaves through `core.publication` (free text
scrubbed, the names of registered people masked; one registry lookup for the whole page). Who was paid or
holds a contract is public when it is an enterprise or another organisation (its name is public
information) and masked when it is a natural person: a person counterparty of a contract by surname, a
payee who is not an organisation wherever the name appears (the payment's own summary reads
"用途（收款方）")."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound
from core.pii import mask_name
from core.publication import publish, registered_names, texts_of
from territorial.days import midnight, month_after
from territorial.models import AssetChange, Contract, LedgerEntry, Payment
from territory.models import Division

# A payee is an organisation when its name ends with one of these (and is longer than a person's name
# can be): enterprises, individual businesses, co-operatives, public bodies. Anything else is taken for a
# person and masked — a wrong guess hides an enterprise's name, never shows a person's.
_ENDINGS = (
    "公司 厂 店 社 部 中心 站 所 院 局 馆 队 处 委员会 协会 商会 银行 学校 中学 小学 幼儿园 集团 超市 酒店 "
    "宾馆 农场 工作室 政府 街道"
)
ORGANISATION_ENDINGS = tuple(_ENDINGS.split())
ORGANISATION_MIN_LENGTH = 5


def is_organisation(payee: str) -> bool:
    name = payee.strip()
    return len(name) >= ORGANISATION_MIN_LENGTH and name.endswith(ORGANISATION_ENDINGS)


@dataclass
class Disclosure:
    village: Division
    month: date
    income: Decimal
    expenditure: Decimal
    entries: list[dict[str, Any]]
    contracts: list[dict[str, Any]]
    asset_changes: list[dict[str, Any]]


def disclosure_month(end_day: date, today: date) -> tuple[date, date]:
    """(first day, deadline) of the newest month ending by `end_day` whose disclosure deadline (the
    TERRITORIAL_DISCLOSURE_DAY of the next month) has passed on `today`: a report made early in a month
    judges the month before the one it covers."""
    month = (end_day - timedelta(days=1)).replace(day=1)
    day = int(settings.TERRITORIAL_DISCLOSURE_DAY)
    while True:
        following = month_after(month)
        deadline = following.replace(day=min(day, calendar.monthrange(following.year, following.month)[1]))
        if deadline < today:
            return month, deadline
        month = (month - timedelta(days=1)).replace(day=1)


def late_entries(prefix: str, month: date, deadline: date) -> QuerySet[LedgerEntry]:
    """The entries booked in `month` by the villages under `prefix` and recorded after the deadline day:
    a village's 财务公开 of the month was on time when it has none (the page is generated from the ledger,
    so an entry recorded late was missing from it at the deadline)."""
    return LedgerEntry.objects.filter(
        account__organisation__village_code__startswith=prefix,
        booked_on__gte=month,
        booked_on__lt=month_after(month),
        recorded_at__gte=midnight(deadline + timedelta(days=1)),
    )


def monthly_disclosure(village_code: str, year: int, month: int) -> Disclosure:
    village = Division.objects.filter(code=village_code, level=Division.Level.VILLAGE).first()
    if village is None or not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise NotFound(field="village")
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    entries = list(
        LedgerEntry.objects.filter(
            account__organisation__village_code=village_code, booked_on__range=(first, last)
        )
    )
    contracts = Contract.objects.filter(
        organisation__village_code=village_code, starts_on__lte=last, ends_on__gte=first
    ).select_related("person", "entity", "asset", "resource")
    changes = (
        AssetChange.objects.filter(
            organisation__village_code=village_code,
            applied_at__isnull=False,
            applied_at__date__range=(first, last),
        )
        .select_related("asset")
        .filter(Q(asset__isnull=False))
    )
    names: list[str] = []  # persons: masked wherever they appear on the page
    public: list[str] = []  # organisations: public, a person's name inside one is not masked there
    for payee in Payment.objects.filter(entry__in=entries).values_list("payee", flat=True):
        (public if is_organisation(payee) else names).append(payee)
    contract_rows = []
    for c in contracts:
        if c.person is not None:
            names.append(c.person.name)
            counterparty = mask_name(c.person.name)
        else:
            counterparty = c.entity.name if c.entity else ""
            public.append(counterparty)
        subject = c.asset.name if c.asset else (c.resource.name if c.resource else "")
        contract_rows.append(
            {
                "number": c.number,
                "counterparty": counterparty,
                "subject": subject,
                "annual_price": c.annual_price,
                "starts_on": c.starts_on,
                "ends_on": c.ends_on,
                "state": c.get_state_display(),
            }
        )
    entry_rows = [
        {
            "booked_on": e.booked_on,
            "direction": _("收入") if e.amount > 0 else _("支出"),
            "amount": abs(e.amount),
            "summary": e.summary,
        }
        for e in entries
    ]
    asset_rows = [
        {
            "applied_on": ch.applied_at.date() if ch.applied_at else None,
            "kind": ch.get_kind_display(),
            "number": ch.asset.number if ch.asset else "",
            "name": ch.asset.name if ch.asset else "",
            "value": ch.asset.value if ch.asset else None,
        }
        for ch in changes
    ]
    lists = (
        ("territorial.disclosure_entry", entry_rows),
        ("territorial.disclosure_contract", contract_rows),
        ("territorial.disclosure_asset", asset_rows),
    )
    found = registered_names(
        text for channel, rows in lists for row in rows for text in texts_of(channel, row)
    )

    def published(channel: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [publish(channel, row, names=names, public=public, registered=found) for row in rows]

    return Disclosure(
        village=village,
        month=first,
        income=sum((e.amount for e in entries if e.amount > 0), Decimal("0.00")),
        expenditure=-sum((e.amount for e in entries if e.amount < 0), Decimal("0.00")),
        entries=published(*lists[0]),
        contracts=published(*lists[1]),
        asset_changes=published(*lists[2]),
    )
