"""What every early-warning rule shares: the `Finding` a rule yields for a situation that holds now (and
`Holds`, for one that still holds but is not to be raised anew), the owner unit of a territory, and small
readers of names and days. Rules read; none of them writes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from accounts.models import OrgUnit
from territory.models import Division, Grid

WARNING_PROCESS = "command_warning"
GRID_PROCESS = "grid_event"
APPROVALS_PROCESS = "approval_application"


@dataclass(frozen=True)
class Finding:
    """A situation one rule found: what the warning will say and whom it concerns.

    `key` names the situation across evaluations (a grid's missing head, a town's backlog); an open
    warning whose key its rule no longer yields is withdrawn. `fingerprint` is the key plus the period
    it is raised for (a day, a month), unique per warning, so a situation raised and finished is raised
    again only in a later period. Without a key the fingerprint is the key."""

    rule: str
    level: str
    fingerprint: str
    territory_code: str
    owner_unit: OrgUnit | None
    title: str
    summary: str
    evidence: dict[str, Any]
    item_ids: list[int] = field(default_factory=list)
    key: str = ""

    @property
    def situation(self) -> str:
        return self.key or self.fingerprint


@dataclass(frozen=True)
class Holds:
    """A situation that still holds (its open warning stays) but is not raised anew when none is open:
    a spike of yesterday, a cluster of reports already warned about."""

    key: str

    @property
    def situation(self) -> str:
        return self.key


RuleFn = Callable[[datetime, "Owners"], Iterable[Finding | Holds]]


class Owners:
    """The unit that owns a warning about a territory: its nearest command centre, else its government
    (the units are few; read once per evaluation)."""

    def __init__(self) -> None:
        kinds = (OrgUnit.Kind.COMMAND_CENTRE, OrgUnit.Kind.GOVERNMENT)
        self.units = sorted(
            OrgUnit.objects.filter(kind__in=kinds),
            key=lambda u: (-len(u.territory_code), u.kind != OrgUnit.Kind.COMMAND_CENTRE, u.code),
        )

    def of(self, code: str) -> OrgUnit | None:
        return next((u for u in self.units if code.startswith(u.territory_code)), None)


def place_name(code: str) -> str:
    grid = Grid.objects.filter(code=code).values_list("name", flat=True).first()
    if grid:
        return str(grid)
    return str(Division.objects.filter(code=code).values_list("name", flat=True).first() or code)


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()
