"""What one `transition()` costs the database once the process caches hold the reference rows: the locked
row (no joins), the actor's roles, the new assignee with their unit membership, then the four rows it
writes. The pinned version, the unit and the territory come from the process caches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workflow.engine import transition
from workflow.models import WorkItem
from workflow.tests.conftest import URBAN, at

pytestmark = pytest.mark.django_db


def dispatch(item: WorkItem, personas: dict[str, Any], day: int) -> WorkItem:
    return transition(
        item,
        "dispatch",
        actor=personas["dispatcher"],
        now=at(2026, 9, day),
        inputs={"assigned_unit": URBAN, "assignee": "hq_agency"},
    )


def statements(sql: list[str], verb: str) -> list[str]:
    return [q for q in sql if q.lstrip().upper().startswith(verb)]


def test_a_dispatch_reads_three_rows_and_writes_four(
    personas: dict[str, Any], start_item: Callable[..., WorkItem]
) -> None:
    first, second = start_item(at(2026, 9, 28)), start_item(at(2026, 9, 28, 11))
    dispatch(first, personas, 29)  # fills the process caches (version, unit, territory)
    with CaptureQueriesContext(connection) as captured:
        done = dispatch(second, personas, 29)
    sql = [q["sql"] for q in captured.captured_queries]
    assert done.state == "handling" and done.assignee == personas["hq_agency"]
    assert done.assigned_unit is not None and done.assigned_unit.code == URBAN
    selects = statements(sql, "SELECT")
    assert len(selects) == 3, selects  # the locked item, the actor's roles, the assignee in the unit
    assert "JOIN" not in selects[0].upper()
    if connection.vendor == "postgresql":
        assert "FOR UPDATE" in selects[0].upper()
    assert len(statements(sql, "UPDATE")) == 1  # the work item
    inserts = statements(sql, "INSERT")
    tables = sorted(q.split('"')[1] for q in inserts)
    assert tables == ["audit_auditevent", "workflow_outboxmessage", "workflow_transition"]


def test_an_unknown_unit_or_assignee_is_refused_with_nothing_written(
    personas: dict[str, Any], start_item: Callable[..., WorkItem]
) -> None:
    from core.errors import DomainError

    item = start_item(at(2026, 9, 28))
    before = item.version
    dispatch(start_item(at(2026, 9, 28, 11)), personas, 29)  # the unit now held in the cache
    for inputs, field in (
        ({"assigned_unit": "no-such-unit"}, "inputs.assigned_unit"),
        ({"assigned_unit": URBAN, "assignee": "dispatcher"}, "inputs.assignee"),  # not in the unit
    ):
        with pytest.raises(DomainError) as refused:
            transition(item, "dispatch", actor=personas["dispatcher"], now=at(2026, 9, 29), inputs=inputs)
        assert refused.value.code == "invalid" and refused.value.field == field
        item.refresh_from_db()
        assert item.state == "registered" and item.version == before
