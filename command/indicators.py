"""Indicators of the command centre, evaluated over the ledger rollup (workflow/rollups.py, what a
grid event counts: grid/figures/rollup.py) and never over the raw ledger: a figure is a few sums of rollup
rows plus the unfolded tail, so it is exact between two folds. The catalogue (names, formulas,
definitions) is data: command/catalogue.py. Periods are whole local days [first_day, end_day). A figure
may be cut by class, channel or the unit holding the items (command/cuts.py); 巡查覆盖率 is the grid's
patrol coverage (command/patrols.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import takewhile
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from command import patrols as _patrols
from command import streams
from command.catalogue import (
    DEFAULT_WEIGHTS,
    GRADES,
    GRID_DIMENSIONS,
    INDICATORS,
    ROLLUP_STREAM_DIMENSIONS,
    SOURCE_NAMES,
    STREAM_DIMENSIONS,
)
from command.catalogue_streams import STREAM_INDICATORS, STREAM_SOURCE_NAMES
from command.cuts import EVERYTHING, Cut
from core.errors import DomainError
from grid.figures.rollup import PROCESS, fold_counts, rollup_counts
from grid.models import Category
from workflow.english import in_english
from workflow.models import LedgerRollup, LedgerRollupByDivision
from workflow.rollups import DIVISION_LEVELS, Key, cursor_of, registered, tail_delta

DIVISION_CODE_LENGTH = 6  # the shortest division code (a county): a shared prefix at least this long


@dataclass(frozen=True)
class Indicator:
    code: str
    zh: str
    en: str
    unit: str
    kind: str
    formula: str
    definition: str
    definition_en: str
    source: str
    dimensions: tuple[str, ...]

    @property
    def connected(self) -> bool:
        """Whether the source is connected; an indicator of a source not connected has no value."""
        if self.source == "grid":
            return PROCESS in registered()
        return streams.connected(self.source)

    @property
    def name(self) -> str:
        """The indicator's name in the session's language."""
        return self.en if in_english() and self.en else self.zh

    @property
    def description(self) -> str:
        """The indicator's definition in the session's language (the Chinese one when it has no English)."""
        return self.definition_en if in_english() and self.definition_en else self.definition

    @property
    def source_name(self) -> str:
        return {**SOURCE_NAMES, **STREAM_SOURCE_NAMES}.get(self.source, self.source)


def _dimensions(row: dict[str, Any], source: str) -> tuple[str, ...]:
    if "dimensions" in row:
        return tuple(row["dimensions"])
    if source == "grid":
        return GRID_DIMENSIONS
    return ROLLUP_STREAM_DIMENSIONS if row["code"] in streams.UNIT_CODES else STREAM_DIMENSIONS


def _indicator(row: dict[str, Any]) -> Indicator:
    source = str(row.get("source", "grid"))
    return Indicator(
        code=str(row["code"]),
        zh=str(row["zh"]),
        en=str(row["en"]),
        unit=str(row["unit"]),
        kind=str(row["kind"]),
        formula=str(row["formula"]),
        definition=str(row["definition"]),
        definition_en=str(row.get("definition_en") or ""),
        source=source,
        dimensions=_dimensions(row, source),
    )


REGISTRY: dict[str, Indicator] = {
    str(row["code"]): _indicator(row) for row in [*INDICATORS, *STREAM_INDICATORS]
}


def indicator(code: str) -> Indicator | None:
    return REGISTRY.get(code)


def applies(found: Indicator, cut: Cut) -> bool:
    """Whether the indicator can be cut so: its stream, and a dimension for every cut asked for."""
    if cut.stream and found.source != cut.stream:
        return False
    return all(dimension in found.dimensions for dimension in cut.dimensions)


def check_cut(chosen: Indicator | None, cut: Cut) -> None:
    """An indicator asked for must take every cut asked for: else a 400 naming the parameter."""
    if chosen is None or applies(chosen, cut):
        return
    if cut.stream and chosen.source != cut.stream:
        message = _("指标“%(name)s”不属于 %(stream)s 条线（属于 %(source)s）。") % {
            "name": chosen.name,
            "stream": cut.stream,
            "source": chosen.source,
        }
        raise DomainError("invalid", message, field="stream")
    missing = next(d for d in cut.dimensions if d not in chosen.dimensions)
    cuts = "、".join(d for d in chosen.dimensions if d not in ("level", "code", "period"))
    message = _("指标“%(name)s”不能按 %(dimension)s 切分（可切分维度：%(dimensions)s）。") % {
        "name": chosen.name,
        "dimension": missing,
        "dimensions": cuts,
    }
    raise DomainError("invalid", message, field=missing)


# ----------------------------------------------------------------------------------------- counts


def _reads_divisions(prefix: str, where: Q | None) -> bool:
    """Whether the prefix's rows are read from the division rollup: a division's code (county, town,
    village) under no cut of class or channel (only the grid rollup keeps those), as `sums_in` does."""
    return len(prefix) in DIVISION_LEVELS and not where  # an empty Q() narrows nothing


def _stored(prefix: str, where: Q | None) -> QuerySet[Any]:
    """The rollup rows under the prefix, inside the cut's `where`: the division rollup's few rows per day
    for a division, else the grid rollup's. Both have the measure, day and later-fact columns."""
    if _reads_divisions(prefix, where):
        return LedgerRollupByDivision.objects.filter(process_name=PROCESS, division_code=prefix)
    return LedgerRollup.objects.filter(process_name=PROCESS, territory_code__startswith=prefix).filter(
        where or Q()
    )


