"""What each kind of record change (RecordChange.Kind) reads, checks, shows and applies: one spec a kind,
found by the kind in KINDS. `read` gives the record's current values of the kind's fields, `clean`
checks a proposal against the record (so the grid worker corrects a mistake on the spot; the apply
checks again), each field says how it is shown (masked) and to whom, and `apply` writes the change
through the registry's own actions. `registry.actions.changes` proposes and applies through this table
only; no other code knows a kind's rules."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.errors import Conflict, DomainError, Unprocessable
from core.pii import mask_name, mask_phone
from core.publication import scrub
from registry import crypto, sensitivity
from registry.actions.common import checked_choice, required_text
from registry.actions.entities import (
    clean_industry_code,
    clean_inspection_days,
    clean_uscc,
    do_update_entity,
    do_update_entity_contact,
    do_update_key_place,
    uscc_free,
)
from registry.actions.households import do_move_into_household, do_move_out_of_household
from registry.actions.people import (
    PersonInput,
    clean_id_number,
    clean_phone,
    do_register_person,
    do_set_care_tags,
    do_update_person_contact,
)
from registry.actions.places import do_set_house_rental
from registry.models import Entity, House, Household, KeyPlace, Person, RecordChange, SensitiveRecord

CARE_TAGS_FILE = Path(__file__).resolve().parents[1] / "data" / "care_tags.txt"
Values = dict[str, Any]


@functools.cache
def care_tags() -> tuple[str, ...]:
    """The care tags a worker may propose (registry/data/care_tags.txt), in the file's order."""
    lines = CARE_TAGS_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _plain(value: Any) -> str:
    return str(value)


def _digits_masked(value: Any) -> str:
    """An exact address with its numbers hidden (春申花园3幢201室 → 春申花园*幢***室)."""
    return re.sub(r"[0-9０-９]", "*", str(value))


def _tags(value: Any) -> str:
    return "、".join(_(tag) for tag in value) or "—"


def _relation(value: Any) -> str:
    return str(Person.Relation(value).label) if value else "—"


def _tenants(value: Any) -> str:
    names = [mask_name(t["name"]) + ("" if "id" in t else _("（新登记）")) for t in value]
    return "、".join(names) or "—"


@dataclass(frozen=True)
class FieldSpec:
    label: str  # Chinese, marked for translation (gettext_noop); shown with gettext
    show: Callable[[Any], str] = _plain
    level: int = sensitivity.PERSONAL  # a viewer below it sees that there is a value, not the value


@dataclass(frozen=True)
class KindSpec:
    kind: str
    model: type[models.Model]
    record: str  # the RecordChange field naming the record
    fields: dict[str, FieldSpec]
    read: Callable[[Any], Values]
    clean: Callable[[Any, Mapping[str, Any], date], Values]
    apply: Callable[[Any, Values, User, datetime], None]
    name_of: Callable[[Any], str] = field(default=lambda record: str(record))


def _reason(raw: Mapping[str, Any]) -> str:
    value = str(raw.get("reason") or "").strip()
    if len(value) > 200:
        raise DomainError("too_long", _("原因最多 200 个字。"), field="reason")
    return value


def _moved_on(raw: Mapping[str, Any], today: date) -> str:
    """The day of a move: given (ISO), not in the future, at most a year back; today when left out."""
    text = str(raw.get("moved_on") or "").strip()
    try:
        day = date.fromisoformat(text) if text else today
    except ValueError as error:
        raise DomainError("invalid_date", _("日期格式须为 YYYY-MM-DD。"), field="moved_on") from error
    if day > today or (today - day).days > 366:
        raise DomainError("invalid_date", _("迁移日期须在一年内且不晚于今天。"), field="moved_on")
    return day.isoformat()


def _each(cleaners: Mapping[str, Callable[[str], Any]], raw: Mapping[str, Any]) -> Values:
    """The proposal's fields among `cleaners`, each through its cleaner (a field left out is unchanged)."""
    return {name: clean(str(raw[name])) for name, clean in cleaners.items() if name in raw}


# --------------------------------------------------------------------------------------------- people


def _care_tags_of(person: Person) -> list[str]:
    record = SensitiveRecord.objects.filter(person=person).first()
    return sorted(crypto.unseal_list(record, "care_tags_sealed")) if record else []


def _read_person(person: Person) -> Values:
    return {
        "phone": crypto.unseal(person, "phone_sealed"),
        "address_detail": crypto.unseal(person, "address_detail_sealed"),
        "care_tags": _care_tags_of(person),
    }


