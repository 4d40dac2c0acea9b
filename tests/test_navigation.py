"""The top navigation shows people the streams their roles work in, and the public the public services."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import OrgUnit, Role
from accounts.testing import make_org_unit, make_person

pytestmark = pytest.mark.django_db


def nav_links(client: Client) -> set[str]:
    html = client.get(reverse("home") if client.session.get("_auth_user_id") else "/grid/report/")
    body = html.content.decode()
    start = body.index('class="mainnav')
    return {part.split('"')[0] for part in body[start : body.index("</nav>", start)].split('href="')[1:]}


def test_public_sees_the_public_services(client: Client, territory: dict[str, Any]) -> None:
    links = nav_links(client)
    assert {
        reverse("grid:public_report"),
        reverse("grid:public_track"),
        reverse("approvals:catalogue"),
        reverse("licences:selfservice"),
        reverse("enforcement_public:decisions"),
    } <= links
    assert reverse("enforcement:cases") not in links


def test_window_clerk_sees_approval_links_not_enforcement(client: Client, personas: dict[str, Any]) -> None:
    centre = make_org_unit(
        "320507003-service", "黄桥街道便民服务中心", OrgUnit.Kind.SERVICE_CENTRE, "320507003"
    )
    clerk = make_person("hq_window", unit=centre, role=Role.WINDOW_CLERK)
    client.force_login(clerk)
    links = nav_links(client)
    assert {reverse("approvals:window"), reverse("approvals:worklist"), reverse("ratings:list")} <= links
    assert reverse("enforcement:cases") not in links
    assert reverse("grid:dispatch_review") not in links


def test_officer_sees_cases_and_grid_worker_sees_proxy(client: Client, personas: dict[str, Any]) -> None:
    client.force_login(personas["hq_officer"])
    links = nav_links(client)
    assert reverse("enforcement:cases") in links
    assert reverse("approvals:window") not in links
    client.logout()
    client.force_login(personas["hq_grid"])
    links = nav_links(client)
    assert {reverse("grid:m_home"), reverse("approvals:proxy")} <= links
    assert reverse("enforcement:cases") not in links


def test_public_links_in_english(client: Client, territory: dict[str, Any]) -> None:
    from django.utils import translation

    client.cookies["django_language"] = "en"
    body = client.get("/grid/report/").content.decode()
    translation.activate("zh-hans")
    nav = body[body.index('class="mainnav') : body.index("</nav>", body.index('class="mainnav'))]
    assert "Self-service" in nav and "Enforcement publication" in nav and "执法公示" not in nav
