"""party_service_need through both doors (tests/two_doors.py): a need found on a 联户 visit, walked on two
needs in lockstep — a stream door (the party's need page `/party/needs/<id>/`, what the grid worker uses
on the web, or the party API `POST /api/v1/party/needs/<id>/actions/`, what an app uses: each walk runs
once per stream door) and the generic work-item endpoint — with the same state, the same need (the
application linked, its receipt number), audit rows and the people told. Each need has its own proxy
application filed by the grid worker after the need was raised (approvals' 代办), which `file` links. The
system's late steps (remind, escalate) are taken as the sweeper takes them, through the engine. Refusals
alike at each stream door and the generic one: a grid head linking (the step is the grid worker's), a return
without a reason, a receipt that is not the worker's own, the system's step taken by a person."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from core.errors import DomainError
from party.models import VisitNeed
from party.needs import do_raise_need
from tests.test_party_need_proxy import at, proxy, world  # noqa: F401 (the fixture)
from tests.two_doors import Move, Streams, present, uncovered
from workflow.engine import transition
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db

PROCESS = "party_service_need"


def _system(need: VisitNeed, move: Move, actor: User, now: datetime) -> bool:
    """The system's steps have no stream door of their own: the sweeper takes them through the engine."""
    if not actor.is_system:
        return False
    transition(_item(need), move.action, actor=actor, now=now, reason=move.reason, inputs=dict(move.inputs))
    return True


def _post_page(need: VisitNeed, move: Move, actor: User, now: datetime) -> Any:
    client = Client()
    client.force_login(actor)
    posted = {"action": move.action, "reason": move.reason, "confirmed": "1", **move.inputs}
    with time_machine.travel(now, tick=False):
        return client.post(f"/party/needs/{need.pk}/", posted)


def _page_door(need: VisitNeed, move: Move, actor: User, now: datetime) -> None:
    """The need page, as the grid worker posts it (a return confirmed, as the page's dialog does)."""
    if _system(need, move, actor, now):
        return
    response = _post_page(need, move, actor, now)
    assert response.status_code == 303, (move.action, response.status_code, response.content.decode()[:400])


def _post_api(need: VisitNeed, move: Move, actor: User, now: datetime) -> Any:
    client = APIClient()
    client.force_authenticate(actor)
    with time_machine.travel(now, tick=False):
        return client.post(
            f"/api/v1/party/needs/{need.pk}/actions/",
            {"action": move.action, "reason": move.reason, **move.inputs},
            format="json",
        )


def _api_door(need: VisitNeed, move: Move, actor: User, now: datetime) -> None:
    """The party API, as an app posts it."""
    if _system(need, move, actor, now):
        return
    response = _post_api(need, move, actor, now)
    if response.status_code != 200:  # a refusal, as the door answered it (the walk's refusals compare it)
        [error] = response.json()["errors"]
        raise DomainError(error["code"], error["message"], error["field"], status=response.status_code)
    assert response.json()["state"] == _item(need).state


DOORS = {"page": _page_door, "api": _api_door}


def _item(need: VisitNeed) -> WorkItem:
    return WorkItem.objects.get(pk=need.work_item_id)


def _streams(world: dict[str, Any], door: Any) -> Streams:  # noqa: F811
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
        stream_door=door,
        item_of=_item,
        records=records,
        resolve=resolve,
    )


@pytest.fixture(params=sorted(DOORS))
def streams(request: pytest.FixtureRequest, world: dict[str, Any]) -> Streams:  # noqa: F811
    return _streams(world, DOORS[request.param])


ROUTES: dict[str, list[Move]] = {
    "filed_by_proxy": [Move("file", "hq_grid")],
    "returned": [Move("decline", "hq_grid", reason="户主已自行办理。")],
    # Late: the sweeper reminds (at the request's limit), the grid worker then files it.
    "filed_late": [Move("remind", "system"), Move("file", "hq_grid")],
    # Later still: escalated to the branch secretary and the village, whose secretary returns it.
    "returned_after_escalation": [
        Move("remind", "system"),
        Move("escalate", "system"),
        Move("decline", "hq_sec", reason="户主已搬离本村。"),
    ],
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_step_is_the_same_through_both_doors(streams: Streams, route: str) -> None:
    assert streams.walk(ROUTES[route], at(20)) == [m.action for m in ROUTES[route]]


def test_the_routes_take_every_action(streams: Streams) -> None:
    assert uncovered(list(ROUTES.values()), streams.actions(at(20))) == set()


REFUSED = {
    "grid_head_links": (Move("file", "hq_sec"), 403, "not_allowed"),
    "return_without_reason": (Move("decline", "hq_grid"), 400, "required"),
    "not_own_receipt": (
        Move("file", "hq_grid", inputs={"receipt_no": "XX-0000"}),
        400,
        "not_own_proxy_application",
    ),
    "person_takes_systems_step": (Move("remind", "hq_grid"), 403, "not_allowed"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_the_api_refuses_as_the_generic_door_does(world: dict[str, Any], case: str) -> None:  # noqa: F811
    """The same status, code, field and message at the API and the generic door, and nothing moved (the
    page's refusals are the engine's too: party/tests/test_needs.py)."""
    move, status, code = REFUSED[case]
    streams = _streams(world, _api_door)
    need = streams.make(at(20))
    refusal = streams.refuse(need, move, at(30))
    assert (refusal.status, refusal.code) == (status, code)
