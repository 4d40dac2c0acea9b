"""The ledger rollup: counts folded from append-only Transition rows into `LedgerRollup`, so figures are
sums over a few rows per day instead of correlated scans of the ledger.

Each process that wants figures registers a `Contributor`: a pure function from one work item and its
transitions (in id order) to the rollup keys it counts. The rollup always equals the sum of the
contributions of every item over its transitions up to the cursor; folding new transitions adds, for
each item they touch, contribution(all its transitions up to the new cursor) − contribution(up to the
old one). So a later step may move an item's earlier counts (valid once filed, "closed on day D" for
an item that was overdue) without any special case, and the same function answers the unfolded tail
at read time (`tail_delta`), which keeps every answer exact between two folds.

The periodic job (workflow/tasks.py) folds every minute; transitions younger than FOLD_LAG are left
for the next fold, so a transaction still committing a lower id is not skipped. `reconcile_figures`
recomputes a period from the ledger and reports any difference; `fold_ledger --rebuild` refolds.

Each fold also adds its delta, summed per division (county, town, village: DIVISION_LEVELS), to
`LedgerRollupByDivision` in the same transaction, so a county's or a town's sums read a few rows per day
instead of one per grid × class × channel (`sums_in` picks the table by the prefix's length)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from django.db import connection, transaction
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Length, Substr

from workflow.models import (
    NEVER,
    LedgerRollup,
    LedgerRollupByDivision,
    LedgerRollupCursor,
    Transition,
    WorkItem,
)

FOLD_LAG = timedelta(seconds=30)
FOLD_BATCH = 20_000
# The lengths of division codes (county, town, village; territory/models.py): the prefixes the division
# rollup sums to. A grid's code (15) and any other prefix are summed from the grid rollup.
DIVISION_LEVELS: tuple[int, ...] = (6, 9, 12)


@dataclass(frozen=True)
class Key:
    measure: str
    day: date
    territory_code: str
    subject_class: str = ""
    channel: str = ""
    flags: str = ""
    since_day: date = NEVER
    closed_day: date = NEVER
    deferred_day: date = NEVER


class Contributor(Protocol):
    def prepare(self, items: Sequence[WorkItem]) -> Any:
        """What `contribution` needs beyond the item (its subject, say), for a batch of items at once."""

    def contribution(self, item: WorkItem, transitions: Sequence[Transition], context: Any) -> Counter[Key]:
        """The rollup keys that the item with these (its first n) transitions counts."""


_CONTRIBUTORS: dict[str, Contributor] = {}


def register(process_name: str, contributor: Contributor) -> None:
    _CONTRIBUTORS[process_name] = contributor


def registered() -> list[str]:
    return sorted(_CONTRIBUTORS)


def contributor_for(process_name: str) -> Contributor:
    return _CONTRIBUTORS[process_name]


def _delta(process_name: str, item_ids: Iterable[int], old: int, new: int | None) -> Counter[Key]:
    """Σ contribution(transitions ≤ new) − contribution(transitions ≤ old) over the items."""
    contributor = contributor_for(process_name)
    items = list(WorkItem.objects.filter(pk__in=set(item_ids)))
    if not items:
        return Counter()
    rows = Transition.objects.filter(item_id__in=[i.pk for i in items]).order_by("item_id", "id")
    if new is not None:
        rows = rows.filter(id__lte=new)
    by_item: dict[int, list[Transition]] = {}
    for record in rows.defer("reason"):
        by_item.setdefault(record.item_id, []).append(record)
    context = contributor.prepare(items)
    delta: Counter[Key] = Counter()
    for item in items:
        history = by_item.get(item.pk, [])
        delta.update(contributor.contribution(item, history, context))
        delta.subtract(contributor.contribution(item, [t for t in history if t.pk <= old], context))
    return Counter({key: n for key, n in delta.items() if n})


_COLUMNS = (
    "process_name",
    "measure",
    "day",
    "territory_code",
    "subject_class",
    "channel",
    "flags",
    "since_day",
    "closed_day",
    "deferred_day",
)
_DIVISION_COLUMNS = (
    "process_name",
    "division_code",
    "day",
    "measure",
    "flags",
    "since_day",
    "closed_day",
    "deferred_day",
)


def by_division(delta: Counter[Key]) -> Counter[Key]:
    """The delta summed per division: each key counted under every division code (DIVISION_LEVELS) that its
    territory code starts with, its class and channel dropped (`territory_code` then holds the division)."""
    out: Counter[Key] = Counter()
    for key, n in delta.items():
        for size in DIVISION_LEVELS:
            if len(key.territory_code) >= size:
                out[replace(key, territory_code=key.territory_code[:size], subject_class="", channel="")] += n
    return Counter({key: n for key, n in out.items() if n})


def _apply(process_name: str, delta: Counter[Key]) -> None:
    """Add the delta to the grid rollup and, summed per division, to the division rollup."""
    _upsert(
        LedgerRollup._meta.db_table,
        _COLUMNS,
        [
            (
                process_name,
                key.measure,
                key.day,
                key.territory_code,
                key.subject_class,
                key.channel,
                key.flags,
                key.since_day,
                key.closed_day,
                key.deferred_day,
                n,
            )
            for key, n in delta.items()
        ],
    )
    _upsert(
        LedgerRollupByDivision._meta.db_table,
        _DIVISION_COLUMNS,
        [
            (
                process_name,
                key.territory_code,
                key.day,
                key.measure,
                key.flags,
                key.since_day,
                key.closed_day,
                key.deferred_day,
                n,
            )
            for key, n in by_division(delta).items()
        ],
    )


def _upsert(table: str, key_columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Add the rows' counts (each row: its key columns, then the count) to the table: one upsert per key
    (INSERT … ON CONFLICT DO UPDATE count = count + n, on PostgreSQL and SQLite alike), so a fold costs
    what it changes, never what the table holds."""
    if not rows:
        return
    columns = ", ".join(key_columns)
    # Table and column names are ours; the values are parameters.
    placeholders = ", ".join(["%s"] * (len(key_columns) + 1))
    sql = (
        f"INSERT INTO {table} ({columns}, count) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({columns}) DO UPDATE SET count = {table}.count + excluded.count"
    )
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(sql, rows)
            return
        # PostgreSQL: COPY the rows into a scratch table, then one INSERT … SELECT … ON CONFLICT.
        scratch = f"{table}_delta"
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {scratch} ON COMMIT DELETE ROWS AS "  # noqa: S608
            f"SELECT {columns}, count FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {scratch} ({columns}, count) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}, count) SELECT {columns}, count FROM {scratch} "  # noqa: S608
            f"ON CONFLICT ({columns}) DO UPDATE SET count = {table}.count + excluded.count"
        )
        cursor.execute(f"TRUNCATE {scratch}")


