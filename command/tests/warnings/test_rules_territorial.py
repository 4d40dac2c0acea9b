"""The 三资 warning rules: each territorial finding raises its warning once (by fingerprint), owned by
the town's command centre or government, with the level of its rule; a contract moving from 90 to 30
days left raises a new, orange warning."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from command.warnings.actions import evaluate_warnings
from command.warnings.models import EarlyWarning, Rule
from registry.models import Entity
from territorial import actions
from territorial.contracts import ContractInput, do_sign_contract
from territorial.models import Account
from territorial.tests.conftest import NOW, funded, org, people, tenant  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
SQUARE = {"type": "Polygon", "coordinates": [[[120.5, 31.4], [120.51, 31.4], [120.51, 31.41], [120.5, 31.4]]]}
TERRITORIAL_RULES = [r for r in Rule.values if r.startswith("territorial_")]


def test_territorial_rules_raise_once(
    people: dict[str, Any],  # noqa: F811
    org: Any,  # noqa: F811
    funded: Account,  # noqa: F811
    tenant: Entity,  # noqa: F811
) -> None:
    resource = actions.do_record_resource(
        org, name="东片鱼塘", kind="water", area_mu="12", outline=SQUARE, actor=people["hq_head"], now=NOW
    )
    do_sign_contract(
        org,
        ContractInput(
            number="HT-1",
            starts_on=date(2025, 7, 1),
            ends_on=date(2026, 8, 31),  # 77 days after 2026-06-15
            annual_price="8000",
            schedule=[(date(2026, 5, 1), "8000")],
            entity=tenant,
            resource=resource,
        ),
        actor=people["hq_head"],
        now=NOW,
    )
    actions.do_record_entry(
        funded,
        direction="out",
        amount="6000",
        booked_on=NOW.date(),
        summary="工程款",
        actor=people["hq_agency"],
        now=NOW,
    )
    report = evaluate_warnings(now=NOW, rules=TERRITORIAL_RULES)
    assert report[Rule.TERRITORIAL_CONTRACT_EXPIRING]["raised"] == 1
    assert report[Rule.TERRITORIAL_INSTALMENT_OVERDUE]["raised"] == 1  # 8,000 due 2026-05-01
    assert report[Rule.TERRITORIAL_CONTRACT_NO_INCOME]["raised"] == 1
    assert report[Rule.TERRITORIAL_LARGE_UNAPPROVED]["raised"] == 1  # 6,000 ≥ 5,000 without the chain
    assert report[Rule.TERRITORIAL_SPLIT_PAYMENT]["raised"] == 0
    expiring = EarlyWarning.objects.get(rule=Rule.TERRITORIAL_CONTRACT_EXPIRING)
    assert expiring.level == "yellow" and expiring.territory_code == org.village_code
    assert "HT-1" in expiring.summary and expiring.owner_unit is not None
    assert EarlyWarning.objects.get(rule=Rule.TERRITORIAL_LARGE_UNAPPROVED).level == "red"
    again = evaluate_warnings(now=NOW, rules=TERRITORIAL_RULES)
    assert sum(r["raised"] for r in again.values()) == 0  # one warning per situation
    later: datetime = NOW + timedelta(days=50)  # 27 days left
    evaluate_warnings(now=later, rules=[Rule.TERRITORIAL_CONTRACT_EXPIRING])
    levels = sorted(
        EarlyWarning.objects.filter(rule=Rule.TERRITORIAL_CONTRACT_EXPIRING).values_list("level", flat=True)
    )
    assert levels == ["orange", "yellow"]
