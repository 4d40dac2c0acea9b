"""Legal entities (实有单位, unified social credit code checked) and key places (重点场所)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from stdnum.cn import uscc

from accounts.models import User
from core.errors import Conflict, DomainError
from registry import access, crypto
from registry.actions.common import audit_write, check_grid, checked_choice, required_text, stamp
from registry.actions.people import clean_phone
from registry.models import (
    Address,
    Building,
    Entity,
    KeyPlace,
    RecordChange,
)


def clean_industry_code(industry_code: str) -> str:
    industry_code = (industry_code or "").strip().upper()
    if not (1 <= len(industry_code) <= 5 and industry_code[0].isalpha() and industry_code[1:].isdigit()):
        raise DomainError(
            "invalid_industry", _("行业代码须为 GB/T 4754 门类字母加 0–4 位数字。"), field="industry_code"
        )
    return industry_code


def clean_uscc(uscc_code: str) -> str:
    """A unified social credit code (GB 32100), compacted; its length, characters and check character
    checked (python-stdnum `cn.uscc`)."""
    code = uscc.compact(uscc_code or "")
    if not uscc.is_valid(code):
        raise DomainError("invalid_uscc", _("统一社会信用代码无效（位数、字符或校验位不符）。"), field="uscc")
    return code


def uscc_free(code: str, entity: Entity | None = None) -> str:
    """`code` unless another entity is registered under it (an entity's own code is free for it)."""
    taken = Entity.objects.filter(uscc=code)
    if entity is not None:
        taken = taken.exclude(pk=entity.pk)
    if taken.exists():
        raise Conflict(
            "entity_exists", _("统一社会信用代码 %(code)s 已登记。") % {"code": code}, field="uscc"
        )
    return code


def do_update_entity(
    entity: Entity,
    *,
    name: str,
    legal_representative: str,
    industry_code: str,
    size: str,
    uscc_code: str | None = None,
    actor: User,
    now: datetime,
) -> Entity:
    """Correct an entity's basic facts (a reviewed change: a grid worker's or a connector's); a credit
    code given corrects a mistyped one. History keeps the before."""
    access.access_write(actor, entity.territory_code)
    changes = {
        "name": required_text(name, "name", _("单位名称")),
        "legal_representative": required_text(legal_representative, "legal_representative", _("法定代表人")),
        "industry_code": clean_industry_code(industry_code),
        "size": checked_choice(size, Entity.Size, "size"),
    }
    if uscc_code is not None:
        changes["uscc"] = clean_uscc(uscc_code)
    with transaction.atomic():
        if "uscc" in changes:
            uscc_free(changes["uscc"], entity)
        for attribute, value in changes.items():
            setattr(entity, attribute, value)
        stamp(entity, actor, now).save(update_fields=list(changes))
        audit_write(actor, "registry.entity_updated", entity, now, {"uscc": entity.uscc})
    return entity


def do_update_entity_contact(
    entity: Entity, *, legal_representative_phone: str, actor: User, now: datetime
) -> Entity:
    """The legal representative's phone, declared trivial (`access.TRIVIAL_FIELDS`): a grid worker of the
    entity's grid may correct it directly."""
    trivial = "legal_representative_phone" in access.TRIVIAL_FIELDS[RecordChange.Kind.ENTITY]
    access.access_write(actor, entity.territory_code, field="entity", trivial=trivial)
    phone = clean_phone(legal_representative_phone)
    with transaction.atomic():
        entity = Entity.objects.select_for_update().get(pk=entity.pk)
        entity.legal_representative_phone_sealed = crypto.seal(
            Entity, "legal_representative_phone_sealed", phone
        )
        stamp(entity, actor, now).save(update_fields=["legal_representative_phone_sealed"])
        audit_write(
            actor, "registry.entity_contact_changed", entity, now, {"fields": ["legal_representative_phone"]}
        )
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
    check_grid(territory_code)
    code = clean_uscc(uscc_code)
    industry_code = clean_industry_code(industry_code)
    with transaction.atomic():
        uscc_free(code)
        entity = Entity.objects.create(
            uscc=code,
            name=required_text(name, "name", _("单位名称")),
            legal_representative=required_text(legal_representative, "legal_representative", _("法定代表人")),
            legal_representative_phone_sealed=crypto.seal(
                Entity, "legal_representative_phone_sealed", clean_phone(legal_representative_phone)
            ),
            industry_code=industry_code,
            size=checked_choice(size, Entity.Size, "size"),
            territory_code=territory_code,
            address=address,
            building=building,
        )
        audit_write(actor, "registry.entity_registered", entity, now, {"uscc": code})
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
    check_grid(territory_code)
    clean_inspection_days(inspection_days)
    with transaction.atomic():
        place = KeyPlace.objects.create(
            name=required_text(name, "name", _("场所名称")),
            kind=checked_choice(kind, KeyPlace.Kind, "kind"),
            territory_code=territory_code,
            inspection_days=inspection_days,
            entity=entity,
            building=building,
            address=address,
        )
        audit_write(actor, "registry.key_place_registered", place, now, {"kind": kind})
    return place


def clean_inspection_days(days: int) -> int:
    if not 0 < days <= 366:
        raise DomainError("invalid_inspection_days", _("巡查周期须为 1–366 天。"), field="inspection_days")
    return days


def do_update_key_place(
    place: KeyPlace, *, name: str, kind: str, inspection_days: int, actor: User, now: datetime
) -> KeyPlace:
    """Correct a key place's name, kind or inspection period (the grid's patrol items follow the new
    period from its next one); history keeps the before."""
    access.access_write(actor, place.territory_code, field="key_place")
    changes = {
        "name": required_text(name, "name", _("场所名称")),
        "kind": checked_choice(kind, KeyPlace.Kind, "kind"),
        "inspection_days": clean_inspection_days(inspection_days),
    }
    with transaction.atomic():
        place = KeyPlace.objects.select_for_update().get(pk=place.pk)
        for attribute, value in changes.items():
            setattr(place, attribute, value)
        stamp(place, actor, now).save(update_fields=list(changes))
        audit_write(actor, "registry.key_place_updated", place, now, {"kind": place.kind})
    return place
