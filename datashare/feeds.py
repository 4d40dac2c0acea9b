"""What a connector's row means for each registry it may feed (Connector.Target), one Feed a target: its
key, the values it carries, how its record is found, registered and brought up to date — always through
the registry's own actions. A new record is registered as an import registers it (do_register_person,
do_create_household, do_register_house, do_register_key_place, do_register_entity: the same checks). A
source's change to a registered person, house, key place or entity is proposed through the registry's
change path (`registry.do_propose_change`), as a grid worker's change is: its trivial fields apply at
once, the rest waits for the village's review on process registry_change (grid's handlers apply it).
What no action can change (a person's name, category or grid, a household's head or house) is refused
for a person to check. A refusal raises DomainError: the run quarantines the row with it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models

from accounts.models import User
from core import idnumbers
from core.errors import DomainError
from core.pii import mask_id_number, mask_name, mask_phone
from datashare.models import Connector, SyncedRecord
from registry import actions as registry
from registry import crypto
from registry.imports import file_values
from registry.models import Building, Entity, House, Household, KeyPlace, Person, RecordChange
from workflow.start import do_start_item

Row = dict[str, Any]
Values = dict[str, Any]
# The review of a proposed change: an item of grid's process registry_change whose subject is the change
# (grid.registry_changes.RECORD_SUBJECT_TYPE); the rules of its approve and reject are grid's handlers.
REVIEW_PROCESS = "registry_change"
REVIEW_SUBJECT_TYPE = "registry.recordchange"


class RowRefused(DomainError):
    pass


@dataclass(frozen=True)
class Applied:
    outcome: str  # "created", "updated" or "unchanged"
    record: models.Model
    proposed: bool = False  # a change of it waits for the village's review


@dataclass(frozen=True)
class Feed:
    target: str
    personal: bool  # the row holds personal data: key, checksum and quarantine kept hashed or sealed
    key: Callable[[str], str]  # the key column's value → the stored key
    values: Callable[[Row, str], Values]  # (row, key column's value) → the values applied
    find: Callable[[str, Values, SyncedRecord | None], models.Model | None]
    create: Callable[[Connector, str, Values, User, datetime], Applied]
    update: Callable[[Connector, Any, Values, User, datetime], Applied]
    mask: Callable[[Row, str], Row] = lambda row, key: row  # a personal row as it may be shown


def checksum(feed: Feed, key: str, values: Values) -> str:
    text = json.dumps([key, values], ensure_ascii=False, sort_keys=True)
    return crypto.lookup_hash(text) if feed.personal else hashlib.sha256(text.encode()).hexdigest()


def _text(row: Row, column: str) -> str:
    return str(row.get(column) or "").strip()


def _choice(choices: type[models.Choices], value: str) -> str:
    """A value given as the model's value or as its Chinese label (as an import file names it)."""
    return file_values(choices).get(value, value)


def _in_scope(connector: Connector, code: str, field: str = "grid") -> None:
    if not code.startswith(connector.territory_code):
        raise RowRefused("out_of_scope", "网格不在该数据源的区划内。", field=field)


def _same_grid(record: Any, grid: str, what: str) -> None:
    if record.territory_code != grid:
        raise RowRefused("grid_mismatch", f"该{what}已登记在其他网格，请人工核对。", field="grid")


def _start_review(actor: User, now: datetime) -> Callable[[RecordChange], None]:
    def start(change: RecordChange) -> None:
        do_start_item(
            REVIEW_PROCESS,
            actor=actor,
            now=now,
            title=change.summary,
            territory_code=change.territory_code,
            subject_type=REVIEW_SUBJECT_TYPE,
            subject_id=str(change.pk),
        )

    return start


def _waiting(record: models.Model, kind: str) -> list[Values]:
    """The values of the changes of `kind` to `record` still waiting for review."""
    changes = RecordChange.objects.filter(
        kind=kind, outcome=RecordChange.Outcome.PROPOSED, **{registry.CHANGE_KINDS[kind].record: record}
    )
    return [registry.values_of(change)["after"] for change in changes]


