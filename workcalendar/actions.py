"""Every write to the calendar table: importing a CSV, saving or deleting one year. Each validates all
rows first (nothing is written when any row is bad), writes in one transaction with its audit rows, and
invalidates the per-process year cache (now and again after commit). A year that stops being provisional
is announced (signals.holidays_entered) in the same transaction, so open deadlines are recomputed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction

from audit.actions import record_event
from core.errors import DomainError, PermissionRefused
from core.spreadsheets import ImportProblem, SpreadsheetImportError
from workcalendar import service, signals
from workcalendar.models import CalendarDay, CalendarYear, DayKind

CSV_COLUMNS = ("date", "kind", "name")
NAME_MAX_LENGTH = CalendarDay._meta.get_field("name").max_length or 50
SOURCE_NOTE_MAX_LENGTH = CalendarYear._meta.get_field("source_note").max_length or 200
# The first data row of a CSV file is line 2 (line 1 is the header); row numbers in errors are file lines.
FIRST_DATA_ROW = 2


@dataclass(frozen=True)
class DayEntry:
    date: date
    kind: str  # DayKind value
    name: str = ""


@dataclass(frozen=True)
class ImportResult:
    years: tuple[int, ...]
    holidays: int
    workdays: int


# ---------------------------------------------------------------------------------------------- parsing


def read_calendar_csv(text: str) -> list[dict[str, str]]:
    """The rows of a `date,kind,name` CSV (header required; `name` may be empty), as dicts."""
    reader = csv.DictReader(io.StringIO(text))
    header = [column.strip().lower() for column in reader.fieldnames or []]
    missing = [column for column in CSV_COLUMNS if column not in header]
    if missing:
        raise DomainError(
            "invalid_calendar_header",
            f"CSV 首行须为列名 date,kind,name，缺少：{', '.join(missing)}",
            field="file",
        )
    reader.fieldnames = header
    return [{key: (value or "") for key, value in row.items() if key is not None} for row in reader]


def _parse_date(value: str) -> date:
    value = value.strip()
    if len(value) != 10:
        raise ValueError(value)
    return date.fromisoformat(value)


def validate_rows(rows: Iterable[Mapping[str, Any]], *, first_row: int = FIRST_DATA_ROW) -> list[DayEntry]:
    """Check every row and return the entries, or raise SpreadsheetImportError naming every bad row."""
    errors: list[ImportProblem] = []
    entries: list[DayEntry] = []
    seen: dict[date, int] = {}
    row_number = first_row - 1
    for row_number, row in enumerate(rows, start=first_row):
        row_errors: list[ImportProblem] = []
        raw_date = str(row.get("date") or "").strip()
        raw_kind = str(row.get("kind") or "").strip().lower()
        name = str(row.get("name") or "").strip()
        day: date | None = None
        try:
            day = _parse_date(raw_date)
        except ValueError:
            row_errors.append(ImportProblem(row_number, "date", f"日期无效（应为 YYYY-MM-DD）：{raw_date!r}"))
        if raw_kind not in DayKind.values:
            row_errors.append(
                ImportProblem(row_number, "kind", f"类型无效（应为 holiday 或 workday）：{raw_kind!r}")
            )
        if len(name) > NAME_MAX_LENGTH:
            row_errors.append(ImportProblem(row_number, "name", f"名称超过 {NAME_MAX_LENGTH} 个字符"))
        if day is not None:
            if day in seen:
                row_errors.append(
                    ImportProblem(row_number, "date", f"{day.isoformat()} 与第 {seen[day]} 行重复")
                )
            else:
                seen[day] = row_number
            if raw_kind == DayKind.WORKDAY and day.weekday() < 5:
                row_errors.append(
                    ImportProblem(row_number, "kind", f"{day.isoformat()} 是周一至周五，不能登记为调休上班日")
                )
        if row_errors:
            errors.extend(row_errors)
        elif day is not None:
            entries.append(DayEntry(date=day, kind=raw_kind, name=name))
    if row_number < first_row and not errors:
        errors.append(ImportProblem(first_row, "file", "文件中没有数据行"))
    if errors:
        raise SpreadsheetImportError(
            errors,
            code="invalid_calendar_rows",
            field=errors[0].column if len(errors) == 1 else "rows",
            subject="日历数据",
        )
    return entries


# ---------------------------------------------------------------------------------------------- rights


def _check_may_edit(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_active", False):
        raise PermissionRefused("not_allowed", "需要有效的操作人。")
    if getattr(actor, "is_system", False) or getattr(actor, "is_superuser", False):
        return
    if not actor.has_perm("workcalendar.change_calendaryear"):
        raise PermissionRefused("not_allowed", "无权维护工作日历。")


def _invalidate_now_and_after_commit() -> None:
    service.invalidate()
    transaction.on_commit(service.invalidate)


def _snapshot(year: int) -> dict[str, Any] | None:
    calendar_year = CalendarYear.objects.filter(year=year).first()
    if calendar_year is None:
        return None
    days = CalendarDay.objects.filter(calendar_year_id=year).order_by("date")
    return {
        "source_note": calendar_year.source_note,
        "revision": calendar_year.revision,
        "days": [[day.date.isoformat(), day.kind, day.name] for day in days],
    }


def _replace_year(
    year: int, entries: list[DayEntry], *, source_note: str, actor: Any, now: datetime, action: str
) -> None:
    before = _snapshot(year)
    calendar_year, created = CalendarYear.objects.select_for_update().get_or_create(
        year=year, defaults={"source_note": source_note, "published_at": now, "revision": 1}
    )
    if not created:
        calendar_year.source_note = source_note
        calendar_year.published_at = now
        calendar_year.revision += 1
        calendar_year.save(update_fields=["source_note", "published_at", "revision"])
        CalendarDay.objects.filter(calendar_year=calendar_year).delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(calendar_year=calendar_year, date=entry.date, kind=entry.kind, name=entry.name)
        for entry in sorted(entries, key=lambda entry: entry.date)
    )
    record_event(
        actor=actor, action=action, subject=calendar_year, before=before, after=_snapshot(year), now=now
    )


def _check_source_note(source_note: str) -> str:
    source_note = source_note.strip()
    if len(source_note) > SOURCE_NOTE_MAX_LENGTH:
        raise DomainError(
            "invalid_source_note", f"依据超过 {SOURCE_NOTE_MAX_LENGTH} 个字符。", field="source_note"
        )
    return source_note


# ---------------------------------------------------------------------------------------------- actions


def do_import_calendar(
    rows: Iterable[Mapping[str, Any]], *, actor: Any, now: datetime, source_note: str = ""
) -> ImportResult:
    """Import `date,kind,name` rows. Every year that appears in the rows is replaced as a whole (its
    CalendarYear created or revised, its days exactly the rows given); other years are untouched. When any
    row is bad nothing is written and SpreadsheetImportError lists every bad row by file line number."""
    _check_may_edit(actor)
    source_note = _check_source_note(source_note)
    entries = validate_rows(rows)
    by_year: dict[int, list[DayEntry]] = {}
    for entry in entries:
        by_year.setdefault(entry.date.year, []).append(entry)
    with transaction.atomic():
        was_provisional = signals.provisional_years(list(by_year))
        for year, year_entries in sorted(by_year.items()):
            _replace_year(
                year,
                year_entries,
                source_note=source_note,
                actor=actor,
                now=now,
                action="workcalendar.import_calendar",
            )
        _invalidate_now_and_after_commit()
        signals.send_entered(was_provisional, actor=actor, now=now)
    return ImportResult(
        years=tuple(sorted(by_year)),
        holidays=sum(entry.kind == DayKind.HOLIDAY for entry in entries),
        workdays=sum(entry.kind == DayKind.WORKDAY for entry in entries),
    )


def do_save_calendar_year(
    year: int, days: Iterable[DayEntry], *, source_note: str, actor: Any, now: datetime
) -> CalendarYear:
    """Create or replace one year of the table (the admin page saves through this)."""
    _check_may_edit(actor)
    source_note = _check_source_note(source_note)
    if not 1 <= year <= 9999:
        raise DomainError("invalid_year", "年份无效。", field="year")
    days = list(days)
    rows = [{"date": entry.date.isoformat(), "kind": entry.kind, "name": entry.name} for entry in days]
    entries = validate_rows(rows, first_row=1) if rows else []
    stray = [entry.date.isoformat() for entry in entries if entry.date.year != year]
    if stray:
        raise DomainError("date_outside_year", f"日期不属于 {year} 年：{', '.join(stray)}", field="days")
    with transaction.atomic():
        was_provisional = signals.provisional_years([year])
        _replace_year(
            year, entries, source_note=source_note, actor=actor, now=now, action="workcalendar.save_year"
        )
        _invalidate_now_and_after_commit()
        signals.send_entered(was_provisional, actor=actor, now=now)
    return CalendarYear.objects.get(year=year)


def do_delete_calendar_year(year: int, *, actor: Any, now: datetime) -> None:
    """Remove a year from the table: its days fall back to chinese_calendar or Monday–Friday."""
    _check_may_edit(actor)
    with transaction.atomic():
        calendar_year = CalendarYear.objects.select_for_update().filter(year=year).first()
        if calendar_year is None:
            raise DomainError("not_found", f"日历中没有 {year} 年。", field="year", status=404)
        before = _snapshot(year)
        record_event(
            actor=actor,
            action="workcalendar.delete_year",
            subject=calendar_year,
            before=before,
            after=None,
            now=now,
        )
        calendar_year.delete()
        _invalidate_now_and_after_commit()
