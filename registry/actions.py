"""Every write to the registries: one transaction, the actor's right checked, an audit row (never a
clear personal value in it), time passed in. Bad input raises DomainError with the field it concerns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from stdnum.cn import uscc

from accounts.models import User
from audit.actions import record_event
from core import idnumbers, ratelimit
from core.errors import Conflict, DomainError, PermissionRefused, Unprocessable
from core.pii import MAINLAND_MOBILE
from registry import access, crypto, sensitivity
from registry.models import (
    Address,
    Building,
    Entity,
    House,
    Household,
    HouseholdMove,
    KeyPlace,
    Person,
    SensitiveRecord,
    UnmaskRecord,
)
from territory.models import Division, Grid


def _grid_code(code: str, field: str = "territory_code") -> str:
    if len(code) != 15 or not Grid.objects.filter(code=code).exists():
        raise DomainError("unknown_grid", f"网格编码 {code!r} 不存在。", field=field)
    return code


def _division_or_grid(code: str) -> str:
    known = Grid.objects.filter(code=code).exists() or Division.objects.filter(code=code).exists()
    if not known:
        raise DomainError("unknown_territory", f"区划/网格代码 {code!r} 不存在。", field="territory_code")
    return code


def _required(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError("required", f"{label}不能为空。", field=field)
    return value


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise DomainError("invalid_choice", f"{field} 取值无效：{value!r}。", field=field)
    return value


def _audit(actor: User, action: str, subject: Any, now: datetime, after: dict[str, Any]) -> None:
    record_event(
        actor=actor,
        action=action,
        subject=subject,
        territory_code=subject.territory_code,
        after=after,
        now=now,
    )


# --- Addresses and buildings ---------------------------------------------------------------------------


def address_text(street: str, door_number: str, detail: str) -> str:
    """The one string form of a standard address: 街路巷 + 门楼牌号(号) + 详址."""
    number = door_number if door_number.endswith("号") else f"{door_number}号"
    return f"{street}{number}{detail}"


def _division_names(code: str) -> str:
    codes = [code[:n] for n in (6, 9, 12) if len(code) >= n]
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    grid_name = Grid.objects.filter(code=code).values_list("name", flat=True).first() or ""
    return "".join(names.get(c, "") for c in codes) + grid_name


def do_create_address(
    *,
    territory_code: str,
    street: str,
    door_number: str,
    detail: str = "",
    lon: float | None = None,
    lat: float | None = None,
    actor: User,
    now: datetime,
) -> Address:
    """The standard address with these parts (the existing one when it is already registered)."""
    access.access_write(actor, territory_code)
    _division_or_grid(territory_code)
    street = _required(street, "street", "街路巷")
    door_number = _required(door_number, "door_number", "门楼牌号")
    detail = (detail or "").strip()
    text = address_text(street, door_number, detail)
    with transaction.atomic():
        address, created = Address.objects.get_or_create(
            territory_code=territory_code,
            street=street,
            door_number=door_number,
            detail=detail,
            defaults={
                "lon": lon,
                "lat": lat,
                "text": text,
                "search_text": f"{_division_names(territory_code)} {text}",
            },
        )
        if created:
            _audit(actor, "registry.address_created", address, now, {"text": text})
    return address


def do_register_building(
    *,
    territory_code: str,
    address: Address,
    compound_number: int,
    number: int,
    compound: str,
    use: str,
    structure: str,
    floors: int,
    owner_name: str = "",
    actor: User,
    now: datetime,
) -> Building:
    """A building; its code is the village code + 街巷院落 (3 digits) + building (3 digits), GB/T 39609."""
    access.access_write(actor, territory_code)
    _grid_code(territory_code)
    if not (0 < compound_number < 1000 and 0 < number < 1000):
        raise DomainError("invalid_building_number", "院落号和幢号须为 1–999。", field="number")
    if not 0 < floors < 200:
        raise DomainError("invalid_floors", "层数须为 1–199。", field="floors")
    code = f"{territory_code[:12]}{compound_number:03d}{number:03d}"
    with transaction.atomic():
        if Building.objects.filter(code=code).exists():
            raise Conflict("building_exists", f"房屋编码 {code} 已登记。", field="number")
        building = Building.objects.create(
            code=code,
            territory_code=territory_code,
            address=address,
            compound=_required(compound, "compound", "街巷院落"),
            number=str(number),
            use=_choice(use, Building.Use, "use"),
            structure=_choice(structure, Building.Structure, "structure"),
            floors=floors,
            owner_name=owner_name.strip(),
        )
        _audit(actor, "registry.building_registered", building, now, {"code": code})
    return building


def do_register_house(
    *, building: Building, unit: int, room: str, rented: bool = False, actor: User, now: datetime
) -> House:
    access.access_write(actor, building.territory_code)
    room = _required(room, "room", "室号")
    if not room.isdigit() or len(room) > 4:
        raise DomainError("invalid_room", "室号须为 1–4 位数字。", field="room")
    code = f"{building.code}{unit:02d}{int(room):04d}"
    with transaction.atomic():
        house, created = House.objects.get_or_create(
            code=code,
            defaults={
                "building": building,
                "territory_code": building.territory_code,
                "unit": str(unit) if unit else "",
                "room": room,
                "rented": rented,
            },
        )
        if created:
            _audit(actor, "registry.house_registered", house, now, {"code": code, "rented": rented})
    return house


# --- People ----------------------------------------------------------------------------------------------


@dataclass
class PersonInput:
    territory_code: str
    kind: str
    name: str
    id_number: str
    id_type: str = Person.IdType.RESIDENT_ID
    phone: str = ""
    birth_date: date | None = None  # only for documents other than a resident ID
    sex: str = ""
    nationality: str = "CHN"
    house: House | None = None
    address_detail: str = ""
    tenant: bool = False


def clean_id_number(id_type: str, number: str, *, today: date) -> str:
    if id_type == Person.IdType.RESIDENT_ID:
        number = idnumbers.compact(number)
        if not idnumbers.is_valid_citizen_id(number, today=today):
            raise DomainError(
                "invalid_id_number", "身份证号码无效（位数、出生日期或校验位不符）。", field="id_number"
            )
        return number
    return _required(number.strip().upper(), "id_number", "证件号码")


def clean_phone(phone: str) -> str:
    phone = (phone or "").strip().replace(" ", "").replace("-", "")
    if phone and not MAINLAND_MOBILE.fullmatch(phone) and not phone.isdigit():
        raise DomainError("invalid_phone", "联系电话须为数字（手机号 11 位）。", field="phone")
    return phone


def build_person(data: PersonInput, *, today: date) -> Person:
    """A person checked and sealed, not yet saved: what `do_register_person` and the bulk import write.
    The caller has checked the grid and the actor's right on it."""
    _choice(data.kind, Person.Kind, "kind")
    _choice(data.id_type, Person.IdType, "id_type")
    number = clean_id_number(data.id_type, data.id_number, today=today)
    birth: date | None
    if data.id_type == Person.IdType.RESIDENT_ID:
        birth, sex = idnumbers.birth_date(number), idnumbers.sex(number)
    else:
        birth, sex = data.birth_date, data.sex
    phone = clean_phone(data.phone)
    if data.house is not None and data.house.territory_code != data.territory_code:
        raise DomainError("house_outside_grid", "住房不在该网格内。", field="house")
    return Person(
        territory_code=data.territory_code,
        kind=data.kind,
        name=_required(data.name, "name", "姓名"),
        id_type=data.id_type,
        id_number_sealed=crypto.seal(Person, "id_number_sealed", number),
        id_number_hash=crypto.lookup_hash(number),
        birth_date=birth,
        sex=sex,
        nationality=(data.nationality or "CHN").upper()[:3],
        phone_sealed=crypto.seal(Person, "phone_sealed", phone),
        phone_hash=crypto.lookup_hash(phone),
        house=data.house,
        address_detail_sealed=crypto.seal(Person, "address_detail_sealed", data.address_detail.strip()),
        tenant=data.tenant,
    )