def _tag_set(value: Any) -> set[str]:
    tags = {str(t).strip() for t in (value or []) if str(t).strip()}
    unknown = tags - set(care_tags())
    if unknown:
        raise DomainError(
            "invalid_choice",
            _("关爱标签须取自：%(tags)s。") % {"tags": "、".join(care_tags())},
            field="care_tags",
        )
    return tags


def _clean_person(person: Person, raw: Mapping[str, Any], today: date) -> Values:
    values = _each({"phone": clean_phone, "address_detail": lambda v: v.strip()}, raw)
    if len(values.get("address_detail", "")) > 100:
        raise DomainError("too_long", _("详细住址最多 100 个字。"), field="address_detail")
    if "care_tags_add" in raw or "care_tags_remove" in raw:
        add, remove = _tag_set(raw.get("care_tags_add")), _tag_set(raw.get("care_tags_remove"))
        if add & remove:
            raise DomainError("conflicting_tags", _("同一标签不能既新增又取消。"), field="care_tags")
        values["care_tags"] = sorted((set(_care_tags_of(person)) - remove) | add)
    return values


def _apply_person(person: Person, values: Values, actor: User, now: datetime) -> None:
    contact = {name: values[name] for name in ("phone", "address_detail") if name in values}
    if contact:
        do_update_person_contact(person, **contact, actor=actor, now=now)
    if "care_tags" in values:
        do_set_care_tags(person, care_tags=values["care_tags"], actor=actor, now=now)


# ---------------------------------------------------------------------------------- household moves


def _read_membership(person: Person) -> Values:
    return {"household": person.household.number if person.household else "", "relation": person.relation}


def _move_details(raw: Mapping[str, Any], today: date) -> Values:
    details = {"moved_on": _moved_on(raw, today)}
    if reason := _reason(raw):
        details["reason"] = reason
    return details


def _clean_move_out(person: Person, raw: Mapping[str, Any], today: date) -> Values:
    household = person.household
    if household is None:
        raise DomainError("not_a_member", _("该人员不在任何户中。"), field="person")
    if person.relation == Person.Relation.HEAD and household.members.exclude(pk=person.pk).exists():
        raise Unprocessable("household_head_count", _("户主迁出前须先变更户主。"), field="person")
    return {"household": "", "relation": "", **_move_details(raw, today)}


def _apply_move_out(person: Person, values: Values, actor: User, now: datetime) -> None:
    household = person.household
    if household is None:  # the apply's check of the before values has caught this already
        raise Conflict("not_a_member", _("该人员已不在户中。"), field="person")
    do_move_out_of_household(
        household,
        person,
        on=date.fromisoformat(values["moved_on"]),
        reason=values.get("reason", ""),
        actor=actor,
        now=now,
    )


def _household_to_enter(person: Person, number: str) -> Household:
    household = Household.objects.filter(number=number).first()
    if household is None:
        raise DomainError(
            "unknown_household", _("户号 %(number)s 不存在。") % {"number": number}, field="household"
        )
    if not person.territory_code.startswith(household.territory_code[:12]):
        raise DomainError("person_outside_village", _("人员不在该户所在村（社区）。"), field="household")
    return household


def _clean_move_in(person: Person, raw: Mapping[str, Any], today: date) -> Values:
    if person.household_id is not None:
        raise Conflict("already_in_household", _("该人员已在另一户中，请先办理迁出。"), field="person")
    number = required_text(str(raw.get("household") or ""), "household", _("户号"))
    household = _household_to_enter(person, number)
    relation = checked_choice(str(raw.get("relation") or ""), Person.Relation, "relation")
    if relation == Person.Relation.HEAD and household.members.filter(relation=relation).exists():
        raise Unprocessable("household_head_count", _("该户已有户主。"), field="relation")
    return {"household": household.number, "relation": relation, **_move_details(raw, today)}


def _apply_move_in(person: Person, values: Values, actor: User, now: datetime) -> None:
    do_move_into_household(
        _household_to_enter(person, values["household"]),
        person,
        relation=values["relation"],
        on=date.fromisoformat(values["moved_on"]),
        reason=values.get("reason", ""),
        actor=actor,
        now=now,
    )


# ----------------------------------------------------------------------------- entities, key places

ENTITY_BASICS = ("name", "legal_representative", "industry_code", "size")


