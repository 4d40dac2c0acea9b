"""Login lockout (django-axes): by account and by client address, on /login/ and the token endpoint, with
one audit row per lockout and the error envelope on the API."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.testing import PASSWORD
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _limit(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3


def test_login_page_locks_the_account_after_failures(client: Client, personas: dict[str, User]) -> None:
    for n in range(3):
        address = f"198.51.100.{n}"  # a distributed guesser: a new address every time
        client.post("/login/", {"username": "hq_leader", "password": "guess"}, REMOTE_ADDR=address)
    refused = client.post(
        "/login/", {"username": "hq_leader", "password": PASSWORD}, REMOTE_ADDR="203.0.113.5"
    )
    assert refused.status_code == 429 and refused["Retry-After"] == "1800"
    assert "暂时锁定" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    lockouts = AuditEvent.objects.filter(action="accounts.locked_out")
    assert lockouts.count() == 1 and lockouts.get().after == {
        "username": "hq_leader",
        "ip_address": "198.51.100.2",
    }

    call_command("axes_reset_username", "hq_leader")  # the operator unlocks the account
    unlocked = client.post(
        "/login/", {"username": "hq_leader", "password": PASSWORD}, REMOTE_ADDR="203.0.113.5"
    )
    assert unlocked.status_code == 302


def test_login_page_locks_the_client_across_accounts(client: Client, personas: dict[str, User]) -> None:
    for name in ("hq_grid", "hq_officer", "dispatcher"):
        client.post("/login/", {"username": name, "password": "guess"}, REMOTE_ADDR="203.0.113.9")
    refused = client.post(
        "/login/", {"username": "hq_leader", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert refused.status_code == 429
    elsewhere = Client().post(
        "/login/", {"username": "hq_leader", "password": PASSWORD}, REMOTE_ADDR="203.0.113.10"
    )
    assert elsewhere.status_code == 302


def test_token_endpoint_answers_a_lockout_with_the_envelope(
    api: APIClient, personas: dict[str, User]
) -> None:
    for _ in range(2):
        wrong = api.post(TOKEN, {"username": "hq_leader", "password": "guess"}, format="json")
        assert wrong.status_code == 400 and wrong.json()["errors"][0]["code"] == "invalid_credentials"
    third = api.post(TOKEN, {"username": "hq_leader", "password": "guess"}, format="json")
    assert third.status_code == 429 and third["Content-Type"] == "application/json"
    right = api.post(TOKEN, {"username": "hq_leader", "password": PASSWORD}, format="json")
    assert right.status_code == 429
    assert right.json()["errors"][0]["code"] == "locked_out" and "token" not in right.json()
    assert AuditEvent.objects.filter(action="accounts.locked_out").count() == 1
    assert AccessAttempt.objects.filter(username="hq_leader").exists()


def test_a_success_before_the_limit_resets_the_count(client: Client, personas: dict[str, User]) -> None:
    for _ in range(2):
        client.post("/login/", {"username": "hq_leader", "password": "guess"})
    assert client.post("/login/", {"username": "hq_leader", "password": PASSWORD}).status_code == 302
    client.post("/logout/")
    for _ in range(2):
        client.post("/login/", {"username": "hq_leader", "password": "guess"})
    assert client.post("/login/", {"username": "hq_leader", "password": PASSWORD}).status_code == 302
    assert not AuditEvent.objects.filter(action="accounts.locked_out").exists()