def fold(process_name: str, *, now: datetime, batch: int = FOLD_BATCH) -> int:
    """Fold the next transitions of the process (those older than FOLD_LAG) into the rollup; one
    transaction with the cursor row locked, so two folders never count a transition twice. Returns the
    number of transitions folded (0 when none was waiting)."""
    with transaction.atomic():
        cursor, _ = LedgerRollupCursor.objects.get_or_create(process_name=process_name)
        cursor = LedgerRollupCursor.objects.select_for_update().get(pk=cursor.pk)
        old = cursor.last_transition_id
        waiting = list(
            Transition.objects.filter(item__process_name=process_name, id__gt=old)
            .order_by("id")
            .values_list("id", "item_id", "occurred_at")[:batch]
        )
        ready = []
        for record_id, item_id, occurred_at in waiting:
            if occurred_at > now - FOLD_LAG:
                break  # maybe a lower id is still committing: the next fold takes it
            ready.append((record_id, item_id))
        if not ready:
            return 0
        new = ready[-1][0]
        _apply(process_name, _delta(process_name, {item for _, item in ready}, old, new))
        cursor.last_transition_id = new
        cursor.folded_at = now
        cursor.save(update_fields=["last_transition_id", "folded_at"])
    return len(ready)


def fold_all(process_name: str, *, now: datetime) -> int:
    total = 0
    while n := fold(process_name, now=now):
        total += n
    return total


