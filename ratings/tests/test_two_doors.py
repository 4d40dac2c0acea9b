"""rating_rectification through both doors (tests/two_doors.py): every action walked on two bad ratings in
lockstep — `do_act_on_rectification` (the ratings pages and API) and the generic work-item endpoint — with
the same state, outcome SMS, exclusion, audit rows and notifications. And the appeal rule at either door:
the district approval bureau (or a supervisor) decides, never the centre, never a town bureau."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from accounts.models import OrgUnit, Role
from accounts.testing import make_org_unit, make_person
from ratings.actions import do_act_on_rectification, do_rate_application
from ratings.models import Rating, RatingChannel, Stage
from ratings.tests.factories import BAD_WINDOW_SCORES, make_application
from tests.two_doors import Move, Streams, refused_alike, uncovered
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db


def _maker(people: dict[str, Any], item: Any) -> Any:
    def make(now: datetime) -> Rating:
        application = make_application(
            centre=people["hq_centre"], clerk=people["hq_clerk"], item=item, now=now
        )
        rating, _ = do_rate_application(
            application,
            stage=Stage.COMPLETED,
            channel=RatingChannel.WINDOW,
            level=1,
            scores=BAD_WINDOW_SCORES,
            comment="态度差",
            actor=people["hq_clerk"],
            now=now,
        )
        return rating

    return make


def _door(rating: Rating, move: Move, actor: Any, now: datetime) -> None:
    do_act_on_rectification(
        rating, move.action, actor=actor, now=now, reason=move.reason, inputs=dict(move.inputs)
    )


def _item(rating: Rating) -> WorkItem:
    rating.refresh_from_db()
    assert rating.rectification is not None
    return rating.rectification


def _records(rating: Rating) -> dict[str, Any]:
    rating.refresh_from_db()
    return {
        "excluded_at": rating.excluded_at,
        "exclusion_reason": rating.exclusion_reason,
        "outcome_sent_at": rating.outcome_sent_at,
    }


@pytest.fixture
def streams(people: dict[str, Any], item: Any) -> Streams:
    return Streams(
        process="rating_rectification",
        people=people,
        make=_maker(people, item),
        stream_door=_door,
        item_of=_item,
        records=_records,
    )


CALLBACK = Move("callback", "hq_clerk2", inputs={"callback_note": "已电话回访"})
APPEAL = Move("appeal", "hq_clerk", reason="申请人确认误评")
ROUTES = {
    "rejected_then_replied": [
        CALLBACK,
        Move("supervise", "supervisor"),
        APPEAL,
        Move("reject_appeal", "supervisor", reason="证据不足"),
        Move("reply", "hq_clerk", inputs={"outcome": "已约谈窗口人员并改进"}),
    ],
    "upheld": [
        Move("supervise_callback", "supervisor"),
        CALLBACK,
        APPEAL,
        Move("uphold_appeal", "bureau_approver", reason="录音证实误评"),
    ],
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_step_is_the_same_through_both_doors(streams: Streams, now: datetime, route: str) -> None:
    assert streams.walk(ROUTES[route], now) == [m.action for m in ROUTES[route]]


def test_the_routes_take_every_action(streams: Streams, now: datetime) -> None:
    assert uncovered(list(ROUTES.values()), streams.actions(now)) == set()


@pytest.mark.parametrize("who", ["town_approver", "hq_clerk2"])
def test_only_the_district_bureau_decides_an_appeal(
    people: dict[str, Any], item: Any, now: datetime, who: str
) -> None:
    """A town bureau's approver (and the rated centre's own staff) may not uphold a 好差评 appeal —
    neither at the ratings door nor at the generic one (the same status, code, field and message); nor is
    the action offered to them."""
    town_bureau = make_org_unit("320507003-approval", "黄桥街道审批办", OrgUnit.Kind.AGENCY, "320507003")
    people = {**people, "town_approver": make_person("town_approver", unit=town_bureau, role=Role.APPROVER)}
    rating = _maker(people, item)(now)
    _door(rating, CALLBACK, people["hq_clerk2"], now)
    _door(rating, APPEAL, people["hq_clerk"], now)
    move = Move("uphold_appeal", who, reason="误评")
    refusal = refused_alike(
        lambda: _door(rating, move, people[who], now), _item(rating), move, people[who], now
    )
    assert (refusal.status, refusal.code) == (403, "not_allowed")
    from workflow.access import available_actions

    assert "uphold_appeal" not in {a.name for a in available_actions(_item(rating), people[who])}
    rating.refresh_from_db()
    assert rating.excluded_at is None and _item(rating).state == "appealed"
