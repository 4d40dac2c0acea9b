"""The periodic job and the on-demand command: each report is made once per kind × territory × period
(Asia/Shanghai periods), whether the job runs twice, two runs race, or a past month is asked for again."""

from __future__ import annotations

from datetime import date, datetime
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from command.reports import actions, render
from command.reports.models import Report
from command.reports.periods import last_completed, parse_period, period_containing
from command.tasks import generate_periodic_reports
from command.tests.reports_support import APRIL_2, SHANGHAI, generate
from core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_the_hourly_job_makes_the_last_finished_periods_once(territory: Any, media: Any) -> None:
    with time_machine.travel(APRIL_2, tick=False):
        first = generate_periodic_reports.call_local()
        second = generate_periodic_reports.call_local()
    # 相城区 and its two towns × (week 13, March, the first quarter), and each town's village for March
    assert first == {"generated": 11, "existing": 0} and second == {"generated": 0, "existing": 11}
    assert set(Report.objects.values_list("kind", "period").distinct()) == {
        ("weekly", "2026-W13"),
        ("monthly", "2026-03"),
        ("quarterly", "2026-Q1"),
    }
    assert Report.objects.filter(territory_code="320507").count() == 3
    assert set(
        Report.objects.filter(territory_code__in=["320507003201", "320507105201"]).values_list(
            "territory_code", "kind", "period"
        )
    ) == {("320507003201", "monthly", "2026-03"), ("320507105201", "monthly", "2026-03")}


def test_a_concurrent_run_that_loses_the_insert_is_a_no_op(
    territory: Any, media: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While this run renders, another one commits the same report: the unique constraint refuses the
    second row, this run answers with the winner's report and removes the files it wrote."""
    real_pdf = render.pdf
    raced: dict[str, Any] = {}

    def pdf_while_another_run_wins(content: Any, *, generated_at: Any) -> bytes:
        if not raced:
            raced["started"] = True
            raced["winner"] = generate("320507003")[0]
        return real_pdf(content, generated_at=generated_at)

    monkeypatch.setattr(render, "pdf", pdf_while_another_run_wins)
    report, made = generate("320507003")
    assert not made and report.pk == raced["winner"].pk
    assert Report.objects.count() == 1
    assert sorted(default_storage.listdir("command/reports/320507003")[1]) == [
        "320507003-monthly-2026-03.pdf",
        "320507003-monthly-2026-03.xlsx",
    ]


def test_generate_report_command_makes_a_past_month(territory: Any, media: Any) -> None:
    out = StringIO()
    with time_machine.travel(APRIL_2, tick=False):
        call_command("generate_report", kind="monthly", period="2026-02", code="320507003", stdout=out)
        call_command("generate_report", kind="monthly", period="2026-02", code="320507003", stdout=out)
    assert out.getvalue().splitlines() == [
        "2026-02 monthly: generated 1, already there 0",
        "2026-02 monthly: generated 0, already there 1",
    ]
    report = Report.objects.get()
    assert (report.first_day, report.end_day) == (date(2026, 2, 1), date(2026, 3, 1))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kind": "yearly", "period": "2026"}, "kind:"),
        ({"kind": "monthly", "period": "2026-4"}, "period:"),
        ({"kind": "monthly", "period": "2026-13"}, "period:"),
        ({"kind": "monthly", "period": "2026-04"}, "尚未结束"),  # the month in progress
        ({"kind": "quarterly", "period": "2026-Q3"}, "尚未结束"),  # the future
        (
            {"kind": "weekly", "period": "2026-W10", "code": "320507003201"},
            "code:",
        ),  # a village: monthly only
    ],
)
def test_generate_report_command_refuses_bad_input(
    territory: Any, options: dict[str, str], message: str
) -> None:
    with time_machine.travel(APRIL_2, tick=False), pytest.raises(CommandError, match=message):
        call_command("generate_report", stdout=StringIO(), **options)
    assert not Report.objects.exists()


def test_periods_in_local_days() -> None:
    assert period_containing("weekly", date(2026, 3, 31)).key == "2026-W14"
    week = period_containing("weekly", date(2026, 1, 1))
    assert (week.key, week.first_day, week.end_day) == ("2026-W01", date(2025, 12, 29), date(2026, 1, 5))
    december = period_containing("monthly", date(2026, 12, 31))
    assert (december.first_day, december.end_day, december.label) == (
        date(2026, 12, 1),
        date(2027, 1, 1),
        "2026年12月",
    )
    q4 = period_containing("quarterly", date(2026, 11, 5))
    assert (q4.key, q4.first_day, q4.end_day) == ("2026-Q4", date(2026, 10, 1), date(2027, 1, 1))
    # At 00:30 on 1 April in Shanghai it is still 31 March in UTC: March is over all the same.
    just_after = datetime(2026, 4, 1, 0, 30, tzinfo=SHANGHAI)
    assert last_completed("monthly", just_after.date()).key == "2026-03"
    assert last_completed("quarterly", date(2026, 3, 31)).key == "2025-Q4"
    assert parse_period("weekly", "2026-W14", today=date(2026, 4, 6)).first_day == date(2026, 3, 30)
    with pytest.raises(DomainError) as refused:
        parse_period("weekly", "2026-W14", today=date(2026, 4, 5))
    assert (refused.value.code, refused.value.field) == ("period_not_over", "period")
    with pytest.raises(DomainError) as refused:
        parse_period("weekly", "2026-W54", today=date(2027, 4, 5))
    assert refused.value.code == "invalid_period"


def test_villages_have_monthly_reports_only_and_grids_none(territory: Any) -> None:
    assert actions.report_territory("320507003201", "monthly").name == "黄桥测试村"
    for code, kind in (
        ("320507003201", "weekly"),
        ("320507003201", "quarterly"),
        ("320507003201001", "monthly"),
    ):
        with pytest.raises(DomainError) as refused:
            actions.report_territory(code, kind)
        assert refused.value.code == "not_found"


def test_the_job_is_a_periodic_task_due_at_minute_20() -> None:
    """The consumer's scheduler runs it hourly; a run between two finished periods is a no-op anyway."""
    from huey.contrib.djhuey import HUEY

    assert generate_periodic_reports.task_class in {
        type(task) for task in HUEY.read_periodic(datetime(2026, 4, 2, 2, 20))
    }
    assert generate_periodic_reports.task_class not in {
        type(task) for task in HUEY.read_periodic(datetime(2026, 4, 2, 2, 21))
    }
