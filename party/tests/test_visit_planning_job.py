"""The daily planning job (`plan_party_visits` → `visits.plan_current_month`): each member with a link
not yet planned for the local month gets it planned through `do_plan_month` as the system, a link made
during the month the next day; a second run plans nothing; a member without links gets no plan."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine

from audit.models import AuditEvent
from party import tasks, visits
from party.actions import do_link_member
from party.models import Visit
from party.tests.conftest import NOW, WT_GRID, enrol

pytestmark = pytest.mark.django_db
APRIL_FIRST = datetime(2026, 3, 31, 17, 30, tzinfo=UTC)  # 1 April, 01:30 in Shanghai


def test_the_job_plans_the_local_month_once_and_new_links_the_next_day(party_world: dict[str, Any]) -> None:
    system = party_world["users"]["system"]
    member = enrol(party_world, 1)
    for household in party_world["households"][:2]:
        do_link_member(member, household=household, actor=system, now=NOW)
    other_town = enrol(party_world, 2, grid=WT_GRID, branch="wt_branch")
    do_link_member(other_town, household=party_world["wt_household"], actor=system, now=NOW)
    enrol(party_world, 3)  # no links: nothing to plan
    visits.do_plan_month(member, NOW.date(), actor=system, now=NOW)  # March planned by hand

    with time_machine.travel(APRIL_FIRST, tick=False):
        assert tasks.plan_party_visits.call_local() == 2
        assert tasks.plan_party_visits.call_local() == 0
    april = Visit.objects.filter(month=date(2026, 4, 1))
    assert sorted(april.values_list("member_id", "due_on")) == sorted(
        [(member.pk, date(2026, 4, 30))] * 2 + [(other_town.pk, date(2026, 4, 30))]
    )
    assert Visit.objects.filter(month=date(2026, 3, 1)).count() == 2  # March left as it was
    planned = AuditEvent.objects.filter(action="party.visits_planned", actor__username="system")
    assert planned.count() == 3  # March by hand, then the two members of April

    later = datetime(2026, 4, 14, 2, 0, tzinfo=UTC)
    do_link_member(member, household=party_world["households"][2], actor=system, now=later)
    assert visits.plan_current_month(now=later) == 1
    assert april.filter(member=member).count() == 3