def _propose(
    kind: str, record: models.Model, proposed: Values, actor: User, now: datetime
) -> tuple[bool, bool]:
    """Propose through the change path what differs and is not already waiting for review;
    (changed at once or proposed, waits for review)."""
    for waiting in _waiting(record, kind):
        proposed = {name: value for name, value in proposed.items() if str(waiting.get(name)) != str(value)}
    if not proposed:
        return False, False
    try:
        outcome = registry.do_propose_change(
            kind, record, proposed, actor=actor, now=now, start_review=_start_review(actor, now)
        )
    except DomainError as error:
        if error.code == "nothing_changed":
            return False, False
        raise
    return True, outcome.pending is not None


# ---------------------------------------------------------------------------------------------- entity

SIZE_LABELS = {str(label): value for value, label in Entity.Size.choices}
ENTITY_FIELDS = ["name", "legal_representative", "industry_code", "size", "grid"]
ENTITY_BASICS = ("name", "legal_representative", "industry_code", "size")


def _entity_values(row: Row, key: str) -> Values:
    values = {name: _text(row, name) for name in ENTITY_FIELDS}
    values["size"] = SIZE_LABELS.get(values["size"], values["size"])
    return values


def _find_entity(key: str, values: Values, synced: SyncedRecord | None) -> Entity | None:
    return Entity.objects.filter(uscc=key).first()


def _create_entity(connector: Connector, key: str, values: Values, actor: User, now: datetime) -> Applied:
    _in_scope(connector, values["grid"])
    entity = registry.do_register_entity(
        uscc_code=key,
        name=values["name"],
        legal_representative=values["legal_representative"],
        industry_code=values["industry_code"],
        size=values["size"],
        territory_code=values["grid"],
        actor=actor,
        now=now,
    )
    return Applied("created", entity)


def _update_entity(
    connector: Connector, entity: Entity, values: Values, actor: User, now: datetime
) -> Applied:
    """Through the change path, reviewed by the village as a grid worker's proposal is (a source carries
    no trivial field of an entity: its representative's phone is personal data no feed keeps)."""
    _in_scope(connector, values["grid"])
    _same_grid(entity, values["grid"], "单位")
    proposed = {name: values[name] for name in ENTITY_BASICS}
    changed, waits = _propose(RecordChange.Kind.ENTITY, entity, proposed, actor, now)
    return Applied("updated" if changed else "unchanged", entity, waits)


# ---------------------------------------------------------------------------------------------- people


def _person_key(number: str) -> str:
    return crypto.lookup_hash(idnumbers.compact(number))


def _person_values(row: Row, key: str) -> Values:
    values = {
        "id_number": idnumbers.compact(key),
        "name": _text(row, "name"),
        "kind": _choice(Person.Kind, _text(row, "kind")),  # none given: 户籍人口 when registered
        "phone": _text(row, "phone"),
        "grid": _text(row, "grid"),
        "household": _text(row, "household"),
        "relation": _choice(Person.Relation, _text(row, "relation")),
    }
    if "address_detail" in row:  # a source without the column says nothing of the address
        values["address_detail"] = _text(row, "address_detail")
    return values


def _find_person(key: str, values: Values, synced: SyncedRecord | None) -> Person | None:
    return Person.objects.filter(id_number_hash=key).select_related("household").first()


def _move_in(person: Person, values: Values, actor: User, now: datetime) -> bool:
    """Into the row's household, reviewed as a grid worker's move in; True when a move waits."""
    if not values["household"]:
        return False
    current = person.household.number if person.household else ""
    if current == values["household"]:
        if person.relation != values["relation"]:
            raise RowRefused("record_mismatch", "与户主关系与登记不符，请人工核对。", field="relation")
        return False
    if current:
        raise RowRefused(
            "household_mismatch", "该人员已在另一户中，须先由村（社区）办理迁出。", field="household"
        )
    move = {"household": values["household"], "relation": values["relation"]}
    return _propose(RecordChange.Kind.MOVE_IN, person, move, actor, now)[1]


