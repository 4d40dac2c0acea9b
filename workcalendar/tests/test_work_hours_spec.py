"""parse_work_hours: OrgUnit.work_hours JSON into working periods."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from core.errors import DomainError
from workcalendar.service import DEFAULT_WORK_HOURS, add_duration, parse_work_hours
from workcalendar.tests.factories import local


def test_none_is_the_default() -> None:
    assert (
        parse_work_hours(None)
        == DEFAULT_WORK_HOURS
        == ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
    )


def test_custom_hours() -> None:
    assert parse_work_hours([["9:00", "12:00"], ["14:00", "18:00"]]) == (
        (time(9, 0), time(12, 0)),
        (time(14, 0), time(18, 0)),
    )
    assert parse_work_hours([["08:00", "16:00"]]) == ((time(8, 0), time(16, 0)),)


@pytest.mark.parametrize(
    "spec",
    [
        [],
        "08:30-17:30",
        [["08:30"]],
        [["08:30", "12:00", "13:00"]],
        [["8.30", "12:00"]],
        [["25:00", "26:00"]],
        [["12:00", "08:30"]],
        [["08:30", "08:30"]],
        [["13:30", "17:30"], ["08:30", "12:00"]],
        [["08:30", "12:00"], ["11:00", "17:30"]],
        [[830, 1200]],
        [["08:30", "12:000"]],
        {"from": "08:30"},
    ],
)
def test_bad_specs_name_the_field(spec: Any) -> None:
    with pytest.raises(DomainError) as refused:
        parse_work_hours(spec)
    assert refused.value.field == "work_hours"
    assert refused.value.code == "invalid_work_hours"


def test_bad_tuple_passed_straight_to_add_duration_is_refused(db: None) -> None:
    with pytest.raises(DomainError) as refused:
        add_duration(local(2026, 11, 2), 1, "work_hours", work_hours=((time(12), time(9)),))
    assert refused.value.field == "work_hours"
