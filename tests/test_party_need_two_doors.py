"""party_service_need through both doors (tests/two_doors.py): a need found on a 联户 visit, walked on two
needs in lockstep — the party's need page (`/party/needs/<id>/`, what the grid worker uses) and the generic
work-item endpoint — with the same state, the same need (the application linked, its receipt number), audit
rows and the member told. Each need has its own proxy application filed by the grid worker after the need
was raised (approvals' 代办), which `file` links. Refusals alike at both doors: a grid head linking (the
step is the grid worker's), a return without a reason, a receipt that is not the worker's own."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from party.models import VisitNeed
from party.needs import do_raise_need
from tests.test_party_need_proxy import at, proxy, world  # noqa: F401 (the fixture)
from tests.two_doors import Move, Streams, present, uncovered
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db

PROCESS = "party_service_need"


def _door(need: VisitNeed, move: Move, actor: User, now: datetime) -> None:
    """The need page, as the grid worker posts it (a return confirmed, as the page's dialog does)."""
    client = Client()
    client.force_login(actor)
    posted = {"action": move.action, "reason": move.reason, "confirmed": "1", **move.inputs}
    with time_machine.travel(now, tick=False):
        response = client.post(f"/party/needs/{need.pk}/", posted)
    assert response.status_code == 303, (move.action, response.status_code, response.content.decode()[:400])


def _item(need: VisitNeed) -> WorkItem:
    return WorkItem.objects.get(pk=need.work_item_id)


@pytest.fixture
def streams(world: dict[str, Any]) -> Streams:  # noqa: F811
    receipts: dict[int, str] = {}

    def make(now: datetime) -> VisitNeed:
        need = do_raise_need(
            world["visit"], "户主需办理养老保险参保登记。", actor=world["member_user"], now=now
        )
        # The grid worker files the application by proxy a minute later (approvals' own rules).
        with time_machine.travel(now + timedelta(minutes=1), tick=False):
            application = proxy(world, "hq_grid", int((now - at(0)).total_seconds() // 60) + 1)
        receipts[need.pk] = application.receipt_no
        return need

    def records(need: VisitNeed) -> dict[str, Any]:
        need.refresh_from_db()
        return {
            "linked": present(need.application_id),
            "receipt_is_its_own": need.receipt_no == receipts[need.pk] if need.receipt_no else None,
            "description": need.description,
        }

    def resolve(need: VisitNeed, move: Move) -> Move:
        if move.action != "file" or "receipt_no" in move.inputs:
            return move
        return Move(move.action, move.actor, move.reason, {"receipt_no": receipts[need.pk]}, move.at)

    return Streams(
        process=PROCESS,
        people=world["users"],
        make=make,
        stream_door=_door,
        item_of=_item,
        records=records,
        resolve=resolve,
    )


ROUTES: dict[str, list[Move]] = {
    "filed_by_proxy": [Move("file", "hq_grid")],
    "returned": [Move("decline", "hq_grid", reason="户主已自行办理。")],
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_step_is_the_same_through_both_doors(streams: Streams, route: str) -> None:
    assert streams.walk(ROUTES[route], at(20)) == [m.action for m in ROUTES[route]]


def test_the_routes_take_every_action(streams: Streams) -> None:
    assert uncovered(list(ROUTES.values()), streams.actions(at(20))) == set()
