"""Every write to the party records: one transaction, the actor's right checked, an audit row (ids
only, never a personal value), time passed in. Bad input raises DomainError with its field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import record_event
from core.errors import Conflict, DomainError, NotFound
from party.access import access_write
from party.models import MemberLink, Organisation, Pairing, PartyMember
from registry.models import Entity, Household, Person
from territory.models import Division, Grid

Kind = Organisation.Kind
# Where each kind may stand: the level of its territory code (town 9, village 12, grid 15 digits).
KIND_LEVELS: dict[str, set[int]] = {
    Kind.COMMITTEE: {9, 12},
    Kind.WORKING_COMMITTEE: {9},
    Kind.GENERAL_BRANCH: {9, 12},
    Kind.BRANCH: {9, 12, 15},
    Kind.GROUP: {12, 15},
    Kind.ACTION_BRANCH: {9, 12, 15},
    Kind.FUNCTIONAL_GROUP: {9, 12, 15},
}
# Which kinds may sit under which (a group under a branch, a branch under a committee or general branch).
PARENT_KINDS: dict[str, set[str]] = {
    Kind.COMMITTEE: {Kind.COMMITTEE, Kind.WORKING_COMMITTEE},
    Kind.WORKING_COMMITTEE: set(),
    Kind.GENERAL_BRANCH: {Kind.COMMITTEE, Kind.WORKING_COMMITTEE},
    Kind.BRANCH: {Kind.COMMITTEE, Kind.WORKING_COMMITTEE, Kind.GENERAL_BRANCH},
    Kind.GROUP: {Kind.BRANCH, Kind.GENERAL_BRANCH},
    Kind.ACTION_BRANCH: {Kind.COMMITTEE, Kind.WORKING_COMMITTEE, Kind.GENERAL_BRANCH, Kind.BRANCH},
    Kind.FUNCTIONAL_GROUP: {Kind.BRANCH, Kind.GENERAL_BRANCH},
}
BRANCH_KINDS = {Kind.BRANCH, Kind.GENERAL_BRANCH, Kind.ACTION_BRANCH}


def _audit(actor: User, action: str, subject: Any, now: datetime, after: dict[str, Any]) -> None:
    record_event(
        actor=actor,
        action=action,
        subject=subject,
        territory_code=subject.territory_code,
        after=after,
        now=now,
    )


def _territory(code: str) -> str:
    known = (len(code) == 15 and Grid.objects.filter(code=code).exists()) or Division.objects.filter(
        code=code, level__in=[Division.Level.TOWN, Division.Level.VILLAGE]
    ).exists()
    if not known:
        raise DomainError(
            "unknown_territory", _("区划/网格代码 %(code)r 不存在。") % {"code": code}, field="territory_code"
        )
    return code


@dataclass
class OrganisationInput:
    name: str
    kind: str
    territory_code: str = ""
    parent_id: int | None = None
    entity_id: int | None = None
    action_type: str = ""
    functional_type: str = ""
    founded_on: date | None = None


def _clean_organisation(data: OrganisationInput) -> tuple[Organisation | None, Entity | None, str]:
    if not data.name.strip():
        raise DomainError("required", _("名称不能为空。"), field="name")
    if data.kind not in Kind.values:
        raise DomainError("invalid_choice", _("组织类型无效：%(kind)r。") % {"kind": data.kind}, field="kind")
    entity = None
    code = data.territory_code
    if data.entity_id is not None:
        if data.kind not in BRANCH_KINDS | {Kind.GROUP}:
            raise DomainError("entity_not_allowed", _("只有支部或党小组可以建在企业。"), field="entity_id")
        entity = Entity.objects.filter(pk=data.entity_id).first()
        if entity is None:
            raise DomainError("unknown_entity", _("企业不存在。"), field="entity_id")
        code = entity.territory_code
    else:
        _territory(code)
        if len(code) not in KIND_LEVELS[data.kind]:
            raise DomainError("wrong_level", _("该类型的组织不能建在这一层级。"), field="territory_code")
    if (data.kind == Kind.ACTION_BRANCH) != bool(data.action_type):
        raise DomainError(
            "action_type_required", _("行动支部须注明类型（且只有行动支部有此类型）。"), field="action_type"
        )
    if data.action_type and data.action_type not in Organisation.ActionType.values:
        raise DomainError("invalid_choice", _("行动支部类型无效。"), field="action_type")
    if (data.kind == Kind.FUNCTIONAL_GROUP) != bool(data.functional_type):
        raise DomainError("functional_type_required", _("功能型党小组须注明类型。"), field="functional_type")
    if data.functional_type and data.functional_type not in Organisation.FunctionalType.values:
        raise DomainError("invalid_choice", _("功能型党小组类型无效。"), field="functional_type")
    parent = None
    if data.parent_id is not None:
        parent = Organisation.objects.filter(pk=data.parent_id).first()
        if parent is None:
            raise DomainError("unknown_parent", _("上级组织不存在。"), field="parent_id")
        if parent.kind not in PARENT_KINDS[data.kind]:
            raise DomainError("wrong_parent", _("上级组织类型不符。"), field="parent_id")
        if not code.startswith(parent.territory_code):
            raise DomainError("outside_parent", _("组织须在上级组织的区域内。"), field="parent_id")
    elif data.kind not in {Kind.COMMITTEE, Kind.WORKING_COMMITTEE}:
        raise DomainError("parent_required", _("须指定上级党组织。"), field="parent_id")
    return parent, entity, code


def do_create_organisation(data: OrganisationInput, *, actor: User, now: datetime) -> Organisation:
    parent, entity, code = _clean_organisation(data)
    access_write(actor, code)
    if parent is not None:
        access_write(actor, parent.territory_code, field="parent_id")
    with transaction.atomic():
        org = Organisation.objects.create(
            name=data.name.strip(),
            kind=data.kind,
            parent=parent,
            territory_code=code,
            entity=entity,
            action_type=data.action_type,
            functional_type=data.functional_type,
            founded_on=data.founded_on,
            created_at=now,
        )
        _audit(actor, "party.organisation_created", org, now, {"kind": org.kind, "parent": data.parent_id})
    return org


def do_set_secretary(
    org: Organisation, member: PartyMember | None, *, actor: User, now: datetime
) -> Organisation:
    """The secretary must be a member of the organisation (or of one beneath it)."""
    access_write(actor, org.territory_code)
    if member is not None:
        ancestors = {member.organisation_id}
        node = member.organisation.parent
        while node is not None:
            ancestors.add(node.pk)
            node = node.parent
        if org.pk not in ancestors:
            raise DomainError("secretary_not_member", _("书记须为本组织党员。"), field="member_id")
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=org.pk)
        before = locked.secretary_id
        locked.secretary = member
        locked.save(update_fields=["secretary"])
        record_event(
            actor=actor,
            action="party.secretary_set",
            subject=locked,
            territory_code=locked.territory_code,
            before={"secretary": before},
            after={"secretary": member.pk if member else None},
            now=now,
        )
    return locked


def do_pair_organisations(
    a: Organisation, b: Organisation, *, started_on: date, activities: str, actor: User, now: datetime
) -> Pairing:
    if a.pk == b.pk:
        raise DomainError("pair_self", _("不能与自身结对。"), field="second_id")
    for org, field in ((a, "first_id"), (b, "second_id")):
        if org.kind not in BRANCH_KINDS | {Kind.COMMITTEE, Kind.WORKING_COMMITTEE}:
            raise DomainError("pair_kind", _("只有党组织（党委、总支、支部）之间可以结对。"), field=field)
    access_write(actor, a.territory_code, field="first_id")
    first, second = sorted((a, b), key=lambda org: org.pk)
    with transaction.atomic():
        if Pairing.objects.filter(first=first, second=second).exists():
            raise Conflict("already_paired", _("两组织已结对。"), field="second_id")
        pairing = Pairing.objects.create(
            first=first, second=second, started_on=started_on, activities=activities.strip(), created_at=now
        )
        record_event(
            actor=actor,
            action="party.pairing_created",
            subject=pairing,
            territory_code=a.territory_code,
            after={"first": first.pk, "second": second.pk},
            now=now,
        )
    return pairing


# --- Members ---------------------------------------------------------------------------------------


@dataclass
class MemberInput:
    person_id: int
    organisation_id: int
    status: str
    joined_on: date
    grid_code: str
    mobile: bool = False
    user_id: int | None = None


def do_enrol_member(data: MemberInput, *, actor: User, now: datetime) -> PartyMember:
    if data.status not in PartyMember.Status.values:
        raise DomainError("invalid_choice", _("党员类别无效。"), field="status")
    if data.joined_on > now.date():
        raise DomainError("joined_in_future", _("入党日期不能晚于今天。"), field="joined_on")
    grid = Grid.objects.filter(code=data.grid_code, active=True).first()
    if grid is None:
        raise DomainError(
            "unknown_grid", _("网格编码 %(code)r 不存在。") % {"code": data.grid_code}, field="grid_code"
        )
    person = Person.objects.filter(pk=data.person_id).first()
    if person is None:
        raise NotFound(field="person_id")
    org = Organisation.objects.filter(pk=data.organisation_id).first()
    if org is None or org.kind in {Kind.COMMITTEE, Kind.WORKING_COMMITTEE}:
        raise DomainError("unknown_branch", _("须指定党员所在的支部或党小组。"), field="organisation_id")
    access_write(actor, person.territory_code, field="person_id")
    access_write(actor, org.territory_code, field="organisation_id")
    access_write(actor, grid.code, field="grid_code")
    user = None
    if data.user_id is not None:
        user = User.objects.filter(pk=data.user_id, is_active=True).first()
        if user is None:
            raise DomainError("unknown_user", _("登录账号不存在。"), field="user_id")
    with transaction.atomic():
        if PartyMember.objects.filter(person=person).exists():
            raise Conflict("already_member", _("此人已登记为党员。"), field="person_id")
        if user is not None and PartyMember.objects.filter(user=user).exists():
            raise Conflict("user_taken", _("该账号已绑定其他党员。"), field="user_id")
        member = PartyMember.objects.create(
            person=person,
            organisation=org,
            status=data.status,
            joined_on=data.joined_on,
            mobile=data.mobile,
            territory_code=grid.code,
            user=user,
            created_at=now,
        )
        _audit(actor, "party.member_enrolled", member, now, {"organisation": org.pk, "status": data.status})
    return member


def do_link_member(
    member: PartyMember,
    *,
    household: Household | None = None,
    entity: Entity | None = None,
    actor: User,
    now: datetime,
) -> MemberLink:
    """联户联企. The target must lie in the village of the member's grid (PARTY_LINK_OUTSIDE_VILLAGE
    lifts that) and a member holds at most PARTY_LINKS_PER_MEMBER links."""
    if (household is None) == (entity is None):
        raise DomainError("one_target", _("须且只能指定一户或一家企业。"), field="household_id")
    target = household or entity
    assert target is not None
    field = "household_id" if household is not None else "entity_id"
    access_write(actor, member.territory_code, field="member_id")
    access_write(actor, target.territory_code, field=field)
    village = member.territory_code[:12]
    if not settings.PARTY_LINK_OUTSIDE_VILLAGE and not target.territory_code.startswith(village):
        raise DomainError("outside_village", _("联系户/企业须在党员所在网格的村（社区）内。"), field=field)
    with transaction.atomic():
        locked = PartyMember.objects.select_for_update().get(pk=member.pk)
        links = MemberLink.objects.filter(member=locked)
        if links.filter(household=household, entity=entity).exists():
            raise Conflict("already_linked", _("已建立联系。"), field=field)
        if links.count() >= settings.PARTY_LINKS_PER_MEMBER:
            raise DomainError(
                "too_many_links",
                _("每名党员最多联系 %(n)s 户（企）。") % {"n": settings.PARTY_LINKS_PER_MEMBER},
                field=field,
            )
        link = MemberLink.objects.create(
            member=locked,
            household=household,
            entity=entity,
            territory_code=target.territory_code,
            linked_on=now.date(),
        )
        _audit(actor, "party.member_linked", link, now, {"member": locked.pk, field: target.pk})
    return link
