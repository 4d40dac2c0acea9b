"""Figures of the streams beside the grid (catalogue: command/catalogue_streams.py) and the items behind
them. 审批服务 and 综合执法 are sums over the ledger rollup their contributors register
(approvals/figures_rollup.py, enforcement/figures_rollup.py) plus the unfolded tail, so exact between
two folds, and drill down through the same contributor; 好差评, publication, party, 三资 and registry
figures are scoped aggregates over indexed tables, each the count of one queryset that is also its
drill-down (the registries' care counts are numbers only: they have no queryset, so no drill-down).
A figure kept only as today's state (CURRENT_ONLY) has no value for a period that ended before today.
A drill-down lists at most DRILL_LIMIT rows and says how many there are (a town's population is tens of
thousands of people)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals import figures_rollup as approvals_rollup
from approvals.models import Application
from command import patrols
from command.catalogue_streams import STREAM_INDICATORS
from command.cuts import EVERYTHING, Cut, contributions
from command.drilldown import PREDICATES, describe, items_behind
from command.warnings.models import EarlyWarning
from command.warnings.selectors import territorial_open
from core.drill import drill_row
from enforcement import figures_rollup as enforcement_rollup
from enforcement.models import Case, Publication
from grid.figures import registry_changes
from party import figures as party_figures
from party.meetings import completeness, quarter_of
from ratings.models import BAD_LEVELS, SATISFIED_LEVELS, Rating
from registry import figures as registry_figures
from territorial import figures as territorial_figures
from territory.models import Division
from territory.refs import territory_names
from workflow.models import LedgerRollup, WorkItem
from workflow.rollups import Key, cursor_of, registered, tail_delta

ROLLUP_PROCESSES = {
    "approvals": (approvals_rollup.PROCESS,),
    "enforcement": enforcement_rollup.PROCESSES,
}


def _flag(name: str) -> Callable[[str], bool]:
    return lambda flags: f"{name}=1" in flags.split(",")


# count code → (source, rollup measure, flag test)
ROLLUP_COUNTS: dict[str, tuple[str, str, Callable[[str], bool] | None]] = {
    "approvals_accepted": ("approvals", "accepted", None),
    "approvals_done": ("approvals", "done", None),
    "approvals_instant": ("approvals", "done", _flag("instant")),
    "approvals_early": ("approvals", "done", _flag("early")),
    "approvals_overdue": ("approvals", "overdue_first", None),
    "enforcement_filed": ("enforcement", "filed", None),
    "enforcement_decided": ("enforcement", "decided", None),
    "enforcement_closed": ("enforcement", "closed", None),
    "enforcement_hearings": ("enforcement", "hearings", None),
}


def connected(source: str) -> bool:
    if source in ROLLUP_PROCESSES:
        return all(name in registered() for name in ROLLUP_PROCESSES[source])
    return source in ("party", "territorial", "registry")


# ---------------------------------------------------------------------------- aggregate querysets


def _ratings(prefix: str, first: date, end: date) -> QuerySet[Rating]:
    return Rating.objects.filter(
        territory_code__startswith=prefix,
        rated_at__gte=midnight(first),
        rated_at__lt=midnight(end),
        excluded_at__isnull=True,
    )


def _bad(prefix: str, first: date, end: date) -> QuerySet[Rating]:
    return _ratings(prefix, first, end).filter(level__in=BAD_LEVELS)


def _publications_due(prefix: str, first: date, end: date) -> QuerySet[Publication]:
    return Publication.objects.filter(
        case__territory_code__startswith=prefix,
        due_at__gte=midnight(first),
        due_at__lt=midnight(end),
    )


QUERIES: dict[str, Callable[[str, date, date], QuerySet[Any]]] = {
    "approvals_rated": _ratings,
    "approvals_satisfied": lambda p, f, e: _ratings(p, f, e).filter(level__in=SATISFIED_LEVELS),
    "approvals_bad": _bad,
    "approvals_rectified": lambda p, f, e: _bad(p, f, e).filter(
        rectification__state="closed", rectification__closed_at__lt=midnight(e)
    ),
    "enforcement_publications_due": _publications_due,
    "enforcement_published_on_time": lambda p, f, e: _publications_due(p, f, e).filter(
        published_at__isnull=False, published_at__lte=F("due_at")
    ),
    "enforcement_overturned": lambda p, f, e: Publication.objects.filter(
        case__territory_code__startswith=p, revoked_at__gte=midnight(f), revoked_at__lt=midnight(e)
    ),
    **party_figures.COUNTS,
    **territorial_figures.COUNTS,
    "territorial_warnings_open": territorial_open,
    **registry_figures.COUNTS,
    **registry_changes.COUNTS,
}
CURRENT_ONLY = territorial_figures.CURRENT_ONLY | registry_figures.CURRENT_ONLY | {"party_one_shoulder"}
# rate code → (numerator, denominator); a rate drills down to its denominator's items.
RATES = {
    "approvals_instant_rate": ("approvals_instant", "approvals_done"),
    "approvals_early_rate": ("approvals_early", "approvals_done"),
    "approvals_satisfaction": ("approvals_satisfied", "approvals_rated"),
    "approvals_rectification_rate": ("approvals_rectified", "approvals_bad"),
    "enforcement_publication_on_time": ("enforcement_published_on_time", "enforcement_publications_due"),
    **party_figures.RATES,
    **territorial_figures.RATES,
}
DRILL = {
    **{code: den for code, (_num, den) in RATES.items()},
    "enforcement_decision_days": "enforcement_decided",
    "party_one_shoulder": "party_one_shoulder",
}


def drill_code(code: str) -> str | None:
    """The count whose items stand behind the indicator `code` (itself for a count), or None."""
    if code in ROLLUP_COUNTS or code in QUERIES:
        return code
    return DRILL.get(code)


DRILLABLE = sorted(str(row["code"]) for row in STREAM_INDICATORS if drill_code(str(row["code"])))
# The rates made of rollup counts alone, and with the counts and the average days what a unit cut can
# answer (command/cuts.py): the other stream figures have no unit holding them.
UNIT_RATES = {code: parts for code, parts in RATES.items() if set(parts) <= set(ROLLUP_COUNTS)}
UNIT_CODES = frozenset({*ROLLUP_COUNTS, *UNIT_RATES, "enforcement_decision_days"})


# ------------------------------------------------------------------------------------------ values


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator > 0 else None


Tails = dict[str, list[tuple[Key, int]]]


def tails(prefix: str) -> Tails:
    """The unfolded tail of each connected stream process under the prefix, computed once for all the
    periods a desk asks about."""
    processes = [p for group in ROLLUP_PROCESSES.values() for p in group if p in registered()]
    return {
        process: [
            (key, n)
            for key, n in tail_delta(process, cursor_of(process)).items()
            if key.territory_code.startswith(prefix)
        ]
        for process in processes
    }


def rollup_counts(
    prefix: str, first: date, end: date, tail: Tails | None = None, *, stored: bool = True
) -> Counter[str]:
    """The rollup counts of the connected streams (and Σ decision days) under the prefix: one summed
    query over the stored rows of every stream process, plus the unfolded tail (or, `stored` False,
    the tail alone: a unit's whole contribution, see command/cuts.py)."""
    tail = tail if tail is not None else tails(prefix)
    source_of = {p: source for source, group in ROLLUP_PROCESSES.items() for p in group}
    rows: list[tuple[str, str, str, int]] = []
    if stored:
        summed = (
            LedgerRollup.objects.filter(
                process_name__in=list(tail), territory_code__startswith=prefix, day__gte=first, day__lt=end
            )
            .values_list("process_name", "measure", "flags")
            .annotate(n=Sum("count"))
            .order_by()
        )
        rows += [(source_of[p], m, f, int(n or 0)) for p, m, f, n in summed]
    rows += [
        (source_of[p], key.measure, key.flags, n)
        for p, keys in tail.items()
        for key, n in keys
        if first <= key.day < end
    ]
    out: Counter[str] = Counter(dict.fromkeys([*ROLLUP_COUNTS, "enforcement_decision_days_sum"], 0))
    for source, measure, flags, n in rows:
        for code, (src, wanted, test) in ROLLUP_COUNTS.items():
            if src == source and measure == wanted and (test is None or test(flags)):
                out[code] += n
        if measure == "decided":
            out["enforcement_decision_days_sum"] += n * int(flags.split("=", 1)[1])
    return out


def _aggregates(prefix: str, first: date, end: date) -> dict[str, int]:
    """Counts read together in one query per table (each equals its QUERIES queryset's count)."""
    bad = Q(level__in=BAD_LEVELS)
    closed = Q(rectification__state="closed", rectification__closed_at__lt=midnight(end))
    out = _ratings(prefix, first, end).aggregate(
        approvals_rated=Count("id"),
        approvals_satisfied=Count("id", filter=Q(level__in=SATISFIED_LEVELS)),
        approvals_bad=Count("id", filter=bad),
        approvals_rectified=Count("id", filter=bad & closed),
    )
    out |= _publications_due(prefix, first, end).aggregate(
        enforcement_publications_due=Count("id"),
        enforcement_published_on_time=Count(
            "id", filter=Q(published_at__isnull=False, published_at__lte=F("due_at"))
        ),
    )
    out |= party_figures.aggregates(prefix, first, end)
    return {code: int(n or 0) for code, n in out.items()}


def values(
    prefix: str, first: date, end: date, *, today: date | None = None, tail: Tails | None = None
) -> dict[str, Any]:
    """Every stream indicator's value under the prefix over [first, end)."""
    current = end > (today or timezone.localdate())
    counts = rollup_counts(prefix, first, end, tail)
    counts.update(_aggregates(prefix, first, end))
    if current:
        counts.update(registry_figures.aggregates(prefix, first, end))
    for code, query in QUERIES.items():
        if code not in counts and (current or code not in CURRENT_ONLY):  # a past period: left None below
            counts[code] = query(prefix, first, end).count()
    out: dict[str, Any] = dict(counts)
    for code, (numerator, denominator) in RATES.items():
        out[code] = _ratio(counts[numerator], counts[denominator])
    decided = counts["enforcement_decided"]
    out["enforcement_decision_days"] = (
        round(counts["enforcement_decision_days_sum"] / decided, 2) if decided else None
    )
    checks = party_figures.one_shoulder(prefix) if current else []
    out["party_one_shoulder"] = _ratio(sum(1 for c in checks if c.satisfied), len(checks))
    for code in CURRENT_ONLY:
        if not current:
            out[code] = None
    return out


def values_for(
    prefix: str, periods: Iterable[tuple[date, date]], cut: Cut = EVERYTHING
) -> list[dict[str, Any]]:
    """`values` of several periods (the desk's, 环比's, 同比's) sharing one unfolded tail; under a unit
    cut, the rollup figures of the unit's items alone (`unit_values`)."""
    if cut.unit is not None:
        return [unit_values(prefix, first, end, cut) for first, end in periods]
    tail = tails(prefix)
    return [values(prefix, first, end, tail=tail) for first, end in periods]


def unit_values(prefix: str, first: date, end: date, cut: Cut) -> dict[str, Any]:
    """The rollup-backed stream figures of the unit's items under the prefix over [first, end): the
    unit's contributions (command/cuts.py) folded as the rollup is; the other stream figures have no
    unit and are None."""
    processes = [p for group in ROLLUP_PROCESSES.values() for p in group if p in registered()]
    keys = cut.unit_keys(processes, first, end)
    tail = {p: [(k, n) for k, n in keys[p].items() if k.territory_code.startswith(prefix)] for p in processes}
    counts = rollup_counts(prefix, first, end, tail, stored=False)
    out: dict[str, Any] = dict.fromkeys(str(row["code"]) for row in STREAM_INDICATORS)
    out.update(counts)
    for code, (numerator, denominator) in UNIT_RATES.items():
        out[code] = _ratio(counts[numerator], counts[denominator])
    decided = counts["enforcement_decided"]
    out["enforcement_decision_days"] = (
        round(counts["enforcement_decision_days_sum"] / decided, 2) if decided else None
    )
    return out


# ------------------------------------------------------------------------------------- drill-down


def _rollup_items(code: str, prefix: str, first: date, end: date, cut: Cut = EVERYTHING) -> list[WorkItem]:
    """The work items whose contribution (the stream's own contributor) counts in the figure (of the
    unit's items alone under a unit cut)."""
    source, measure, test = ROLLUP_COUNTS[code]
    processes = [p for p in ROLLUP_PROCESSES[source] if p in registered()]
    candidates = WorkItem.objects.filter(
        process_name__in=processes, territory_code__startswith=prefix, created_at__lt=midnight(end)
    ).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=midnight(first)))
    if cut.unit is not None:
        candidates = candidates.filter(assigned_unit=cut.unit)
    items = list(candidates.order_by("created_at", "pk"))
    out = []
    for item, keys in contributions(items):
        if any(
            key.measure == measure
            and first <= key.day < end
            and key.territory_code.startswith(prefix)
            and (test is None or test(key.flags))
            for key in keys
        ):
            out.append(item)
    return out


