"""The routing explanation on the event page follows the session's language: the stored (Chinese) reason in
a Chinese session, the same steps rebuilt from the decision's trail in an English one."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from accounts.models import User
from grid.models import RoutingDecision
from grid.templatetags.routing_words import routing_reason
from grid.tests.test_pages_support import act, client_for, report

HUANGQIAO_URBAN = "黄桥街道城市管理办公室"


def filed(personas: dict[str, User]) -> Any:
    event = report(personas)
    act(event, "file", personas, "dispatcher")  # routed when filed
    return event


def decision_of(event: Any) -> RoutingDecision:
    return RoutingDecision.objects.filter(subject_id=str(event.pk)).latest("decided_at", "id")


def test_a_chinese_session_shows_the_stored_reason(personas: dict[str, User], reference: Any) -> None:
    decision = decision_of(filed(personas))
    with translation.override("zh-hans"):
        assert routing_reason(decision) == decision.reason
    assert "上溯至镇/街道 320507003 匹配 " + HUANGQIAO_URBAN in decision.reason


def test_an_english_session_rebuilds_it_from_the_trail(personas: dict[str, User], reference: Any) -> None:
    decision = decision_of(filed(personas))
    with translation.override("en"):
        text = routing_reason(decision)
    assert text == (
        "Event: Territorial first, then Owner; Territorial: Grid 320507003201001: no match, "
        "up to Village / community 320507003201: no match, "
        f"up to Town / street 320507003: matched {HUANGQIAO_URBAN} (by the major class City appearance and "
        "environment)"
    )


def test_an_unrouted_event_says_so(personas: dict[str, User], reference: Any) -> None:
    decision = decision_of(filed(personas))
    decision.chosen_unit = None
    decision.trail = [row for row in decision.trail if not row["matched"]]
    with translation.override("en"):
        assert routing_reason(decision).endswith("; no match anywhere: in the unrouted queue")


def test_the_event_page_in_english_explains_the_routing_in_english(
    personas: dict[str, User], reference: Any
) -> None:
    event = filed(personas)
    client = client_for(personas["dispatcher"])
    client.cookies["django_language"] = "en"
    page = client.get(f"/grid/events/{event.pk}/").content.decode()
    assert "Territorial: Grid 320507003201001: no match" in page
    assert "上溯至" not in page and "无匹配" not in page
