"""Demo 党建 and 三资: seeded through their actions, a second run adds nothing, and the town leader's desk
shows real numbers in every town-edition module (none says 未接入)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from command import streams
from command.warnings.actions import evaluate_warnings
from command.warnings.models import Rule
from demo.party_data import seed_party
from demo.party_leadership import gap_of
from demo.seed import seed_demo
from demo.territorial_data import seed_territorial
from party.models import (
    Meeting,
    PartyMember,
    PartyProject,
    ProjectMilestone,
    VanguardPost,
    Visit,
    VisitNeed,
)
from party.selectors import one_shoulder_checks
from territorial.models import Contract, ExpenditureCategory, LedgerEntry, Payment

# Seeding the whole demo district takes minutes on a loaded machine: a longer hang guard than the suite's.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(1200)]
NOW = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)
HUANGQIAO = "320507003"


def test_demo_party_and_assets_feed_every_module(empty_database: None) -> None:
    with time_machine.travel(NOW, tick=False):
        seed_demo(now=NOW)
        before = (PartyMember.objects.count(), Visit.objects.count(), Contract.objects.count())
        system = User.objects.get(username="system")
        assert not any(seed_party(now=NOW, system=system).values())
        assert not any(seed_territorial(now=NOW, system=system).values())
        assert (PartyMember.objects.count(), Visit.objects.count(), Contract.objects.count()) == before
        assert Meeting.objects.filter(held_at__isnull=False).exists()
        assert Payment.objects.filter(work_item__state="proposed").exists()  # a payment in progress
        receipts = LedgerEntry.objects.filter(amount__gt=0, payment__isnull=True)
        assert receipts.exists() and not receipts.filter(voucher="").exists()  # each with its voucher
        # Settled spending under its heading: the monthly report shows 管理费用, not only 其他支出.
        settled = Payment.objects.filter(work_item__state="paid", entry__isnull=False)
        assert set(settled.values_list("category", flat=True)) == {ExpenditureCategory.MANAGEMENT}
        settlers = {p.work_item.transitions.get(action="committee_settle").actor_id for p in settled}
        assert settlers.isdisjoint(settled.values_list("proposed_by_id", flat=True))  # 报账员 ≠ head

        values = streams.values(HUANGQIAO, date(2026, 2, 19), date(2026, 3, 21))
        for code in (
            "party_organisations",
            "party_members",
            "party_visits_due",
            "party_households_reached",
            "party_meetings_held",
            "territorial_assets",
            "territorial_contracts_expiring",
            "territorial_instalments_overdue",
            "territorial_payments_awaiting",
            "territorial_institutions",
            "approvals_accepted",
            "enforcement_filed",
        ):
            assert values[code], code
        client = Client()
        client.force_login(User.objects.get(username="huangqiao_leader"))
        html = client.get("/").content.decode()
        assert "data-not-connected" not in html and "未接入" not in html

        # 一肩挑 like a real district: most villages compliant, a few gaps, so a handful of warnings.
        checks = one_shoulder_checks(["320507"])
        villages = {c.village_code for c in checks}
        failing = {c.village_code for c in checks if not c.satisfied}
        assert len(villages) > 100 and 0 < len(failing) <= len(villages) // 8
        assert failing <= {v for v in villages if gap_of(v)}
        report = evaluate_warnings(now=NOW, rules=[Rule.ONE_SHOULDER])["one_shoulder"]
        assert report["raised"] == sum(1 for c in checks if not c.satisfied) and report["failed"] == 0
        # 代办需求 in every state, through the party action and the process's own escalation rules.
        states = set(VisitNeed.objects.values_list("work_item__state", flat=True))
        assert {"requested", "declined", "reminded", "escalated"} <= states, states
        needs = sorted(
            VisitNeed.objects.values_list("territory_code", "visit__visited_at", "work_item__state")
        )
        assert streams.values(HUANGQIAO, date(2026, 2, 1), date(2026, 3, 21))["party_needs_late"], needs
        needs_page = client.get("/party/needs/").content.decode()
        assert "逾期（已报支部书记和村）" in needs_page and "待网格员代办" in needs_page
        # Party projects with milestones and 党员先锋岗 for the demo branches, on the one map.
        assert PartyProject.objects.filter(territory_code__startswith=HUANGQIAO).exists()
        assert ProjectMilestone.objects.filter(done_on__isnull=False).exists()
        assert VanguardPost.objects.filter(territory_code__startswith=HUANGQIAO).exists()
