"""Households (户): exactly one head; every move in and out kept as a HouseholdMove row."""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, DomainError, Unprocessable
from registry import access
from registry.actions.common import audit_write, check_grid, checked_choice, required_text
from registry.models import (
    House,
    Household,
    HouseholdMove,
    Person,
)


def do_create_household(
    *,
    number: str,
    territory_code: str,
    members: list[tuple[Person, str]],
    house: House | None = None,
    actor: User,
    now: datetime,
) -> Household:
    """A household with its members (person, relation): exactly one head, nobody in another household."""
    access.access_write(actor, territory_code)
    check_grid(territory_code)
    number = required_text(number, "number", _("户号"))
    if house is not None and house.territory_code != territory_code:
        raise DomainError("house_outside_grid", _("住房不在该网格内。"), field="house")
    heads = [p for p, relation in members if relation == Person.Relation.HEAD]
    if len(heads) != 1:
        raise Unprocessable(
            "household_head_count",
            _("一户须有且只有一名户主（现有 %(count)s 名）。") % {"count": len(heads)},
            field="members",
        )
    for _person, relation in members:
        checked_choice(relation, Person.Relation, "relation")
    with transaction.atomic():
        if Household.objects.filter(number=number).exists():
            raise Conflict(
                "household_exists", _("户号 %(number)s 已存在。") % {"number": number}, field="number"
            )
        household = Household.objects.create(number=number, territory_code=territory_code, house=house)
        for person, relation in members:
            _move_in(household, person, relation, now.date(), "立户", actor, now)
        audit_write(actor, "registry.household_created", household, now, {"members": len(members)})
    return household


def _move_in(
    household: Household, person: Person, relation: str, on: date, reason: str, actor: User, now: datetime
) -> None:
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if locked.household_id is not None:
        raise Conflict("already_in_household", _("该人员已在另一户中，请先办理迁出。"), field="members")
    if not locked.territory_code.startswith(household.territory_code[:12]):
        raise DomainError("person_outside_village", _("人员不在该户所在村（社区）。"), field="members")
    locked.household, locked.relation = household, relation
    try:
        with transaction.atomic():
            locked.save(update_fields=["household", "relation"])
    except IntegrityError as error:
        raise Unprocessable("household_head_count", _("该户已有户主。"), field="relation") from error
    HouseholdMove.objects.create(
        household=household,
        person=locked,
        direction=HouseholdMove.Direction.IN,
        relation=relation,
        occurred_on=on,
        reason=reason,
        recorded_by=actor,
        recorded_at=now,
    )
    person.household, person.relation = household, relation


def do_move_into_household(
    household: Household,
    person: Person,
    *,
    relation: str,
    on: date,
    reason: str = "",
    actor: User,
    now: datetime,
) -> None:
    access.access_write(actor, household.territory_code, field="household")
    checked_choice(relation, Person.Relation, "relation")
    with transaction.atomic():
        _move_in(household, person, relation, on, reason or "迁入", actor, now)
        audit_write(
            actor, "registry.household_member_in", household, now, {"person": person.pk, "relation": relation}
        )


def do_move_out_of_household(
    household: Household, person: Person, *, on: date, reason: str = "", actor: User, now: datetime
) -> None:
    """A member leaves; the head may leave only as the last member (else name another head first)."""
    access.access_write(actor, household.territory_code, field="household")
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if locked.household_id != household.pk:
            raise DomainError("not_a_member", _("该人员不是本户成员。"), field="person")
        if locked.relation == Person.Relation.HEAD and household.members.exclude(pk=locked.pk).exists():
            raise Unprocessable("household_head_count", _("户主迁出前须先变更户主。"), field="person")
        HouseholdMove.objects.create(
            household=household,
            person=locked,
            direction=HouseholdMove.Direction.OUT,
            relation=locked.relation,
            occurred_on=on,
            reason=reason or "迁出",
            recorded_by=actor,
            recorded_at=now,
        )
        locked.household, locked.relation = None, ""
        locked.save(update_fields=["household", "relation"])
        audit_write(actor, "registry.household_member_out", household, now, {"person": locked.pk})
