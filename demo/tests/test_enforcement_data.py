"""demo.enforcement_data.seed_enforcement on the seeded demo district: the catalogue, a squad area per
zone, ≥ 4 officers posted in every squad, ~40 cases in many states (archived, hearings, late steps,
payment overdue); idempotent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accounts.models import OrgUnit, Role
from demo.enforcement_data import seed_enforcement
from demo.seed import seed_demo
from enforcement.models import Case, EnforcementMatter, OfficerPost, RecordEntry, SquadArea
from territory.models import EnforcementZone
from workflow.actors import system_actor

# Seeding the whole demo district takes minutes on a loaded machine: a longer hang guard than the suite's.
pytestmark = [pytest.mark.django_db, pytest.mark.timeout(1200)]
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday 10:00 in Suzhou


def test_seed_enforcement(monkeypatch: pytest.MonkeyPatch, empty_database: None) -> None:
    # seed_demo runs seed_enforcement as one of its streams; the grid history and the other streams are
    # tested on their own (left out here: they do not feed the enforcement data).
    import demo.seed

    for name in ("seed_history", "seed_approvals", "seed_licences", "seed_ratings", "seed_evaluation"):
        monkeypatch.setattr(demo.seed, name, lambda **_kwargs: {})
    counts = seed_demo(now=NOW)["streams"]["enforcement"]
    system = system_actor()
    assert counts["matters"] == EnforcementMatter.objects.count() >= 60
    assert counts["cases"] == Case.objects.count() == 40
    assert SquadArea.objects.count() == EnforcementZone.objects.count() == counts["squad_areas"]
    for squad in OrgUnit.objects.filter(kind=OrgUnit.Kind.SQUAD):
        officers = OfficerPost.objects.filter(squad=squad, is_leader=False)
        assert officers.count() >= 4, squad.code
        assert all(post.officer.assignments.filter(role=Role.OFFICER).exists() for post in officers)
    states = {case.work_item.state for case in Case.objects.select_related("work_item") if case.work_item}
    assert {"archived", "executing", "investigating", "legal_review", "verifying"} <= states
    assert Case.objects.filter(procedure="summary").count() >= 10
    assert Case.objects.filter(hearing_requested=True).exists()
    assert Case.objects.exclude(archive_number="").count() >= 6
    assert RecordEntry.objects.filter(meta__late=True).exists()
    assert Case.objects.filter(payment_due_at__lt=NOW, paid_at__isnull=True).exists()
    again = seed_enforcement(now=NOW, system=system)
    assert again == {"matters": 0, "officers": 0, "squad_areas": 0, "officer_posts": 0, "cases": 0}
