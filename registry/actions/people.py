"""People (实有人口): ID and phone numbers checked, sealed and hashed; contact changes; the separately
protected care tags and special groups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core import idnumbers
from core.errors import Conflict, DomainError, PermissionRefused
from core.pii import MAINLAND_MOBILE
from registry import access, crypto, sensitivity
from registry.actions.common import audit_write, check_grid, checked_choice, required_text, stamp
from registry.models import (
    House,
    Person,
    RecordChange,
    SensitiveRecord,
)


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
                "invalid_id_number", _("身份证号码无效（位数、出生日期或校验位不符）。"), field="id_number"
            )
        return number
    return required_text(number.strip().upper(), "id_number", _("证件号码"))


def clean_phone(phone: str) -> str:
    phone = (phone or "").strip().replace(" ", "").replace("-", "")
    if phone and not MAINLAND_MOBILE.fullmatch(phone) and not phone.isdigit():
        raise DomainError("invalid_phone", _("联系电话须为数字（手机号 11 位）。"), field="phone")
    return phone


def person_sealer() -> Callable[..., dict[str, Any]]:
    """`person_columns` for many people: the ciphers and the hash key prepared once (the bulk import)."""
    seal_id = crypto.column_sealer(Person, "id_number_sealed")
    seal_phone = crypto.column_sealer(Person, "phone_sealed")
    seal_address = crypto.column_sealer(Person, "address_detail_sealed")
    lookup_hash = crypto.hasher()

    def columns(
        *,
        territory_code: str,
        kind: str,
        name: str,
        id_type: str,
        id_number: str,
        phone: str,
        birth_date: date | None,
        sex: str,
        id_number_hash: str = "",
        nationality: str = "CHN",
        house_id: int | None = None,
        address_detail: str = "",
        tenant: bool = False,
    ) -> dict[str, Any]:
        return {
            "territory_code": territory_code,
            "kind": kind,
            "name": name,
            "id_type": id_type,
            "id_number_sealed": seal_id(id_number),
            "id_number_hash": id_number_hash or lookup_hash(id_number),
            "birth_date": birth_date,
            "sex": sex,
            "nationality": (nationality or "CHN").upper()[:3],
            "phone_sealed": seal_phone(phone),
            "phone_hash": lookup_hash(phone),
            "house_id": house_id,
            "address_detail_sealed": seal_address(address_detail.strip()),
            "tenant": tenant,
        }

    return columns


def person_columns(**values: Any) -> dict[str, Any]:
    """The stored columns of a person whose values are already checked: ID number, phone and exact
    address sealed to their columns, the two numbers hashed for exact lookup (the ID number's hash may be
    given when the caller has it already). One place for what `build_person` and the bulk import store
    (arguments: those of `person_sealer`'s function)."""
    return person_sealer()(**values)


def build_person(data: PersonInput, *, today: date) -> Person:
    """A person checked and sealed, not yet saved: what `do_register_person` writes. The caller has
    checked the grid and the actor's right on it."""
    checked_choice(data.kind, Person.Kind, "kind")
    checked_choice(data.id_type, Person.IdType, "id_type")
    number = clean_id_number(data.id_type, data.id_number, today=today)
    birth: date | None
    if data.id_type == Person.IdType.RESIDENT_ID:
        birth, sex = idnumbers.birth_date(number), idnumbers.sex(number)
    else:
        birth, sex = data.birth_date, data.sex
    if data.house is not None and data.house.territory_code != data.territory_code:
        raise DomainError("house_outside_grid", _("住房不在该网格内。"), field="house")
    person = Person(
        **person_columns(
            territory_code=data.territory_code,
            kind=data.kind,
            name=required_text(data.name, "name", _("姓名")),
            id_type=data.id_type,
            id_number=number,
            phone=clean_phone(data.phone),
            birth_date=birth,
            sex=sex,
            nationality=data.nationality,
            house_id=data.house.pk if data.house is not None else None,
            address_detail=data.address_detail,
            tenant=data.tenant,
        )
    )
    if data.house is not None:
        person.house = data.house
    return person


def do_register_person(data: PersonInput, *, actor: User, now: datetime) -> Person:
    """A person; a second registration of the same ID number is refused (the hash is unique)."""
    access.access_write(actor, data.territory_code)
    check_grid(data.territory_code)
    person = build_person(data, today=now.date())
    try:
        with transaction.atomic():
            stamp(person, actor, now).save()
            audit_write(actor, "registry.person_registered", person, now, {"kind": person.kind})
    except IntegrityError as error:
        raise Conflict("person_exists", _("该证件号码已登记。"), field="id_number") from error
    return person


def do_update_person_contact(
    person: Person, *, phone: str | None = None, address_detail: str | None = None, actor: User, now: datetime
) -> Person:
    trivial = address_detail is None and "phone" in access.TRIVIAL_FIELDS[RecordChange.Kind.PERSON]
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
            stamp(person, actor, now).save(update_fields=changed)
            audit_write(actor, "registry.person_contact_changed", person, now, {"fields": changed})
    return person


def do_set_care_tags(person: Person, *, care_tags: list[str], actor: User, now: datetime) -> SensitiveRecord:
    """The person's care tags (关爱标签) alone, sealed; the special groups and the note stay as they are.
    Sensitive personal information: an editor holding the sensitive level in the person's territory."""
    access.access_write(actor, person.territory_code, field="person")
    if sensitivity.level_for(actor, person.territory_code) < sensitivity.SENSITIVE and not actor.is_system:
        raise PermissionRefused("not_allowed", _("您的岗位无权登记敏感个人信息。"))
    with transaction.atomic():
        record, _created = SensitiveRecord.objects.select_for_update().get_or_create(
            person=person, defaults={"territory_code": person.territory_code}
        )
        record.care_tags_sealed = crypto.seal_list(SensitiveRecord, "care_tags_sealed", care_tags)
        record.save(update_fields=["care_tags_sealed"])
        audit_write(actor, "registry.sensitive_record_set", person, now, {"parts": ["care_tags"]})
    return record


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
        raise PermissionRefused("not_allowed", _("您的岗位无权登记敏感个人信息。"))
    with transaction.atomic():
        record, _created = SensitiveRecord.objects.select_for_update().get_or_create(
            person=person, defaults={"territory_code": person.territory_code}
        )
        record.care_tags_sealed = crypto.seal_list(SensitiveRecord, "care_tags_sealed", care_tags)
        record.special_groups_sealed = crypto.seal_list(
            SensitiveRecord, "special_groups_sealed", special_groups
        )
        record.note_sealed = crypto.seal(SensitiveRecord, "note_sealed", note.strip())
        record.save()
        audit_write(
            actor, "registry.sensitive_record_set", person, now, {"parts": ["care_tags", "special_groups"]}
        )
    return record
