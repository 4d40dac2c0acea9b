"""审批服务 and 综合执法 figures cut by the org unit that holds the items, over the week of
test_streams_rollup.py (its comments give every application and case), computed by hand: the town's urban
office accepted A1 and A4 on Monday and A3 on Tuesday (A2, the 即办件, was completed on the spot and
never assigned to it); it completed A1 (Wed, early), A3 (Thu, early) and A4 (Fri, late: 督办 on Tuesday).
No case was assigned to it. The unit's figures fold its items' contributions through the same
contributors as the rollup, so they are the same folded or not."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from command.tests.test_streams_rollup import HUANGQIAO, URBAN
from command.tests.test_streams_rollup import week as week  # fixture
from workflow.models import WorkItem
from workflow.rollups import fold_all
from workflow.tests.conftest import at

pytestmark = pytest.mark.django_db

PERIOD = {"level": "town", "code": HUANGQIAO, "from": "2026-03-02", "to": "2026-03-08"}


def _api(user: User, path: str, **params: str) -> Any:
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/v1/command/{path}", params)


@pytest.mark.parametrize("folded", [False, True])
def test_a_unit_cut_of_the_stream_rollups(week: dict[str, User], folded: bool) -> None:
    if folded:
        for process in ("approval_application", "case_ordinary", "case_summary"):
            fold_all(process, now=at(2026, 3, 10))
    leader = week["hq_leader"]
    body = _api(leader, "figures/", unit=URBAN, **PERIOD).json()
    assert body["cut"] == {"unit": URBAN}
    found = {code: figure["value"] for code, figure in body["indicators"].items()}
    assert {code: found[code] for code in found if code.startswith("approvals_")} == {
        "approvals_accepted": 3,  # A1, A4 Mon; A3 Tue
        "approvals_done": 3,  # A1 Wed, A3 Thu, A4 Fri
        "approvals_instant_rate": 0.0,  # 0 / 3: A2 was not the office's
        "approvals_early_rate": 0.6667,  # A1, A3 / 3
        "approvals_overdue": 1,  # A4
    }
    # Ratings have no handling unit: not in a unit's answer.
    assert "approvals_satisfaction" not in found
    assert found["enforcement_filed"] == 0 and found["enforcement_decision_days"] is None
    # The whole town's, for comparison: A2 is the difference.
    whole = _api(leader, "figures/", stream="approvals", **PERIOD).json()["indicators"]
    assert whole["approvals_accepted"]["value"] == 4 and whole["approvals_instant_rate"]["value"] == 0.25
    # Each count's items are the unit's.
    for code in ("approvals_accepted", "approvals_done", "approvals_overdue"):
        items = _api(leader, "figures/items/", indicator=code, unit=URBAN, **PERIOD).json()
        assert items["count"] == len(items["items"]) == found[code], code
        ids = [row["id"] for row in items["items"]]
        units = set(WorkItem.objects.filter(pk__in=ids).values_list("assigned_unit__code", flat=True))
        assert units == {URBAN}, code
