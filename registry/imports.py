"""XLSX/CSV import of people (with their households) and of legal entities. Every row is checked first
and every problem reported (downloadable as an error report); one bad row and nothing is imported.
Rows whose ID number (by its keyed hash) or credit code is already registered are skipped as
duplicates. Columns: docs/registry.md."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Choices
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from stdnum.cn import uscc

from accounts.models import User
from audit.actions import record_event, record_events
from core import idnumbers
from core.bulk import allocate_ids, insert_rows
from core.errors import DomainError
from core.spreadsheets import (
    FileArg,
    ImportProblem,
    SpreadsheetImportError,
    cell_text,
    header_base,
    read_rows,
)
from registry import access, actions, bulk_writes, crypto
from registry.models import Entity, Household, HouseholdMove, Person
from territory.models import Division, Grid

MAX_ROWS = 100_000
PROGRESS_EVERY = 2000  # rows between two progress reports (a long file's progress bar), and a write batch
Progress = Callable[[int, int], None]  # (rows done, rows in the file)


def no_progress(done: int, total: int) -> None:
    return None


# The file's column headers and choice values are Chinese whatever the page's language (the headers are
# marked so that a problem can name the column's meaning beside it).
PEOPLE_HEADERS = [
    gettext_noop("网格编码"),
    gettext_noop("姓名"),
    gettext_noop("身份证号"),
    gettext_noop("人口类别"),
    gettext_noop("联系电话"),
    gettext_noop("户号"),
    gettext_noop("与户主关系"),
]
ENTITY_HEADERS = [
    gettext_noop("网格编码"),
    gettext_noop("单位名称"),
    gettext_noop("统一社会信用代码"),
    gettext_noop("法定代表人"),
    gettext_noop("行业代码"),
    gettext_noop("规模"),
]


def file_values(choices: type[Choices]) -> dict[str, str]:
    """A model's choices as an import file names them: the untranslated (Chinese) label → the value."""
    with translation.override(None):
        return {str(label): str(value) for value, label in choices.choices}


@dataclass
class ImportReport:
    created: int = 0
    duplicates: int = 0
    households: int = 0
    buildings: int = 0
    rows: int = 0
    problems: list[ImportProblem] = field(default_factory=list)


@contextmanager
def _row_errors(row: int) -> Iterator[None]:
    """A refusal by an action while writing (the transaction rolls back) becomes that row's problem."""
    try:
        yield
    except DomainError as error:
        if isinstance(error, SpreadsheetImportError):
            raise
        raise SpreadsheetImportError([ImportProblem(row, error.field or "", error.message)]) from error


def columns_of(rows: list[tuple[Any, ...]], headers: list[str]) -> dict[str, int]:
    if not rows:
        raise SpreadsheetImportError([ImportProblem(0, "", _("文件为空"))])
    if len(rows) - 1 > MAX_ROWS:
        raise SpreadsheetImportError([ImportProblem(0, "", _("一次最多导入 %(max)s 行") % {"max": MAX_ROWS})])
    found = {header_base(h): i for i, h in enumerate(rows[0]) if h}
    missing = [h for h in headers if h not in found]
    if missing:
        raise SpreadsheetImportError([ImportProblem(1, h, _("缺少该列")) for h in missing])
    return found


def grid_checker(actor: User, *, divisions: bool = False) -> Callable[[str], str | None]:
    """A check of a file's territory codes, each asked once: a grid (or, with `divisions`, also a
    division) that exists and where the actor may write."""
    known: dict[str, str | None] = {}

    def exists(code: str) -> bool:
        if len(code) == 15 and Grid.objects.filter(code=code).exists():
            return True
        return divisions and Division.objects.filter(code=code).exists()

    def check(code: str) -> str | None:
        """None when the actor may write in this existing grid, else the reason."""
        if code not in known:
            if not exists(code):
                known[code] = _("区划/网格代码不存在") if divisions else _("网格编码不存在")
            else:
                try:
                    access.access_write(actor, code)
                    known[code] = None
                except DomainError:
                    known[code] = _("不在您可维护的范围内")
        return known[code]

    return check


