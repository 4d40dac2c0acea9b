"""core.ratelimit: the client address behind trusted proxies, and windows every worker shares."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.test import RequestFactory

from core import ratelimit

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def request(remote: str, forwarded: str | None = None) -> Any:
    made = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        made.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return made


def test_forwarded_for_is_ignored_without_trusted_proxies(settings: Any) -> None:
    settings.TRUSTED_PROXIES = []
    assert ratelimit.client_address(request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


def test_forwarded_for_from_an_untrusted_peer_is_ignored(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert ratelimit.client_address(request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


def test_rightmost_untrusted_hop_is_the_client(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    # The client forged "6.6.6.6"; nginx appended the real peer 198.51.100.7; an inner proxy 10.1.1.1.
    forged = request("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.1.1")
    assert ratelimit.client_address(forged) == "198.51.100.7"
    assert ratelimit.client_address(request("127.0.0.1", "garbage, 198.51.100.7")) == "198.51.100.7"
    assert ratelimit.client_address(request("127.0.0.1", "198.51.100.7, not-an-ip")) == "127.0.0.1"
    assert ratelimit.client_address(request("127.0.0.1")) == "127.0.0.1"


def test_a_missing_peer_address_is_still_an_address() -> None:
    assert ratelimit.client_address(request("")) == "0.0.0.0"  # noqa: S104


def test_the_cache_is_shared_between_processes() -> None:
    # Per-process memory would multiply every limit by the number of workers.
    backend = django_settings.CACHES["default"]["BACKEND"]
    assert backend in {
        "django.core.cache.backends.db.DatabaseCache",
        "django.core.cache.backends.redis.RedisCache",
    }
    assert "locmem" not in type(caches["default"]).__module__


def test_enforce_counts_a_window_and_answers_429_with_retry_after() -> None:
    for _ in range(2):
        ratelimit.enforce("t", "a", limit=2, window=HOUR, now=NOW, code="slow_down", message="m")
    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.enforce(
            "t", "a", limit=2, window=HOUR, now=NOW + timedelta(minutes=15), code="slow_down", message="m"
        )
    assert refused.value.status == 429 and refused.value.code == "slow_down"
    assert refused.value.retry_after == 45 * 60
    assert ratelimit.hit("t", "b", limit=2, window=HOUR, now=NOW).allowed  # another identity
    assert ratelimit.hit("t", "a", limit=2, window=HOUR, now=NOW + HOUR).allowed  # the next window


def test_refusals_need_not_count_and_clear_forgets() -> None:
    for _ in range(4):
        ratelimit.hit("t", "a", limit=1, window=HOUR, now=NOW, count_refused=False)
    assert ratelimit.peek("t", "a", limit=1, window=HOUR, now=NOW).count == 1
    ratelimit.clear("t", "a", window=HOUR, now=NOW)
    assert ratelimit.peek("t", "a", limit=1, window=HOUR, now=NOW).count == 0
