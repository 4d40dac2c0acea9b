"""dataset_grant through both doors (tests/two_doors.py): every action walked on two data use requests in
lockstep — `do_review_grant` (the grants page) and the generic work-item endpoint — with the same state,
the same grant (status, fields, unmasking, the period in which it is live and its expiry, no token yet),
audit rows and notifications. Then a grant approved at either door gives its requester a token that
reads the same rows until the grant expires. The requester deciding their own request (a steward's or a
leader's: separation of duties), the roles that may not decide and the outsider are refused alike at
both doors, with the same status, code, field and message."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import User
from datashare import grants
from datashare.models import Connector, DatasetGrant
from datashare.selectors import grants_to_review
from datashare.sync import do_run_connector
from datashare.tests.conftest import HQ, NOW, row, write_csv
from tests.two_doors import Move, Streams, act_without_subject, present, refused_alike, uncovered
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db

PROCESS = "dataset_grant"
PERIOD = timedelta(days=7)


@pytest.fixture
def fed(drop: Connector, published: None) -> Connector:
    write_csv(Path(drop.config["directory"]) / "a.csv", [row(1, "2026-03-01T00:00:00Z")])
    do_run_connector(drop, now=NOW)
    return drop


def _maker(connector: Connector, requester: User) -> Any:
    def make(now: datetime) -> DatasetGrant:
        return grants.do_request_grant(
            connector,
            fields=["uscc", "name", "legal_representative"],
            purpose="环保专项检查",
            starts_at=now,
            ends_at=now + PERIOD,
            actor=requester,
            now=now,
        )

    return make


def _door(grant: DatasetGrant, move: Move, actor: User, now: datetime) -> None:
    grants.do_review_grant(grant, move.action, actor=actor, now=now, reason=move.reason)


def _item(grant: DatasetGrant) -> WorkItem:
    return WorkItem.objects.get(pk=grant.work_item_id)


def _records(grant: DatasetGrant) -> dict[str, Any]:
    """The grant as its requester will use it: status, what it covers, when it is live and when it has
    expired by itself, and the token (none until the requester takes one)."""
    grant.refresh_from_db()
    return {
        "status": grant.status,
        "fields": grant.fields,
        "unmask": grant.unmask,
        "period": grant.ends_at - grant.starts_at,
        "live_from_the_start": grant.live(grant.starts_at),
        "live_to_the_last_second": grant.live(grant.ends_at - timedelta(seconds=1)),
        "expired_at_the_end": not grant.live(grant.ends_at),
        "token": present(grant.token_hash),
    }


@pytest.fixture
def streams(fed: Connector, people: dict[str, User]) -> Streams:
    return Streams(
        process=PROCESS,
        people=people,
        make=_maker(fed, people["hq_agency"]),
        stream_door=_door,
        item_of=_item,
        records=_records,
    )


ROUTES: dict[str, list[Move]] = {
    "approved_by_the_steward": [Move("approve", "hq_steward")],
    "approved_by_the_leader": [Move("approve", "hq_leader")],
    "rejected": [Move("reject", "hq_steward", reason="用途与所需字段不符")],
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_step_is_the_same_through_both_doors(streams: Streams, route: str) -> None:
    assert streams.walk(ROUTES[route], NOW) == [m.action for m in ROUTES[route]]


def test_the_routes_take_every_action(streams: Streams) -> None:
    assert uncovered(list(ROUTES.values()), streams.actions(NOW)) == set()


def _rows(token: str, connector: Connector, at: datetime) -> Any:
    with time_machine.travel(at, tick=False):
        return APIClient().get(
            f"/api/v1/datashare/datasets/{connector.pk}/rows/", HTTP_AUTHORIZATION=f"Grant {token}"
        )


def test_a_grant_approved_at_either_door_reads_alike_until_it_expires(
    streams: Streams, fed: Connector, people: dict[str, User]
) -> None:
    streams.walk(ROUTES["approved_by_the_steward"], NOW)
    made = list(DatasetGrant.objects.order_by("pk"))
    assert len(made) == 2 and {g.status for g in made} == {"approved"}
    answers = []
    for grant in made:
        token = grants.do_issue_token(grant, actor=people["hq_agency"], now=NOW + timedelta(hours=1))
        live = _rows(token, fed, grant.ends_at - timedelta(seconds=1))
        assert live.status_code == 200
        answers.append(live.json()["rows"])
        expired = _rows(token, fed, grant.ends_at)
        assert expired.status_code == 403 and expired.json()["errors"][0]["code"] == "not_allowed"
    assert (
        answers[0]
        == answers[1]
        == [{"uscc": row(1, "")["uscc"], "name": "测试单位1", "legal_representative": "王**"}]
    )


@pytest.mark.parametrize(
    ("requester", "who", "action", "status"),
    [
        # Separation of duties: a steward's or a leader's own request is decided by someone else.
        ("hq_steward", "hq_steward", "approve", 403),
        ("hq_steward", "hq_steward", "reject", 403),
        ("hq_leader", "hq_leader", "approve", 403),
        ("hq_agency", "hq_agency", "approve", 403),  # the requester's own role decides nothing anyway
        ("hq_agency", "hq_officer", "approve", 403),
        ("hq_agency", "wt_steward", "approve", 404),  # the steward of another town
    ],
)
def test_who_may_not_decide_is_refused_at_either_door(
    fed: Connector, people: dict[str, User], requester: str, who: str, action: str, status: int
) -> None:
    """Refused with the same status, code, field and message at the grants door and at the generic one,
    and the grant stays requested."""
    grant = _maker(fed, people[requester])(NOW)
    move = Move(action, who, reason="自批")
    refusal = refused_alike(
        lambda: _door(grant, move, people[who], NOW), _item(grant), move, people[who], NOW
    )
    assert (refusal.status, refusal.code) == (status, "not_allowed" if status == 403 else "not_found")
    grant.refresh_from_db()
    assert grant.status == "requested"


def test_the_requester_is_offered_no_decision(fed: Connector, people: dict[str, User]) -> None:
    """A steward's own request: the engine offers its decision to the leader, not to the steward (the
    generic item's actions and the grants page's review list alike)."""
    grant = _maker(fed, people["hq_steward"])(NOW)

    def offered(who: str) -> list[str]:
        client = APIClient()
        client.force_authenticate(people[who])
        return [a["name"] for a in client.get(f"/api/v1/work-items/{grant.work_item_id}/").json()["actions"]]

    assert offered("hq_steward") == [] and sorted(offered("hq_leader")) == ["approve", "reject"]
    assert grants_to_review(people["hq_steward"]) == []
    assert [row.grant.pk for row in grants_to_review(people["hq_leader"])] == [grant.pk]


def test_a_reject_without_a_reason_is_refused_at_either_door(fed: Connector, people: dict[str, User]) -> None:
    grant = _maker(fed, people["hq_agency"])(NOW)
    move = Move("reject", "hq_steward")
    refusal = refused_alike(
        lambda: _door(grant, move, people["hq_steward"], NOW), _item(grant), move, people["hq_steward"], NOW
    )
    assert (refusal.status, refusal.code, refusal.field) == (400, "required", "reason")
    grant.refresh_from_db()
    assert grant.status == "requested"


def test_an_item_without_its_grant_is_refused(people: dict[str, User], published: None) -> None:
    answer = act_without_subject(
        PROCESS,
        "approve",
        starter=people["hq_agency"],
        actor=people["hq_steward"],
        territory_code=HQ,
        now=NOW,
    )
    assert answer.status_code == 409 and answer.json()["errors"][0]["code"] == "no_subject"
