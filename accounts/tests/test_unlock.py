"""Unlocking a log-in lockout is the security administrator's (三员分立): the `axes_reset*` commands and
the admin's delete of attempt rows; each unlock is audited; every other role is refused (and the refusal
audited) and the lockout stays."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from accounts.models import User
from accounts.testing import PASSWORD, make_administrator
from audit.models import AuditEvent
from core.adminroles import AdminRole

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limit(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3


@pytest.fixture
def admins(personas: dict[str, User]) -> dict[str, User]:
    return {
        "sys": make_administrator("sysadmin", AdminRole.SYSTEM),
        "sec": make_administrator("secadmin", AdminRole.SECURITY),
        "audit": make_administrator("auditadmin", AdminRole.AUDIT),
    }


def lock_out(username: str = "hq_leader", address: str = "198.51.100.7") -> None:
    client = Client()
    for _ in range(3):
        client.post("/login/", {"username": username, "password": "guess"}, REMOTE_ADDR=address)
    assert AccessAttempt.objects.filter(username=username).exists()


def logs_in(username: str = "hq_leader", address: str = "203.0.113.9") -> bool:
    response = Client().post("/login/", {"username": username, "password": PASSWORD}, REMOTE_ADDR=address)
    return response.status_code == 302


def test_security_administrator_unlocks_by_command(admins: dict[str, User]) -> None:
    lock_out()
    assert not logs_in()
    call_command("axes_reset_username", "hq_leader", actor="secadmin")
    assert not AccessAttempt.objects.filter(username="hq_leader").exists()
    assert logs_in()
    row = AuditEvent.objects.get(action="accounts.lockout_reset")
    assert row.actor_id == admins["sec"].pk and row.subject_id == "hq_leader"
    after = row.after or {}
    assert after["removed"] >= 1 and after["username"] == "hq_leader"


@pytest.mark.parametrize("who", ["sysadmin", "auditadmin", "dispatcher", "hq_leader"])
@pytest.mark.parametrize(
    "command",
    [
        ("axes_reset_username", "hq_leader"),
        ("axes_reset_ip", "198.51.100.7"),
        ("axes_reset_ip_username", "198.51.100.7", "hq_leader"),
        ("axes_reset",),
        ("axes_reset_failure_logs",),
        ("axes_reset_logs",),
    ],
)
def test_every_other_role_is_refused(admins: dict[str, User], who: str, command: tuple[str, ...]) -> None:
    lock_out()
    attempts = AccessAttempt.objects.count()
    with pytest.raises(CommandError, match="security administrator"):
        call_command(*command, actor=who)
    assert AccessAttempt.objects.count() == attempts
    assert not AuditEvent.objects.filter(action="accounts.lockout_reset").exists()
    assert not logs_in()


def test_unknown_actor_and_production_without_actor_are_refused(
    admins: dict[str, User], settings: Any
) -> None:
    lock_out()
    with pytest.raises(CommandError):
        call_command("axes_reset_username", "hq_leader", actor="nobody")
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="--actor"):
        call_command("axes_reset_username", "hq_leader")
    assert AccessAttempt.objects.filter(username="hq_leader").exists()


def test_housekeeping_commands_run_for_the_security_administrator(admins: dict[str, User]) -> None:
    lock_out()
    call_command("axes_reset_failure_logs", "--age", "0", actor="secadmin")
    call_command("axes_reset", actor="secadmin")
    assert not AccessAttempt.objects.exists()
    assert logs_in()
    actions = set(AuditEvent.objects.filter(actor=admins["sec"]).values_list("action", flat=True))
    assert {"accounts.lockout_reset", "accounts.lockout_logs_reset"} <= actions


def admin_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_security_administrator_unlocks_in_the_admin(admins: dict[str, User]) -> None:
    lock_out()
    attempt = AccessAttempt.objects.get(username="hq_leader")
    url = f"/admin/axes/accessattempt/{attempt.pk}/delete/"
    response = admin_client(admins["sec"]).post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists() and logs_in()
    row = AuditEvent.objects.get(action="accounts.lockout_reset")
    assert row.actor_id == admins["sec"].pk and (row.after or {})["ip_address"] == "198.51.100.7"


def test_admin_unlock_refused_to_other_roles_even_with_the_permission(
    admins: dict[str, User], personas: dict[str, User]
) -> None:
    lock_out()
    attempt = AccessAttempt.objects.get(username="hq_leader")
    # A staff member handed the model permissions directly is still not the security administrator.
    handed = personas["dispatcher"]
    handed.is_staff = True
    handed.save(update_fields=["is_staff"])
    handed.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_accessattempt", "delete_accessattempt"])
    )
    for user in (admins["sys"], admins["audit"], handed):
        client = admin_client(user)
        delete = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
        assert delete.status_code == 403, user.username
        bulk = client.post(
            "/admin/axes/accessattempt/",
            {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
        )
        assert bulk.status_code in (200, 302, 403)
        assert AccessAttempt.objects.filter(pk=attempt.pk).exists(), user.username
    assert not logs_in()
