"""Fast inserts for any model, the floor under every bulk path (the engine's imports, the grid's bulk
intake, the approvals catalogue import, the registry imports):

- `allocate_ids`: primary keys reserved up front in one query (the table's sequence on PostgreSQL;
  `sqlite_sequence` on SQLite), so rows of several tables can reference each other before any is written;
- `insert_objects` / `insert_new` / `insert_rows` / `create_objects`: one `COPY … FROM STDIN` per table
  on PostgreSQL (one `executemany` on SQLite) instead of `bulk_create`, whose per-value preparation and
  array dumping cost more than the inserts themselves. No signals are sent (bulk_create sends none either).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import signals
from django.db.models.base import ModelState

M = TypeVar("M", bound=models.Model)

_sequences: dict[tuple[str, str], str] = {}


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys of `model`, ascending, reserved in one statement: the next values of the
    id sequence on PostgreSQL; on SQLite the table's AUTOINCREMENT counter (`sqlite_sequence`) moved past
    them (a write, so the transaction holds the write lock from then on). Within the transaction a
    reserved id is never handed out again (by a second call or by the ORM's own inserts); on
    PostgreSQL not after a rollback either, as with any sequence."""
    if count <= 0:
        return []
    meta = model._meta
    table, column = meta.db_table, str(meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            key = (connection.settings_dict["NAME"], table)
            if key not in _sequences:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
                _sequences[key] = cursor.fetchone()[0]
            cursor.execute(
                "SELECT string_agg(nextval(%s::regclass)::text, ',') FROM generate_series(1, %s)",
                [_sequences[key], count],
            )
            return sorted(map(int, cursor.fetchone()[0].split(",")))
        quoted = connection.ops.quote_name(table)
        top = f"(SELECT COALESCE(MAX({connection.ops.quote_name(column)}), 0) FROM {quoted})"  # noqa: S608
        cursor.execute(
            f"UPDATE sqlite_sequence SET seq = MAX(seq, {top}) + %s WHERE name = %s RETURNING seq",  # noqa: S608
            [count, table],
        )
        row = cursor.fetchone()
        if row is None:  # the table has never had a row
            cursor.execute(
                f"INSERT INTO sqlite_sequence (name, seq) SELECT %s, {top} + %s RETURNING seq",
                [table, count],
            )
            row = cursor.fetchone()
        last = int(row[0])
        return list(range(last - count + 1, last + 1))


@dataclass(frozen=True)
class _Layout:
    """How one model's rows are written on this database: the concrete columns, their attribute names,
    the values of the columns a row may leave out (constants, and factories for mutable defaults such
    as `dict`), and per column only the conversion bulk_create's preparation amounts to for it."""

    table: str
    columns: tuple[str, ...]
    names: tuple[str, ...]
    values: Callable[[Any], tuple[Any, ...]]
    pk_index: int
    defaults: dict[str, Any]
    factories: tuple[tuple[str, Callable[[], Any]], ...]
    fixes: tuple[tuple[int, Callable[[Any], Any]], ...]


_layouts: dict[tuple[type[models.Model], str], _Layout] = {}


def _json_fix(field: models.JSONField) -> Callable[[Any], Any]:
    encoder, nullable = field.encoder, field.null

    def fix(value: Any) -> Any:
        if value is None and nullable:
            return None
        if type(value) is dict and not value:
            return "{}"
        return json.dumps(value, cls=encoder)

    return fix


def _prep_fix(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    def fix(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    return fix


def _layout(model: type[models.Model]) -> _Layout:
    """The model's row layout for this database (cached). JSON goes as its text, datetimes as they are
    on PostgreSQL (psycopg dumps aware datetimes) and as Django's text on SQLite; any other field kind
    than the plain ones listed goes through its own `get_db_prep_save`. Dates as datetimes."""
    key = (model, connection.vendor)
    layout = _layouts.get(key)
    if layout is not None:
        return layout
    postgres = connection.vendor == "postgresql"
    plain: tuple[type[models.Field], ...] = (
        models.AutoField,
        models.BigAutoField,
        models.IntegerField,
        models.FloatField,
        models.BooleanField,
        models.CharField,
        models.TextField,
        models.ForeignKey,
    )
    fields = model._meta.concrete_fields
    fixes: list[tuple[int, Callable[[Any], Any]]] = []
    defaults: dict[str, Any] = {}
    factories: list[tuple[str, Callable[[], Any]]] = []
    for index, f in enumerate(fields):
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            raise TypeError(f"bulk inserts do not fill {model.__name__}.{f.name} (auto_now)")
        if isinstance(f, models.JSONField):
            fixes.append((index, _json_fix(f)))
        elif isinstance(f, models.DateTimeField):
            if not postgres:
                fixes.append((index, connection.ops.adapt_datetimefield_value))
        elif isinstance(f, models.DateField):
            if not postgres:
                fixes.append((index, connection.ops.adapt_datefield_value))
        elif not isinstance(f, plain) or isinstance(f, models.FileField):
            fixes.append((index, _prep_fix(f)))
        if f.primary_key or not (f.has_default() or f.null or f.blank):
            continue  # the caller must give it
        if f.has_default() and callable(f.default):
            factories.append((f.attname, f.default))
        else:
            defaults[f.attname] = f.get_default()
    names = tuple(f.attname for f in fields)
    getter = operator.attrgetter(*names)
    layout = _Layout(
        table=model._meta.db_table,
        columns=tuple(str(f.column) for f in fields),
        names=names,
        values=getter if len(names) > 1 else (lambda obj: (getter(obj),)),
        pk_index=names.index(model._meta.pk.attname),
        defaults=defaults,
        factories=tuple(factories),
        fixes=tuple(fixes),
    )
    _layouts[key] = layout
    return layout


def _tuples(layout: _Layout, rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Rows given as {attname: value}, as tuples in column order; a left-out column gets the field's
    default, a left-out required one (no default, not nullable, not blank) is a programming error."""
    names = layout.names
    get = operator.itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    defaults, factories = layout.defaults, layout.factories
    out = []
    try:
        for row in rows:
            full = defaults | row
            for name, factory in factories:
                if name not in full:
                    full[name] = factory()
            out.append(get(full))
    except KeyError as error:
        raise ValueError(f"{layout.table}: no value for {error.args[0]}") from error
    return out


def _write(layout: _Layout, rows: Sequence[Sequence[Any]]) -> None:
    if any(row[layout.pk_index] is None for row in rows):
        raise ValueError(f"{layout.table}: every row needs its primary key (allocate_ids)")
    if layout.fixes:
        fixed = []
        for row in rows:
            values = list(row)
            for index, fix in layout.fixes:
                values[index] = fix(values[index])
            fixed.append(values)
        rows = fixed
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in layout.columns)
    # The driver's errors as Django's (a duplicate key is django.db.IntegrityError on both databases).
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper: the same transaction
            with raw.copy(f"COPY {quote(layout.table)} ({columns}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
        else:
            marks = ", ".join(["%s"] * len(layout.columns))
            cursor.executemany(
                f"INSERT INTO {quote(layout.table)} ({columns}) VALUES ({marks})",  # noqa: S608
                rows,
            )


def insert_objects(objs: Sequence[models.Model]) -> None:
    """INSERT `objs` (all of one model, each with its primary key set, e.g. from `allocate_ids`) as they
    stand: one `COPY … FROM STDIN` on PostgreSQL, one `executemany` elsewhere — what `bulk_create`
    would store, without its per-value preparation. No signals (bulk_create sends none either). The
    instances are marked saved."""
    if not objs:
        return
    layout = _layout(type(objs[0]))
    _write(layout, [layout.values(obj) for obj in objs])
    alias = connection.alias
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias


def insert_new(objs: Sequence[models.Model]) -> None:
    """INSERT new rows of one model at once, ids reserved up front (`allocate_ids`, then
    `insert_objects`): what `bulk_create` stores, without its per-value cost."""
    if not objs:
        return
    for obj, pk in zip(objs, allocate_ids(type(objs[0]), len(objs)), strict=True):
        obj.pk = pk
    insert_objects(objs)


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """INSERT rows given as {attname: value} (the primary key included, e.g. from `allocate_ids`;
    missing columns get the field's default) without building model instances."""
    if rows:
        layout = _layout(model)
        _write(layout, _tuples(layout, rows))


def create_objects(model: type[M], rows: Sequence[dict[str, Any]]) -> list[M]:
    """`insert_rows`, returning the saved instances (built positionally: Django's fast path)."""
    if not rows:
        return []
    layout = _layout(model)
    values = _tuples(layout, rows)
    _write(layout, values)
    alias = connection.alias
    objs: list[M] = []
    # A model whose own __init__ does more than Model's may still take the fast path if it says, in a
    # `bulk_built(objs)` classmethod, what that __init__ would have added (WorkItem notes its state).
    finish = getattr(model, "bulk_built", None)
    plain_init = model.__init__ is models.Model.__init__ or finish is not None
    if plain_init and not signals.post_init.has_listeners(model):
        # What Model.__init__ does with positional values, without its per-field descriptor calls.
        names = layout.names
        for row in values:
            obj = model.__new__(model)
            obj.__dict__.update(zip(names, row, strict=True))
            state = obj._state = ModelState()
            state.adding, state.db = False, alias
            objs.append(obj)
        if finish is not None:
            finish(objs)
        return objs
    for row in values:
        obj = model(*row)
        obj._state.adding = False
        obj._state.db = alias
        objs.append(obj)
    return objs
