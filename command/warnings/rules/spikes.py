"""Spikes of grid reports per area × minor class: today against a 7-day baseline, with the CDC's EARS
C1/C2/C3 statistics over the daily rollup counts (`ears`)."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from grid.models import Category, GridEvent
from workflow.models import LedgerRollup
from workflow.rollups import cursor_of, tail_delta

from ..models import Level, Rule
from .base import GRID_PROCESS, Finding, Holds, Owners, RuleFn, local_day, place_name

AREA_LENGTHS = {"town": 9, "village": 12, "grid": 15}
SERIES_DAYS = 12  # C3 needs C2 of today and the two days before, each over a 7-day baseline lagged 2 days


@dataclass(frozen=True)
class Ears:
    """EARS statistics of the last day of a daily series (Hutwagner et al., 2003): C1 against the 7 days
    before it, C2 against the 7 days ending 3 days before it, C3 = Σ max(0, C2 − 1) over it and the two
    days before. σ is the sample standard deviation, floored at `min_sigma` (a flat baseline would
    otherwise divide by zero and make any single report a spike)."""

    count: int
    c1: float
    c2: float
    c3: float
    mean_c1: float
    sigma_c1: float
    mean_c2: float
    sigma_c2: float
    fired: tuple[str, ...]


def _c(series: Sequence[int], t: int, lag: int, min_sigma: float) -> tuple[float, float, float]:
    base = series[t - lag - 7 : t - lag]
    mean = statistics.fmean(base)
    sigma = max(statistics.stdev(base), min_sigma)
    return (series[t] - mean) / sigma, mean, sigma


def ears(series: Sequence[int], *, threshold: float, c3_threshold: float, min_sigma: float) -> Ears:
    """`series`: SERIES_DAYS daily counts, oldest first, the day under test last."""
    if len(series) != SERIES_DAYS:
        raise ValueError(f"EARS needs {SERIES_DAYS} days, got {len(series)}")
    t = SERIES_DAYS - 1
    c1, mean1, sigma1 = _c(series, t, 0, min_sigma)
    c2s = [_c(series, t - k, 2, min_sigma) for k in (0, 1, 2)]
    c3 = sum(max(0.0, c - 1) for c, _m, _s in c2s)
    c2, mean2, sigma2 = c2s[0]
    fired = tuple(
        name
        for name, value, limit in (("C1", c1, threshold), ("C2", c2, threshold), ("C3", c3, c3_threshold))
        if value > limit
    )
    return Ears(series[t], c1, c2, c3, mean1, sigma1, mean2, sigma2, fired)


def _daily_reports(first: date, last: date, area_length: int) -> dict[tuple[str, str], Counter[date]]:
    """Reports per (area code, minor class) and local day: the rollup plus its unfolded tail."""
    counts: dict[tuple[str, str], Counter[date]] = defaultdict(Counter)
    rows = (
        LedgerRollup.objects.filter(
            process_name=GRID_PROCESS, measure="reported", day__gte=first, day__lte=last
        )
        .values_list("territory_code", "subject_class", "day")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for code, cls, day, n in rows:
        counts[(code[:area_length], cls)][day] += int(n or 0)
    for key, n in tail_delta(GRID_PROCESS, cursor_of(GRID_PROCESS)).items():
        if key.measure == "reported" and first <= key.day <= last:
            counts[(key.territory_code[:area_length], key.subject_class)][key.day] += n
    return counts


def _category_name(cls: str) -> str:
    kind, _sep, code = cls.partition(":")
    name = Category.objects.filter(kind=kind, code=code).values_list("name", flat=True).first()
    return str(name or cls or "未分类")


def spikes(now: datetime, owners: Owners) -> Iterator[Finding | Holds]:
    """A spike is raised for the day it fires. Its situation holds that day and the next (a spike at
    23:00 is not over at midnight) and ends once neither yesterday nor today fires."""
    threshold = float(settings.COMMAND_WARN_EARS_THRESHOLD)
    c3_threshold = float(settings.COMMAND_WARN_EARS_C3_THRESHOLD)
    min_sigma = float(settings.COMMAND_WARN_EARS_MIN_SIGMA)
    min_count = int(settings.COMMAND_WARN_EARS_MIN_COUNT)
    area_length = AREA_LENGTHS[settings.COMMAND_WARN_SPIKE_AREA]
    today = local_day(now)
    yesterday = today - timedelta(days=1)
    first = today - timedelta(days=SERIES_DAYS - 1)
    days = [first + timedelta(days=i) for i in range(SERIES_DAYS)]

    def fired(by_day: Counter[date], day: date) -> Ears | None:
        if by_day[day] < min_count:
            return None
        series = [by_day[day - timedelta(days=SERIES_DAYS - 1 - i)] for i in range(SERIES_DAYS)]
        result = ears(series, threshold=threshold, c3_threshold=c3_threshold, min_sigma=min_sigma)
        return result if result.fired else None

    for (area, cls), by_day in sorted(_daily_reports(first - timedelta(days=1), today, area_length).items()):
        key = f"spike:{area}:{cls}"
        result = fired(by_day, today)
        if result is None:
            if fired(by_day, yesterday) is not None:
                yield Holds(key)
            continue
        series = [by_day[d] for d in days]
        level = {1: Level.YELLOW, 2: Level.ORANGE}.get(len(result.fired), Level.RED)
        category = _category_name(cls)
        kind, _sep, code = cls.partition(":")
        start = timezone.make_aware(datetime.combine(today, datetime.min.time()))
        item_ids = list(
            GridEvent.objects.filter(
                territory_code__startswith=area,
                category__kind=kind,
                category__code=code,
                reported_at__gte=start,
                reported_at__lte=now,
                work_item__isnull=False,
            ).values_list("work_item_id", flat=True)[:200]
        )
        yield Finding(
            rule=Rule.SPIKE,
            level=level,
            fingerprint=f"{key}:{today.isoformat()}",
            key=key,
            territory_code=area,
            owner_unit=owners.of(area),
            title=f"事件激增：{place_name(area)} · {category}"[:200],
            summary=(
                f"今日上报 {result.count} 件，近 7 日平均 {result.mean_c1:.1f} 件；"
                f"EARS {'、'.join(result.fired)} 超过阈值。"
            ),
            evidence={
                "category": cls,
                "days": [d.isoformat() for d in days],
                "series": series,
                "c1": round(result.c1, 3),
                "c2": round(result.c2, 3),
                "c3": round(result.c3, 3),
                "mean_c1": round(result.mean_c1, 3),
                "sigma_c1": round(result.sigma_c1, 3),
                "mean_c2": round(result.mean_c2, 3),
                "sigma_c2": round(result.sigma_c2, 3),
                "fired": list(result.fired),
                "threshold": threshold,
                "c3_threshold": c3_threshold,
                "min_sigma": min_sigma,
            },
            item_ids=[int(i) for i in item_ids],
        )


RULES: dict[str, RuleFn] = {Rule.SPIKE: spikes}