def _overdue_keys(
    prefix: str, tail: Counter[Key], first_day: date, end_day: date, where: Q | None = None
) -> int:
    """Items whose first overdue record lies in [first_day, end_day) and that were not closed by the end."""
    stored = (
        _stored(prefix, where)
        .filter(measure="overdue_first", day__gte=first_day, day__lt=end_day, closed_day__gte=end_day)
        .aggregate(n=Sum("count"))["n"]
    )
    unfolded = sum(
        n
        for key, n in tail.items()
        if key.measure == "overdue_first"
        and key.territory_code.startswith(prefix)
        and first_day <= key.day < end_day
        and key.closed_day >= end_day
    )
    return int(stored or 0) + unfolded


def _filed_by(
    prefix: str, tail: Counter[Key], first_day: date, end_day: date, where: Q | None = None
) -> Counter[tuple[str, str]]:
    """Filed items per (channel, "kind:category code"): from the grid rollup, the one that keeps them."""
    rows = (
        LedgerRollup.objects.filter(
            process_name=PROCESS,
            measure="filed",
            territory_code__startswith=prefix,
            day__gte=first_day,
            day__lt=end_day,
        )
        .filter(where or Q())
        .values_list("channel", "subject_class")
        .annotate(n=Sum("count"))
        .order_by()
    )
    out: Counter[tuple[str, str]] = Counter({(c, s): int(n or 0) for c, s, n in rows})
    for key, n in tail.items():
        if (
            key.measure == "filed"
            and key.territory_code.startswith(prefix)
            and first_day <= key.day < end_day
        ):
            out[(key.channel, key.subject_class)] += n
    return out


def grid_tail() -> Counter[Key]:
    """The grid ledger's unfolded tail (transitions after the rollup's cursor), computed once and shared by
    every `counts` of one answer."""
    return tail_delta(PROCESS, cursor_of(PROCESS))


def cut_keys(cut: Cut, first_day: date, end_day: date, tail: Counter[Key] | None) -> Counter[Key]:
    """What the cut adds to its stored rows (`cut.rows()`): the unfolded tail kept by the cut's class
    and channel, or under a unit cut the unit's whole contribution (it has no stored rows)."""
    if cut.unit is not None:
        return cut.unit_keys([PROCESS], first_day, end_day)[PROCESS]
    return cut.kept(tail if tail is not None else grid_tail())


def counts(
    prefix: str,
    first_day: date,
    end_day: date,
    tail: Counter[Key] | None = None,
    *,
    cut: Cut = EVERYTHING,
    patrols: bool = True,
) -> dict[str, Any]:
    """The rollup counts the indicators are made of, under a territory code prefix (inside a cut), and
    the patrol check-ins due and done (`patrols`; None when not read, or under a cut: patrols have no
    class, channel or unit)."""
    keys = cut_keys(cut, first_day, end_day, tail)
    return _counts(prefix, first_day, end_day, keys, cut.rows(), patrols and not cut.narrows_rows)


def _counts(
    prefix: str, first_day: date, end_day: date, keys: Counter[Key], where: Q, with_patrols: bool
) -> dict[str, Any]:
    out = rollup_counts(prefix, first_day, end_day, tail=keys, where=where)
    out["due_open"] = _overdue_keys(prefix, keys, first_day, end_day, where)
    out["overdue_open"] = _overdue_keys(prefix, keys, date.min, end_day, where)
    _split_filed(out, _filed_by(prefix, keys, first_day, end_day, where))
    done, due = _patrols.coverage(prefix, first_day, end_day) if with_patrols else (None, None)
    out["patrol_done"], out["patrol_due"] = done, due
    return out