def _people_rows(
    rows: list[tuple[Any, ...]], actor: User, now: datetime
) -> tuple[list[dict[str, Any]], ImportReport]:
    columns = columns_of(rows, PEOPLE_HEADERS)
    report = ImportReport(rows=len(rows) - 1)
    check_grid = grid_checker(actor)
    kinds, relations = file_values(Person.Kind), file_values(Person.Relation)
    cleaned: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cell = {h: cell_text(row[columns[h]]) if columns[h] < len(row) else "" for h in PEOPLE_HEADERS}
        if not any(cell.values()):
            continue

        def problem(column: str, reason: str, number: int = number) -> None:
            report.problems.append(ImportProblem(number, column, reason))

        if (reason := check_grid(cell["网格编码"])) is not None:
            problem("网格编码", reason)
        if not cell["姓名"]:
            problem("姓名", _("不能为空"))
        try:
            id_number = actions.clean_id_number(Person.IdType.RESIDENT_ID, cell["身份证号"], today=now.date())
        except DomainError:
            problem("身份证号", _("号码无效（位数、出生日期或校验位不符）"))
            id_number = ""
        if id_number and id_number in seen:
            problem("身份证号", _("与第%(row)s行重复") % {"row": seen[id_number]})
        seen[id_number] = number
        kind = kinds.get(cell["人口类别"] or "户籍人口")
        if kind is None:
            problem("人口类别", _("须为 %(choices)s") % {"choices": "/".join(kinds)})
        try:
            phone = actions.clean_phone(cell["联系电话"])
        except DomainError:
            problem("联系电话", _("须为数字"))
            phone = ""
        relation = relations.get(cell["与户主关系"]) if cell["户号"] else ""
        if cell["户号"] and relation is None:
            problem("与户主关系", _("须为 %(choices)s") % {"choices": "/".join(relations)})
        cleaned.append(
            {
                "row": number,
                "grid": cell["网格编码"],
                "name": cell["姓名"],
                "id_number": id_number,
                "kind": kind,
                "phone": phone,
                "household": cell["户号"],
                "relation": relation,
            }
        )
    _check_households(cleaned, report)
    return cleaned, report


