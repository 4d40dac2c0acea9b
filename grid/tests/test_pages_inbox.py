"""One inbox (/work/): everything waiting for me, my unit or my role in my jurisdiction, with the same
counts as the dispatcher's queues; the outsider's inbox stays empty; the grid worker's menu keeps 待办 and
代办服务 apart."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from grid.tests import test_pages_support as support
from grid.tests.test_pages_support import URBAN, act, client_for, report
from grid.web.dispatch import QUEUES, queue_counts

pytestmark = pytest.mark.django_db
page_people = support.page_people  # fixture
People = dict[str, User]


def _tally(html: str) -> dict[str, int]:
    return {t: int(n) for t, n in re.findall(r"<li><span>([^<]+)</span> <strong>(\d+)</strong></li>", html)}


def test_dispatcher_inbox_counts_what_the_queues_count(page_people: People) -> None:
    waiting = [report(page_people, description=f"垃圾 {i}") for i in range(4)]
    for event in waiting[:2]:
        act(event, "file", page_people, "dispatcher")
    act(waiting[0], "dispatch", page_people, "dispatcher", inputs={"assigned_unit": URBAN})
    dispatcher = page_people["dispatcher"]
    html = client_for(dispatcher).get(reverse("workflow:inbox")).content.decode()
    counts = queue_counts(dispatcher, timezone.now())
    tally = _tally(html)
    assert (
        tally
        == {"信息收集（待受理）": counts["review"], "已立案（待派遣）": counts["dispatch"]}
        == {
            "信息收集（待受理）": 2,
            "已立案（待派遣）": 1,
        }
    )
    for event in waiting[1:]:
        assert event.receipt_number in html or event.title in html
    assert QUEUES["review"].states == ("reported",)
    # The agency sees what its unit holds (the dispatched event), not the dispatcher's waiting work.
    agency = client_for(page_people["hq_agency"]).get(reverse("workflow:inbox")).content.decode()
    assert _tally(agency) == {"已派遣（待签收/报到）": 1}
    # "My role" alone, and the outsider from another town: nothing of 黄桥.
    role = client_for(dispatcher).get(reverse("workflow:inbox"), {"scope": "role"}).content.decode()
    assert _tally(role) == {"信息收集（待受理）": 2, "已立案（待派遣）": 1}
    assert _tally(client_for(page_people["wt_grid"]).get(reverse("workflow:inbox")).content.decode()) == {}


def test_grid_worker_menu_names_todo_and_proxy_service_apart(page_people: People) -> None:
    html = client_for(page_people["hq_grid"]).get(reverse("workflow:inbox")).content.decode()
    nav = html[html.index("<nav") : html.index("</nav>")]
    assert "代办服务" in nav and ">代办<" not in nav and "待办" in nav
