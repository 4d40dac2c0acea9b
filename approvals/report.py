"""The centre-authorisation report (进驻事项核查): the seed document's rules — a 示范型 centre handles at
least 250 items directly, a 标准型 one at least 199, and every item's promised limit is at most half its
legal limit (never over it). Lists every centre and every item that falls short, with the numbers; items
with no legal limit (0) are checked by the same rule and listed apart, so none goes unseen."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from accounts.models import OrgUnit
from approvals.catalogue import (
    DEFAULT_PROMISED_SHARE,
    in_work_days,
    promised_limit_problem,
    promised_share_limit,
)
from approvals.models import ServiceItem

# Minimum directly handled items per centre type (configuration, seeded with the seed document's values).
DEFAULT_MINIMUMS = {OrgUnit.ServiceLevel.DEMONSTRATION: 250, OrgUnit.ServiceLevel.STANDARD: 199}


def minimums() -> dict[str, int]:
    configured: dict[str, int] = getattr(settings, "APPROVALS_CENTRE_MINIMUMS", {}) or {}
    return {**{str(k): v for k, v in DEFAULT_MINIMUMS.items()}, **configured}


@dataclass(frozen=True)
class CentreLine:
    code: str
    name: str
    territory_code: str
    service_level: str
    service_level_label: str
    items: int
    minimum: int | None

    @property
    def short_by(self) -> int:
        return max(0, (self.minimum or 0) - self.items)

    @property
    def falls_short(self) -> bool:
        return self.minimum is not None and self.items < self.minimum

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "territory_code": self.territory_code,
            "service_level": self.service_level,
            "service_level_label": self.service_level_label,
            "items": self.items,
            "minimum": self.minimum,
            "short_by": self.short_by,
            "falls_short": self.falls_short,
        }


@dataclass(frozen=True)
class ItemLine:
    implementation_code: str
    name: str
    legal_limit: str
    promised_limit: str
    share: float | None  # None: no legal limit to take a share of
    reason: str = ""  # why the rule refuses it ("" for a compliant item listed for having no legal limit)

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(self.share * 100)

    def as_dict(self) -> dict[str, Any]:
        return {
            "implementation_code": self.implementation_code,
            "name": self.name,
            "legal_limit": self.legal_limit,
            "promised_limit": self.promised_limit,
            "share": None if self.share is None else round(self.share, 3),
            "reason": self.reason,
        }


@dataclass
class AuthorisationReport:
    centres: list[CentreLine] = field(default_factory=list)
    items_over_share: list[ItemLine] = field(default_factory=list)
    items_without_legal_limit: list[ItemLine] = field(default_factory=list)
    share_limit: float = DEFAULT_PROMISED_SHARE
    items_checked: int = 0

    @property
    def centres_short(self) -> list[CentreLine]:
        return [c for c in self.centres if c.falls_short]

    def as_dict(self) -> dict[str, Any]:
        return {
            "share_limit": self.share_limit,
            "items_checked": self.items_checked,
            "centres": [c.as_dict() for c in self.centres],
            "centres_short": [c.as_dict() for c in self.centres_short],
            "items_over_share": [i.as_dict() for i in self.items_over_share],
            "items_without_legal_limit": [i.as_dict() for i in self.items_without_legal_limit],
        }


def _unit_label(unit: str) -> str:
    return "工作日" if unit == "work_days" else "自然日"


def build_report(centres: QuerySet[OrgUnit]) -> AuthorisationReport:
    """`centres`: the (already scoped) service centres and village stations to list. Items are the whole
    active catalogue (the catalogue is public). Two queries for the centres, one for the items."""
    needed = minimums()
    rows = (
        centres.filter(kind__in=(OrgUnit.Kind.SERVICE_CENTRE, OrgUnit.Kind.VILLAGE_COMMITTEE))
        .annotate(
            authorised=Count(
                "approvals_authorisations", filter=Q(approvals_authorisations__item__active=True)
            )
        )
        .order_by("territory_code", "code")
    )
    report = AuthorisationReport(share_limit=promised_share_limit())
    labels = dict(OrgUnit.ServiceLevel.choices)
    for unit in rows:
        authorised = int(unit.authorised)
        if unit.kind == OrgUnit.Kind.VILLAGE_COMMITTEE and authorised == 0:
            continue  # a village committee is a station only once it handles items
        level = unit.service_level if unit.kind == OrgUnit.Kind.SERVICE_CENTRE else ""
        report.centres.append(
            CentreLine(
                code=unit.code,
                name=unit.name,
                territory_code=unit.territory_code,
                service_level=level or "station",
                service_level_label=str(labels.get(level, "村（社区）便民服务站")),
                items=authorised,
                minimum=needed.get(level) if level else None,
            )
        )
    versions = ServiceItem.objects.filter(active=True, current_version__isnull=False).values_list(
        "implementation_code",
        "current_version__name",
        "current_version__legal_limit_amount",
        "current_version__legal_limit_unit",
        "current_version__promised_limit_amount",
        "current_version__promised_limit_unit",
    )
    for code, name, legal, legal_unit, promised, promised_unit in versions.order_by("implementation_code"):
        report.items_checked += 1
        guide = {
            "legal_limit_amount": legal or 0,
            "legal_limit_unit": legal_unit,
            "promised_limit_amount": promised or 0,
            "promised_limit_unit": promised_unit,
        }
        reason = promised_limit_problem(guide, report.share_limit) or ""
        legal_days = in_work_days(legal or 0, legal_unit)
        line = ItemLine(
            implementation_code=code,
            name=name,
            legal_limit=f"{legal or 0} {_unit_label(legal_unit)}",
            promised_limit=f"{promised or 0} {_unit_label(promised_unit)}",
            share=in_work_days(promised or 0, promised_unit) / legal_days if legal_days > 0 else None,
            reason=reason,
        )
        if reason:
            report.items_over_share.append(line)
        if legal_days <= 0:
            report.items_without_legal_limit.append(line)
    return report
