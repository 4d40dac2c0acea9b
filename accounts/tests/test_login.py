"""Log-in pages, the home page, and the audit of log-ins."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from accounts.testing import PASSWORD
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_anonymous_home_is_the_portal_with_the_staff_login_one_click_away(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200 and 'href="/login/' in response.content.decode()
    staff_page = client.get("/me/")
    assert staff_page.status_code == 302 and staff_page["Location"].startswith("/login/?next=/me/")


def test_login_logout_are_audited(client: Client, personas: dict[str, User]) -> None:
    response = client.post("/login/", {"username": "hq_leader", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    login = AuditEvent.objects.get(action="accounts.login")
    assert login.actor_id == personas["hq_leader"].pk
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/me/").status_code == 302


def test_failed_login_records_username_only(client: Client, personas: dict[str, User]) -> None:
    response = client.post("/login/", {"username": "hq_leader", "password": "guess-123"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    failed = AuditEvent.objects.get(action="accounts.login_failed")
    assert failed.actor_id is None and failed.after == {"username": "hq_leader"}
    assert "guess-123" not in str(AuditEvent.objects.values_list("before", "after"))


def test_home_shows_who_the_user_is(client: Client, personas: dict[str, User]) -> None:
    client.force_login(personas["hq_grid"])
    page = client.get("/").content.decode()
    assert "黄桥测试村村委会" in page  # org unit
    assert "网格员" in page  # role
    assert "320507003201001" in page and "黄桥测试村第1网格" in page  # jurisdiction with its name
    assert 'href="/api/docs/"' in page
    assert 'href="/admin/"' not in page  # not staff


def test_home_for_staff_links_admin(client: Client, personas: dict[str, User]) -> None:
    user = personas["dispatcher"]
    user.is_staff = True
    user.save()
    client.force_login(user)
    page = client.get("/").content.decode()
    assert 'href="/admin/"' in page and "相城区" in page


def test_login_page_in_english(client: Client) -> None:
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log in" in page and "Password" in page
    assert "登录" not in page.replace('lang="zh-hans"', "")


def test_login_page_english_by_cookie(client: Client) -> None:
    client.cookies["django_language"] = "en"
    assert "Username" in client.get("/login/").content.decode()


def test_login_page_chinese_by_default(client: Client) -> None:
    page = client.get("/login/").content.decode()
    assert "登录" in page and "用户名" in page


def test_health_check_needs_no_login(client: Client) -> None:
    response = client.get("/healthz/")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


def test_health_check_reports_database_failure(client: Client) -> None:
    from unittest import mock

    from django.db import OperationalError

    with mock.patch("accounts.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz/")
    assert response.status_code == 503 and response.json()["database"] == "unavailable"
