"""财务公开: the monthly public page of a village, built from the ledger, the contracts and the applied
asset changes. Every row leaves through `core.publication.publish` (free text scrubbed; a person
counterparty's name masked before, and known to the scrubber so it is masked wherever it appears)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import NotFound
from core.pii import mask_name
from core.publication import publish
from territorial.models import AssetChange, Contract, LedgerEntry, Payment
from territory.models import Division


@dataclass
class Disclosure:
    village: Division
    month: date
    income: Decimal
    expenditure: Decimal
    entries: list[dict[str, Any]]
    contracts: list[dict[str, Any]]
    asset_changes: list[dict[str, Any]]


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
    # Payees may be persons: masked by default, whoever they are (the public page needs no name).
    names: list[str] = list(Payment.objects.filter(entry__in=entries).values_list("payee", flat=True))
    contract_rows = []
    for c in contracts:
        if c.person is not None:
            names.append(c.person.name)
            counterparty = mask_name(c.person.name)
        else:
            counterparty = c.entity.name if c.entity else ""
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
    return Disclosure(
        village=village,
        month=first,
        income=sum((e.amount for e in entries if e.amount > 0), Decimal("0.00")),
        expenditure=-sum((e.amount for e in entries if e.amount < 0), Decimal("0.00")),
        entries=[
            publish(
                "territorial.disclosure_entry",
                {
                    "booked_on": e.booked_on,
                    "direction": _("收入") if e.amount > 0 else _("支出"),
                    "amount": abs(e.amount),
                    "summary": e.summary,
                },
                names=names,
            )
            for e in entries
        ],
        contracts=[publish("territorial.disclosure_contract", row, names=names) for row in contract_rows],
        asset_changes=[
            publish(
                "territorial.disclosure_asset",
                {
                    "applied_on": ch.applied_at.date() if ch.applied_at else None,
                    "kind": ch.get_kind_display(),
                    "number": ch.asset.number if ch.asset else "",
                    "name": ch.asset.name if ch.asset else "",
                    "value": ch.asset.value if ch.asset else None,
                },
                names=names,
            )
            for ch in changes
        ],
    )
