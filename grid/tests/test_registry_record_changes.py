"""Changes to registered records on process registry_change: the trivial part applies at once, the rest
is an item the village reviews — approve applies it (through either door: the review page's action or
the generic work-item endpoint), reject returns it with a reason; the grid worker may not review, the
outsider from another town sees nothing, a change the record no longer fits stays proposed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from grid.registry_changes import (
    RECORD_SUBJECT_TYPE,
    do_propose_record_change,
    do_review_record_change,
    review_item_of,
)
from registry import actions as registry
from registry import crypto
from registry.models import Person, RecordChange
from registry.testing import synthetic_id_number
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db

GRID = "320507003201001"
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def pending(outcome: registry.Proposal) -> RecordChange:
    """The part of a proposal waiting for review."""
    assert outcome.pending is not None
    return outcome.pending


def applied(outcome: registry.Proposal) -> RecordChange:
    """The trivial part of a proposal, in effect at once."""
    assert outcome.applied is not None
    return outcome.applied


@pytest.fixture
def people(personas: dict[str, Any], reference: dict[str, int]) -> dict[str, User]:
    village = OrgUnit.objects.get(code="320507003201-vc")
    return {**personas, "hq_head": make_person("hq_head", unit=village, role=Role.GRID_HEAD)}


@pytest.fixture
def resident(people: dict[str, User]) -> Person:
    with time_machine.travel(NOW, tick=False):
        return registry.do_register_person(
            registry.PersonInput(
                territory_code=GRID,
                kind="registered",
                name="林大山",
                id_number=synthetic_id_number("320507", date(1970, 2, 3), 71),
                phone="13912340071",
            ),
            actor=people["system"],
            now=NOW,
        )


def item_of(change: RecordChange) -> WorkItem:
    item = review_item_of(change)
    assert item is not None
    return item


def propose(person: Person, actor: User, **values: Any) -> registry.Proposal:
    return do_propose_record_change("person", person, values, actor=actor, now=NOW)


def test_the_trivial_part_applies_the_rest_is_an_item_the_village_approves(
    people: dict[str, User], resident: Person
) -> None:
    outcome = propose(resident, people["hq_grid"], phone="13900000071", address_detail="3幢201室")
    assert review_item_of(applied(outcome)) is None
    change = pending(outcome)
    item = item_of(change)
    assert item.process_name == "registry_change" and item.state == "proposed"
    assert (item.subject_type, item.subject_id) == (RECORD_SUBJECT_TYPE, str(change.pk))
    assert item.territory_code == GRID and item.title == "人员信息变更：林**（详细住址）"
    resident.refresh_from_db()
    assert crypto.unseal(resident, "phone_sealed") == "13900000071"
    assert resident.address_detail_sealed == ""

    change = do_review_record_change(change, "approve", actor=people["hq_head"], now=NOW)
    assert change.outcome == RecordChange.Outcome.APPLIED and item_of(change).state == "applied"
    resident.refresh_from_db()
    assert crypto.unseal(resident, "address_detail_sealed") == "3幢201室"


def test_reject_needs_a_reason_and_returns_the_change(people: dict[str, User], resident: Person) -> None:
    change = pending(propose(resident, people["hq_grid"], address_detail="3幢201室"))
    with pytest.raises(DomainError):
        do_review_record_change(change, "reject", actor=people["hq_head"], now=NOW)
    change = do_review_record_change(change, "reject", actor=people["hq_head"], now=NOW, reason="门牌不符")
    assert change.outcome == RecordChange.Outcome.RETURNED and item_of(change).state == "rejected"
    with pytest.raises(Conflict):
        do_review_record_change(change, "approve", actor=people["hq_head"], now=NOW)
    assert Person.objects.get(pk=resident.pk).address_detail_sealed == ""


def test_the_generic_door_takes_the_same_rules(people: dict[str, User], resident: Person) -> None:
    change = pending(propose(resident, people["hq_grid"], address_detail="3幢201室"))
    item = item_of(change)
    client = APIClient()
    client.force_authenticate(people["hq_grid"])
    url = f"/api/v1/work-items/{item.pk}/transitions/"
    assert client.post(url, {"action": "approve"}, format="json").status_code == 403
    client.force_authenticate(people["hq_head"])
    with time_machine.travel(NOW, tick=False):
        answer = client.post(url, {"action": "approve"}, format="json")
    assert answer.status_code == 200, answer.content
    assert RecordChange.objects.get(pk=change.pk).outcome == RecordChange.Outcome.APPLIED
    resident.refresh_from_db()
    assert crypto.unseal(resident, "address_detail_sealed") == "3幢201室"


def test_the_grid_worker_may_not_review_and_the_outsider_sees_nothing(
    people: dict[str, User], resident: Person
) -> None:
    change = pending(propose(resident, people["hq_grid"], address_detail="3幢201室"))
    with pytest.raises(PermissionRefused):
        do_review_record_change(change, "approve", actor=people["hq_grid"], now=NOW)
    with pytest.raises(NotFound):
        do_review_record_change(change, "approve", actor=people["wt_grid"], now=NOW)
    with pytest.raises(NotFound):
        propose(resident, people["wt_grid"], phone="13900000072")
    assert RecordChange.objects.get(pk=change.pk).outcome == RecordChange.Outcome.PROPOSED
    assert RecordChange.objects.count() == 1


def test_a_change_the_record_no_longer_fits_stays_proposed(people: dict[str, User], resident: Person) -> None:
    change = pending(propose(resident, people["hq_grid"], address_detail="3幢201室"))
    registry.do_update_person_contact(resident, address_detail="9幢901室", actor=people["hq_head"], now=NOW)
    with pytest.raises(Conflict) as error:
        do_review_record_change(change, "approve", actor=people["hq_head"], now=NOW)
    assert error.value.code == "changed_meanwhile"
    assert item_of(change).state == "proposed"
    assert RecordChange.objects.get(pk=change.pk).outcome == RecordChange.Outcome.PROPOSED


def test_bad_input_and_a_trivial_change_that_needs_no_review(
    people: dict[str, User], resident: Person
) -> None:
    with pytest.raises(DomainError) as bad:
        propose(resident, people["hq_grid"], phone="not a number")
    assert (bad.value.code, bad.value.field) == ("invalid_phone", "phone")
    trivial = applied(propose(resident, people["hq_grid"], phone="13900000073"))
    with pytest.raises(Conflict) as error:
        do_review_record_change(trivial, "approve", actor=people["hq_head"], now=NOW)
    assert error.value.code == "change_decided"
    waiting = pending(propose(resident, people["hq_grid"], address_detail="3幢201室"))
    with pytest.raises(DomainError) as unknown:
        do_review_record_change(waiting, "publish", actor=people["hq_head"], now=NOW)
    assert unknown.value.code == "unknown_action"
