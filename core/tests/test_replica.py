"""The replica router: with REPLICA_READS on, the reads of the list views are routed to the "replica"
alias (here a mirror of the test database that shares the primary's connection, so it sees the test's
own rows), while authentication, writes and other views stay on the primary; with it off (no
DATABASE_REPLICA_URL) nothing is routed there."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from rest_framework.test import APIClient

from core import replica as replica_module
from workflow.bulk import StartSpec, do_start_items_bulk
from workflow.tests.conftest import GRID, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """(model label, alias) of every read routing decision; the replica alias shares the primary's
    connection (the test's rows live in its open transaction)."""
    decisions: list[tuple[str, str]] = []
    original = replica_module.ReplicaRouter.db_for_read

    def spy(self: Any, model: type[Any], **hints: Any) -> str | None:
        alias = original(self, model, **hints)
        decisions.append((model._meta.label_lower, alias or "default"))
        return alias

    monkeypatch.setattr(replica_module.ReplicaRouter, "db_for_read", spy)
    monkeypatch.setattr(connections._connections, "replica", connections["default"], raising=False)  # type: ignore[attr-defined]
    yield decisions


def test_list_reads_go_to_the_replica_and_writes_to_the_primary(
    personas: dict[str, Any], settings: Any, routed: list[tuple[str, str]]
) -> None:
    settings.REPLICA_READS = True
    specs = [StartSpec(title="占道经营", territory_code=GRID)]
    do_start_items_bulk("sample_complaint", specs, actor=personas["dispatcher"], now=at(2026, 10, 8))
    client = APIClient()
    client.force_authenticate(personas["dispatcher"])
    routed.clear()
    response = client.get("/api/v1/work-items/")
    assert response.status_code == 200 and response.json()["count"] == 1
    assert ("workflow.workitem", "replica") in routed
    routed.clear()
    body = {"process": "sample_complaint", "title": "积存垃圾", "territory_code": GRID}
    assert client.post("/api/v1/work-items/", body, format="json").status_code == 201
    assert routed and {alias for _model, alias in routed} == {"default"}  # a write's reads: primary


def test_staff_pages_read_the_session_and_user_from_the_primary(
    personas: dict[str, Any], settings: Any, routed: list[tuple[str, str]]
) -> None:
    settings.REPLICA_READS = True
    client = Client()
    client.force_login(personas["dispatcher"])
    routed.clear()
    assert client.get("/work/").status_code == 200
    assert ("sessions.session", "default") in routed and ("accounts.user", "default") in routed
    assert ("workflow.workitem", "replica") in routed
    assert ("sessions.session", "replica") not in routed


def test_without_a_replica_nothing_is_routed(
    personas: dict[str, Any], settings: Any, routed: list[tuple[str, str]]
) -> None:
    settings.REPLICA_READS = False
    client = APIClient()
    client.force_authenticate(personas["dispatcher"])
    assert client.get("/api/v1/work-items/").status_code == 200
    assert routed and {alias for _model, alias in routed} == {"default"}


def test_the_replica_is_never_migrated() -> None:
    router = replica_module.ReplicaRouter()
    assert router.allow_migrate("replica", "workflow") is False
    assert router.allow_migrate("default", "workflow") is True