def _read_entity(entity: Entity) -> Values:
    return {
        "uscc": entity.uscc,
        **{name: getattr(entity, name) for name in ENTITY_BASICS},
        "legal_representative_phone": crypto.unseal(entity, "legal_representative_phone_sealed"),
    }


def _clean_entity(entity: Entity, raw: Mapping[str, Any], today: date) -> Values:
    return _each(
        {
            "name": lambda v: required_text(v, "name", _("单位名称")),
            "legal_representative": lambda v: required_text(v, "legal_representative", _("法定代表人")),
            "industry_code": clean_industry_code,
            "size": lambda v: checked_choice(v, Entity.Size, "size"),
            "legal_representative_phone": clean_phone,
            # a mistyped credit code corrected; another entity's is refused
            "uscc": lambda v: uscc_free(clean_uscc(v), entity),
        },
        raw,
    )


def _apply_entity(entity: Entity, values: Values, actor: User, now: datetime) -> None:
    if set(values) & {*ENTITY_BASICS, "uscc"}:
        basics = {name: values.get(name, getattr(entity, name)) for name in ENTITY_BASICS}
        do_update_entity(entity, **basics, uscc_code=values.get("uscc"), actor=actor, now=now)
    if "legal_representative_phone" in values:
        do_update_entity_contact(
            entity, legal_representative_phone=values["legal_representative_phone"], actor=actor, now=now
        )


def _days(value: str) -> int:
    try:
        days = int(value.strip())
    except ValueError as error:
        raise DomainError(
            "invalid_inspection_days", _("巡查周期须为整数天。"), field="inspection_days"
        ) from error
    return clean_inspection_days(days)


def _read_place(place: KeyPlace) -> Values:
    return {"name": place.name, "kind": place.kind, "inspection_days": place.inspection_days}


def _clean_place(place: KeyPlace, raw: Mapping[str, Any], today: date) -> Values:
    return _each(
        {
            "name": lambda v: required_text(v, "name", _("场所名称")),
            "kind": lambda v: checked_choice(v, KeyPlace.Kind, "kind"),
            "inspection_days": _days,
        },
        raw,
    )


def _apply_place(place: KeyPlace, values: Values, actor: User, now: datetime) -> None:
    current = _read_place(place)
    do_update_key_place(place, **{**current, **values}, actor=actor, now=now)


# ------------------------------------------------------------------------------------ houses let out


def _read_house(house: House) -> Values:
    tenants = house.residents.filter(tenant=True).order_by("pk")
    return {"rented": house.rented, "tenants": [{"id": p.pk, "name": p.name} for p in tenants]}


def _new_tenant(house: House, entry: Mapping[str, Any], index: int, today: date) -> dict[str, Any]:
    """One tenant the worker names: a person registered in the house's grid, or one to register (a
    migrant, 流动人口) when the ID number is not registered yet."""
    prefix = f"new_tenants[{index}]"
    try:
        number = clean_id_number(Person.IdType.RESIDENT_ID, str(entry.get("id_number") or ""), today=today)
        phone = clean_phone(str(entry.get("phone") or ""))
        name = required_text(str(entry.get("name") or ""), "name", _("姓名"))
    except DomainError as error:
        raise DomainError(error.code, error.message, field=f"{prefix}.{error.field}") from error
    registered = Person.objects.filter(id_number_hash=crypto.lookup_hash(number)).first()
    if registered is None:
        return {"name": name, "id_number": number, "phone": phone}
    if registered.territory_code != house.territory_code:
        raise DomainError(
            "tenant_outside_grid",
            _("该人员已登记在其他网格，请先办理迁移。"),
            field=f"{prefix}.id_number",
        )
    return {"id": registered.pk, "name": registered.name}


def _clean_house(house: House, raw: Mapping[str, Any], today: date) -> Values:
    values: Values = {}
    rented = bool(raw["rented"]) if "rented" in raw else house.rented
    if "rented" in raw:
        values["rented"] = rented
    current = _read_house(house)["tenants"]
    remove = {int(pk) for pk in raw.get("remove_tenants") or []}
    if remove - {t["id"] for t in current}:
        raise DomainError("not_a_tenant", _("只能取消本房屋现有的承租人。"), field="remove_tenants")
    added = [_new_tenant(house, e, i, today) for i, e in enumerate(raw.get("new_tenants") or [])]
    tenants = [t for t in current if t["id"] not in remove] + added
    keys = [t.get("id") or t["id_number"] for t in tenants]
    if len(set(keys)) != len(keys):
        raise DomainError("duplicate_tenant", _("同一承租人填写了两次。"), field="new_tenants")
    if tenants and not rented:
        raise DomainError("tenants_without_rental", _("未出租的房屋不能登记承租人。"), field="rented")
    if remove or added:
        values["tenants"] = tenants
    return values


