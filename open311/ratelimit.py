"""Per-key rate limit: a fixed one-hour window counted in a table row (open311.ApiKeyUsage), shared by
every worker. Only admitted requests are counted; a refused one does not push the window further."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F

from open311.models import ApiKey, ApiKeyUsage

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_at: datetime

    def retry_after_seconds(self, now: datetime) -> int:
        return max(1, int((self.reset_at - now).total_seconds()))


def window_start(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def consume(api_key: ApiKey, now: datetime) -> Verdict:
    """Count one request against the key's current window; refused when the window is full."""
    start = window_start(now)
    limit = api_key.rate_limit_per_hour
    rows = ApiKeyUsage.objects.filter(api_key=api_key, window_start=start)
    with transaction.atomic():
        admitted = rows.filter(count__lt=limit).update(count=F("count") + 1) == 1
        if not admitted and not rows.exists() and limit > 0:
            try:
                with transaction.atomic():
                    ApiKeyUsage.objects.create(api_key=api_key, window_start=start, count=1)
                admitted = True
            except IntegrityError:  # another worker created the row first
                admitted = rows.filter(count__lt=limit).update(count=F("count") + 1) == 1
        used = rows.values_list("count", flat=True).first() or 0
    return Verdict(allowed=admitted, limit=limit, remaining=max(0, limit - used), reset_at=start + WINDOW)
