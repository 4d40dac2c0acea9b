"""command_warning through both doors (tests/two_doors.py): every action walked on two warnings in lockstep
— `do_act_on_warning` (the warnings API, the desk panel and page) and the generic work-item endpoint (the
sweeper's door for the system's 督办) — with the same state, measures, finish time, audit rows and
notifications. A work item of the process without a warning is refused at either door."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from command.warnings.actions import do_act_on_warning
from command.warnings.models import EarlyWarning
from tests.two_doors import Move, Streams, uncovered
from workflow.models import WorkItem
from workflow.start import do_start_item

from .conftest import HUANGQIAO

pytestmark = pytest.mark.django_db


def _door(warning: EarlyWarning, move: Move, actor: User, now: datetime) -> None:
    do_act_on_warning(
        warning, move.action, actor=actor, now=now, reason=move.reason, inputs=dict(move.inputs)
    )


def _item(warning: EarlyWarning) -> WorkItem:
    return WorkItem.objects.get(pk=warning.work_item_id)


def _records(warning: EarlyWarning) -> dict[str, Any]:
    warning.refresh_from_db()
    return {"measures": warning.measures, "finished_at": warning.finished_at}


@pytest.fixture
def streams(people: dict[str, User], plant: Callable[..., EarlyWarning]) -> Streams:
    made = iter(range(100))
    return Streams(
        process="command_warning",
        people=people,
        make=lambda now: plant(f"walk{next(made)}", at=now),
        stream_door=_door,
        item_of=_item,
        records=_records,
    )


ROUTES = {
    "handled": [
        Move("supervise", "supervisor"),
        Move("acknowledge", "dispatcher"),
        Move("supervise_handling", "system"),
        Move("handle", "hq_leader", inputs={"measures": "已派城管中队清理"}),
        Move("close", "dispatcher"),
    ],
    "dismissed": [Move("acknowledge", "hq_leader"), Move("dismiss", "dispatcher", reason="现场核实为误报")],
    "dismissed_at_once": [Move("dismiss", "supervisor", reason="重复预警")],
    "withdrawn": [
        Move("acknowledge", "dispatcher"),
        Move("handle", "hq_leader", inputs={"measures": "已通知村里配备网格长"}),
        Move("withdraw", "system", reason="预警条件已解除"),
    ],
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_step_is_the_same_through_both_doors(streams: Streams, now: datetime, route: str) -> None:
    assert streams.walk(ROUTES[route], now) == [m.action for m in ROUTES[route]]


def test_the_routes_take_every_action(streams: Streams, now: datetime) -> None:
    assert uncovered(list(ROUTES.values()), streams.actions(now)) == set()


def test_an_item_without_its_warning_is_refused(people: dict[str, User], now: datetime) -> None:
    item = do_start_item(
        "command_warning", actor=people["system"], now=now, title="无预警", territory_code=HUANGQIAO
    )
    api = APIClient()
    api.force_authenticate(people["dispatcher"])
    refused = api.post(f"/api/v1/work-items/{item.pk}/transitions/", {"action": "acknowledge"}, format="json")
    assert refused.status_code == 409 and refused.json()["errors"][0]["code"] == "no_subject"
    # Only the warning rules start a warning's item: not through the generic create door.
    created = api.post(
        "/api/v1/work-items/",
        {"process": "command_warning", "title": "手工预警", "territory_code": HUANGQIAO},
        format="json",
    )
    assert created.status_code == 422 and created.json()["errors"][0]["code"] == "started_by_stream"