def _tenant(house: House, entry: Mapping[str, Any], actor: User, now: datetime) -> Person:
    if "id" in entry:
        return Person.objects.get(pk=entry["id"])
    registered = Person.objects.filter(id_number_hash=crypto.lookup_hash(entry["id_number"])).first()
    if registered is not None:  # registered since the proposal: the rental's own check decides
        return registered
    return do_register_person(
        PersonInput(
            territory_code=house.territory_code,
            kind=Person.Kind.MIGRANT,
            name=entry["name"],
            id_number=entry["id_number"],
            phone=entry["phone"],
        ),
        actor=actor,
        now=now,
    )


def _apply_house(house: House, values: Values, actor: User, now: datetime) -> None:
    entries: Iterable[Mapping[str, Any]] = (
        values["tenants"] if "tenants" in values else _read_house(house)["tenants"]
    )
    tenants = [_tenant(house, entry, actor, now) for entry in entries]
    do_set_house_rental(
        house, rented=values.get("rented", house.rented), tenants=tenants, actor=actor, now=now
    )


# ---------------------------------------------------------------------------------------- the table

_MOVE_FIELDS = {
    "household": FieldSpec(gettext_noop("户号"), lambda v: v or "—"),
    "relation": FieldSpec(gettext_noop("与户主关系"), _relation),
    "moved_on": FieldSpec(gettext_noop("迁移日期")),
    "reason": FieldSpec(gettext_noop("原因"), lambda v: scrub(str(v))),
}


def _person_name(person: Person) -> str:
    return mask_name(person.name)


KINDS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            RecordChange.Kind.PERSON,
            Person,
            "person",
            {
                "phone": FieldSpec(gettext_noop("联系电话"), mask_phone),
                "address_detail": FieldSpec(gettext_noop("详细住址"), _digits_masked),
                "care_tags": FieldSpec(gettext_noop("关爱标签"), _tags, sensitivity.SENSITIVE),
            },
            _read_person,
            _clean_person,
            _apply_person,
            _person_name,
        ),
        KindSpec(
            RecordChange.Kind.MOVE_OUT,
            Person,
            "person",
            _MOVE_FIELDS,
            _read_membership,
            _clean_move_out,
            _apply_move_out,
            _person_name,
        ),
        KindSpec(
            RecordChange.Kind.MOVE_IN,
            Person,
            "person",
            _MOVE_FIELDS,
            _read_membership,
            _clean_move_in,
            _apply_move_in,
            _person_name,
        ),
        KindSpec(
            RecordChange.Kind.ENTITY,
            Entity,
            "entity",
            {
                "uscc": FieldSpec(gettext_noop("统一社会信用代码"), level=sensitivity.INTERNAL),
                "name": FieldSpec(gettext_noop("单位名称")),
                "legal_representative": FieldSpec(gettext_noop("法定代表人"), mask_name),
                "industry_code": FieldSpec(gettext_noop("行业代码")),
                "size": FieldSpec(gettext_noop("规模"), lambda v: str(Entity.Size(v).label)),
                "legal_representative_phone": FieldSpec(gettext_noop("法定代表人电话"), mask_phone),
            },
            _read_entity,
            _clean_entity,
            _apply_entity,
        ),
        KindSpec(
            RecordChange.Kind.KEY_PLACE,
            KeyPlace,
            "key_place",
            {
                "name": FieldSpec(gettext_noop("场所名称")),
                "kind": FieldSpec(gettext_noop("类别"), lambda v: str(KeyPlace.Kind(v).label)),
                "inspection_days": FieldSpec(
                    gettext_noop("巡查周期"), lambda v: _("每 %(days)s 天") % {"days": v}
                ),
            },
            _read_place,
            _clean_place,
            _apply_place,
        ),
        KindSpec(
            RecordChange.Kind.HOUSE,
            House,
            "house",
            {
                "rented": FieldSpec(gettext_noop("出租房"), lambda v: _("出租") if v else _("未出租")),
                "tenants": FieldSpec(gettext_noop("承租人"), _tenants),
            },
            _read_house,
            _clean_house,
            _apply_house,
        ),
    )
}
