"""registry_change through both doors (tests/two_doors.py): every action walked on two change requests in
lockstep — `do_review_change` (the village's review page) and the generic work-item endpoint — with the
same state, the same change to the registries (the household and its members, their move-in rows and
history), audit rows and notifications. And a change that no longer fits is refused alike at either door."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count
from typing import Any

import pytest

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from grid.models import RegistryChangeRequest
from grid.registry_changes import MemberProposal, do_propose_household, do_review_change, proposal_of
from registry import crypto
from registry.models import Household, HouseholdMove, Person
from registry.testing import synthetic_id_number
from tests.two_doors import Move, Streams, act_without_subject, present, uncovered
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db

PROCESS = "registry_change"
GRID = "320507003201001"
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Suzhou


@pytest.fixture
def people(personas: dict[str, User]) -> dict[str, User]:
    """The 黄桥 village's grid head and the town's data steward review; hq_grid proposes."""
    village = OrgUnit.objects.get(code="320507003201-vc")
    town = OrgUnit.objects.get(code="320507003-gov")
    return {
        **personas,
        "hq_head": make_person("hq_head", unit=village, role=Role.GRID_HEAD),
        "hq_steward": make_person("hq_steward", unit=town, role=Role.DATA_STEWARD),
    }


def _family(serial: int) -> list[MemberProposal]:
    """A head, a spouse and a child; every proposal its own ID numbers (two subjects, two households)."""

    def number(seq: int) -> str:
        return synthetic_id_number("320507", date(1982, 6, 1), serial * 10 + seq)

    return [
        MemberProposal("陈大文", number(1), "head", phone="13912340001"),
        MemberProposal("王小红", number(2), "spouse"),
        MemberProposal("陈小文", number(3), "child", kind=Person.Kind.MIGRANT),
    ]


def _maker(people: dict[str, User]) -> Any:
    serials = count(1)

    def make(now: datetime) -> RegistryChangeRequest:
        serial = next(serials)
        return do_propose_household(
            grid_code=GRID, number=f"HQ-W{serial}", members=_family(serial), actor=people["hq_grid"], now=now
        )

    return make


def _door(request: RegistryChangeRequest, move: Move, actor: User, now: datetime) -> None:
    do_review_change(request, move.action, actor=actor, now=now, reason=move.reason)


def _item(request: RegistryChangeRequest) -> WorkItem:
    return WorkItem.objects.get(pk=request.work_item_id)


def _records(request: RegistryChangeRequest) -> dict[str, Any]:
    """What the request changed in the registries: the household it made (number as proposed), its members
    (relation, kind, grid, phone kept), their move-in rows and the history of the household and people."""
    request.refresh_from_db()
    proposal = proposal_of(request)
    hashes = [crypto.lookup_hash(m["id_number"]) for m in proposal["members"]]
    registered = Person.objects.filter(id_number_hash__in=hashes).order_by("relation")
    household = request.household
    return {
        "household": present(request.household_id),
        "number_as_proposed": household is not None and household.number == proposal["number"],
        "household_grid": household.territory_code if household else None,
        "household_history": household.history.count() if household else 0,
        "members": [
            (p.relation, p.kind, p.territory_code, p.household_id == request.household_id, bool(p.phone_hash))
            for p in registered
        ],
        "people_history": sum(p.history.count() for p in registered),
        "moves_in": sorted(
            HouseholdMove.objects.filter(household=household).values_list("relation", "reason")
        ),
        "summary_masked": "陈**" in request.summary and "陈大文" not in request.summary,
    }


@pytest.fixture
def streams(people: dict[str, User]) -> Streams:
    return Streams(
        process=PROCESS,
        people=people,
        make=_maker(people),
        stream_door=_door,
        item_of=_item,
        records=_records,
    )


ROUTES: dict[str, list[Move]] = {
    "approved_by_the_village": [Move("approve", "hq_head")],
    "approved_by_the_steward": [Move("approve", "hq_steward")],
    "rejected": [Move("reject", "hq_head", reason="户号有误，请核实后重报")],
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_step_is_the_same_through_both_doors(streams: Streams, route: str) -> None:
    assert streams.walk(ROUTES[route], START) == [m.action for m in ROUTES[route]]


def test_the_routes_take_every_action(streams: Streams) -> None:
    assert uncovered(list(ROUTES.values()), streams.actions(START)) == set()


def test_the_walk_changes_the_registries(streams: Streams) -> None:
    """The walk compares two doors; this is what both wrote: two households of three, nothing else."""
    streams.walk(ROUTES["approved_by_the_village"], START)
    assert sorted(Household.objects.values_list("number", flat=True)) == ["HQ-W1", "HQ-W2"]
    assert Person.objects.filter(household__number__in=["HQ-W1", "HQ-W2"]).count() == 6


def test_a_change_that_no_longer_fits_is_refused_at_either_door(
    people: dict[str, User], streams: Streams
) -> None:
    """Approving a household whose number was taken in the meantime is refused alike at both doors (409,
    nothing applied, the request stays proposed)."""
    first = do_propose_household(
        grid_code=GRID, number="HQ-W9", members=_family(8), actor=people["hq_grid"], now=START
    )
    second = do_propose_household(
        grid_code=GRID, number="HQ-W9", members=_family(9), actor=people["hq_grid"], now=START
    )
    do_review_change(first, "approve", actor=people["hq_head"], now=START)
    refusal = streams.refuse(second, Move("approve", "hq_head"), START)
    assert (refusal.status, refusal.code, refusal.field) == (409, "household_exists", "number")
    second.refresh_from_db()
    assert second.household_id is None
    assert Person.objects.count() == 3  # the first household's; none of the second's


@pytest.mark.parametrize(
    ("who", "status", "code"), [("hq_grid", 403, "not_allowed"), ("wt_grid", 404, "not_found")]
)
def test_who_may_not_review_is_refused_at_either_door(
    people: dict[str, User], streams: Streams, who: str, status: int, code: str
) -> None:
    """The proposing grid worker and the outsider of another town: the same status, code, field and
    message at the review page's door and the generic one."""
    request = streams.make(START)
    refusal = streams.refuse(request, Move("approve", who), START)
    assert (refusal.status, refusal.code) == (status, code)
    assert not Household.objects.exists()


def test_an_item_without_its_request_is_refused(people: dict[str, User]) -> None:
    answer = act_without_subject(
        PROCESS, "approve", starter=people["hq_grid"], actor=people["hq_head"], territory_code=GRID, now=START
    )
    assert answer.status_code == 409 and answer.json()["errors"][0]["code"] == "no_subject"
    assert not Household.objects.exists()