def _split_filed(out: dict[str, Any], filed: Counter[tuple[str, str]]) -> None:
    """Filed items by source channel, by kind (event/component) and by category, into `out`."""
    channels: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    for (channel, cls), n in filed.items():
        channels[channel] += n
        kinds[cls.split(":", 1)[0] if cls else ""] += n
        categories[cls] += n
    out["filed_by_channel"], out["filed_by_kind"], out["filed_by_category"] = channels, kinds, categories


def counts_by_unit(
    codes: list[str],
    first_day: date,
    end_day: date,
    tail: Counter[Key] | None = None,
    cut: Cut = EVERYTHING,
    *,
    patrols: bool = True,
) -> dict[str, dict[str, Any]]:
    """`counts` of several sibling units (territory codes of one length) in four grouped queries instead
    of four per unit, and one read of their patrols (`patrols`): the rankings' reads; divisions (towns,
    villages) from the division rollup except their filed items by class and channel. Each unit's counts
    equal `counts(code, …)` (tested)."""
    with_patrols = patrols
    if cut.unit is not None:  # the unit's items, read once for every code
        keys = cut_keys(cut, first_day, end_day, tail)
        return {code: _counts(code, first_day, end_day, keys, cut.rows(), False) for code in codes}
    if tail is None:
        tail = grid_tail()
    if not codes or len({len(c) for c in codes}) != 1:
        return {
            code: counts(code, first_day, end_day, tail=tail, cut=cut, patrols=with_patrols) for code in codes
        }
    tail, where = cut.kept(tail), cut.rows()
    size, wanted = len(codes[0]), set(codes)
    common = "".join(
        chars[0] for chars in takewhile(lambda chars: len(set(chars)) == 1, zip(*codes, strict=True))
    )
    if len(common) >= DIVISION_CODE_LENGTH:  # siblings under one division (a town's grids): one range
        under = Q(territory_code__startswith=common)
    else:
        under = Q()
        for code in codes:
            under |= Q(territory_code__startswith=code)
    grid_rows = (
        LedgerRollup.objects.filter(under, process_name=PROCESS)
        .filter(where)
        .annotate(unit=Substr("territory_code", 1, size))
        .order_by()
    )
    rows: QuerySet[Any] = grid_rows
    if _reads_divisions(codes[0], where):  # divisions: their own few rows per day, not their grids'
        rows = (
            LedgerRollupByDivision.objects.filter(process_name=PROCESS, division_code__in=codes)
            .annotate(unit=F("division_code"))
            .order_by()
        )
    pairs: dict[str, list[tuple[Key, int]]] = {code: [] for code in codes}
    period = rows.filter(day__gte=first_day, day__lt=end_day).values_list(
        "unit", "measure", "flags", "since_day", "closed_day", "deferred_day"
    )
    for unit, m, f, since, closed, deferred, n in period.annotate(n=Sum("count")):
        if unit not in wanted:
            continue
        key = Key(m, first_day, unit, flags=f, since_day=since, closed_day=closed, deferred_day=deferred)
        pairs[unit].append((key, int(n or 0)))
    overdue = rows.filter(measure="overdue_first", day__lt=end_day, closed_day__gte=end_day)
    due_open = dict(overdue.filter(day__gte=first_day).values_list("unit").annotate(n=Sum("count")))
    overdue_open = dict(overdue.values_list("unit").annotate(n=Sum("count")))
    filed_rows = grid_rows.filter(measure="filed", day__gte=first_day, day__lt=end_day).values_list(
        "unit", "channel", "subject_class"
    )
    filed: dict[str, Counter[tuple[str, str]]] = {code: Counter() for code in codes}
    for unit, channel, cls, n in filed_rows.annotate(n=Sum("count")):
        if unit not in wanted:
            continue
        filed[unit][(channel, cls)] += int(n or 0)
    for key, n in tail.items():
        unit = key.territory_code[:size]
        if unit not in wanted:
            continue
        if first_day <= key.day < end_day:
            pairs[unit].append((key, n))
            if key.measure == "filed":
                filed[unit][(key.channel, key.subject_class)] += n
    # Patrols have no class or channel: no coverage inside such a cut.
    read = with_patrols and not cut.narrows_rows
    coverage = _patrols.coverage_by_unit(codes, first_day, end_day) if read else {}
    out = {}
    for code in codes:
        c = fold_counts(pairs[code], first_day, end_day)
        unfolded = [(k, n) for k, n in tail.items() if k.territory_code[:size] == code]
        c["due_open"] = int(due_open.get(code) or 0) + _late_in(unfolded, first_day, end_day)
        c["overdue_open"] = int(overdue_open.get(code) or 0) + _late_in(unfolded, date.min, end_day)
        _split_filed(c, filed[code])
        c["patrol_done"], c["patrol_due"] = coverage.get(code, (None, None))
        out[code] = c
    return out


