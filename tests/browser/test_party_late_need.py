"""A late 代办需求 on the town leader's desk: a need raised on a visit ten days ago, untouched by the grid
worker, escalated by the engine's sweeper (the process's own rules); the desk's 党建引领 module shows it
in 代办需求逾期数 for the last two weeks, and the tile drills down to the need, whose page names its
late state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.testing import PASSWORD
from party import visits
from party.actions import do_link_member
from party.models import VisitNeed
from party.tests.conftest import enrol, party_world  # noqa: F401 (fixture)
from tests.browser.conftest import PageProblems, log_in, screenshot
from workflow.models import WorkItem
from workflow.sweeper import sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
POINT = (120.555, 31.405)  # inside 黄桥测试村 grid 1


@pytest.fixture
def late_need(party_world: dict[str, Any]) -> VisitNeed:  # noqa: F811
    now = timezone.now()
    raised = now - timedelta(days=10)
    system = party_world["users"]["system"]
    user = User.objects.create_user(username="hq_member", password=PASSWORD, display_name="李党员")
    member = enrol(party_world, 1, user_id=user.pk)
    do_link_member(member, household=party_world["households"][0], actor=system, now=raised)
    [visit] = visits.do_plan_month(member, timezone.localdate(raised), actor=system, now=raised)
    log = visits.VisitLog(lon=POINT[0], lat=POINT[1], note="入户走访。", need="老人需办理高龄津贴。")
    visits.do_log_visit(visit, log, actor=user, now=raised)
    sweep(now=now)
    sweep(now=now)  # the second rule, if its deadline has passed too
    need = VisitNeed.objects.get()
    assert WorkItem.objects.get(pk=need.work_item_id).state in ("reminded", "escalated")
    return need


def test_the_leader_sees_the_late_need_on_the_desk_and_opens_it(
    late_need: VisitNeed, page: Any, live_server: Any
) -> None:
    problems = PageProblems()
    problems.attach(page)
    base = live_server.url
    log_in(page, base, "hq_leader", PASSWORD)
    today = timezone.localdate()
    period = f"from={(today - timedelta(days=14)).isoformat()}&to={today.isoformat()}"
    page.goto(f"{base}/command/?{period}", wait_until="networkidle")
    tile = page.locator("[data-module='party'] [data-figure='party_needs_late']")
    assert tile.locator(".cmd-value").inner_text().strip() == "1"
    assert "代办需求逾期数" in tile.inner_text()
    tile.scroll_into_view_if_needed()
    screenshot(page, "party-desk-late-needs")
    page.goto(f"{base}/command/items/?indicator=party_needs_late&{period}", wait_until="networkidle")
    rows = page.locator("[data-item-row]")
    assert rows.count() == 1 and "代办需求：户 HQ-0" in rows.first.inner_text()
    screenshot(page, "party-late-needs-items")
    rows.first.get_by_role("link", name="代办需求：户 HQ-0").click()
    page.wait_for_url(f"**/party/needs/{late_need.pk}/")
    assert "逾期" in page.inner_text("body")
    screenshot(page, "party-late-need")
    assert problems.errors == []