def _describe_items(items: list[WorkItem]) -> list[dict[str, Any]]:
    apps = {a.work_item_id: a for a in Application.objects.filter(work_item__in=items)}
    cases = {c.work_item_id: c for c in Case.objects.filter(work_item__in=items)}
    rows = []
    for item in items:
        row = drill_row(item.pk, "", item.title, item.state, item.territory_code, item.created_at)
        row["overdue"] = item.overdue_at is not None
        if item.pk in apps:
            app = apps[item.pk]
            row.update(receipt_number=app.receipt_no, url=reverse("approvals:application", args=[app.pk]))
        elif item.pk in cases:
            case = cases[item.pk]
            row.update(receipt_number=case.number, url=reverse("enforcement:case", args=[case.pk]))
        rows.append(row)
    return rows


def _describe(obj: Any) -> dict[str, Any]:
    """One row of a drill-down list; people's names are masked, as everywhere by default."""
    if isinstance(obj, Rating):
        app = obj.application
        url = reverse("approvals:application", args=[app.pk])
        return drill_row(
            obj.pk,
            app.receipt_no,
            obj.item.name,
            obj.get_level_display(),
            obj.territory_code,
            obj.rated_at,
            url,
        )
    if isinstance(obj, Publication):
        case = obj.case
        state = "已公示" if obj.published_at else "未公示"
        url = reverse("enforcement:case", args=[case.pk])
        return drill_row(
            obj.pk,
            case.decision_number or case.number,
            case.matter.name,
            state,
            case.territory_code,
            obj.due_at,
            url,
        )
    if isinstance(obj, EarlyWarning):
        # A 三资 warning by its title (rule and village; the summary may name a payee who is a person),
        # linked to its village's warnings of that rule.
        query = {"level": "village", "code": obj.territory_code[:12], "rule": obj.rule}
        url = f"{reverse('command:warnings')}?{urlencode(query)}"
        return drill_row(
            obj.pk, "", obj.title, obj.get_level_display(), obj.territory_code, obj.raised_at, url
        )
    return DESCRIBE[obj._meta.app_label](obj)


