"""Background job of ratings: apply the effects of rectification items closed through the engine's own
pages or API (the outcome SMS, the exclusion after an upheld appeal). Outermost layer: reads the clock."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ratings.actions import sync_rectifications


@db_periodic_task(crontab(minute="*"))
def sync_rating_rectifications() -> int:
    return sync_rectifications(now=timezone.now())