def _create_person(connector: Connector, key: str, values: Values, actor: User, now: datetime) -> Applied:
    _in_scope(connector, values["grid"])
    person = registry.do_register_person(
        registry.PersonInput(
            territory_code=values["grid"],
            kind=values["kind"] or Person.Kind.REGISTERED,
            name=values["name"],
            id_number=values["id_number"],
            phone=values["phone"],
            address_detail=values.get("address_detail", ""),
        ),
        actor=actor,
        now=now,
    )
    return Applied("created", person, _move_in(person, values, actor, now))


def _update_person(
    connector: Connector, person: Person, values: Values, actor: User, now: datetime
) -> Applied:
    _in_scope(connector, values["grid"])
    _same_grid(person, values["grid"], "人员")
    if person.name != values["name"]:
        raise RowRefused("record_mismatch", "姓名与登记不符，请人工核对。", field="name")
    if values["kind"] and person.kind != values["kind"]:
        raise RowRefused("record_mismatch", "人口类别与登记不符，请人工核对。", field="kind")
    contact: Values = {name: values[name] for name in ("phone", "address_detail") if name in values}
    changed, waits = _propose(RecordChange.Kind.PERSON, person, contact, actor, now)
    moves = _move_in(person, values, actor, now)
    return Applied("updated" if changed or moves else "unchanged", person, waits or moves)


def _mask_person(row: Row, key: str) -> Row:
    masked = dict(row)
    for column, mask in (("name", mask_name), ("phone", mask_phone)):
        if column in masked:
            masked[column] = mask(str(masked[column] or ""))
    if "address_detail" in masked:
        masked["address_detail"] = "***" if masked["address_detail"] else ""
    return masked


# ------------------------------------------------------------------------------------------ households


def _household_values(row: Row, key: str) -> Values:
    return {
        "number": key,
        "grid": _text(row, "grid"),
        "head": _text(row, "head"),
        "house": _text(row, "house"),
    }


def _find_household(key: str, values: Values, synced: SyncedRecord | None) -> Household | None:
    return Household.objects.filter(number=key).select_related("house").first()


def _head(values: Values) -> Person:
    head = (
        Person.objects.filter(id_number_hash=_person_key(values["head"])).first() if values["head"] else None
    )
    if head is None:
        raise RowRefused("unknown_person", "户主未登记，请先接入或登记该人员。", field="head")
    return head


def _create_household(connector: Connector, key: str, values: Values, actor: User, now: datetime) -> Applied:
    _in_scope(connector, values["grid"])
    house = None
    if values["house"]:
        house = House.objects.filter(code=values["house"]).first()
        if house is None:
            raise RowRefused("unknown_house", "房屋编码未登记。", field="house")
    household = registry.do_create_household(
        number=values["number"],
        territory_code=values["grid"],
        members=[(_head(values), Person.Relation.HEAD)],
        house=house,
        actor=actor,
        now=now,
    )
    return Applied("created", household)


def _update_household(
    connector: Connector, household: Household, values: Values, actor: User, now: datetime
) -> Applied:
    """No action changes a household's grid, head or house: a source that differs is checked by hand."""
    _in_scope(connector, values["grid"])
    _same_grid(household, values["grid"], "户")
    head = household.members.filter(relation=Person.Relation.HEAD).first()
    if head is None or head.pk != _head(values).pk:
        raise RowRefused("record_mismatch", "户主与登记不符，请由村（社区）办理户主变更。", field="head")
    if (household.house.code if household.house else "") != values["house"]:
        raise RowRefused("record_mismatch", "住房与登记不符，请人工核对。", field="house")
    return Applied("unchanged", household)


def _mask_household(row: Row, key: str) -> Row:
    return {**row, "head": mask_id_number(str(row.get("head") or ""))}


# -------------------------------------------------------------------------------------------- houses

RENTED = {
    "是": True,
    "出租": True,
    "true": True,
    "1": True,
    "否": False,
    "未出租": False,
    "false": False,
    "0": False,
}


def _house_values(row: Row, key: str) -> Values:
    text = _text(row, "rented").lower()
    if text not in RENTED:
        raise RowRefused("invalid_choice", "是否出租须为 是/否。", field="rented")
    return {"code": key, "rented": RENTED[text]}


def _find_house(key: str, values: Values, synced: SyncedRecord | None) -> House | None:
    return House.objects.filter(code=key).first()