DESCRIBE: dict[str, Callable[[Any], dict[str, Any]]] = {
    "party": party_figures.describe,
    "territorial": territorial_figures.describe,
    "accounts": territorial_figures.describe,  # the institutions under territorial management
    "territory": territorial_figures.describe,  # the villages of the 财务公开 figure
    "registry": registry_figures.describe,
    "workflow": registry_changes.describe,  # the registry changes' review items
}


# Relations each figure's rows read (no query per row).
RELATED: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("approvals_rated", "approvals_satisfied", "approvals_bad", "approvals_rectified"),
        ("application", "item"),
    ),
    **dict.fromkeys(
        ("enforcement_publications_due", "enforcement_published_on_time", "enforcement_overturned"),
        ("case", "case__matter"),
    ),
    "party_members": ("person",),
    **party_figures.RELATED,
    "territorial_warnings_open": ("work_item",),
    **territorial_figures.RELATED,
    **registry_figures.RELATED,
    **registry_changes.RELATED,
}


def _queryset(code: str, prefix: str, first: date, end: date, today: date | None) -> QuerySet[Any]:
    """The ordered rows behind a QUERIES count (none for a today's-state figure of a past period)."""
    if code in CURRENT_ONLY and end <= (today or timezone.localdate()):
        return QUERIES[code](prefix, first, end).none()
    queryset = QUERIES[code](prefix, first, end)
    if code in RELATED:
        queryset = queryset.select_related(*RELATED[code])
    return queryset.order_by("pk")