def do_register_person(data: PersonInput, *, actor: User, now: datetime) -> Person:
    """A person; a second registration of the same ID number is refused (the hash is unique)."""
    access.access_write(actor, data.territory_code)
    _grid_code(data.territory_code)
    person = build_person(data, today=now.date())
    try:
        with transaction.atomic():
            person.save()
            _audit(actor, "registry.person_registered", person, now, {"kind": person.kind})
    except IntegrityError as error:
        raise Conflict("person_exists", "该证件号码已登记。", field="id_number") from error
    return person


def do_update_person_contact(
    person: Person, *, phone: str | None = None, address_detail: str | None = None, actor: User, now: datetime
) -> Person:
    trivial = address_detail is None and "phone" in access.TRIVIAL_FIELDS
    access.access_write(actor, person.territory_code, field="person", trivial=trivial)
    changed: list[str] = []
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if phone is not None:
            cleaned = clean_phone(phone)
            person.phone_sealed = crypto.seal(Person, "phone_sealed", cleaned)
            person.phone_hash = crypto.lookup_hash(cleaned)
            changed += ["phone_sealed", "phone_hash"]
        if address_detail is not None:
            person.address_detail_sealed = crypto.seal(
                Person, "address_detail_sealed", address_detail.strip()
            )
            changed.append("address_detail_sealed")
        if changed:
            person.save(update_fields=changed)
            _audit(actor, "registry.person_contact_changed", person, now, {"fields": changed})
    return person


