"""asset_change through both doors (tests/two_doors.py): every action walked, for every kind of change
(purchase of a new card, lease, disposal, revaluation), on two proposals in lockstep —
`do_review_asset_change` (the 三资 pages and API) and the generic work-item endpoint — with the same
state, the same asset card afterwards (its state and value, the card a purchase creates), the same
application time, audit rows and notifications. A change that no longer fits, the village approving its
own proposal, another town role and the outsider are refused alike at both doors."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from itertools import count
from typing import Any

import pytest

from accounts.models import User
from territorial.assets import do_propose_asset_change, do_review_asset_change
from territorial.models import Asset, AssetChange, CollectiveOrganisation
from territorial.tests.conftest import NOW
from territory.testing import HUANGQIAO_VILLAGE
from tests.two_doors import Move, Streams, act_without_subject, present, uncovered
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db

PROCESS = "asset_change"
KINDS = ["purchase", "lease", "disposal", "revalue"]


def _card(serial: int) -> dict[str, Any]:
    return {
        "number": f"ZC-{serial:03d}",
        "name": "村综合楼",
        "kind": "building",
        "value": "1250000.50",
        "responsible": "张三",
        "lon": 120.56,
        "lat": 31.41,
    }


def _maker(people: dict[str, User], org: CollectiveOrganisation, kind: str) -> Any:
    """A proposal of `kind` by the village head; a change to an existing card first has the card bought
    and approved (cards come into being only that way)."""
    serials = count(1)

    def make(now: datetime) -> AssetChange:
        head = people["hq_head"]
        card = _card(next(serials))
        if kind == "purchase":
            return do_propose_asset_change(org, kind=kind, card=card, actor=head, now=now)
        bought = do_propose_asset_change(org, kind="purchase", card=card, actor=head, now=now)
        asset = do_review_asset_change(bought, "approve", actor=people["hq_agency"], now=now).asset
        value = "1300000" if kind == "revalue" else None
        return do_propose_asset_change(org, kind=kind, asset=asset, value=value, actor=head, now=now)

    return make


def _door(change: AssetChange, move: Move, actor: User, now: datetime) -> None:
    do_review_asset_change(change, move.action, actor=actor, now=now, reason=move.reason)


def _item(change: AssetChange) -> WorkItem:
    return WorkItem.objects.get(pk=change.work_item_id)


def _records(change: AssetChange) -> dict[str, Any]:
    """The change and the card it concerns: applied when, the card's state, value and fields."""
    change.refresh_from_db()
    asset = change.asset
    card = change.proposal.get("card")
    return {
        "applied_at": change.applied_at,
        "asset": present(change.asset_id),
        "card": None
        if asset is None
        else {
            "state": asset.state,
            "value": asset.value,
            "name": asset.name,
            "kind": asset.kind,
            "responsible": asset.responsible,
            "location": (asset.lon, asset.lat),
            "number_as_proposed": card is None or card["number"] == asset.number,
        },
        "cards_of_the_organisation": Asset.objects.filter(organisation_id=change.organisation_id).count(),
    }


def _streams(people: dict[str, User], org: CollectiveOrganisation, kind: str) -> Streams:
    return Streams(
        process=PROCESS,
        people=people,
        make=_maker(people, org, kind),
        stream_door=_door,
        item_of=_item,
        records=_records,
    )


ROUTES: dict[str, list[Move]] = {
    "approved_by_the_office": [Move("approve", "hq_agency")],
    "approved_by_the_leader": [Move("approve", "hq_leader")],
    "rejected": [Move("reject", "hq_agency", reason="合同未备案")],
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_step_is_the_same_through_both_doors(
    people: dict[str, User], org: CollectiveOrganisation, kind: str, route: str
) -> None:
    streams = _streams(people, org, kind)
    assert streams.walk(ROUTES[route], NOW) == [m.action for m in ROUTES[route]]


def test_the_routes_take_every_action(people: dict[str, User], org: CollectiveOrganisation) -> None:
    assert uncovered(list(ROUTES.values()), _streams(people, org, "purchase").actions(NOW)) == set()


@pytest.mark.parametrize(
    ("kind", "state", "value"),
    [
        ("purchase", Asset.State.IN_USE, Decimal("1250000.50")),
        ("lease", Asset.State.LEASED, Decimal("1250000.50")),
        ("disposal", Asset.State.DISPOSED, Decimal("1250000.50")),
        ("revalue", Asset.State.IN_USE, Decimal("1300000.00")),
    ],
)
def test_what_an_approval_does_to_the_card(
    people: dict[str, User], org: CollectiveOrganisation, kind: str, state: str, value: Decimal
) -> None:
    """What the walk compared, once in full: both cards as the approved change left them."""
    _streams(people, org, kind).walk(ROUTES["approved_by_the_office"], NOW)
    changes = AssetChange.objects.filter(kind=kind)
    assert changes.count() == 2
    for change in changes:
        assert change.asset is not None and change.applied_at is not None
        assert (change.asset.state, change.asset.value) == (state, value)


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [("hq_head", 403, "not_allowed"), ("hq_officer", 403, "not_allowed"), ("wt_head", 404, "not_found")],
)
def test_who_may_not_decide_is_refused_at_either_door(
    people: dict[str, User], org: CollectiveOrganisation, who: str, status: int, code: str
) -> None:
    """The village that proposed, a town role that keeps no 三资, the head of another town's village: the
    same status, code, field and message at the 三资 door and the generic one."""
    streams = _streams(people, org, "purchase")
    change = streams.make(NOW)
    refusal = streams.refuse(change, Move("approve", who), NOW)
    assert (refusal.status, refusal.code) == (status, code)
    change.refresh_from_db()
    assert change.applied_at is None and not Asset.objects.exists()


def test_a_change_to_a_disposed_card_is_refused_at_either_door(
    people: dict[str, User], org: CollectiveOrganisation
) -> None:
    """A lease proposed before the card was disposed of: approving it afterwards is refused (409) alike at
    both doors, the card stays disposed and the lease stays proposed."""
    streams = _streams(people, org, "lease")
    lease = streams.make(NOW)
    assert lease.asset is not None
    disposal = do_propose_asset_change(
        org, kind="disposal", asset=lease.asset, actor=people["hq_head"], now=NOW
    )
    do_review_asset_change(disposal, "approve", actor=people["hq_agency"], now=NOW)
    refusal = streams.refuse(lease, Move("approve", "hq_agency"), NOW)
    assert (refusal.status, refusal.code, refusal.field) == (409, "asset_disposed", "asset")
    lease.refresh_from_db()
    assert lease.applied_at is None
    assert Asset.objects.get(pk=lease.asset_id).state == Asset.State.DISPOSED


def test_an_item_without_its_change_is_refused(people: dict[str, User]) -> None:
    answer = act_without_subject(
        PROCESS,
        "approve",
        starter=people["hq_head"],
        actor=people["hq_agency"],
        territory_code=HUANGQIAO_VILLAGE,
        now=NOW,
    )
    assert answer.status_code == 409 and answer.json()["errors"][0]["code"] == "no_subject"
    assert not Asset.objects.exists()