def items(
    code: str, prefix: str, first: date, end: date, *, today: date | None = None
) -> list[dict[str, Any]]:
    """The rows behind the count `code` (see drill_code); its length equals the figure."""
    if code in ROLLUP_COUNTS:
        return _describe_items(_rollup_items(code, prefix, first, end))
    if code == "party_one_shoulder":
        current = end > (today or timezone.localdate())
        checks = party_figures.one_shoulder(prefix) if current else []
        return [party_figures.describe_check(c) for c in checks]
    return [_describe(obj) for obj in _queryset(code, prefix, first, end, today)]


def midnight(day: date) -> Any:
    return party_figures.midnight(day)


def drill_rows(code: str, prefix: str, first: date, end: date) -> list[dict[str, Any]]:
    """The rows behind any drillable indicator: the grid's through command/drilldown.py's predicates,
    the other streams' through `items` (a rate's: its denominator's items)."""
    if code in PREDICATES:
        return describe(items_behind(code, prefix, first, end))
    target = drill_code(code)
    assert target is not None
    return items(target, prefix, first, end)


DRILL_LIMIT = 2000


@dataclass(frozen=True)
class Drill:
    """The first rows behind a figure and how many there are (`total` equals the figure)."""

    rows: list[dict[str, Any]]
    total: int

    @property
    def truncated(self) -> bool:
        return len(self.rows) < self.total


