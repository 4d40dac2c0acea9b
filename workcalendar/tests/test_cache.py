"""The per-process year cache: warm calls never query; a cold process queries the table fingerprint once
and each table year once; this process's own changes are seen at once, another process's at the next
recheck."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from workcalendar import service
from workcalendar.models import CalendarDay, CalendarYear, DayKind
from workcalendar.service import add_duration, elapsed, is_working_day
from workcalendar.tests.conftest import NOW
from workcalendar.tests.factories import import_rows, local

pytestmark = pytest.mark.django_db


def test_warm_calls_do_not_touch_the_database(steward: Any, django_assert_num_queries: Any) -> None:
    import_rows([("2027-01-01", "holiday", "元旦")], actor=steward)
    start = local(2026, 12, 1, 9)
    add_duration(start, 400, "work_days")  # loads 2026, 2027, 2028
    with django_assert_num_queries(0):
        for i in range(2000):
            moment = start + timedelta(hours=i)
            add_duration(moment, i % 40, "work_days")
            add_duration(moment, i % 60, "work_hours")
            elapsed(start, moment, "work_days")


def test_cold_process_queries_the_fingerprint_once_and_each_table_year_once(
    steward: Any, django_assert_num_queries: Any
) -> None:
    import_rows([("2027-01-01", "holiday", "元旦")], actor=steward)
    service.invalidate()
    with django_assert_num_queries(1):
        add_duration(local(2026, 3, 2, 9), 3, "work_days")  # 2026: chinese_calendar, no table rows to read
    with django_assert_num_queries(1):
        add_duration(local(2026, 12, 30, 9), 3, "work_days")  # 2027: its table rows, once
    with django_assert_num_queries(0):
        add_duration(local(2027, 3, 2, 9), 3, "work_days")


def test_a_change_made_elsewhere_is_seen_at_the_next_recheck(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "RECHECK_SECONDS", 3600.0)
    assert is_working_day(date(2027, 1, 1))
    # Another process (no invalidate() here) adds 2027 with New Year's Day off.
    year = CalendarYear.objects.create(year=2027, published_at=NOW)
    CalendarDay.objects.create(calendar_year=year, date=date(2027, 1, 1), kind=DayKind.HOLIDAY)
    assert is_working_day(date(2027, 1, 1)), "within the recheck interval the cached year is used"
    monkeypatch.setattr(service, "RECHECK_SECONDS", 0.0)
    assert not is_working_day(date(2027, 1, 1))
    # ... and then revises it: the revision number changes the fingerprint.
    CalendarDay.objects.filter(date=date(2027, 1, 1)).update(date=date(2027, 1, 4))
    CalendarYear.objects.filter(year=2027).update(revision=2)
    assert is_working_day(date(2027, 1, 1))
    assert not is_working_day(date(2027, 1, 4))


def test_deleting_a_year_through_the_action_is_seen_at_once(steward: Any) -> None:
    from workcalendar.actions import do_delete_calendar_year

    import_rows([("2026-10-12", "holiday", "")], actor=steward)
    assert service.day_info(date(2026, 10, 1)).source == "table"
    do_delete_calendar_year(2026, actor=steward, now=NOW)
    assert service.day_info(date(2026, 10, 1)).source == "chinese_calendar"
    assert not is_working_day(date(2026, 10, 1))
