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

from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history
from stdnum.cn import uscc

from accounts.models import User
from audit.actions import record_event
from core.errors import DomainError
from core.spreadsheets import (
    FileArg,
    ImportProblem,
    SpreadsheetImportError,
    cell_text,
    header_base,
    read_rows,
)
from registry import access, actions, crypto
from registry.models import Entity, Household, Person
from territory.models import Grid

MAX_ROWS = 100_000
PROGRESS_EVERY = 500  # rows between two progress reports (a long file's progress bar)
Progress = Callable[[int, int], None]  # (rows done, rows in the file)


def _no_progress(done: int, total: int) -> None:
    return None


PEOPLE_HEADERS = ["网格编码", "姓名", "身份证号", "人口类别", "联系电话", "户号", "与户主关系"]
ENTITY_HEADERS = ["网格编码", "单位名称", "统一社会信用代码", "法定代表人", "行业代码", "规模"]
KIND_LABELS = {str(label): value for value, label in Person.Kind.choices}
RELATION_LABELS = {str(label): value for value, label in Person.Relation.choices}
SIZE_LABELS = {str(label): value for value, label in Entity.Size.choices}


@dataclass
class ImportReport:
    created: int = 0
    duplicates: int = 0
    households: int = 0
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


def _columns(rows: list[tuple[Any, ...]], headers: list[str]) -> dict[str, int]:
    if not rows:
        raise SpreadsheetImportError([ImportProblem(0, "", "文件为空")])
    if len(rows) - 1 > MAX_ROWS:
        raise SpreadsheetImportError([ImportProblem(0, "", f"一次最多导入 {MAX_ROWS} 行")])
    found = {header_base(h): i for i, h in enumerate(rows[0]) if h}
    missing = [h for h in headers if h not in found]
    if missing:
        raise SpreadsheetImportError([ImportProblem(1, h, "缺少该列") for h in missing])
    return found


def _grid_checker(actor: User) -> Any:
    known: dict[str, str | None] = {}

    def check(code: str) -> str | None:
        """None when the actor may write in this existing grid, else the reason."""
        if code not in known:
            if len(code) != 15 or not Grid.objects.filter(code=code).exists():
                known[code] = "网格编码不存在"
            else:
                try:
                    access.access_write(actor, code)
                    known[code] = None
                except DomainError:
                    known[code] = "不在您可维护的范围内"
        return known[code]

    return check


def _people_rows(
    rows: list[tuple[Any, ...]], actor: User, now: datetime
) -> tuple[list[dict[str, Any]], ImportReport]:
    columns = _columns(rows, PEOPLE_HEADERS)
    report = ImportReport(rows=len(rows) - 1)
    check_grid = _grid_checker(actor)
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
            problem("姓名", "不能为空")
        try:
            id_number = actions.clean_id_number(Person.IdType.RESIDENT_ID, cell["身份证号"], today=now.date())
        except DomainError:
            problem("身份证号", "号码无效（位数、出生日期或校验位不符）")
            id_number = ""
        if id_number and id_number in seen:
            problem("身份证号", f"与第{seen[id_number]}行重复")
        seen[id_number] = number
        kind = KIND_LABELS.get(cell["人口类别"] or "户籍人口")
        if kind is None:
            problem("人口类别", f"须为 {'/'.join(KIND_LABELS)}")
        try:
            phone = actions.clean_phone(cell["联系电话"])
        except DomainError:
            problem("联系电话", "须为数字")
            phone = ""
        relation = RELATION_LABELS.get(cell["与户主关系"]) if cell["户号"] else ""
        if cell["户号"] and relation is None:
            problem("与户主关系", f"须为 {'/'.join(RELATION_LABELS)}")
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
                ImportProblem(first, "与户主关系", f"户 {household} 须有且只有一名户主（现有 {heads} 名）")
            )
        if len({m["grid"][:12] for m in members}) > 1:
            report.problems.append(ImportProblem(first, "户号", f"户 {household} 的成员不在同一村（社区）"))
        if household in existing:
            report.problems.append(ImportProblem(first, "户号", f"户 {household} 已存在"))


