"""The one rate limiter: fixed windows counted in Django's cache, which every worker shares (a database
cache on SQLite, Redis in production), keyed on the client address derived from the trusted proxies."""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from core.errors import DomainError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# A request with no usable peer address (an internal request, a test's force_login): still a valid IP,
# since django-axes stores it in an address column.
UNKNOWN = "0.0.0.0"  # noqa: S104 - a placeholder value, never bound


@lru_cache(maxsize=4)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent the request. X-Forwarded-For counts only when the peer
    (REMOTE_ADDR) is a trusted proxy; then the rightmost hop that is not a trusted proxy is the client,
    since anything to its left was written by the client itself."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    try:
        ipaddress.ip_address(remote)
    except ValueError:
        return UNKNOWN
    networks = trusted_proxies()
    if not networks or not _is_trusted(remote, networks):
        return remote
    hops = [hop.strip() for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote  # a trusted proxy would not write this: do not let it pick a bucket
        if not _is_trusted(hop, networks):
            return hop
    return remote


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    count: int
    reset_at: datetime

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    def retry_after_seconds(self, now: datetime) -> int:
        return max(1, int((self.reset_at - now).total_seconds()))


class RateLimited(DomainError):
    status = 429

    def __init__(self, code: str, message: str, retry_after: int):
        super().__init__(code, message)
        self.retry_after = retry_after


def _window(now: datetime, seconds: int) -> tuple[int, datetime]:
    index = int(now.timestamp() // seconds)
    return index, datetime.fromtimestamp((index + 1) * seconds, tz=UTC)


def _key(scope: str, ident: str, index: int) -> str:
    # Hash the identity: addresses and receipts become safe, fixed-length cache keys.
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{index}"


def peek(scope: str, ident: str, *, limit: int, window: timedelta, now: datetime) -> Verdict:
    """The current window's count, without counting anything."""
    seconds = int(window.total_seconds())
    index, reset_at = _window(now, seconds)
    count = int(cache.get(_key(scope, ident, index), 0))
    return Verdict(allowed=count < limit, limit=limit, count=count, reset_at=reset_at)


def hit(
    scope: str, ident: str, *, limit: int, window: timedelta, now: datetime, count_refused: bool = True
) -> Verdict:
    """Count one request in the current window; refused once the window holds `limit` requests.
    With count_refused=False a refused request is taken back out, so hammering does not extend a block."""
    seconds = int(window.total_seconds())
    index, reset_at = _window(now, seconds)
    key = _key(scope, ident, index)
    # Entries live one window past the end of theirs, so a clock skew between workers cannot reopen one.
    cache.add(key, 0, timeout=seconds * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=seconds * 2)
        count = 1
    allowed = count <= limit
    if not allowed and not count_refused:
        count = cache.decr(key)
    # incr() on the database cache re-stores the value with the default timeout: set the real one again.
    cache.touch(key, timeout=int((reset_at - now).total_seconds()) + seconds)
    return Verdict(allowed=allowed, limit=limit, count=count, reset_at=reset_at)


def clear(scope: str, ident: str, *, window: timedelta, now: datetime) -> None:
    """Forget the current window (an operator unblocking a receipt, or a success resetting failures)."""
    index, _ = _window(now, int(window.total_seconds()))
    cache.delete(_key(scope, ident, index))


def enforce(
    scope: str, ident: str, *, limit: int, window: timedelta, now: datetime, code: str, message: str
) -> Verdict:
    """hit(), raising RateLimited (429 in the envelope, with Retry-After) when over the limit."""
    verdict = hit(scope, ident, limit=limit, window=window, now=now)
    if not verdict.allowed:
        raise RateLimited(code, message, verdict.retry_after_seconds(now))
    return verdict


def enforce_for_client(
    request: HttpRequest, scope: str, *, limit: int, window: timedelta, now: datetime, code: str, message: str
) -> Verdict:
    return enforce(
        scope, client_address(request), limit=limit, window=window, now=now, code=code, message=message
    )


@dataclass(frozen=True)
class Budget:
    """How many failures one identity may have in a window (a receipt, a client address)."""

    scope: str
    ident: str
    limit: int
    window: timedelta


def refuse_if_exhausted(budgets: list[Budget], *, now: datetime, code: str, message: str) -> None:
    """Before a guessable check: refuse (429) while any of its failure budgets is spent."""
    for budget in budgets:
        verdict = peek(budget.scope, budget.ident, limit=budget.limit, window=budget.window, now=now)
        if not verdict.allowed:
            raise RateLimited(code, message, verdict.retry_after_seconds(now))


def spend(budgets: list[Budget], *, now: datetime) -> None:
    """After a failed check: count it against every budget."""
    for budget in budgets:
        hit(budget.scope, budget.ident, limit=budget.limit, window=budget.window, now=now)