def drill(
    code: str, prefix: str, first: date, end: date, *, limit: int | None = None, cut: Cut = EVERYTHING
) -> Drill:
    """`drill_rows`, at most `limit` (default DRILL_LIMIT) of them: a count's queryset is counted and
    sliced in the database, so a town's population is not read person by person to show its first rows.
    Under a cut, the items of the cut's figure (a grid figure's class, channel or unit; a stream's unit);
    巡查覆盖率 lists its check-in slots due (command/patrols.py)."""
    limit = DRILL_LIMIT if limit is None else limit
    if code == patrols.CODE:
        return Drill(*patrols.drill(prefix, first, end, limit))
    target = code if code in PREDICATES else drill_code(code)
    assert target is not None
    if target in PREDICATES:
        found = items_behind(target, prefix, first, end, cut)
        return Drill(describe(found[:limit]), len(found))
    if target in ROLLUP_COUNTS:
        work_items = _rollup_items(target, prefix, first, end, cut)
        return Drill(_describe_items(work_items[:limit]), len(work_items))
    if target not in QUERIES:
        rows = items(target, prefix, first, end)
        return Drill(rows[:limit], len(rows))
    queryset = _queryset(target, prefix, first, end, None)
    shown = list(queryset[:limit])
    total = len(shown) if len(shown) < limit else queryset.count()
    return Drill([_describe(obj) for obj in shown], total)


def drillable() -> list[str]:
    """Every indicator with items behind it: the grid's counts, 巡查覆盖率's slots, the other streams'."""
    return [*sorted(PREDICATES), patrols.CODE, *DRILLABLE]


# ------------------------------------------------------------------------------------- 属地管理