def do_set_sensitive_record(
    person: Person,
    *,
    care_tags: list[str],
    special_groups: list[str],
    note: str = "",
    actor: User,
    now: datetime,
) -> SensitiveRecord:
    """Care tags (独居老人, 留守儿童, …) and special groups (刑满释放, 社区矫正, …), sealed; the audit row
    names only which parts changed."""
    access.access_write(actor, person.territory_code, field="person")
    if sensitivity.level_for(actor, person.territory_code) < sensitivity.SENSITIVE and not actor.is_system:
        raise PermissionRefused("not_allowed", "您的岗位无权登记敏感个人信息。")
    with transaction.atomic():
        record, _ = SensitiveRecord.objects.select_for_update().get_or_create(
            person=person, defaults={"territory_code": person.territory_code}
        )
        record.care_tags_sealed = crypto.seal_list(SensitiveRecord, "care_tags_sealed", care_tags)
        record.special_groups_sealed = crypto.seal_list(
            SensitiveRecord, "special_groups_sealed", special_groups
        )
        record.note_sealed = crypto.seal(SensitiveRecord, "note_sealed", note.strip())
        record.save()
        _audit(
            actor, "registry.sensitive_record_set", person, now, {"parts": ["care_tags", "special_groups"]}
        )
    return record


# --- Households --------------------------------------------------------------------------------------------


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
    _grid_code(territory_code)
    number = _required(number, "number", "户号")
    heads = [p for p, relation in members if relation == Person.Relation.HEAD]
    if len(heads) != 1:
        raise Unprocessable(
            "household_head_count", f"一户须有且只有一名户主（现有 {len(heads)} 名）。", field="members"
        )
    for _person, relation in members:
        _choice(relation, Person.Relation, "relation")
    with transaction.atomic():
        if Household.objects.filter(number=number).exists():
            raise Conflict("household_exists", f"户号 {number} 已存在。", field="number")
        household = Household.objects.create(number=number, territory_code=territory_code, house=house)
        for person, relation in members:
            _move_in(household, person, relation, now.date(), "立户", actor, now)
        _audit(actor, "registry.household_created", household, now, {"members": len(members)})
    return household


