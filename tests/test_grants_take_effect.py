"""A grant or revocation applies to the user's very next request: jurisdiction and roles are read from the
assignments on every request (held on the request's user object only), never kept in the session, a
token or a process-wide cache. Checked through one signed-in browser session and one API token that
both stay open across the change, and for the administrator roles and deactivation alike."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.actions import do_assign_role, do_end_assignment, do_update_user
from accounts.adminroles import do_grant_admin_role, do_revoke_admin_role
from accounts.models import OrgUnit, Role, User
from accounts.testing import PASSWORD, make_administrator
from core.adminroles import AdminRole
from workflow.start import do_start_item

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
HQ_GRID = "320507003201001"


@pytest.fixture
def item_url(personas: dict[str, User]) -> str:
    item = do_start_item(
        "sample_complaint", actor=personas["dispatcher"], now=NOW, title="占道经营", territory_code=HQ_GRID
    )
    return f"/api/v1/work-items/{item.pk}/"


def open_session(user: User) -> Client:
    client = Client()
    assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def open_token(user: User) -> APIClient:
    client = APIClient()
    body = client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}).json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    return client


def test_a_jurisdiction_grant_and_its_end_apply_to_the_next_request(
    personas: dict[str, User], item_url: str
) -> None:
    outsider = personas["wt_grid"]
    session, token = open_session(outsider), open_token(outsider)
    assert session.get(item_url).status_code == token.get(item_url).status_code == 404
    assert session.get("/api/v1/work-items/").json()["count"] == 0

    assignment = do_assign_role(
        user=outsider,
        org_unit=OrgUnit.objects.get(code="320507003201-vc"),
        role=Role.GRID_WORKER,
        territory_code=HQ_GRID,
        actor=personas["system"],
        now=NOW,
    )
    assert session.get(item_url).status_code == token.get(item_url).status_code == 200
    assert session.get("/api/v1/work-items/").json()["count"] == 1

    do_end_assignment(assignment, actor=personas["system"], now=NOW)
    assert session.get(item_url).status_code == token.get(item_url).status_code == 404
    assert token.get("/api/v1/work-items/").json()["count"] == 0


def test_a_role_grant_applies_to_the_next_request(personas: dict[str, User], item_url: str) -> None:
    # The 黄桥 agency member may see the item but may not start this process (start: dispatcher, grid).
    agency = personas["hq_agency"]
    token = open_token(agency)
    body: dict[str, Any] = {"process": "sample_complaint", "title": "又一件", "territory_code": HQ_GRID}
    assert token.post("/api/v1/work-items/", body, format="json").status_code == 403
    do_assign_role(
        user=agency,
        org_unit=OrgUnit.objects.get(code="320507003201-vc"),
        role=Role.GRID_WORKER,
        territory_code=HQ_GRID,
        actor=personas["system"],
        now=NOW,
    )
    assert token.post("/api/v1/work-items/", body, format="json").status_code == 201


def test_an_administrator_role_applies_and_lapses_at_once(personas: dict[str, User]) -> None:
    security = make_administrator("secadmin", AdminRole.SECURITY)
    person = personas["hq_leader"]
    person.is_staff = True
    person.save(update_fields=["is_staff"])
    session = Client()
    session.force_login(person)
    assert session.get("/admin/accounts/orgunit/").status_code == 403
    do_grant_admin_role(person, AdminRole.SYSTEM, actor=security, now=NOW)
    assert session.get("/admin/accounts/orgunit/").status_code == 200
    do_revoke_admin_role(person, AdminRole.SYSTEM, actor=security, now=NOW)
    assert session.get("/admin/accounts/orgunit/").status_code == 403


def test_deactivation_ends_open_sessions_and_tokens(personas: dict[str, User], item_url: str) -> None:
    worker = personas["hq_grid"]
    session, token = open_session(worker), open_token(worker)
    assert session.get(item_url).status_code == token.get(item_url).status_code == 200
    do_update_user(worker, changes={"is_active": False}, actor=personas["system"], now=NOW)
    assert token.get(item_url).status_code == 401
    page = session.get("/work/")
    assert page.status_code == 302 and "/login/" in page["Location"]
    assert session.get(item_url).status_code in (401, 403)
