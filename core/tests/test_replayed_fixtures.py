"""The test helper that records a costly fixture's rows once and inserts them again in later tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from accounts.models import OrgUnit
from core.testing import replayed

pytestmark = pytest.mark.django_db


def rolled_back(call: Callable[[], Any]) -> tuple[Any, list[tuple[Any, ...]]]:
    """`call()` in a transaction that rolls back, as each test's does: its result and the units it saw."""
    with transaction.atomic():
        result = call()
        units = list(OrgUnit.objects.order_by("pk").values_list("pk", "code", "name", "parent_id"))
        transaction.set_rollback(True)
    return result, units


def test_the_second_run_inserts_the_recorded_rows_without_building(personas: dict[str, Any]) -> None:
    builds: list[str] = []

    def build() -> dict[str, int]:
        builds.append("built")
        parent = OrgUnit.objects.create(
            code="replay-a", name="甲", kind=OrgUnit.Kind.AGENCY, territory_code="320507"
        )
        child = OrgUnit.objects.create(
            code="replay-b", name="乙", kind=OrgUnit.Kind.AGENCY, territory_code="320507", parent=parent
        )
        return {"parent": parent.pk, "child": child.pk}

    first, seen_first = rolled_back(lambda: replayed(("test", "two units"), build))
    assert not OrgUnit.objects.filter(code__startswith="replay-").exists()
    second, seen_second = rolled_back(lambda: replayed(("test", "two units"), build))
    assert builds == ["built"]
    assert second == first and seen_second == seen_first
    assert {code for _, code, _, _ in seen_second} >= {"replay-a", "replay-b"}


def test_a_database_that_changed_since_the_recording_gets_a_real_build(personas: dict[str, Any]) -> None:
    builds: list[str] = []

    def build() -> int:
        builds.append("built")
        return OrgUnit.objects.create(
            code="replay-c", name="丙", kind=OrgUnit.Kind.AGENCY, territory_code="320507"
        ).pk

    rolled_back(lambda: replayed(("test", "one unit"), build))

    def after_another_write() -> int:
        OrgUnit.objects.create(code="replay-d", name="丁", kind=OrgUnit.Kind.AGENCY, territory_code="320507")
        return int(replayed(("test", "one unit"), build))

    rolled_back(after_another_write)
    assert builds == ["built", "built"]


def test_work_queued_for_after_the_commit_is_never_replayed(personas: dict[str, Any]) -> None:
    builds: list[str] = []

    def build() -> None:
        builds.append("built")
        OrgUnit.objects.create(code="replay-e", name="戊", kind=OrgUnit.Kind.AGENCY, territory_code="320507")
        transaction.on_commit(lambda: None)

    rolled_back(lambda: replayed(("test", "queues work"), build))
    rolled_back(lambda: replayed(("test", "queues work"), build))
    assert builds == ["built", "built"]