def territorial_lists(prefix: str, first: date, end: date, *, today: date | None = None) -> dict[str, Any]:
    """What the 属地管理 module lists under its figures: per village under the prefix, its open 三资
    warnings and its 财务公开 of the judged month (the warnings add up to `territorial_warnings_open`, the
    villages disclosed on time to the rate's numerator), and per town its institutions (today's, so none
    for a period that ended before today, like the figure)."""
    warnings = Counter(
        code[:12] for code in territorial_open(prefix, first, end).values_list("territory_code", flat=True)
    )
    disclosures = {
        village.code: territorial_figures.describe_disclosure(village)
        for village in territorial_figures.disclosure_villages(prefix, first, end)
    }
    codes = sorted(set(warnings) | set(disclosures))
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    current = end > (today or timezone.localdate())
    month, deadline = territorial_figures.judged_month(end)
    return {
        "month": month,
        "deadline": deadline,
        "villages": [
            {
                "code": code,
                "name": names.get(code, code),
                "warnings": warnings.get(code, 0),
                "disclosure": disclosures.get(code),
            }
            for code in codes
        ],
        "towns": territorial_figures.institutions_by_town(prefix, first, end) if current else None,
    }


# ------------------------------------------------------------------------------------- 三会一课


def meetings_by_quarter(
    prefix: str, now: datetime, quarters: int = 2, until: date | None = None
) -> list[dict[str, Any]] | None:
    """三会一课 completeness of the branches under the prefix for the quarter holding the desk's last day
    (`until`, default today; so far when it is the current quarter) and the quarters before it (as they
    closed), newest first, from the party's own count (party/meetings.py); None while the party source
    is not connected."""
    if not connected("party"):
        return None
    rows = []
    at = now if until is None else min(now, party_figures.midnight(until + timedelta(days=1)) - _TICK)
    for _step in range(quarters):
        first, nxt = quarter_of(timezone.localtime(at).date())
        found = completeness(party_figures.organisations(prefix, first, nxt), now=at)
        rows.append(
            {
                **{k: v for k, v in found.items() if k != "rows"},  # quarter (its first day), counts, share
                "label": _("%(year)s年第%(quarter)s季度")
                % {"year": first.year, "quarter": (first.month - 1) // 3 + 1},
                "current": party_figures.midnight(first) <= now < party_figures.midnight(nxt),
            }
        )
        at = party_figures.midnight(first) - _TICK
    return rows


_TICK = timedelta(microseconds=1)


# ------------------------------------------------------------------------------------- 党建引领 breakdown


def party_breakdown(level: str, prefix: str, first: date, end: date) -> dict[str, Any] | None:
    """What the desk's 党建引领 tiles count, broken down for the leader of the unit: organisations by kind
    (action branches by type) and members per grid — per town at the district, each town opening its
    own desk — from the party's own counts (party/figures.py), so each breakdown sums to its tile. None
    while the party source is not connected."""
    if not connected("party"):
        return None
    grids = party_figures.members_per_grid(prefix, first, end)
    units = grids
    if level == "district":
        towns: dict[str, dict[str, Any]] = {}
        for row in grids:
            town = towns.setdefault(
                row["code"][:9],
                {"code": row["code"][:9], "grids": 0, "empty": 0, "formal": 0, "probationary": 0},
            )
            town["grids"] += 1
            town["empty"] += row["members"] == 0
            town["formal"] += row["formal"]
            town["probationary"] += row["probationary"]
        names = territory_names(towns)
        units = [
            {**town, "name": names.get(code, ""), "members": town["formal"] + town["probationary"]}
            for code, town in sorted(towns.items())
        ]
    organisations = party_figures.organisations_by_kind(prefix, first, end)
    return {
        "organisations": organisations,
        "organisation_total": sum(row["count"] for row in organisations),
        "unit_level": "town" if level == "district" else "grid",
        "units": units,
        "grids": len(grids),
        "grids_without_members": sum(1 for row in grids if row["members"] == 0),
        "members": sum(row["members"] for row in grids),
    }