def _late_in(tail: list[tuple[Key, int]], first_day: date, end_day: date) -> int:
    return sum(
        n
        for key, n in tail
        if key.measure == "overdue_first" and first_day <= key.day < end_day and key.closed_day >= end_day
    )


def daily(prefix: str, first_day: date, end_day: date, tail: Counter[Key] | None = None) -> dict[str, Any]:
    """立案数 and 结案数 per day over [first_day, end_day) in one grouped query (the trend's read): each
    day's numbers equal `values_of(counts(prefix, day, day + 1))["filed"/"closed"]` (tested)."""
    if tail is None:
        tail = grid_tail()
    filed: Counter[date] = Counter()
    closed: Counter[date] = Counter()
    rows = (
        _stored(prefix, None)
        .filter(measure__in=("filed", "closing"), day__gte=first_day, day__lt=end_day)
        .values_list("day", "measure")
        .annotate(n=Sum("count"))
        .order_by()
    )
    pairs = [(day, measure, int(n or 0)) for day, measure, n in rows]
    pairs += [
        (key.day, key.measure, n)
        for key, n in tail.items()
        if key.measure in ("filed", "closing")
        and key.territory_code.startswith(prefix)
        and first_day <= key.day < end_day
    ]
    for day, measure, n in pairs:
        (filed if measure == "filed" else closed)[day] += n
    days = [first_day + timedelta(days=i) for i in range((end_day - first_day).days)]
    return {"days": days, "filed": [filed[d] for d in days], "closed": [closed[d] for d in days]}


# ----------------------------------------------------------------------------------------- values


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator > 0 else None


def _shares(parts: Counter[str], total: int) -> dict[str, float | None]:
    return {name: _ratio(n, total) for name, n in sorted(parts.items()) if n}


def _top_categories(categories: Counter[str]) -> list[dict[str, Any]]:
    top = sorted((cls for cls, n in categories.items() if n and cls), key=lambda c: (-categories[c], c))[:3]
    if not top:
        return []
    wanted = Q()
    for cls in top:
        kind, code = cls.split(":", 1)
        wanted |= Q(kind=kind, code=code)
    names = {f"{k}:{c}": n for k, c, n in Category.objects.filter(wanted).values_list("kind", "code", "name")}
    return [{"category": cls, "name": names.get(cls) or cls, "count": categories[cls]} for cls in top]


def values_of(c: dict[str, Any]) -> dict[str, Any]:
    """Every connected indicator's value from the counts (formulas in command/catalogue.py)."""
    judged = c["due"] - c["deferred"]
    v: dict[str, Any] = {
        "accepted": c["valid"],
        "filed": c["filed"],
        "due": c["due"],
        "deferred": c["deferred"],
        "closed": c["closed"],
        "closure_rate": _ratio(c["due_closed"], judged),
        "on_time_closure_rate": _ratio(c["due_closed_on_time"], judged),
        "disposal_rate": _ratio(c["due"] - c["due_open"], c["due"]),
        "on_time_disposal_rate": _ratio(c["closed_on_time"], c["closed"]),
        "rework_rate": _ratio(c["reworks"], c["due"]),
        "extension_rate": _ratio(c["extended"], c["due"]),
        "overdue_rate": _ratio(judged - c["due_closed_on_time"], judged),
        "overdue_open": c["overdue_open"],
        "resident_reports": c["resident_reports"],
        "missed_reports": c["missed_reports"],
        "missed_report_rate": _ratio(c["missed_reports"], c["resident_reports"]),
        "patrol_coverage": _ratio(c["patrol_done"], c["patrol_due"]) if c["patrol_due"] is not None else None,
        "source_share": _shares(c["filed_by_channel"], c["filed"]),
        "kind_split": _shares(c["filed_by_kind"], c["filed"]),
        "top_categories": _top_categories(c["filed_by_category"]),
        "closure_level_share": _shares(Counter(c["closure_levels"]), sum(c["closure_levels"].values())),
    }
    v["score"] = score(v)
    return v


def weights() -> dict[str, float]:
    return dict(getattr(settings, "COMMAND_SCORE_WEIGHTS", DEFAULT_WEIGHTS))


