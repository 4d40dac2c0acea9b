"""The calendar admin saves and deletes through the actions: validated, audited, cache invalidated."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from audit.models import AuditEvent
from workcalendar.models import CalendarDay, CalendarYear
from workcalendar.service import is_working_day
from workcalendar.tests.factories import import_rows

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/workcalendar/calendaryear/add/"


def calendar_events() -> Any:
    """Audit rows about the calendar (logging in writes its own audit row, not counted here)."""
    return AuditEvent.objects.filter(subject_type="workcalendar.calendaryear")


def change_url(year: int) -> str:
    return f"/admin/workcalendar/calendaryear/{year}/change/"


def inline(rows: list[tuple[str, str, str, str]], initial: int = 0, extra_blank: int = 1) -> dict[str, str]:
    """Inline formset POST data; each row is (id, date, kind, name)."""
    data = {
        "days-TOTAL_FORMS": str(len(rows) + extra_blank),
        "days-INITIAL_FORMS": str(initial),
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
    }
    for i, (pk, day, kind, name) in enumerate(rows):
        data |= {f"days-{i}-id": pk, f"days-{i}-date": day, f"days-{i}-kind": kind, f"days-{i}-name": name}
    for i in range(len(rows), len(rows) + extra_blank):
        data |= {f"days-{i}-id": "", f"days-{i}-date": "", f"days-{i}-kind": "", f"days-{i}-name": ""}
    return data


@pytest.fixture
def steward_client(steward: Any) -> Client:
    client = Client()
    client.force_login(steward)
    return client


def test_add_a_year_with_days(steward_client: Client, steward: Any) -> None:
    assert steward_client.get(ADD_URL).status_code == 200
    data = {"year": "2027", "source_note": "国办通知"} | inline(
        [("", "2027-01-01", "holiday", "元旦"), ("", "2027-02-20", "workday", "调休")]
    )
    response = steward_client.post(ADD_URL, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    calendar_year = CalendarYear.objects.get(year=2027)
    assert (calendar_year.source_note, calendar_year.revision) == ("国办通知", 1)
    assert list(CalendarDay.objects.values_list("date", "kind")) == [
        (date(2027, 1, 1), "holiday"),
        (date(2027, 2, 20), "workday"),
    ]
    event = calendar_events().get()
    assert (event.action, event.subject_id, event.actor_id) == ("workcalendar.save_year", "2027", steward.pk)
    assert not is_working_day(date(2027, 1, 1))


def test_change_a_year_edits_deletes_and_adds_days(steward_client: Client, steward: Any) -> None:
    import_rows([("2027-01-01", "holiday", "元旦"), ("2027-01-04", "holiday", "错")], actor=steward)
    first, second = CalendarDay.objects.order_by("date")
    assert steward_client.get(change_url(2027)).status_code == 200
    data = {"source_note": "更正"} | inline(
        [
            (str(first.pk), "2027-01-01", "holiday", "元旦节"),
            (str(second.pk), "2027-01-04", "holiday", "错"),
            ("", "2027-01-05", "holiday", "补"),
        ],
        initial=2,
    )
    data["days-0-calendar_year"] = data["days-1-calendar_year"] = "2027"
    data["days-1-DELETE"] = "on"
    response = steward_client.post(change_url(2027), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(CalendarDay.objects.values_list("date", "name")) == [
        (date(2027, 1, 1), "元旦节"),
        (date(2027, 1, 5), "补"),
    ]
    calendar_year = CalendarYear.objects.get(year=2027)
    assert (calendar_year.source_note, calendar_year.revision) == ("更正", 2)
    assert calendar_events().order_by("-id")[0].action == "workcalendar.save_year"
    assert is_working_day(date(2027, 1, 4))
    assert not is_working_day(date(2027, 1, 5))


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("", "2027-01-06", "workday", ""), "不能登记为调休上班日"),
        (("", "2028-01-03", "holiday", ""), "日期不属于 2027 年"),
    ],
)
def test_invalid_days_are_refused_on_the_form(
    steward_client: Client, row: tuple[str, str, str, str], message: str
) -> None:
    response = steward_client.post(ADD_URL, {"year": "2027", "source_note": ""} | inline([row]))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CalendarYear.objects.exists()
    assert not calendar_events().exists()


def test_delete_a_year(steward_client: Client, steward: Any) -> None:
    import_rows([("2026-10-12", "holiday", "")], actor=steward)
    assert is_working_day(date(2026, 10, 1))
    response = steward_client.post("/admin/workcalendar/calendaryear/2026/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarYear.objects.exists()
    assert not CalendarDay.objects.exists()
    assert calendar_events().order_by("-id")[0].action == "workcalendar.delete_year"
    assert not is_working_day(date(2026, 10, 1))  # back to chinese_calendar: National Day


def test_bulk_delete_goes_through_the_action(steward_client: Client, steward: Any) -> None:
    import_rows([("2026-10-12", "holiday", ""), ("2027-01-01", "holiday", "")], actor=steward)
    response = steward_client.post(
        "/admin/workcalendar/calendaryear/",
        {"action": "delete_selected", "_selected_action": ["2026", "2027"], "post": "yes"},
    )
    assert response.status_code == 302
    assert not CalendarYear.objects.exists()
    assert calendar_events().filter(action="workcalendar.delete_year").count() == 2


def test_staff_without_the_calendar_right_are_refused(clerk: Any) -> None:
    client = Client()
    client.force_login(clerk)
    assert client.get("/admin/workcalendar/calendaryear/").status_code == 403
    assert client.post(ADD_URL, {"year": "2027"} | inline([])).status_code == 403
    assert not CalendarYear.objects.exists()


def test_changelist_lists_years(steward_client: Client, steward: Any) -> None:
    import_rows([("2027-01-01", "holiday", ""), ("2027-02-20", "workday", "")], actor=steward)
    response = steward_client.get("/admin/workcalendar/calendaryear/")
    assert response.status_code == 200
    assert "2027" in response.content.decode()
