"""`POST /api/v1/work-items/` starts only processes no stream owns: an item of a stream's process made there
would have no stream record behind it, every action on it would be refused (409 `no_subject`) and it
would wait in a reviewer's queue for ever. Each published definition is tried with a starter who holds
one of its start roles: a stream's process is refused (422 `started_by_stream`, field `process`, naming
the stream's own door) and nothing is written; the engine's own sample process still starts."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.urls import resolve
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import AuditEvent
from outbox.models import OutboxMessage
from workflow.actors import actor_roles
from workflow.handlers import definitions_on_disk, start_door
from workflow.models import ProcessVersion, Transition, WorkItem
from workflow.tests.conftest import GRID, at

pytestmark = pytest.mark.django_db

# The processes with no stream record behind them: what the generic door may start. Stated here, not
# read from the bindings, so a stream process bound as startable anywhere fails this test.
GENERIC = {"sample_complaint"}
DEFINITIONS = definitions_on_disk()
STREAMS = sorted(set(DEFINITIONS) - GENERIC)
NOW = at(2026, 10, 8)
# Whoever first holds a start role of the process (all of them see GRID); the system for its own.
STARTERS = ("hq_grid", "hq_agency", "hq_officer", "dispatcher", "system")


def starter(process: str, personas: dict[str, Any]) -> User:
    roles = set(DEFINITIONS[process][1].start_roles)
    return next(personas[name] for name in STARTERS if actor_roles(personas[name]) & roles)


def create(user: User, process: str, **extra: str) -> Any:
    client = APIClient()
    client.force_authenticate(user)
    body = {"process": process, "title": "通用入口发起", "territory_code": GRID, **extra}
    with time_machine.travel(NOW, tick=False):
        return client.post("/api/v1/work-items/", body, format="json")


def written() -> dict[str, int]:
    return {
        "items": WorkItem.objects.count(),
        "transitions": Transition.objects.count(),
        "audit": AuditEvent.objects.count(),
        "notifications": OutboxMessage.objects.count(),
        "versions": ProcessVersion.objects.count(),
    }


def test_the_streams_are_every_published_process_but_the_sample() -> None:
    assert set(DEFINITIONS) >= GENERIC | {"grid_event", "dataset_grant", "fund_payment", "command_warning"}
    assert len(STREAMS) == len(DEFINITIONS) - 1


@pytest.mark.parametrize("process", STREAMS)
def test_a_streams_process_is_refused_and_nothing_is_written(personas: dict[str, Any], process: str) -> None:
    before = written()
    refused = create(starter(process, personas), process)
    assert refused.status_code == 422, refused.json()
    [error] = refused.json()["errors"]
    assert (error["code"], error["field"]) == ("started_by_stream", "process")
    door = str(start_door(process))
    assert process in error["message"] and door in error["message"]
    assert written() == before


@pytest.mark.parametrize("process", STREAMS)
def test_the_door_a_refusal_names_exists(process: str) -> None:
    """Each path a stream's door names resolves to a view (a renamed URL must not leave a dead hint)."""
    door = str(start_door(process))
    for path in re.findall(r"/[\w/-]+/", door):
        assert resolve(path), (process, path)


@pytest.mark.parametrize("process", sorted(GENERIC))
def test_a_process_no_stream_owns_still_starts(personas: dict[str, Any], process: str) -> None:
    assert start_door(process) is None
    created = create(starter(process, personas), process)
    assert created.status_code == 201, created.json()
    assert WorkItem.objects.get(pk=created.json()["id"]).process_name == process


def test_the_outsider_is_refused_alike(personas: dict[str, Any]) -> None:
    """Another town's worker, in their own grid: the same refusal (it says nothing of 黄桥's data)."""
    refused = create(personas["wt_grid"], "fund_payment", territory_code="320507105201001")
    assert refused.status_code == 422 and refused.json()["errors"][0]["code"] == "started_by_stream"
    assert not WorkItem.objects.exists()


def test_a_stream_record_named_as_subject_does_not_open_the_door(personas: dict[str, Any]) -> None:
    """Naming a subject does not help: the process is refused before the subject is looked at."""
    refused = create(
        personas["hq_grid"], "registry_change", subject_type="accounts.orgunit", subject_id="987654"
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["code"] == "started_by_stream"


def test_bad_input_is_still_400(personas: dict[str, Any]) -> None:
    missing = create(personas["dispatcher"], "")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "process"
    unknown = create(personas["dispatcher"], "no_such_process")
    assert unknown.status_code == 400
    assert (unknown.json()["errors"][0]["code"], unknown.json()["errors"][0]["field"]) == (
        "unknown_process",
        "process",
    )


def test_the_refusal_reads_in_english(personas: dict[str, Any]) -> None:
    client = APIClient()
    client.force_authenticate(personas["hq_agency"])
    body = {"process": "dataset_grant", "title": "通用入口发起", "territory_code": GRID}
    with time_machine.travel(NOW, tick=False):
        refused = client.post("/api/v1/work-items/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.json()["errors"][0]["message"] == (
        "Items of process dataset_grant are started only at their stream's own door: a data use request"
        " (POST /api/v1/datashare/grants/). The generic work-item endpoint cannot start them."
    )
