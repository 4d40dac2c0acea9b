"""Standard addresses (标准地址), buildings and houses (实有房屋, GB/T 39609 codes)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, DomainError
from registry import access
from registry.actions.common import (
    audit_write,
    check_grid,
    check_territory,
    checked_choice,
    required_text,
    stamp,
)
from registry.models import (
    Address,
    Building,
    House,
    Person,
)
from territory.models import Division, Grid


def address_text(street: str, door_number: str, detail: str) -> str:
    """The one string form of a standard address: 街路巷 + 门楼牌号(号) + 详址."""
    number = door_number if door_number.endswith("号") else f"{door_number}号"
    return f"{street}{number}{detail}"


def division_names(code: str) -> str:
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
    check_territory(territory_code)
    street = required_text(street, "street", _("街路巷"))
    door_number = required_text(door_number, "door_number", _("门楼牌号"))
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
                "search_text": f"{division_names(territory_code)} {text}",
            },
        )
        if created:
            audit_write(actor, "registry.address_created", address, now, {"text": text})
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
    check_grid(territory_code)
    if not (0 < compound_number < 1000 and 0 < number < 1000):
        raise DomainError("invalid_building_number", _("院落号和幢号须为 1–999。"), field="number")
    if not 0 < floors < 200:
        raise DomainError("invalid_floors", _("层数须为 1–199。"), field="floors")
    code = f"{territory_code[:12]}{compound_number:03d}{number:03d}"
    with transaction.atomic():
        if Building.objects.filter(code=code).exists():
            raise Conflict(
                "building_exists", _("房屋编码 %(code)s 已登记。") % {"code": code}, field="number"
            )
        building = Building.objects.create(
            code=code,
            territory_code=territory_code,
            address=address,
            compound=required_text(compound, "compound", _("街巷院落")),
            number=str(number),
            use=checked_choice(use, Building.Use, "use"),
            structure=checked_choice(structure, Building.Structure, "structure"),
            floors=floors,
            owner_name=owner_name.strip(),
        )
        audit_write(actor, "registry.building_registered", building, now, {"code": code})
    return building


def do_register_house(
    *, building: Building, unit: int, room: str, rented: bool = False, actor: User, now: datetime
) -> House:
    access.access_write(actor, building.territory_code)
    room = required_text(room, "room", _("室号"))
    if not room.isdigit() or len(room) > 4:
        raise DomainError("invalid_room", _("室号须为 1–4 位数字。"), field="room")
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
            audit_write(actor, "registry.house_registered", house, now, {"code": code, "rented": rented})
    return house


def do_set_house_rental(
    house: House, *, rented: bool, tenants: list[Person], actor: User, now: datetime
) -> House:
    """Whether the house is let out (出租房) and who rents it: `tenants` are the registered people who
    rent it from now on (each of the house's grid). A tenant no longer listed leaves the house; a house
    not let out has no tenants. History keeps the house's and each person's before."""
    access.access_write(actor, house.territory_code, field="house")
    if tenants and not rented:
        raise DomainError("tenants_without_rental", _("未出租的房屋不能登记承租人。"), field="tenants")
    wanted = {p.pk for p in tenants}
    with transaction.atomic():
        house = House.objects.select_for_update().get(pk=house.pk)
        people = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=wanted)}
        outside = [p for p in people.values() if p.territory_code != house.territory_code]
        if outside or len(people) != len(wanted):
            message = _("承租人须为该房屋所在网格的登记人员。")
            raise DomainError("tenant_outside_grid", message, field="tenants")
        leaving = Person.objects.select_for_update().filter(house=house, tenant=True).exclude(pk__in=wanted)
        for person in leaving:
            person.house, person.tenant = None, False
            stamp(person, actor, now, "退租").save(update_fields=["house", "tenant"])
        for person in people.values():
            if person.house_id != house.pk or not person.tenant:
                person.house, person.tenant = house, True
                stamp(person, actor, now, "承租").save(update_fields=["house", "tenant"])
        if house.rented != rented:
            house.rented = rented
            stamp(house, actor, now).save(update_fields=["rented"])
        audit_write(
            actor, "registry.house_rental_set", house, now, {"rented": rented, "tenants": sorted(wanted)}
        )
    return house