def _create_house(connector: Connector, key: str, values: Values, actor: User, now: datetime) -> Applied:
    code = values["code"]
    if len(code) != 24 or not code.isdigit():
        raise RowRefused(
            "invalid_house_code", "房屋编码须为 24 位数字（房屋 18 位 + 单元 2 位 + 室 4 位）。", field="code"
        )
    building = Building.objects.filter(code=code[:18]).first()
    if building is None:
        raise RowRefused("unknown_building", "房屋（幢）未登记。", field="code")
    _in_scope(connector, building.territory_code, field="code")
    house = registry.do_register_house(
        building=building,
        unit=int(code[18:20]),
        room=str(int(code[20:])),
        rented=values["rented"],
        actor=actor,
        now=now,
    )
    return Applied("created", house)


def _update_house(connector: Connector, house: House, values: Values, actor: User, now: datetime) -> Applied:
    _in_scope(connector, house.territory_code, field="code")
    changed, waits = _propose(RecordChange.Kind.HOUSE, house, {"rented": values["rented"]}, actor, now)
    return Applied("updated" if changed else "unchanged", house, waits)


# ---------------------------------------------------------------------------------------- key places


def _place_values(row: Row, key: str) -> Values:
    return {
        "name": _text(row, "name"),
        "kind": _choice(KeyPlace.Kind, _text(row, "kind")),
        "grid": _text(row, "grid"),
        "inspection_days": _text(row, "inspection_days"),
        "uscc": _text(row, "uscc"),
    }


def _find_place(key: str, values: Values, synced: SyncedRecord | None) -> KeyPlace | None:
    """A key place has no code of its own: it is the one this connector registered under the key."""
    return KeyPlace.objects.filter(pk=synced.target_id).first() if synced is not None else None


def _days(values: Values) -> int:
    try:
        return int(values["inspection_days"])
    except ValueError as error:
        raise RowRefused(
            "invalid_inspection_days", "巡查周期须为整数天。", field="inspection_days"
        ) from error


def _create_place(connector: Connector, key: str, values: Values, actor: User, now: datetime) -> Applied:
    _in_scope(connector, values["grid"])
    entity = None
    if values["uscc"]:
        entity = Entity.objects.filter(uscc=values["uscc"]).first()
        if entity is None:
            raise RowRefused("unknown_entity", "统一社会信用代码未登记。", field="uscc")
    place = registry.do_register_key_place(
        name=values["name"],
        kind=values["kind"],
        territory_code=values["grid"],
        inspection_days=_days(values),
        entity=entity,
        actor=actor,
        now=now,
    )
    return Applied("created", place)


def _update_place(
    connector: Connector, place: KeyPlace, values: Values, actor: User, now: datetime
) -> Applied:
    _in_scope(connector, values["grid"])
    _same_grid(place, values["grid"], "场所")
    proposed = {"name": values["name"], "kind": values["kind"], "inspection_days": str(_days(values))}
    changed, waits = _propose(RecordChange.Kind.KEY_PLACE, place, proposed, actor, now)
    return Applied("updated" if changed else "unchanged", place, waits)


def _same(key: str) -> str:
    return key


FEEDS: Mapping[str, Feed] = {
    feed.target: feed
    for feed in (
        Feed(
            Connector.Target.ENTITY,
            False,
            _same,
            _entity_values,
            _find_entity,
            _create_entity,
            _update_entity,
        ),
        Feed(
            Connector.Target.PERSON,
            True,
            _person_key,
            _person_values,
            _find_person,
            _create_person,
            _update_person,
            _mask_person,
        ),
        Feed(
            Connector.Target.HOUSEHOLD,
            True,
            _same,
            _household_values,
            _find_household,
            _create_household,
            _update_household,
            _mask_household,
        ),
        Feed(Connector.Target.HOUSE, False, _same, _house_values, _find_house, _create_house, _update_house),
        Feed(
            Connector.Target.KEY_PLACE, False, _same, _place_values, _find_place, _create_place, _update_place
        ),
    )
}


def shown_key(feed: Feed, key: str) -> str:
    """The key as the quarantine shows it: a person's ID number masked."""
    return mask_id_number(idnumbers.compact(key)) if feed.target == Connector.Target.PERSON else key
