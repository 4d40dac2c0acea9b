"""Per-key rate limit: a fixed one-hour window; over it → 429 in the spec's error format."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from core import ratelimit
from grid.models import GridEvent
from open311.actions import do_issue_api_key
from open311.models import ApiKey
from open311.tests.conftest import report, spec_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_key(definitions: dict[str, int], personas: dict[str, Any], now: datetime) -> str:
    _, raw = do_issue_api_key(name="小额度", rate_limit_per_hour=2, actor=personas["system"], now=now)
    return raw


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_over_the_limit_is_429_in_the_spec_format(
    client: Client, small_key: str, fmt: str, now: datetime
) -> None:
    first, second = report(client, fmt, api_key=small_key), report(client, fmt, api_key=small_key)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second["X-RateLimit-Remaining"] == "0"

    third = report(client, fmt, api_key=small_key)

    assert third.status_code == 429
    code, description = spec_error(third, fmt)
    assert code == 429
    assert "rate limit" in description
    assert third["Retry-After"] == "3600"  # NOW is on the hour
    assert GridEvent.objects.count() == 2
    key = ApiKey.objects.get(name="小额度")
    counted = ratelimit.peek("open311-key", str(key.pk), limit=2, window=timedelta(hours=1), now=now)
    assert counted.count == 2  # refused requests are not counted


def test_the_next_hour_opens_a_new_window(client: Client, small_key: str, now: datetime) -> None:
    report(client, api_key=small_key)
    report(client, api_key=small_key)
    assert report(client, api_key=small_key).status_code == 429

    with time_machine.travel(now + timedelta(minutes=59, seconds=30), tick=False):
        blocked = report(client, api_key=small_key)
        assert blocked.status_code == 429
        assert blocked["Retry-After"] == "30"
    with time_machine.travel(now + timedelta(hours=1), tick=False):
        assert report(client, api_key=small_key).status_code == 200


def test_keyed_reads_count_too_and_other_keys_are_not_affected(
    client: Client, small_key: str, client_key: str
) -> None:
    assert client.get("/open311/v2/services.json", {"api_key": small_key}).status_code == 200
    assert client.get("/open311/v2/discovery.json", {"api_key": small_key}).status_code == 200
    assert client.get("/open311/v2/requests.json", {"api_key": small_key}).status_code == 429
    assert report(client, api_key=client_key).status_code == 200
    assert client.get("/open311/v2/requests.json").status_code == 200  # no key, no limit


def test_a_zero_limit_blocks_the_key(
    client: Client, definitions: dict[str, int], personas: dict[str, Any], now: datetime
) -> None:
    _, raw = do_issue_api_key(name="停用额度", rate_limit_per_hour=0, actor=personas["system"], now=now)

    assert report(client, api_key=raw).status_code == 429
