"""Changes to registered records proposed from the field (registry.actions.changes): the trivial field
applies at once with history, the rest waits for review and applies only while the record still holds
its before values; who may propose and apply, the outsider, and bad input of every kind."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.management import call_command

from accounts.models import User
from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from registry import actions, crypto
from registry.models import HouseholdMove, Person, RecordChange, SensitiveRecord
from registry.testing import synthetic_id_number, synthetic_uscc
from registry.tests.conftest import HQ_GRID, NOW, WT_GRID, register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

NEWCOMER = synthetic_id_number("320506", date(1995, 8, 8), 41)
MISTYPED = NEWCOMER[:-1] + ("1" if NEWCOMER[-1] != "1" else "2")  # a wrong check character


def pending(outcome: actions.Proposal) -> RecordChange:
    """The part of a proposal waiting for review."""
    assert outcome.pending is not None
    return outcome.pending


def applied(outcome: actions.Proposal) -> RecordChange:
    """The trivial part of a proposal, in effect at once."""
    assert outcome.applied is not None
    return outcome.applied


class Reviews(list[RecordChange]):
    """A stand-in for the review process: the changes handed to it."""

    def __call__(self, change: RecordChange) -> None:
        self.append(change)


def propose(kind: str, record: Any, actor: User, /, **values: Any) -> tuple[actions.Proposal, Reviews]:
    reviews = Reviews()
    outcome = actions.do_propose_change(kind, record, values, actor=actor, now=NOW, start_review=reviews)
    return outcome, reviews


def test_a_phone_number_is_trivial_it_applies_at_once_with_history(people: dict[str, User], world) -> None:
    worker, head = people["hq_grid"], world["head"]
    outcome, reviews = propose("person", head, worker, phone="139 0000 1111")
    assert outcome.pending is None and reviews == []
    change = applied(outcome)
    assert change is not None and change.trivial and change.outcome == RecordChange.Outcome.APPLIED
    assert (change.proposed_by, change.decided_by, change.fields) == (worker, worker, ["phone"])
    head.refresh_from_db()
    assert crypto.unseal(head, "phone_sealed") == "13900001111"
    assert actions.values_of(change) == {
        "before": {"phone": "13912345678"},
        "after": {"phone": "13900001111"},
    }
    assert "13900001111" not in change.values_sealed and "13900001111" not in change.summary
    latest = head.history.first()
    assert (latest.history_user, latest.history_date, latest.history_type) == (worker, NOW, "~")


def test_address_and_care_tags_wait_for_review_then_apply(people: dict[str, User], world) -> None:
    worker, head = people["hq_grid"], world["head"]
    outcome, reviews = propose(
        "person",
        head,
        worker,
        phone="13900002222",
        address_detail="春申花园2幢101室",
        care_tags_add=["独居老人"],
    )
    assert applied(outcome).fields == ["phone"]
    change = pending(outcome)
    assert change is not None and reviews == [change] and not change.trivial
    assert (
        change.fields == ["address_detail", "care_tags"] and change.outcome == RecordChange.Outcome.PROPOSED
    )
    assert "春申花园" not in change.values_sealed and "独居老人" not in change.values_sealed
    assert change.summary == "人员信息变更：陈**（详细住址、关爱标签）"
    head.refresh_from_db()
    assert head.address_detail_sealed == "" and not SensitiveRecord.objects.filter(person=head).exists()

    actions.do_apply_change(change, actor=people["hq_head"], now=NOW)
    change.refresh_from_db()
    assert (change.outcome, change.decided_by) == (RecordChange.Outcome.APPLIED, people["hq_head"])
    head.refresh_from_db()
    assert crypto.unseal(head, "address_detail_sealed") == "春申花园2幢101室"
    assert crypto.unseal_list(head.sensitive, "care_tags_sealed") == ["独居老人"]
    assert head.history.first().history_user == people["hq_head"]
    with pytest.raises(Conflict) as twice:
        actions.do_apply_change(change, actor=people["hq_head"], now=NOW)
    assert twice.value.code == "change_decided"


def test_care_tags_add_and_remove_against_the_current_ones(people: dict[str, User], world) -> None:
    head = world["head"]
    actions.do_set_care_tags(head, care_tags=["残疾人", "空巢老人"], actor=people["hq_steward"], now=NOW)
    outcome, _reviews = propose(
        "person", head, people["hq_grid"], care_tags_add=["独居老人"], care_tags_remove=["空巢老人"]
    )
    assert pending(outcome) is not None
    assert actions.values_of(pending(outcome)) == {
        "before": {"care_tags": ["残疾人", "空巢老人"]},
        "after": {"care_tags": ["残疾人", "独居老人"]},
    }


def test_a_record_changed_since_the_proposal_is_refused_and_stays_proposed(
    people: dict[str, User], world
) -> None:
    head = world["head"]
    outcome, _reviews = propose("person", head, people["hq_grid"], address_detail="2幢101室")
    actions.do_update_person_contact(head, address_detail="5幢501室", actor=people["hq_steward"], now=NOW)
    with pytest.raises(Conflict) as error:
        actions.do_apply_change(pending(outcome), actor=people["hq_head"], now=NOW)
    assert (error.value.code, error.value.field) == ("changed_meanwhile", "address_detail")
    assert RecordChange.objects.get(pk=pending(outcome).pk).outcome == RecordChange.Outcome.PROPOSED
    head.refresh_from_db()
    assert crypto.unseal(head, "address_detail_sealed") == "5幢501室"


def test_a_returned_change_applies_nothing(people: dict[str, User], world) -> None:
    outcome, _reviews = propose("person", world["head"], people["hq_grid"], address_detail="2幢101室")
    actions.do_return_change(pending(outcome), actor=people["hq_head"], now=NOW, reason="门牌有误")
    change = RecordChange.objects.get(pk=pending(outcome).pk)
    assert change.outcome == RecordChange.Outcome.RETURNED and change.decided_at == NOW
    assert Person.objects.get(pk=world["head"].pk).address_detail_sealed == ""
    with pytest.raises(Conflict):
        actions.do_apply_change(change, actor=people["hq_head"], now=NOW)


def test_moving_out_and_into_a_household(people: dict[str, User], world) -> None:
    child, steward = world["child"], people["hq_steward"]
    outcome, _reviews = propose(
        "move_out", child, people["hq_grid"], moved_on="2026-03-01", reason="外出务工"
    )
    change = pending(outcome)
    assert actions.values_of(change) == {
        "before": {"household": "HQ-11", "relation": "child", "moved_on": None, "reason": None},
        "after": {"household": "", "relation": "", "moved_on": "2026-03-01", "reason": "外出务工"},
    }
    actions.do_apply_change(change, actor=people["hq_head"], now=NOW)
    child.refresh_from_db()
    assert child.household is None
    move = HouseholdMove.objects.get(person=child, direction="out")
    assert (move.occurred_on, move.reason, move.recorded_by) == (
        date(2026, 3, 1),
        "外出务工",
        people["hq_head"],
    )

    other = register(steward, 31, name="林大山")
    actions.do_create_household(
        number="HQ-31", territory_code=HQ_GRID, members=[(other, "head")], actor=steward, now=NOW
    )
    outcome, _reviews = propose("move_in", child, people["hq_grid"], household="HQ-31", relation="child")
    actions.do_apply_change(pending(outcome), actor=people["hq_head"], now=NOW)
    child.refresh_from_db()
    assert child.household is not None and (child.household.number, child.relation) == ("HQ-31", "child")


def test_entity_basics_wait_its_representatives_phone_is_trivial(people: dict[str, User], world) -> None:
    entity = world["entity"]
    outcome, _reviews = propose(
        "entity",
        entity,
        people["hq_grid"],
        name="春申便利店（新址）",
        legal_representative="周大福",  # unchanged: dropped
        size="individual",  # unchanged
        legal_representative_phone="13700001234",
    )
    assert applied(outcome).fields == ["legal_representative_phone"]
    assert pending(outcome).fields == ["name"]
    entity.refresh_from_db()
    assert crypto.unseal(entity, "legal_representative_phone_sealed") == "13700001234"
    assert entity.name == "春申便利店"
    actions.do_apply_change(pending(outcome), actor=people["hq_steward"], now=NOW)
    entity.refresh_from_db()
    assert entity.name == "春申便利店（新址）" and entity.history.first().history_user == people["hq_steward"]


def test_a_mistyped_credit_code_is_corrected_after_review(people: dict[str, User], world) -> None:
    entity, right = world["entity"], synthetic_uscc("320507", 78)
    outcome, reviews = propose("entity", entity, people["hq_grid"], uscc=right.lower())
    assert outcome.applied is None and pending(outcome).fields == ["uscc"] and reviews == [pending(outcome)]
    entity.refresh_from_db()
    assert entity.uscc == synthetic_uscc("320507", 77)
    actions.do_apply_change(pending(outcome), actor=people["hq_head"], now=NOW)
    entity.refresh_from_db()
    assert entity.uscc == right and entity.history.filter(uscc=synthetic_uscc("320507", 77)).exists()


def test_a_credit_code_of_another_entity_is_refused(people: dict[str, User], world) -> None:
    other = actions.do_register_entity(
        uscc_code=synthetic_uscc("320507", 79),
        name="另一家店",
        legal_representative="王建国",
        industry_code="F5212",
        size="individual",
        territory_code=HQ_GRID,
        actor=people["system"],
        now=NOW,
    )
    with pytest.raises(Conflict) as error:
        propose("entity", world["entity"], people["hq_grid"], uscc=other.uscc)
    assert (error.value.code, error.value.field) == ("entity_exists", "uscc")
    # Registered by another between the proposal and the review: the apply refuses it too.
    right = synthetic_uscc("320507", 80)
    outcome, _reviews = propose("entity", world["entity"], people["hq_grid"], uscc=right)
    actions.do_update_entity(
        other,
        name=other.name,
        legal_representative=other.legal_representative,
        industry_code=other.industry_code,
        size=other.size,
        uscc_code=right,
        actor=people["hq_steward"],
        now=NOW,
    )
    with pytest.raises(Conflict) as error:
        actions.do_apply_change(pending(outcome), actor=people["hq_head"], now=NOW)
    assert error.value.code == "entity_exists"
    assert RecordChange.objects.get(pk=pending(outcome).pk).outcome == "proposed"


def test_key_place_period_is_reviewed(people: dict[str, User], world) -> None:
    place = world["place"]
    outcome, _reviews = propose("key_place", place, people["hq_grid"], inspection_days="14", kind="crowded")
    assert outcome.applied is None and pending(outcome).fields == ["kind", "inspection_days"]
    actions.do_apply_change(pending(outcome), actor=people["hq_head"], now=NOW)
    place.refresh_from_db()
    assert (place.kind, place.inspection_days) == ("crowded", 14)


def test_a_house_let_out_to_a_new_tenant_and_one_leaving(people: dict[str, User], world) -> None:
    house, child = world["child"].house, world["child"]
    newcomer = NEWCOMER
    outcome, _reviews = propose(
        "house",
        house,
        people["hq_grid"],
        remove_tenants=[child.pk],
        new_tenants=[{"name": "王小红", "id_number": newcomer, "phone": "13600001111"}],
    )
    change = pending(outcome)
    assert actions.values_of(change)["after"] == {
        "tenants": [{"name": "王小红", "id_number": newcomer, "phone": "13600001111"}]
    }
    assert newcomer not in change.values_sealed and not Person.objects.filter(name="王小红").exists()
    actions.do_apply_change(change, actor=people["hq_head"], now=NOW)
    tenant = Person.objects.get(id_number_hash=crypto.lookup_hash(newcomer))
    assert (tenant.kind, tenant.house, tenant.tenant, tenant.territory_code) == (
        "migrant",
        house,
        True,
        HQ_GRID,
    )
    child.refresh_from_db()
    assert (child.house, child.tenant) == (None, False)

    outcome, _reviews = propose("house", house, people["hq_grid"], rented=False, remove_tenants=[tenant.pk])
    actions.do_apply_change(pending(outcome), actor=people["hq_head"], now=NOW)
    house.refresh_from_db()
    assert not house.rented and not house.residents.filter(tenant=True).exists()


def test_who_may_propose_and_apply(people: dict[str, User], world) -> None:
    head = world["head"]
    for refused in ("hq_clerk", "hq_agency", "hq_leader"):
        with pytest.raises(PermissionRefused):
            propose("person", head, people[refused], phone="13900003333")
    outcome, _reviews = propose("person", head, people["hq_grid"], address_detail="2幢101室")
    for refused in ("hq_grid", "hq_clerk"):
        with pytest.raises(PermissionRefused):
            actions.do_apply_change(pending(outcome), actor=people[refused], now=NOW)
        with pytest.raises(PermissionRefused):
            actions.do_return_change(pending(outcome), actor=people[refused], now=NOW, reason="不同意")
    assert RecordChange.objects.get(pk=pending(outcome).pk).outcome == RecordChange.Outcome.PROPOSED


def test_the_outsider_from_another_town(people: dict[str, User], world) -> None:
    head = world["head"]
    for outsider in ("wt_grid", "wt_steward"):
        with pytest.raises(NotFound):
            propose("person", head, people[outsider], phone="13900003333")
    outcome, _reviews = propose("person", head, people["hq_grid"], address_detail="2幢101室")
    with pytest.raises(NotFound):
        actions.do_apply_change(pending(outcome), actor=people["wt_steward"], now=NOW)
    theirs = register(people["wt_steward"], 51, grid=WT_GRID, name="渭塘人")
    with pytest.raises(NotFound):
        propose("person", theirs, people["hq_grid"], phone="13900003333")
    assert RecordChange.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "record", "values", "code", "field"),
    [
        ("person", "head", {"phone": "call me"}, "invalid_phone", "phone"),
        ("person", "head", {"phone": "13912345678"}, "nothing_changed", "values"),
        ("person", "head", {"address_detail": "幢" * 101}, "too_long", "address_detail"),
        ("person", "head", {"care_tags_add": ["有钱人"]}, "invalid_choice", "care_tags"),
        (
            "person",
            "head",
            {"care_tags_add": ["残疾人"], "care_tags_remove": ["残疾人"]},
            "conflicting_tags",
            "care_tags",
        ),
        ("move_out", "head", {}, "household_head_count", "person"),
        ("move_out", "child", {"moved_on": "2026-13-01"}, "invalid_date", "moved_on"),
        ("move_out", "child", {"moved_on": "2026-03-03"}, "invalid_date", "moved_on"),
        ("move_in", "child", {"household": "HQ-11", "relation": "child"}, "already_in_household", "person"),
        ("entity", "entity", {"uscc": "91320507ABCDEFGHI"}, "invalid_uscc", "uscc"),
        ("entity", "entity", {"uscc": "9132050"}, "invalid_uscc", "uscc"),
        ("entity", "entity", {"industry_code": "5212"}, "invalid_industry", "industry_code"),
        ("entity", "entity", {"size": "huge"}, "invalid_choice", "size"),
        ("entity", "entity", {"name": "  "}, "required", "name"),
        ("key_place", "place", {"inspection_days": "0"}, "invalid_inspection_days", "inspection_days"),
        ("key_place", "place", {"inspection_days": "weekly"}, "invalid_inspection_days", "inspection_days"),
        ("key_place", "place", {"kind": "school"}, "invalid_choice", "kind"),
        ("house", "house", {"rented": False}, "tenants_without_rental", "rented"),
        ("house", "house", {"remove_tenants": [999999]}, "not_a_tenant", "remove_tenants"),
        (
            "house",
            "house",
            {"new_tenants": [{"name": "王小红", "id_number": MISTYPED}]},
            "invalid_id_number",
            "new_tenants[0].id_number",
        ),
        ("no_such_kind", "head", {"phone": "13900003333"}, "invalid_choice", "kind"),
        ("entity", "head", {"name": "改名"}, "invalid", "kind"),
    ],
)
def test_bad_proposals_are_refused_with_the_field(
    people: dict[str, User], world, kind: str, record: str, values: dict[str, Any], code: str, field: str
) -> None:
    target = world["child"].house if record == "house" else world[record]
    with pytest.raises(DomainError) as error:
        propose(kind, target, people["hq_grid"], **values)
    assert (error.value.code, error.value.field) == (code, field)
    assert not RecordChange.objects.exists()


def test_moving_in_refusals(people: dict[str, User], world) -> None:
    steward = people["hq_steward"]
    loner = register(steward, 61, name="孙单身")
    with pytest.raises(DomainError) as unknown:
        propose("move_in", loner, people["hq_grid"], household="NO-SUCH", relation="child")
    assert (unknown.value.code, unknown.value.field) == ("unknown_household", "household")
    with pytest.raises(DomainError) as second_head:
        propose("move_in", loner, people["hq_grid"], household="HQ-11", relation="head")
    assert (second_head.value.code, second_head.value.field) == ("household_head_count", "relation")
    theirs = register(people["wt_steward"], 62, grid=WT_GRID, name="渭塘人")
    actions.do_create_household(
        number="WT-62",
        territory_code=WT_GRID,
        members=[(theirs, "head")],
        actor=people["wt_steward"],
        now=NOW,
    )
    with pytest.raises(DomainError) as elsewhere:
        propose("move_in", loner, people["hq_grid"], household="WT-62", relation="child")
    assert elsewhere.value.code == "person_outside_village"


def test_a_tenant_registered_in_another_grid_is_refused(people: dict[str, User], world) -> None:
    theirs = register(people["wt_steward"], 63, grid=WT_GRID, name="渭塘人")
    number = synthetic_id_number("320507", date(1975, 4, 1), 63)
    assert theirs.id_number_hash == crypto.lookup_hash(number)
    with pytest.raises(DomainError) as error:
        propose(
            "house",
            world["child"].house,
            people["hq_grid"],
            new_tenants=[{"name": "渭塘人", "id_number": number}],
        )
    assert (error.value.code, error.value.field) == ("tenant_outside_grid", "new_tenants[0].id_number")


def test_key_rotation_reseals_the_values_of_changes(people: dict[str, User], settings: Any) -> None:
    settings.PII_KEYS = {1: b"1" * 32}
    person = register(people["hq_steward"], 71)
    change = pending(propose("person", person, people["hq_grid"], address_detail="2幢101室")[0])
    settings.PII_KEYS = {1: b"1" * 32, 2: b"2" * 32}
    call_command("rotate_registry_keys")
    settings.PII_KEYS = {2: b"2" * 32}  # the old key retired
    change.refresh_from_db()
    assert change.values_sealed.startswith("v2:")
    assert actions.values_of(change)["after"] == {"address_detail": "2幢101室"}
