"""API keys: issued and revoked by administrators (actions with audit rows, the admin, the management
command), stored as a hash only."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import User
from audit.models import AuditEvent
from core.errors import Conflict, DomainError, PermissionRefused
from open311.actions import do_issue_api_key, do_revoke_api_key
from open311.keys import hash_key
from open311.models import ApiKey
from open311.selectors import key_for

pytestmark = pytest.mark.django_db


def test_issue_stores_only_the_hash(personas: dict[str, Any], now: datetime) -> None:
    api_key, raw = do_issue_api_key(
        name="市民App", contact="app@example.org", actor=personas["system"], now=now
    )

    assert len(raw) >= 40
    assert api_key.key_hash == hash_key(raw)
    assert api_key.prefix == raw[:8]
    assert raw not in {
        str(v) for v in ApiKey.objects.values_list("name", "prefix", "key_hash", "contact").get()
    }
    audit = AuditEvent.objects.get(action="open311.api_key_issued")
    assert raw not in str(audit.after)
    assert key_for(raw) == api_key
    assert key_for(raw + "x") is None


@pytest.mark.parametrize("who", ["dispatcher", "hq_leader", "hq_grid", "wt_grid"])
def test_staff_who_are_not_key_admins_are_refused(personas: dict[str, Any], now: datetime, who: str) -> None:
    with pytest.raises(PermissionRefused):
        do_issue_api_key(name="x", actor=personas[who], now=now)
    assert not ApiKey.objects.exists()


def test_a_superuser_may_issue(personas: dict[str, Any], now: datetime) -> None:
    admin = User.objects.create_superuser(username="root", password="x")

    api_key, _ = do_issue_api_key(name="合作方", actor=admin, now=now, rate_limit_per_hour=50)

    assert api_key.created_by == admin
    assert api_key.rate_limit_per_hour == 50


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": " "}, "name"),
        ({"name": "k", "key": "short"}, "key"),
        ({"name": "k", "rate_limit_per_hour": -1}, "rate_limit_per_hour"),
    ],
)
def test_bad_input_names_the_field(
    personas: dict[str, Any], now: datetime, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        do_issue_api_key(actor=personas["system"], now=now, **kwargs)
    assert refused.value.field == field


def test_names_and_keys_are_unique(personas: dict[str, Any], now: datetime) -> None:
    do_issue_api_key(name="甲", key="fixed-key-0001", actor=personas["system"], now=now)

    with pytest.raises(Conflict):
        do_issue_api_key(name="甲", actor=personas["system"], now=now)
    with pytest.raises(Conflict):
        do_issue_api_key(name="乙", key="fixed-key-0001", actor=personas["system"], now=now)


def test_revoke_writes_an_audit_row_and_cannot_repeat(personas: dict[str, Any], now: datetime) -> None:
    api_key, raw = do_issue_api_key(name="甲", actor=personas["system"], now=now)

    with pytest.raises(PermissionRefused):
        do_revoke_api_key(api_key, actor=personas["dispatcher"], now=now)
    revoked = do_revoke_api_key(api_key, actor=personas["system"], now=now, reason="泄露")

    assert revoked.active is False
    assert revoked.revoked_at == now
    assert key_for(raw) is None
    audit = AuditEvent.objects.get(action="open311.api_key_revoked")
    assert audit.before is not None and audit.after is not None
    assert audit.before["active"] is True and audit.after["active"] is False
    with pytest.raises(Conflict):
        do_revoke_api_key(revoked, actor=personas["system"], now=now)


def test_management_command_prints_the_key_once(personas: dict[str, Any]) -> None:
    out = StringIO()
    call_command("issue_open311_key", "合作方", "--key", "partner-key-123", "--rate-limit", "10", stdout=out)

    assert out.getvalue().strip() == "合作方: partner-key-123"
    api_key = ApiKey.objects.get(name="合作方")
    assert api_key.rate_limit_per_hour == 10
    assert key_for("partner-key-123") == api_key
    with pytest.raises(CommandError):
        call_command("issue_open311_key", "合作方", stdout=StringIO())


@pytest.fixture
def admin_client(personas: dict[str, Any]) -> Client:
    admin = User.objects.create_superuser(username="root", password="x")
    client = Client()
    client.force_login(admin)
    return client


def test_admin_issues_a_key_and_shows_it_once(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/open311/apikey/add/",
        {"name": "市民App", "contact": "app@example.org", "rate_limit_per_hour": "100", "key": ""},
        follow=True,
    )

    assert response.status_code == 200
    api_key = ApiKey.objects.get(name="市民App")
    shown = [str(m) for m in response.context["messages"]]
    assert any(api_key.prefix in message for message in shown)
    raw = next(m for m in shown if "已签发" in m).split("：")[1].split(" ")[0]
    assert key_for(raw) == api_key
    page = admin_client.get(f"/admin/open311/apikey/{api_key.pk}/change/").content.decode()
    assert raw not in page
    assert AuditEvent.objects.filter(action="open311.api_key_issued").count() == 1


def test_admin_revokes_with_the_action(admin_client: Client, personas: dict[str, Any], now: datetime) -> None:
    api_key, raw = do_issue_api_key(name="甲", actor=personas["system"], now=now)

    response = admin_client.post(
        "/admin/open311/apikey/", {"action": "revoke", "_selected_action": [api_key.pk]}, follow=True
    )

    assert response.status_code == 200
    assert key_for(raw) is None
    assert AuditEvent.objects.filter(action="open311.api_key_revoked").count() == 1


def test_staff_without_the_key_right_cannot_add(personas: dict[str, Any]) -> None:
    staff = personas["dispatcher"]
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="open311"))
    client = Client()
    client.force_login(staff)

    assert client.get("/admin/open311/apikey/").status_code == 200  # may look at the keys
    response = client.get("/admin/open311/apikey/add/")

    assert response.status_code == 403
