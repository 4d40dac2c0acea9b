"""Staff pages: the inbox (my items and my unit's, lights, time left, provisional marker, filters) and
the item page (timeline, action buttons posting with htmx, refusals shown in Chinese)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import User
from workflow.engine import transition
from workflow.models import Transition, WorkItem
from workflow.tests.conftest import at

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_login_required(handling_item: WorkItem) -> None:
    response = Client().get(reverse("workflow:inbox"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_inbox_shows_my_items_with_light_and_time_left(
    personas: dict[str, Any], handling_item: WorkItem
) -> None:
    with time_machine.travel(at(2026, 10, 12, 17), tick=False):
        page = client_for(personas["hq_agency"]).get(reverse("workflow:inbox"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "占道经营投诉" in html and 'class="light yellow"' in html
    assert "剩余 1.1 个工作日" in html  # 10-12 17:00→17:30 + 10-13 7.5 h = 8 h = 1.07 working days
    assert reverse("workflow:item", args=[handling_item.pk]) in html


def test_inbox_marks_a_provisional_deadline(personas: dict[str, Any], handling_item: WorkItem) -> None:
    transition(
        handling_item,
        "submit",
        actor=personas["hq_agency"],
        now=at(2026, 12, 30),
        inputs={"result": "ok", "attachments": ["a"]},
    )
    with time_machine.travel(at(2026, 12, 30, 11), tick=False):
        html = (
            client_for(personas["dispatcher"])
            .get(reverse("workflow:inbox"), {"scope": "all"})
            .content.decode()
        )
    assert "暂定" in html


def test_inbox_filters(personas: dict[str, Any], handling_item: WorkItem) -> None:
    client = client_for(personas["dispatcher"])
    with time_machine.travel(at(2026, 10, 8), tick=False):
        # The dispatcher neither holds nor belongs to the urban office: not in "mine and my unit".
        assert "占道经营投诉" not in client.get(reverse("workflow:inbox")).content.decode()
        assert "占道经营投诉" in client.get(reverse("workflow:inbox"), {"scope": "all"}).content.decode()
        assert (
            "占道经营投诉"
            not in client.get(reverse("workflow:inbox"), {"scope": "all", "light": "red"}).content.decode()
        )
        assert (
            "占道经营投诉"
            not in client.get(reverse("workflow:inbox"), {"scope": "all", "state": "closed"}).content.decode()
        )
    with time_machine.travel(at(2026, 10, 8), tick=False):
        outsider = (
            client_for(personas["wt_grid"]).get(reverse("workflow:inbox"), {"scope": "all"}).content.decode()
        )
    assert "占道经营投诉" not in outsider


def test_item_page_shows_timeline_and_my_actions(personas: dict[str, Any], handling_item: WorkItem) -> None:
    with time_machine.travel(at(2026, 10, 8), tick=False):
        html = (
            client_for(personas["hq_agency"])
            .get(reverse("workflow:item", args=[handling_item.pk]))
            .content.decode()
        )
    assert "派遣" in html and "已登记待派遣" in html and "办理中" in html
    assert 'hx-post="' in html and "办结反馈" in html and 'name="reason"' in html
    with time_machine.travel(at(2026, 10, 8), tick=False):
        officer = (
            client_for(personas["hq_officer"])
            .get(reverse("workflow:item", args=[handling_item.pk]))
            .content.decode()
        )
    assert "办结反馈" not in officer and "可执行操作" not in officer


def test_inbox_and_item_page_name_the_place(personas: dict[str, Any], handling_item: WorkItem) -> None:
    """People read the grid's name; the code stays for staff as the cell's title and a muted aside."""
    with time_machine.travel(at(2026, 10, 8), tick=False):
        client = client_for(personas["hq_agency"])
        inbox = client.get(reverse("workflow:inbox")).content.decode()
        item = client.get(reverse("workflow:item", args=[handling_item.pk])).content.decode()
    assert (
        '<td data-label="区划/网格"><span class="place" title="320507003201001">黄桥测试村第1网格</span></td>'
        in inbox
    )
    assert "<td>320507003201001</td>" not in inbox
    assert (
        '<td><span class="place">黄桥测试村第1网格</span> '
        '<span class="muted small">320507003201001</span></td>' in item
    )


def test_a_place_with_no_name_shows_its_code(
    personas: dict[str, Any], start_item: Callable[..., WorkItem]
) -> None:
    """A division removed from the register after the item was filed: the code, not an empty cell."""
    item = start_item(at(2026, 10, 8), territory_code="320507003201")
    WorkItem.objects.filter(pk=item.pk).update(territory_code="320507003299")
    with time_machine.travel(at(2026, 10, 8, 11), tick=False):
        client = client_for(personas["dispatcher"])
        inbox = client.get(reverse("workflow:inbox"), {"scope": "all"}).content.decode()
        page = client.get(reverse("workflow:item", args=[item.pk])).content.decode()
    assert '<td data-label="区划/网格"><span class="place">320507003299</span></td>' in inbox
    assert '<td><span class="place">320507003299</span></td>' in page


def test_item_page_outsider_404(personas: dict[str, Any], handling_item: WorkItem) -> None:
    response = client_for(personas["wt_grid"]).get(reverse("workflow:item", args=[handling_item.pk]))
    assert response.status_code == 404


def test_htmx_action_redirects_on_success(personas: dict[str, Any], handling_item: WorkItem) -> None:
    with time_machine.travel(at(2026, 10, 8), tick=False):
        response = client_for(personas["hq_agency"]).post(
            reverse("workflow:act", args=[handling_item.pk]),
            {"action": "park", "reason": "等待业主返回", "version": handling_item.version},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200 and response["HX-Redirect"] == reverse(
        "workflow:item", args=[handling_item.pk]
    )
    assert WorkItem.objects.get(pk=handling_item.pk).state == "parked"


def test_htmx_action_shows_errors_in_chinese(personas: dict[str, Any], handling_item: WorkItem) -> None:
    client = client_for(personas["hq_agency"])
    url = reverse("workflow:act", args=[handling_item.pk])
    with time_machine.travel(at(2026, 10, 8), tick=False):
        missing = client.post(
            url, {"action": "park", "version": handling_item.version}, headers={"HX-Request": "true"}
        )
        stale = client.post(
            url, {"action": "claim", "version": handling_item.version - 1}, headers={"HX-Request": "true"}
        )
        refused = client.post(url, {"action": "close", "version": handling_item.version})
    assert "须填写理由" in missing.content.decode()
    assert "请刷新后重试" in stale.content.decode()
    assert refused.status_code == 409 and "不能执行" in refused.content.decode()
    assert Transition.objects.filter(item=handling_item).count() == 2


def test_htmx_action_role_refused_and_outsider(personas: dict[str, Any], handling_item: WorkItem) -> None:
    url = reverse("workflow:act", args=[handling_item.pk])
    with time_machine.travel(at(2026, 10, 8), tick=False):
        officer = client_for(personas["hq_officer"]).post(url, {"action": "park", "reason": "x"})
        outsider = client_for(personas["wt_grid"]).post(url, {"action": "park", "reason": "x"})
    assert officer.status_code == 403 and "无权" in officer.content.decode()
    assert outsider.status_code == 404
