"""三资 rules: the findings of territorial.findings (contracts expiring in 90 / 30 days, rent overdue,
cash kept undeposited past TERRITORIAL_DEPOSIT_DAYS (坐收坐支), large payments booked without the approval
chain, payments split under the town's threshold, contracts without income), one rule each. A finding
that is no longer found (the contract renewed, the rent collected) withdraws its open warning."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from territorial.findings import Finding as TerritorialFinding
from territorial.findings import findings_in
from territorial.models import CollectiveOrganisation

from ..models import TERRITORIAL_RULES, Level, Rule
from .base import Finding, Owners, RuleFn, local_day, place_name

# territorial finding code → (rule, level); a contract that moves from 90 to 30 days left raises anew.
TERRITORIAL_CODES: dict[str, tuple[str, str]] = {
    "contract_expiring_90": (Rule.TERRITORIAL_CONTRACT_EXPIRING, Level.YELLOW),
    "contract_expiring_30": (Rule.TERRITORIAL_CONTRACT_EXPIRING, Level.ORANGE),
    "instalment_overdue": (Rule.TERRITORIAL_INSTALMENT_OVERDUE, Level.YELLOW),
    "cash_not_deposited": (Rule.TERRITORIAL_CASH_NOT_DEPOSITED, Level.ORANGE),
    "large_payment_unapproved": (Rule.TERRITORIAL_LARGE_UNAPPROVED, Level.RED),
    "split_payment": (Rule.TERRITORIAL_SPLIT_PAYMENT, Level.ORANGE),
    "contract_without_income": (Rule.TERRITORIAL_CONTRACT_NO_INCOME, Level.YELLOW),
}


def _territorial_finding(f: TerritorialFinding, owners: Owners) -> Finding:
    rule, level = TERRITORIAL_CODES[f.code]
    evidence: dict[str, Any] = {"code": f.code, "subject_type": f.subject_type, "subject_id": f.subject_id}
    if f.amount is not None:
        evidence["amount"] = str(f.amount)
    return Finding(
        rule=rule,
        level=level,
        fingerprint=f"{rule}:{f.code}:{f.subject_type}:{f.subject_id}",
        territory_code=f.village_code,
        owner_unit=owners.of(f.village_code),
        title=f"{Rule(rule).label}：{place_name(f.village_code)}"[:200],
        summary=f.message,
        evidence=evidence,
    )


def territorial_rule(rule: str) -> Callable[[datetime, Owners], list[Finding]]:
    """The rule `rule` over all villages' 三资 at the local day of `now`."""

    def evaluate(now: datetime, owners: Owners) -> list[Finding]:
        found = findings_in(CollectiveOrganisation.objects.all(), today=local_day(now))
        return [
            _territorial_finding(f, owners)
            for f in found
            if f.code in TERRITORIAL_CODES and TERRITORIAL_CODES[f.code][0] == rule
        ]

    evaluate.__name__ = rule
    return evaluate


RULES: dict[str, RuleFn] = {rule: territorial_rule(rule) for rule in TERRITORIAL_RULES}