def do_import_people(
    file: FileArg, *, actor: User, now: datetime, progress: Progress = _no_progress
) -> ImportReport:
    """Import people and households; refuses the whole file (SpreadsheetImportError) on any bad row.
    `progress(done, total)` is called every PROGRESS_EVERY rows written (and once validated, with 0)."""
    cleaned, report = _people_rows(read_rows(file), actor, now)
    if report.problems:
        raise SpreadsheetImportError(report.problems)
    total = len(cleaned)
    progress(0, total)
    hashes = {crypto.lookup_hash(r["id_number"]): r for r in cleaned}
    known = dict(Person.objects.filter(id_number_hash__in=list(hashes)).values_list("id_number_hash", "pk"))
    with transaction.atomic():
        # Rows were checked above (grids and the actor's right on each, once per grid): people go in in
        # batches with their history rows; the import writes one audit row with the counts.
        people: dict[str, Person] = {}
        fresh = [row for key, row in hashes.items() if key not in known]
        report.duplicates = len(hashes) - len(fresh)
        done = report.duplicates
        for start in range(0, len(fresh), PROGRESS_EVERY):
            batch = []
            for row in fresh[start : start + PROGRESS_EVERY]:
                data = actions.PersonInput(
                    territory_code=row["grid"],
                    kind=row["kind"],
                    name=row["name"],
                    id_number=row["id_number"],
                    phone=row["phone"],
                )
                with _row_errors(row["row"]):
                    batch.append(actions.build_person(data, today=now.date()))
            try:
                with transaction.atomic():
                    saved = bulk_create_with_history(
                        batch, Person, batch_size=PROGRESS_EVERY, default_user=actor, default_date=now
                    )
            except IntegrityError as error:  # registered meanwhile by someone else: refuse the file
                raise SpreadsheetImportError(
                    [ImportProblem(0, "身份证号", "导入期间有人员被另行登记，请重新导入")]
                ) from error
            for row, person in zip(fresh[start : start + PROGRESS_EVERY], saved, strict=True):
                people[row["id_number"]] = person
            report.created += len(saved)
            done += len(batch)
            progress(done, total)
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in cleaned:
            if row["household"]:
                groups[row["household"]].append(row)
        for household, members in groups.items():
            pairs = []
            for m in members:
                person = people.get(m["id_number"]) or Person.objects.get(
                    id_number_hash=crypto.lookup_hash(m["id_number"])
                )
                pairs.append((person, m["relation"]))
            head_grid = next(m["grid"] for m in members if m["relation"] == Person.Relation.HEAD)
            with _row_errors(members[0]["row"]):
                actions.do_create_household(
                    number=household, territory_code=head_grid, members=pairs, actor=actor, now=now
                )
            report.households += 1
        if not fresh:
            progress(total, total)
        record_event(
            actor=actor,
            action="registry.people_imported",
            after={"rows": report.rows, "created": report.created, "duplicates": report.duplicates},
            now=now,
        )
    return report


def do_import_entities(
    file: FileArg, *, actor: User, now: datetime, progress: Progress = _no_progress
) -> ImportReport:
    rows = read_rows(file)
    columns = _columns(rows, ENTITY_HEADERS)
    report = ImportReport(rows=len(rows) - 1)
    check_grid = _grid_checker(actor)
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
            problems.append(("统一社会信用代码", "代码无效（位数、字符或校验位不符）"))
        for column in ("单位名称", "法定代表人", "行业代码"):
            if not cell[column]:
                problems.append((column, "不能为空"))
        if cell["规模"] not in SIZE_LABELS:
            problems.append(("规模", f"须为 {'/'.join(SIZE_LABELS)}"))
        report.problems += [ImportProblem(number, c, r) for c, r in problems]
        cleaned.append({**cell, "uscc": code, "row": number})
    if report.problems:
        raise SpreadsheetImportError(report.problems)
    known = set(Entity.objects.filter(uscc__in=[c["uscc"] for c in cleaned]).values_list("uscc", flat=True))
    total = len(cleaned)
    progress(0, total)
    with transaction.atomic():
        for done, entry in enumerate(cleaned, start=1):
            if done % PROGRESS_EVERY == 0:
                progress(done, total)
            if entry["uscc"] in known:
                report.duplicates += 1
                continue
            with _row_errors(entry["row"]):
                actions.do_register_entity(
                    uscc_code=entry["uscc"],
                    name=entry["单位名称"],
                    legal_representative=entry["法定代表人"],
                    industry_code=entry["行业代码"],
                    size=SIZE_LABELS[entry["规模"]],
                    territory_code=entry["网格编码"],
                    actor=actor,
                    now=now,
                )
            known.add(entry["uscc"])
            report.created += 1
        progress(total, total)
    return report