def _move_in(
    household: Household, person: Person, relation: str, on: date, reason: str, actor: User, now: datetime
) -> None:
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if locked.household_id is not None:
        raise Conflict("already_in_household", "该人员已在另一户中，请先办理迁出。", field="members")
    if not locked.territory_code.startswith(household.territory_code[:12]):
        raise DomainError("person_outside_village", "人员不在该户所在村（社区）。", field="members")
    locked.household, locked.relation = household, relation
    try:
        with transaction.atomic():
            locked.save(update_fields=["household", "relation"])
    except IntegrityError as error:
        raise Unprocessable("household_head_count", "该户已有户主。", field="relation") from error
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
    _choice(relation, Person.Relation, "relation")
    with transaction.atomic():
        _move_in(household, person, relation, on, reason or "迁入", actor, now)
        _audit(
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
            raise DomainError("not_a_member", "该人员不是本户成员。", field="person")
        if locked.relation == Person.Relation.HEAD and household.members.exclude(pk=locked.pk).exists():
            raise Unprocessable("household_head_count", "户主迁出前须先变更户主。", field="person")
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
        _audit(actor, "registry.household_member_out", household, now, {"person": locked.pk})


# --- Entities and key places ----------------------------------------------------------------------------


def clean_industry_code(industry_code: str) -> str:
    industry_code = (industry_code or "").strip().upper()
    if not (1 <= len(industry_code) <= 5 and industry_code[0].isalpha() and industry_code[1:].isdigit()):
        raise DomainError(
            "invalid_industry", "行业代码须为 GB/T 4754 门类字母加 0–4 位数字。", field="industry_code"
        )
    return industry_code


def do_update_entity(
    entity: Entity,
    *,
    name: str,
    legal_representative: str,
    industry_code: str,
    size: str,
    actor: User,
    now: datetime,
) -> Entity:
    """Correct an entity's basic facts (a connector's newer row, a steward's fix); history keeps before."""
    access.access_write(actor, entity.territory_code)
    changes = {
        "name": _required(name, "name", "单位名称"),
        "legal_representative": _required(legal_representative, "legal_representative", "法定代表人"),
        "industry_code": clean_industry_code(industry_code),
        "size": _choice(size, Entity.Size, "size"),
    }
    with transaction.atomic():
        for attribute, value in changes.items():
            setattr(entity, attribute, value)
        entity.save(update_fields=list(changes))
        _audit(actor, "registry.entity_updated", entity, now, {"uscc": entity.uscc})
    return entity


def do_register_entity(
    *,
    uscc_code: str,
    name: str,
    legal_representative: str,
    industry_code: str,
    size: str,
    territory_code: str,
    address: Address | None = None,
    building: Building | None = None,
    legal_representative_phone: str = "",
    actor: User,
    now: datetime,
) -> Entity:
    access.access_write(actor, territory_code)
    _grid_code(territory_code)
    code = uscc.compact(uscc_code or "")
    if not uscc.is_valid(code):
        raise DomainError("invalid_uscc", "统一社会信用代码无效（位数、字符或校验位不符）。", field="uscc")
    industry_code = clean_industry_code(industry_code)
    with transaction.atomic():
        if Entity.objects.filter(uscc=code).exists():
            raise Conflict("entity_exists", f"统一社会信用代码 {code} 已登记。", field="uscc")
        entity = Entity.objects.create(
            uscc=code,
            name=_required(name, "name", "单位名称"),
            legal_representative=_required(legal_representative, "legal_representative", "法定代表人"),
            legal_representative_phone_sealed=crypto.seal(
                Entity, "legal_representative_phone_sealed", clean_phone(legal_representative_phone)
            ),
            industry_code=industry_code,
            size=_choice(size, Entity.Size, "size"),
            territory_code=territory_code,
            address=address,
            building=building,
        )
        _audit(actor, "registry.entity_registered", entity, now, {"uscc": code})
    return entity


def do_register_key_place(
    *,
    name: str,
    kind: str,
    territory_code: str,
    inspection_days: int,
    entity: Entity | None = None,
    building: Building | None = None,
    address: Address | None = None,
    actor: User,
    now: datetime,
) -> KeyPlace:
    access.access_write(actor, territory_code)
    _grid_code(territory_code)
    if not 0 < inspection_days <= 366:
        raise DomainError("invalid_inspection_days", "巡查周期须为 1–366 天。", field="inspection_days")
    with transaction.atomic():
        place = KeyPlace.objects.create(
            name=_required(name, "name", "场所名称"),
            kind=_choice(kind, KeyPlace.Kind, "kind"),
            territory_code=territory_code,
            inspection_days=inspection_days,
            entity=entity,
            building=building,
            address=address,
        )
        _audit(actor, "registry.key_place_registered", place, now, {"kind": kind})
    return place


# --- Unmasking ---------------------------------------------------------------------------------------------


def _throttle(actor: User, now: datetime) -> None:
    """Unmasks per user and hour, counted by the platform's one rate limiter (429 with Retry-After)."""
    limit = int(getattr(settings, "REGISTRY_UNMASKS_PER_HOUR", 30))
    ratelimit.enforce(
        "registry-unmask",
        str(actor.pk),
        limit=limit,
        window=timedelta(hours=1),
        now=now,
        code="rate_limited",
        message=f"每小时最多解密查看 {limit} 次，请稍后再试。",
    )


def _clear_value(subject: Person | Entity, field: str) -> str:
    if isinstance(subject, Entity):
        if field == "legal_representative":
            return subject.legal_representative
        return crypto.unseal(subject, "legal_representative_phone_sealed")
    if field == "name":
        return subject.name
    if field in {"id_number", "phone", "address_detail"}:
        return crypto.unseal(subject, f"{field}_sealed")
    record = SensitiveRecord.objects.filter(person=subject).first()
    if record is None:
        return ""
    if field == "note":
        return crypto.unseal(record, "note_sealed")
    return "、".join(crypto.unseal_list(record, f"{field}_sealed"))


def do_unmask(
    subject: Person | Entity,
    *,
    field: str,
    purpose: str,
    note: str = "",
    work_item: str = "",
    actor: User,
    now: datetime,
) -> str:
    """The clear value of one field, for a stated purpose; writes an UnmaskRecord and an audit row."""
    kind = "entity" if isinstance(subject, Entity) else "person"
    spec = sensitivity.FIELDS.get(field)
    if spec is None or spec.subject != kind:
        raise DomainError("unknown_field", f"字段 {field!r} 不可解密查看。", field="field")
    level = access.access_read(actor, subject.territory_code)
    if level < spec.level:
        raise PermissionRefused("not_allowed", f"您的岗位无权查看{spec.label}原文。")
    _choice(purpose, UnmaskRecord.Purpose, "purpose")
    note = (note or "").strip()
    if purpose == UnmaskRecord.Purpose.OTHER and not note:
        raise DomainError("purpose_note_required", "用途为“其他”时须说明理由。", field="note")
    _throttle(actor, now)
    with transaction.atomic():
        record = UnmaskRecord.objects.create(
            actor=actor,
            person=subject if isinstance(subject, Person) else None,
            entity=subject if isinstance(subject, Entity) else None,
            field=field,
            purpose=purpose,
            note=note[:300],
            work_item=(work_item or "").strip()[:60],
            territory_code=subject.territory_code,
            at=now,
        )
        _audit(
            actor,
            "registry.unmasked",
            subject,
            now,
            {"field": field, "purpose": purpose, "record": record.pk},
        )
    return _clear_value(subject, field)
