"""Whole local days: the 三资 figures, the monthly report and the 财务公开 deadline count in the site's
time zone (Asia/Shanghai), so a day starts at its local midnight."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def midnight(day: date) -> datetime:
    """The instant `day` starts, local time."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def month_after(day: date) -> date:
    """The first day of the month after `day`'s."""
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)