def rebuild(process_name: str, *, now: datetime) -> int:
    """Forget the rollup of the process and fold its whole ledger again."""
    with transaction.atomic():
        LedgerRollup.objects.filter(process_name=process_name).delete()
        LedgerRollupByDivision.objects.filter(process_name=process_name).delete()
        LedgerRollupCursor.objects.filter(process_name=process_name).update(last_transition_id=0)
    return fold_all(process_name, now=now)


def cursor_of(process_name: str) -> int:
    found = LedgerRollupCursor.objects.filter(process_name=process_name).values_list(
        "last_transition_id", flat=True
    )
    return int(found.first() or 0)


def tail_delta(process_name: str, cursor: int) -> Counter[Key]:
    """What the transitions after `cursor` add to the rollup (computed, not stored): rollup + tail is the
    answer of a fold made now."""
    item_ids = set(
        Transition.objects.filter(item__process_name=process_name, id__gt=cursor).values_list(
            "item_id", flat=True
        )
    )
    return _delta(process_name, item_ids, cursor, None)


def sums_in(
    process_name: str, prefix: str, first_day: date, end_day: date, where: Q | None = None
) -> list[tuple[str, str, date, date, date, int]]:
    """(measure, flags, since_day, closed_day, deferred_day, Σ count) of the process's rollup under a
    territory prefix on the days [first_day, end_day): summed in the database, a few rows back. A division's
    code (DIVISION_LEVELS) reads the division rollup, any other prefix the grid rollup; both give the same.
    `where` narrows the rows by class or channel (the command centre's cuts), which only the grid rollup
    keeps."""
    rows: QuerySet[Any]
    if len(prefix) in DIVISION_LEVELS and not where:  # an empty Q() narrows nothing
        rows = LedgerRollupByDivision.objects.filter(
            process_name=process_name, division_code=prefix, day__gte=first_day, day__lt=end_day
        )
    else:
        rows = LedgerRollup.objects.filter(
            process_name=process_name, territory_code__startswith=prefix, day__gte=first_day, day__lt=end_day
        ).filter(where or Q())
    sums = (
        rows.values_list("measure", "flags", "since_day", "closed_day", "deferred_day")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return [(m, f, s, c, d, int(n or 0)) for m, f, s, c, d, n in sums]


def division_differences(
    process_name: str, first_day: date, end_day: date
) -> list[tuple[str, date, str, int, int]]:
    """Where the division rollup differs from the grid rollup summed per division on the days [first_day,
    end_day): (division code, day, measure, division rollup's count, grid rollup's sum), one per differing
    key. Empty when the two agree (every fold writes both; `reconcile_figures` checks it)."""
    fields = ("day", "measure", "flags", "since_day", "closed_day", "deferred_day")
    period = {"process_name": process_name, "day__gte": first_day, "day__lt": end_day}
    summed: Counter[tuple[Any, ...]] = Counter()
    for size in DIVISION_LEVELS:
        rows = (
            LedgerRollup.objects.filter(**period)
            .annotate(size=Length("territory_code"), division=Substr("territory_code", 1, size))
            .filter(size__gte=size)
            .values_list("division", *fields)
            .annotate(n=Sum("count"))
            .order_by()
        )
        summed.update({tuple(row[:-1]): int(row[-1] or 0) for row in rows})
    stored = Counter(
        {
            tuple(row[:-1]): int(row[-1])
            for row in LedgerRollupByDivision.objects.filter(**period).values_list(
                "division_code", *fields, "count"
            )
        }
    )
    return [
        (key[0], key[1], key[2], stored[key], summed[key])
        for key in sorted(set(stored) | set(summed))
        if stored[key] != summed[key]
    ]
