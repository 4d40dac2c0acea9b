"""The demo's fixed Open311 key (README): ensured idempotently, and a revocation by an administrator
stands when the demo is seeded again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from demo.open311_key import DEMO_KEY, ensure_demo_key
from open311.actions import do_revoke_api_key
from open311.models import ApiKey
from open311.selectors import key_for

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def test_demo_key_is_idempotent_and_respects_a_revocation(personas: dict[str, Any]) -> None:
    first = ensure_demo_key(actor=personas["system"], now=NOW)
    again = ensure_demo_key(actor=personas["system"], now=NOW)

    assert first.pk == again.pk
    assert key_for(DEMO_KEY) == first
    do_revoke_api_key(first, actor=personas["system"], now=NOW)
    assert ensure_demo_key(actor=personas["system"], now=NOW).active is False
    assert ApiKey.objects.count() == 1


def test_a_key_of_the_same_name_gets_a_dated_name(personas: dict[str, Any]) -> None:
    from open311.actions import do_issue_api_key

    do_issue_api_key(name="演示客户端", actor=personas["system"], now=NOW)
    key = ensure_demo_key(actor=personas["system"], now=NOW)
    assert key.name == "演示客户端-20260302" and key_for(DEMO_KEY) == key


def test_the_readme_names_the_demo_key() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert f"`{DEMO_KEY}`" in readme


def test_only_the_demo_key_opens_the_door_not_a_guess(client: Client, personas: dict[str, Any]) -> None:
    """Without the demo seed there is no demo key: a client sending it is refused like any unknown key."""
    response = client.post("/open311/v2/requests.json", {"api_key": DEMO_KEY, "service_code": "E0102"})
    assert response.status_code in {400, 403}
