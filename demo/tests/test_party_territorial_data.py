"""Demo 党建 and 三资: seeded through their actions, a second run adds nothing, and the town leader's desk
shows real numbers in every town-edition module (none says 未接入)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from command import streams
from demo.party_data import seed_party
from demo.seed import seed_demo
from demo.territorial_data import seed_territorial
from party.models import Meeting, PartyMember, Visit
from territorial.models import Contract, Payment

pytestmark = pytest.mark.django_db(transaction=True)
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
