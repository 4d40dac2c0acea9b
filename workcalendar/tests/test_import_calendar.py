"""do_import_calendar and `manage.py import_calendar`: all-or-nothing, every bad row named, years
replaced as a whole, one audit row per year, rights checked."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from core.errors import DomainError, PermissionRefused
from core.spreadsheets import ImportProblem, SpreadsheetImportError
from workcalendar.actions import do_import_calendar, read_calendar_csv
from workcalendar.models import CalendarDay, CalendarYear
from workcalendar.service import day_info, is_working_day
from workcalendar.tests.conftest import NOW
from workcalendar.tests.factories import import_rows

pytestmark = pytest.mark.django_db

EXAMPLE_2027 = Path(__file__).resolve().parent.parent / "fixtures" / "example_2027.csv"


def days_of(year: int) -> list[tuple[str, str, str]]:
    return [
        (d.date.isoformat(), d.kind, d.name)
        for d in CalendarDay.objects.filter(calendar_year_id=year).order_by("date")
    ]


def test_import_creates_the_year_and_writes_one_audit_row(steward: Any) -> None:
    result = import_rows(
        [("2027-01-01", "holiday", "元旦"), ("2027-02-20", "workday", "春节调休")],
        actor=steward,
        source_note="国办通知",
    )
    assert (result.years, result.holidays, result.workdays) == ((2027,), 1, 1)
    calendar_year = CalendarYear.objects.get(year=2027)
    assert (calendar_year.source_note, calendar_year.published_at, calendar_year.revision) == (
        "国办通知",
        NOW,
        1,
    )
    assert days_of(2027) == [("2027-01-01", "holiday", "元旦"), ("2027-02-20", "workday", "春节调休")]
    event = AuditEvent.objects.get()
    assert (event.action, event.subject_type, event.subject_id, event.actor_id) == (
        "workcalendar.import_calendar",
        "workcalendar.calendaryear",
        "2027",
        steward.pk,
    )
    assert event.before is None
    assert event.after is not None
    assert event.after["days"] == [["2027-01-01", "holiday", "元旦"], ["2027-02-20", "workday", "春节调休"]]
    assert not is_working_day(date(2027, 1, 1))
    assert is_working_day(date(2027, 2, 20))


def test_reimporting_a_year_replaces_its_rows_and_leaves_other_years_alone(steward: Any) -> None:
    import_rows([("2026-10-12", "holiday", "甲"), ("2027-01-01", "holiday", "元旦")], actor=steward)
    assert not is_working_day(date(2027, 1, 1))
    import_rows([("2027-01-04", "holiday", "新")], actor=steward)
    assert days_of(2027) == [("2027-01-04", "holiday", "新")]
    assert days_of(2026) == [("2026-10-12", "holiday", "甲")]
    assert CalendarYear.objects.get(year=2027).revision == 2
    assert CalendarYear.objects.get(year=2026).revision == 1
    assert is_working_day(date(2027, 1, 1)), "the process cache saw the replacement at once"
    assert not is_working_day(date(2027, 1, 4))
    last = AuditEvent.objects.order_by("-id").first()
    assert last is not None
    assert last.before is not None and last.after is not None
    assert last.before["days"] == [["2027-01-01", "holiday", "元旦"]]
    assert last.after["days"] == [["2027-01-04", "holiday", "新"]]


def test_every_bad_row_is_reported_with_its_line_number_and_nothing_is_imported(steward: Any) -> None:
    rows = [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},  # line 2: fine
        {"date": "2027-13-01", "kind": "holiday", "name": ""},  # line 3: no month 13
        {"date": "2027-01-02", "kind": "holiday", "name": ""},  # line 4: fine
        {"date": "2027/01/05", "kind": "vacation", "name": ""},  # line 5: two errors
        {"date": "2027-01-01", "kind": "holiday", "name": "again"},  # line 6: listed twice
        {"date": "2027-01-06", "kind": "workday", "name": ""},  # line 7: a Wednesday cannot be 调休上班
        {"date": "2027-01-09", "kind": "workday", "name": "x" * 51},  # line 8: name too long
        {"date": "", "kind": "", "name": ""},  # line 9: empty
    ]
    with pytest.raises(SpreadsheetImportError) as refused:
        do_import_calendar(rows, actor=steward, now=NOW)
    assert [(p.row, p.column) for p in refused.value.problems] == [
        (3, "date"),
        (5, "date"),
        (5, "kind"),
        (6, "date"),
        (7, "kind"),
        (8, "name"),
        (9, "date"),
        (9, "kind"),
    ]
    assert "与第 2 行重复" in refused.value.problems[3].reason
    assert refused.value.status == 400
    assert refused.value.code == "invalid_calendar_rows"
    assert "第3行「date」" in refused.value.message
    assert not CalendarYear.objects.exists()
    assert not CalendarDay.objects.exists()
    assert not AuditEvent.objects.exists()
    assert day_info(date(2027, 1, 1)).source == "fallback"


def test_a_bad_row_keeps_the_existing_year_intact(steward: Any) -> None:
    import_rows([("2027-01-01", "holiday", "元旦")], actor=steward)
    with pytest.raises(SpreadsheetImportError):
        import_rows([("2027-01-04", "holiday", ""), ("2027-01-05", "nope", "")], actor=steward)
    assert days_of(2027) == [("2027-01-01", "holiday", "元旦")]
    assert CalendarYear.objects.get(year=2027).revision == 1


def test_empty_input_is_refused(steward: Any) -> None:
    with pytest.raises(SpreadsheetImportError) as refused:
        do_import_calendar([], actor=steward, now=NOW)
    assert refused.value.problems == [ImportProblem(2, "file", "文件中没有数据行")]


def test_only_people_with_the_calendar_right_may_import(clerk: Any, system_user: Any) -> None:
    with pytest.raises(PermissionRefused):
        import_rows([("2027-01-01", "holiday", "")], actor=clerk)
    with pytest.raises(PermissionRefused):
        import_rows([("2027-01-01", "holiday", "")], actor=None)
    assert not CalendarYear.objects.exists()
    import_rows([("2027-01-01", "holiday", "")], actor=system_user)
    assert CalendarYear.objects.filter(year=2027).exists()


def test_csv_header_is_checked() -> None:
    assert read_calendar_csv("Date,Kind,Name\n2027-01-01,holiday,元旦\n") == [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    ]
    with pytest.raises(DomainError) as refused:
        read_calendar_csv("day,type\n2027-01-01,holiday\n")
    assert refused.value.field == "file"
    assert "date" in refused.value.message and "kind" in refused.value.message


# ------------------------------------------------------------------------------------------ the command


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_command_imports_a_file_as_the_system_user(tmp_path: Path, system_user: Any) -> None:
    path = write(tmp_path, "\ufeffdate,kind,name\n2027-01-01,holiday,元旦\n2027-02-20,workday,\n")
    out = StringIO()
    call_command("import_calendar", str(path), "--source", "国办发明电", stdout=out)
    assert "已导入 2027 年：1 个节假日，1 个调休上班日" in out.getvalue()
    assert CalendarYear.objects.get(year=2027).source_note == "国办发明电"
    assert AuditEvent.objects.get().actor_id == system_user.pk


def test_command_lists_all_bad_rows_and_imports_nothing(tmp_path: Path, system_user: Any) -> None:
    path = write(tmp_path, "date,kind,name\n2027-01-01,holiday,\n2027-02-30,holiday,\n2027-01-01,workday,\n")
    with pytest.raises(CommandError) as refused:
        call_command("import_calendar", str(path))
    message = str(refused.value)
    assert "3 处错误" in message and "第3行" in message and "第4行" in message
    assert not CalendarYear.objects.exists()


def test_command_refuses_unknown_actor_missing_system_user_and_missing_file(
    tmp_path: Path, steward: Any, without_system_user: None
) -> None:
    path = write(tmp_path, "date,kind,name\n2027-01-01,holiday,\n")
    with pytest.raises(CommandError, match="没有系统账号"):
        call_command("import_calendar", str(path))
    with pytest.raises(CommandError, match="没有账号 nobody"):
        call_command("import_calendar", str(path), "--actor", "nobody")
    with pytest.raises(CommandError, match="无法读取"):
        call_command("import_calendar", str(tmp_path / "missing.csv"), "--actor", "steward")
    call_command("import_calendar", str(path), "--actor", "steward", stdout=StringIO())
    assert CalendarYear.objects.get(year=2027).source_note == "CSV 导入：calendar.csv"


def test_the_example_2027_file_is_valid_and_clearly_marked(system_user: Any) -> None:
    call_command("import_calendar", str(EXAMPLE_2027), stdout=StringIO())
    names = set(CalendarDay.objects.values_list("name", flat=True))
    assert names and all("示例" in name for name in names)
    readme = (EXAMPLE_2027.parent / "README.md").read_text(encoding="utf-8")
    assert "illustrative, not official" in readme