def _check_households(cleaned: list[dict[str, Any]], report: ImportReport) -> None:
    """Each household number of the file: exactly one head, one grid, and not already registered."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in cleaned:
        if row["household"]:
            groups[row["household"]].append(row)
    existing = set(Household.objects.filter(number__in=list(groups)).values_list("number", flat=True))
    for household, members in groups.items():
        first = members[0]["row"]
        heads = sum(1 for m in members if m["relation"] == Person.Relation.HEAD)
        if heads != 1:
            report.problems.append(
                ImportProblem(
                    first,
                    "与户主关系",
                    _("户 %(number)s 须有且只有一名户主（现有 %(count)s 名）")
                    % {"number": household, "count": heads},
                )
            )
        if len({m["grid"][:12] for m in members}) > 1:
            report.problems.append(
                ImportProblem(
                    first, "户号", _("户 %(number)s 的成员不在同一村（社区）") % {"number": household}
                )
            )
        if household in existing:
            report.problems.append(
                ImportProblem(first, "户号", _("户 %(number)s 已存在") % {"number": household})
            )


def chunks(values: list[Any], size: int = 5000) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _registered(hashes: list[str]) -> dict[str, int]:
    """The people already registered under these ID hashes (hash → id), asked a chunk at a time in
    plain SQL (the ORM's `__in` prepares each of 100,000 values one by one)."""
    known: dict[str, int] = {}
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        for chunk in chunks(hashes, 900):  # under SQLite's limit of bound values
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT id_number_hash, id FROM {table} WHERE id_number_hash IN ({marks})", chunk)  # noqa: S608
            known.update(cursor.fetchall())
    return known


def _person_row(columns: Any, row: dict[str, Any], household: int | None) -> dict[str, Any]:
    number = row["id_number"]
    return {
        **columns(
            territory_code=row["grid"],
            kind=row["kind"],
            name=row["name"],
            id_type=Person.IdType.RESIDENT_ID,
            id_number=number,
            id_number_hash=row["hash"],
            phone=row["phone"],
            birth_date=idnumbers.birth_date(number),
            sex=idnumbers.sex(number),
        ),
        "household_id": household,
        "relation": row["relation"] if household is not None else "",
    }


def do_import_people(
    file: FileArg, *, actor: User, now: datetime, progress: Progress = no_progress
) -> ImportReport:
    """Import people and households; refuses the whole file (SpreadsheetImportError) on any bad row.
    `progress(done, total)` is called every PROGRESS_EVERY rows written (and once validated, with 0).

    Every row is checked first (`_people_rows`: grids and the actor's right on each, ID numbers, kinds,
    phones, relations, each household's one head and village). The writes then go set-wise through
    `core.bulk` (COPY on PostgreSQL): a household whose members are all new is written with them —
    its id reserved first, each member's row carrying household and relation, its history row, a
    HouseholdMove "立户" per member and its `registry.household_created` audit row, as
    `do_create_household` would write them; a household that takes in an already registered person goes
    through `do_create_household` itself (that person may be in another household). People are written
    PROGRESS_EVERY at a time with their history rows; one `registry.people_imported` audit row counts
    the file."""
    cleaned, report = _people_rows(read_rows(file), actor, now)
    if report.problems:
        raise SpreadsheetImportError(report.problems)
    total = len(cleaned)
    progress(0, total)
    lookup_hash, columns = crypto.hasher(), actions.person_sealer()
    for row in cleaned:
        row["hash"] = lookup_hash(row["id_number"])
    known = _registered([row["hash"] for row in cleaned])
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in cleaned:
        if row["household"]:
            groups[row["household"]].append(row)
    together = {n: members for n, members in groups.items() if not any(m["hash"] in known for m in members)}
    today = now.date()
    try:
        with transaction.atomic():
            household_of = _insert_households(together, actor=actor, now=now)
            fresh = [row for row in cleaned if row["hash"] not in known]
            report.duplicates = done = len(cleaned) - len(fresh)
            for batch in chunks(fresh, PROGRESS_EVERY):
                ids = bulk_writes.insert_with_history(
                    Person,
                    [_person_row(columns, row, household_of.get(row["household"])) for row in batch],
                    actor=actor,
                    now=now,
                )
                for row, pk in zip(batch, ids, strict=True):
                    row["pk"] = pk
                report.created += len(batch)
                done += len(batch)
                progress(done, total)
            insert_rows(
                HouseholdMove,
                [
                    {
                        "id": pk,
                        "household_id": household_of[m["household"]],
                        "person_id": m["pk"],
                        "direction": HouseholdMove.Direction.IN,
                        "relation": m["relation"],
                        "occurred_on": today,
                        "reason": "立户",
                        "recorded_by_id": actor.pk,
                        "recorded_at": now,
                    }
                    for m, pk in _with_ids(HouseholdMove, [m for n in together for m in together[n]])
                ],
            )
            for household, members in groups.items():
                if household not in together:
                    _create_household_with(household, members, actor=actor, now=now)
            report.households = len(groups)
            if not fresh:
                progress(total, total)
            record_event(
                actor=actor,
                action="registry.people_imported",
                after={
                    "rows": report.rows,
                    "created": report.created,
                    "duplicates": report.duplicates,
                    "households": report.households,
                },
                now=now,
            )
    except IntegrityError as error:  # registered meanwhile by someone else: refuse the file
        raise SpreadsheetImportError(
            [ImportProblem(0, "身份证号", _("导入期间有人员或户号被另行登记，请重新导入"))]
        ) from error
    return report


def _with_ids(model: type[Any], values: list[Any]) -> list[tuple[Any, int]]:
    return list(zip(values, allocate_ids(model, len(values)), strict=True))


def _insert_households(
    groups: dict[str, list[dict[str, Any]]], *, actor: User, now: datetime
) -> dict[str, int]:
    """The households of the file whose members are all new, with their history and audit rows
    (number → id). Each is registered in its head's grid, as `do_create_household` is called."""
    numbers = list(groups)
    heads = {n: next(m for m in groups[n] if m["relation"] == Person.Relation.HEAD) for n in numbers}
    ids = bulk_writes.insert_with_history(
        Household,
        [{"number": n, "territory_code": heads[n]["grid"], "house_id": None} for n in numbers],
        actor=actor,
        now=now,
    )
    record_events(
        [
            {
                "action": "registry.household_created",
                "subject_type": "registry.household",
                "subject_id": str(pk),
                "territory_code": heads[n]["grid"],
                "after": {"members": len(groups[n])},
            }
            for n, pk in zip(numbers, ids, strict=True)
        ],
        actor=actor,
        now=now,
    )
    return dict(zip(numbers, ids, strict=True))


def _create_household_with(number: str, members: list[dict[str, Any]], *, actor: User, now: datetime) -> None:
    """A household of the file that takes in an already registered person: the one action, which
    refuses a person who is in another household (that row's problem)."""
    pks = [m["pk"] for m in members if "pk" in m]
    hashes = [m["hash"] for m in members if "pk" not in m]
    found = {p.pk: p for p in Person.objects.filter(pk__in=pks)}
    found_by_hash = {p.id_number_hash: p for p in Person.objects.filter(id_number_hash__in=hashes)}
    pairs = [(found[m["pk"]] if "pk" in m else found_by_hash[m["hash"]], m["relation"]) for m in members]
    head_grid = next(m["grid"] for m in members if m["relation"] == Person.Relation.HEAD)
    with _row_errors(members[0]["row"]):
        actions.do_create_household(
            number=number, territory_code=head_grid, members=pairs, actor=actor, now=now
        )


def do_import_entities(
    file: FileArg, *, actor: User, now: datetime, progress: Progress = no_progress
) -> ImportReport:
    """Import legal entities; refuses the whole file (SpreadsheetImportError) on any bad row. Every row is
    checked first (grid and the actor's right on it, credit code, required names, GB/T 4754 industry
    code, size); credit codes registered already or earlier in the file are skipped as duplicates.
    The new entities are then written PROGRESS_EVERY at a time through `core.bulk` with their history
    rows and a `registry.entity_registered` audit row each, as `do_register_entity` writes them."""
    rows = read_rows(file)
    columns = columns_of(rows, ENTITY_HEADERS)
    report = ImportReport(rows=len(rows) - 1)
    check_grid = grid_checker(actor)
    sizes = file_values(Entity.Size)
    cleaned: list[dict[str, Any]] = []
    for number, row in enumerate(rows[1:], start=2):
        cell = {h: cell_text(row[columns[h]]) if columns[h] < len(row) else "" for h in ENTITY_HEADERS}
        if not any(cell.values()):
            continue
        problems = []
        if (reason := check_grid(cell["网格编码"])) is not None:
            problems.append(("网格编码", reason))
        code = uscc.compact(cell["统一社会信用代码"])
        if not uscc.is_valid(code):
            problems.append(("统一社会信用代码", _("代码无效（位数、字符或校验位不符）")))
        for column in ("单位名称", "法定代表人", "行业代码"):
            if not cell[column]:
                problems.append((column, _("不能为空")))
        industry = ""
        if cell["行业代码"]:
            try:
                industry = actions.clean_industry_code(cell["行业代码"])
            except DomainError as error:
                problems.append(("行业代码", error.message))
        if cell["规模"] not in sizes:
            problems.append(("规模", _("须为 %(choices)s") % {"choices": "/".join(sizes)}))
        report.problems += [ImportProblem(number, c, r) for c, r in problems]
        cleaned.append({**cell, "uscc": code, "industry": industry, "row": number})
    if report.problems:
        raise SpreadsheetImportError(report.problems)
    known: set[str] = set()
    for chunk in chunks([c["uscc"] for c in cleaned], 900):
        known.update(Entity.objects.filter(uscc__in=chunk).values_list("uscc", flat=True))
    total = len(cleaned)
    progress(0, total)
    fresh = []
    for entry in cleaned:  # a code registered already, or earlier in the file, is a duplicate
        if entry["uscc"] not in known:
            known.add(entry["uscc"])
            fresh.append(entry)
    report.duplicates = done = total - len(fresh)
    try:
        with transaction.atomic():
            for batch in chunks(fresh, PROGRESS_EVERY):
                ids = bulk_writes.insert_with_history(
                    Entity,
                    [
                        {
                            "uscc": entry["uscc"],
                            "name": entry["单位名称"],
                            "legal_representative": entry["法定代表人"],
                            "legal_representative_phone_sealed": "",
                            "industry_code": entry["industry"],
                            "size": sizes[entry["规模"]],
                            "territory_code": entry["网格编码"],
                            "address_id": None,
                            "building_id": None,
                        }
                        for entry in batch
                    ],
                    actor=actor,
                    now=now,
                )
                record_events(
                    [
                        {
                            "action": "registry.entity_registered",
                            "subject_type": "registry.entity",
                            "subject_id": str(pk),
                            "territory_code": entry["网格编码"],
                            "after": {"uscc": entry["uscc"]},
                        }
                        for entry, pk in zip(batch, ids, strict=True)
                    ],
                    actor=actor,
                    now=now,
                )
                report.created += len(batch)
                done += len(batch)
                progress(done, total)
            if not fresh:
                progress(total, total)
    except IntegrityError as error:  # registered meanwhile by someone else: refuse the file
        raise SpreadsheetImportError(
            [ImportProblem(0, "统一社会信用代码", _("导入期间有单位被另行登记，请重新导入"))]
        ) from error
    return report