def score(values: dict[str, Any], weighting: dict[str, float] | None = None) -> float | None:
    """The 0–100 composite: Σ weight × rate (or × (1 − rate) for a "1-" term) / Σ weights × 100. A rate
    without a denominator is left out with its weight; no rate at all → None."""
    weighting = weighting if weighting is not None else weights()
    total = earned = 0.0
    for term, weight in weighting.items():
        complement = term.startswith("1-")
        rate = values.get(term[2:] if complement else term)
        if rate is None:
            continue
        total += weight
        earned += weight * ((1 - rate) if complement else rate)
    return round(100 * earned / total, 2) if total else None


def grade(value: float | None) -> str | None:
    if value is None:
        return None
    return next((letter for floor, letter in GRADES if value >= floor), "E")


# ---------------------------------------------------------------------------------- periods


def _months_between(first_day: date, end_day: date) -> int:
    """How many whole calendar months [first_day, end_day) is (1 for March, 3 for a quarter), else 0."""
    if first_day.day != 1 or end_day.day != 1:
        return 0
    return max(0, (end_day.year - first_day.year) * 12 + end_day.month - first_day.month)


def previous_period(first_day: date, end_day: date) -> tuple[date, date]:
    """环比: the period just before — the previous calendar month(s) when the period is whole months (March
    → February, Q2 → Q1, as leaders read a monthly or quarterly figure), else the same number of days."""
    months = _months_between(first_day, end_day)
    if months:
        back = first_day.year * 12 + first_day.month - 1 - months
        return date(back // 12, back % 12 + 1, 1), first_day
    length = end_day - first_day
    return first_day - length, first_day


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def last_year_period(first_day: date, end_day: date) -> tuple[date, date]:
    """同比: the same days one year earlier."""
    return _year_before(first_day), _year_before(end_day)


def change(current: Any, before: Any, kind: str) -> float | None:
    """A count's change as a ratio of the earlier value (None when that was 0); a rate's or score's as
    the difference (percentage points of a rate, points of a score)."""
    if not isinstance(current, int | float) or not isinstance(before, int | float):
        return None
    if kind == "count":
        return _ratio(int(current) - int(before), int(before))
    return round(float(current) - float(before), 4)


def unit_values(
    code: str, prefix: str, first_day: date, end_day: date, cut: Cut = EVERYTHING
) -> dict[str, Any]:
    """The grid's values (with the score, for rankings) plus `code`'s when it is another stream's, inside
    the cut; the patrols are read only for 巡查覆盖率."""
    out = values_of(counts(prefix, first_day, end_day, cut=cut, patrols=code == _patrols.CODE))
    if code not in out:
        out[code] = streams.values_for(prefix, [(first_day, end_day)], cut)[0][code]
    return out


def figures(
    prefix: str,
    first_day: date,
    end_day: date,
    tail: Counter[Key] | None = None,
    only: tuple[str, ...] | None = None,
    cut: Cut = EVERYTHING,
) -> dict[str, dict[str, Any]]:
    """Every indicator (or those in `only`) over the period with 环比 and 同比; a stream not connected says
    so. The other streams are read only when an asked-for indicator is theirs, the patrols only for
    巡查覆盖率. Under a cut, the indicators it applies to (`applies`), each inside the cut."""
    periods = [
        (first_day, end_day),
        previous_period(first_day, end_day),
        last_year_period(first_day, end_day),
    ]
    codes = list(REGISTRY) if only is None else list(only)
    codes = [code for code in codes if applies(REGISTRY[code], cut)]
    grid_codes = [code for code in codes if REGISTRY[code].source == "grid"]
    if tail is None and cut.unit is None and grid_codes:
        tail = grid_tail()  # unfolded once for the three periods
    only_grid = len(grid_codes) == len(codes)
    others = [{} for _ in periods] if only_grid else streams.values_for(prefix, periods, cut)
    with_patrols = _patrols.CODE in codes

    def grid_values(period: tuple[date, date]) -> dict[str, Any]:
        if not grid_codes:
            return {}
        return values_of(counts(prefix, *period, tail=tail, cut=cut, patrols=with_patrols))

    now, prev, last = (
        {**grid_values(period), **others_of_period}
        for period, others_of_period in zip(periods, others, strict=True)
    )
    out: dict[str, dict[str, Any]] = {}
    for code in codes:
        ind = REGISTRY[code]
        if not ind.connected:
            out[code] = {"connected": False, "source": ind.source_name, "value": None}
            continue
        out[code] = {
            "connected": True,
            "value": now[code],
            "previous": prev[code],
            "last_year": last[code],
            "mom": change(now[code], prev[code], ind.kind),
            "yoy": change(now[code], last[code], ind.kind),
        }
    if "score" in out:
        out["score"]["grade"] = grade(now["score"])
    return out
