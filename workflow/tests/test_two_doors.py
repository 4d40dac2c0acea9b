"""sample_complaint through both doors (tests/two_doors.py): the engine's own example process has no stream
behind it, so its "stream door" is the /work/ item page's action form; every action walked on two items in
lockstep through that page and the generic work-item endpoint, with the same results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.two_doors import Move, Streams, uncovered
from workflow.models import WorkItem
from workflow.start import do_start_item
from workflow.tests.conftest import GRID, URBAN, at

pytestmark = pytest.mark.django_db


def _page_door(item: WorkItem, move: Move, actor: Any, now: datetime) -> None:
    client = Client()
    client.force_login(actor)
    data = {
        "action": move.action,
        "reason": move.reason,
        "version": str(WorkItem.objects.get(pk=item.pk).version),
        # As the page's script posts a destructive action once its dialog is accepted (workflow/confirm.py).
        "confirmed": "1",
    }
    for key, value in move.inputs.items():
        if key == "attachments":
            data["attachments"] = ",".join(value)
        else:
            data[f"field_{key}"] = value
    with time_machine.travel(now, tick=False):
        response = client.post(f"/work/items/{item.pk}/act/", data)
    assert response.status_code == 303, (move.action, response.content.decode()[:2000])


@pytest.fixture
def streams(personas: dict[str, Any]) -> Streams:
    def make(now: datetime) -> WorkItem:
        return do_start_item(
            "sample_complaint",
            actor=personas["dispatcher"],
            now=now,
            title="占道经营投诉",
            territory_code=GRID,
        )

    def item_of(item: WorkItem) -> WorkItem:
        item.refresh_from_db()
        return item

    return Streams(
        process="sample_complaint",
        people=personas,
        make=make,
        stream_door=_page_door,
        item_of=item_of,
        records=lambda item: {},
    )


DISPATCH = Move("dispatch", "dispatcher", inputs={"assigned_unit": URBAN})
CLAIM = Move("claim", "hq_agency")
SUBMIT = Move("submit", "hq_agency", inputs={"result": "已劝离", "attachments": ["photo-1"]})
ROUTES = {
    "closed": [
        DISPATCH,
        CLAIM,
        Move("park", "hq_agency", reason="等待当事人回复"),
        Move("resume", "hq_agency"),
        Move("request_extension", "hq_agency", reason="需联合执法"),
        Move("approve_extension", "dispatcher"),
        Move("request_extension", "hq_agency", reason="仍需时间"),
        Move("reject_extension", "dispatcher", reason="不予延期"),
        Move("supervise", "dispatcher"),
        SUBMIT,
        Move("rework", "dispatcher", reason="仍有摊位"),
        SUBMIT,
        Move("close", "dispatcher"),
    ],
    "voided": [Move("void", "dispatcher", reason="重复投诉")],
    "sent_back": [DISPATCH, CLAIM, Move("send_back", "hq_agency", reason="非本单位职责")],
    "escalated": [DISPATCH, CLAIM, Move("escalate", "hq_agency", reason="需街道协调")],
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_step_is_the_same_through_both_doors(streams: Streams, route: str) -> None:
    assert streams.walk(ROUTES[route], at(2026, 9, 29)) == [m.action for m in ROUTES[route]]


def test_the_routes_take_every_action(streams: Streams) -> None:
    assert uncovered(list(ROUTES.values()), streams.actions(at(2026, 9, 29))) == set()
