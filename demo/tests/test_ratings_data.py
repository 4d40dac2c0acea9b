"""demo.ratings_data.seed_ratings: ratings on the demo applications, bad ones rectified when old enough,
idempotent."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from accounts.testing import make_personas
from demo.ratings_data import seed_ratings
from ratings.models import Rating
from ratings.tests.factories import make_application, make_item, make_rating_people
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_seed_ratings(territory: dict[str, Any]) -> None:
    personas = make_personas()
    people = make_rating_people()
    item = make_item(now=NOW)
    for n in range(40):
        old = n % 2 == 0
        make_application(
            centre=people["hq_centre"],
            clerk=people["hq_clerk"] if n % 4 else None,  # every fourth was filed online
            item=item,
            now=NOW - timedelta(days=15 if old else 1),
            receipt_no=f"DEMO{n:04d}",
            completed=n != 39,
        )
    make_application(
        centre=people["hq_centre"], clerk=None, item=item, now=NOW, accepted=False, completed=False
    )

    counts = seed_ratings(now=NOW, system=personas["system"])

    ratings = Rating.objects.select_related("rectification")
    assert counts["ratings"] == ratings.count() >= 39  # every completed application, some acceptances too
    bad = [r for r in ratings if r.level <= 2]
    assert counts["bad"] == len(bad) > 0
    assert all(r.rectification is not None for r in bad)
    assert not any(r.rectification is not None for r in ratings if r.level > 2)
    # Old bad ratings are closed with the outcome sent; recent ones are still open.
    for rating in bad:
        assert rating.rectification is not None
        old = rating.rated_at + timedelta(days=5) <= NOW
        assert (rating.rectification.state == "closed") == old
        assert (rating.outcome_sent_at is not None) == old
    assert counts["rectified"] == sum(1 for r in bad if r.rectification and r.rectification.state == "closed")
    assert 0 < counts["rectified"] < len(bad)  # both closed and open rectifications in this fixed set
    # Window applications are rated on the pad, online ones online.
    assert {r.channel for r in ratings if r.application.clerk_id is None} == {"online"}
    assert Rating.objects.filter(application__receipt_no="DEMO0039", stage="completed").count() == 0

    items_before = WorkItem.objects.count()
    assert seed_ratings(now=NOW, system=personas["system"]) == {"ratings": 0, "bad": 0, "rectified": 0}
    assert WorkItem.objects.count() == items_before
