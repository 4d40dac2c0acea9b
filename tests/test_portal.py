"""The residents' portal at `/`: anonymous visitors get every public service one tap away (and staff login
one click away); staff keep landing where they did (the desk for leaders and dispatchers, the profile
home for the others); the 财务公开 picker goes to a village's month by name."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from territory.testing import HUANGQIAO_VILLAGE

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


@pytest.fixture
def collective(personas: dict[str, Any]) -> Any:
    from territorial.actions import do_create_organisation

    return do_create_organisation(
        village_code=HUANGQIAO_VILLAGE, name="黄桥测试村股份经济合作社", actor=personas["system"], now=NOW
    )


def links_of(html: str) -> set[str]:
    return {part.split('"')[0] for part in html.split('href="')[1:]}


def test_anonymous_visitor_gets_the_portal_not_the_login(client: Client, territory: dict[str, Any]) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.templates[0].name == "portal.html"
    links = links_of(response.content.decode())
    assert {
        reverse("grid:public_report"),
        reverse("approvals:catalogue"),
        reverse("approvals:track"),
        reverse("licences:selfservice"),
        reverse("ratings:rate"),
        reverse("enforcement_public:decisions"),
        reverse("enforcement_public:matters"),
        reverse("login"),
    } <= links
    html = response.content.decode()
    # Follow a report and verify a certificate straight from the portal.
    assert f'action="{reverse("grid:public_track")}"' in html and 'name="receipt"' in html
    assert f'action="{reverse("licences:verify_lookup")}"' in html and 'name="identifier"' in html
    # No staff data and no staff navigation.
    assert reverse("workflow:inbox") not in links and reverse("admin:index") not in links


def test_every_portal_link_opens_for_an_anonymous_visitor(client: Client, territory: dict[str, Any]) -> None:
    for link in sorted(links_of(client.get("/").content.decode())):
        if link.startswith("/") and not link.startswith("/static/"):
            assert client.get(link).status_code == 200, link


@pytest.mark.parametrize(
    ("persona", "marker"),
    [("hq_leader", "command/desk.html"), ("hq_agency", "accounts/home.html")],
)
def test_staff_keep_their_landing(
    client: Client, personas: dict[str, Any], persona: str, marker: str
) -> None:
    client.force_login(personas[persona])
    response = client.get("/")
    assert response.status_code == 200
    assert marker in [t.name for t in response.templates]
    assert "portal.html" not in [t.name for t in response.templates]


def test_staff_can_see_the_portal_at_public(client: Client, personas: dict[str, Any]) -> None:
    client.force_login(personas["hq_agency"])
    response = client.get(reverse("portal"))
    assert response.status_code == 200
    assert "portal.html" in [t.name for t in response.templates]


def test_disclosure_picker_lists_villages_by_name_and_goes_to_the_month(
    client: Client, collective: Any
) -> None:
    with time_machine.travel(NOW, tick=False):
        html = client.get("/").content.decode()
    assert f'<option value="{HUANGQIAO_VILLAGE}">黄桥测试村</option>' in html
    assert 'value="2026-10"' in html  # the last full month by default
    response = client.get("/", {"village": HUANGQIAO_VILLAGE, "month": "2026-10"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "territorial_public:disclosure", args=[HUANGQIAO_VILLAGE, 2026, 10]
    )
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"village": "", "month": "2026-10"}, "请选择村（社区）。"),
        ({"village": "320507099999", "month": "2026-10"}, "请选择村（社区）。"),
        ({"village": HUANGQIAO_VILLAGE, "month": "2026-13"}, "请选择月份。"),
        ({"village": HUANGQIAO_VILLAGE, "month": "next"}, "请选择月份。"),
    ],
)
def test_disclosure_picker_refuses_bad_input(
    client: Client, collective: Any, query: dict[str, str], message: str
) -> None:
    response = client.get("/", query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_portal_in_english(client: Client, territory: dict[str, Any]) -> None:
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    assert "Report a problem" in html and "Staff login" in html


HAN = re.compile(r"[\u3400-\u9fff\uff08\uff09\u3001\u3002\uff0c\uff1a]")


def visible_text(html: str) -> str:
    """The page's text as a reader sees it: tags, scripts and the language picker (each language named
    in its own script) left out."""
    html = re.sub(r'<select name="language".*?</select>', "", html, flags=re.S)
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return html


def test_portal_in_english_has_no_chinese_ui_text(client: Client, territory: dict[str, Any]) -> None:
    client.cookies["django_language"] = "en"
    text = visible_text(client.get("/").content.decode())
    assert HAN.findall(text) == [], text
