"""Scoped reads of the registries: everything through `accounts.jurisdiction.scope_for` (a code prefix),
a record outside the jurisdiction is NotFound; what is returned for display is masked (`masked_*`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from accounts.jurisdiction import scope_for
from accounts.models import User
from core import idnumbers
from core.errors import NotFound, Unprocessable
from core.pii import mask_id_number, mask_name, mask_phone
from registry import access, crypto
from registry.actions.change_kinds import KINDS as CHANGE_KINDS
from registry.actions.changes import record_of, values_of
from registry.models import (
    Address,
    Building,
    Entity,
    House,
    Household,
    KeyPlace,
    Person,
    RecordChange,
    SensitiveRecord,
    UnmaskRecord,
)
from territory import refs
from territory.locate import locate

AnyUser = User | AnonymousUser


def people_visible_to(user: AnyUser) -> QuerySet[Person]:
    return scope_for(user, Person.objects.all(), "territory_code")


def households_visible_to(user: AnyUser) -> QuerySet[Household]:
    return scope_for(user, Household.objects.all(), "territory_code")


def buildings_visible_to(user: AnyUser) -> QuerySet[Building]:
    return scope_for(user, Building.objects.select_related("address"), "territory_code")


def entities_visible_to(user: AnyUser) -> QuerySet[Entity]:
    return scope_for(user, Entity.objects.select_related("address"), "territory_code")


def places_visible_to(user: AnyUser) -> QuerySet[KeyPlace]:
    return scope_for(user, KeyPlace.objects.select_related("entity", "address"), "territory_code")


def _one(queryset: QuerySet[Any], user: AnyUser, **lookup: Any) -> Any:
    row = queryset.filter(**lookup).first()
    if row is None:
        raise NotFound()
    access.access_read(user, row.territory_code)
    return row


def person_for(user: AnyUser, person_id: int) -> Person:
    return _one(
        people_visible_to(user).select_related("household", "house__building__address"), user, pk=person_id
    )


def person_by_id_number(user: AnyUser, number: str) -> Person:
    """Exact lookup through the keyed hash: no row is decrypted to find it."""
    return _one(people_visible_to(user), user, id_number_hash=crypto.lookup_hash(idnumbers.compact(number)))


def household_for(user: AnyUser, household_id: int) -> Household:
    return _one(households_visible_to(user).select_related("house__building"), user, pk=household_id)


def building_for(user: AnyUser, building_id: int) -> Building:
    return _one(buildings_visible_to(user), user, pk=building_id)


def entity_for(user: AnyUser, entity_id: int) -> Entity:
    return _one(entities_visible_to(user).select_related("building"), user, pk=entity_id)


def place_for(user: AnyUser, place_id: int) -> KeyPlace:
    return _one(places_visible_to(user), user, pk=place_id)


def house_for(user: AnyUser, house_id: int) -> House:
    houses = scope_for(user, House.objects.select_related("building__address"), "territory_code")
    return _one(houses, user, pk=house_id)


def search_addresses(query: str, *, territory_prefix: str = "", limit: int = 20) -> QuerySet[Address]:
    """Standard addresses matching every blank-separated part of `query` (division names, street, door
    number or detail). Addresses are not personal data: the resident's report form searches them too."""
    queryset = Address.objects.all()
    if territory_prefix:
        queryset = queryset.filter(territory_code__startswith=territory_prefix)
    parts = [p for p in query.split() if p][:6]
    if not parts:
        return queryset.none()
    for part in parts:
        queryset = queryset.filter(search_text__icontains=part)
    return queryset[:limit]


@dataclass(frozen=True)
class AddressLocation:
    """Where a standard address lies: its grid (and village, town) and the point it was located by."""

    address: Address
    grid_code: str
    village_code: str
    town_code: str
    lon: float | None
    lat: float | None
    source: (
        str  # "point": the address's point located to its grid; "code": the address is registered on a grid
    )

    def as_dict(self) -> dict[str, Any]:
        names = refs.grid_names(self.grid_code)
        return {
            "address_id": self.address.pk,
            "address": self.address.text,
            "grid": self.grid_code,
            "grid_name": names["grid_name"],
            "village": self.village_code,
            "village_name": names["village_name"],
            "town": self.town_code,
            "town_name": names["town_name"],
            "lon": self.lon,
            "lat": self.lat,
            "located_by": self.source,
        }


def locate_address(address: Address) -> AddressLocation:
    """Standard address → point → grid, the same `locate()` a point goes through (so an address and a
    point on it land in the same grid). An address without a point but registered on a grid (15-digit
    code) is that grid; one with neither cannot be located (422), never guessed."""
    if address.lon is not None and address.lat is not None:
        located = locate(address.lon, address.lat)
        return AddressLocation(
            address,
            located.grid_code,
            located.village_code,
            located.town_code,
            located.lon,
            located.lat,
            "point",
        )
    code = address.territory_code
    if len(code) == 15:
        return AddressLocation(address, code, code[:12], code[:9], None, None, "code")
    raise Unprocessable(
        "address_not_located",
        _("该地址没有坐标，也未登记到网格，无法定位，请在地图上点选位置。"),
        field="address",
    )


def address_by_query(query: str) -> Address:
    """The one standard address a query names: an address id, or text that matches exactly one address
    (several matches → 422 `address_ambiguous`, none → 404)."""
    query = (query or "").strip()
    if query.isdigit():
        address = Address.objects.filter(pk=int(query)).first()
        if address is None:
            raise NotFound(field="address")
        return address
    matches = list(search_addresses(query, limit=2))
    if not matches:
        raise NotFound(_("没有找到该地址。No such address."), field="q")
    if len(matches) > 1:
        raise Unprocessable(
            "address_ambiguous", _("匹配到多个地址，请输入更完整的地址或从检索结果中选择。"), field="q"
        )
    return matches[0]


# --- Masked views ---------------------------------------------------------------------------------------


def _masked_id(person: Person) -> str:
    return mask_id_number(crypto.unseal(person, "id_number_sealed"))


def masked_person(person: Person) -> dict[str, Any]:
    """What any page, API or export shows of a person unless one value has been unmasked."""
    house = person.house
    return {
        "id": person.pk,
        "territory_code": person.territory_code,
        "kind": person.kind,
        "kind_label": person.get_kind_display(),
        "name": mask_name(person.name),
        "id_type": person.id_type,
        "id_number": _masked_id(person),
        "birth_year": person.birth_date.year if person.birth_date else None,
        "sex": person.sex,
        "phone": mask_phone(crypto.unseal(person, "phone_sealed")),
        "has_address_detail": bool(person.address_detail_sealed),
        "house_id": house.pk if house else None,
        "house": str(house) if house else "",
        "building_id": house.building_id if house else None,
        "tenant": person.tenant,
        "household_id": person.household_id,
        "relation": person.relation,
        "relation_label": person.get_relation_display() if person.relation else "",
        "has_sensitive_record": SensitiveRecord.objects.filter(person=person).exists(),
    }


def masked_entity(entity: Entity) -> dict[str, Any]:
    return {
        "id": entity.pk,
        "uscc": entity.uscc,  # a legal person's code is public (GB 32100)
        "name": entity.name,
        "legal_representative": mask_name(entity.legal_representative),
        "legal_representative_phone": mask_phone(crypto.unseal(entity, "legal_representative_phone_sealed")),
        "industry_code": entity.industry_code,
        "size": entity.size,
        "size_label": entity.get_size_display(),
        "territory_code": entity.territory_code,
        "address": entity.address.text if entity.address else "",
        "building_id": entity.building_id,
    }


def household_members(household: Household) -> list[dict[str, Any]]:
    return [masked_person(p) for p in household.members.select_related("house").order_by("id")]


def building_occupants(building: Building) -> dict[str, Any]:
    """Who lives (by house) and what works (entities, key places) in a building, masked."""
    people = (
        Person.objects.filter(house__building=building).select_related("house").order_by("house__code", "id")
    )
    return {
        "houses": list(building.houses.annotate(residents_count=Count("residents")).order_by("code")),
        "people": [masked_person(p) for p in people],
        "entities": [masked_entity(e) for e in building.entities.select_related("address").order_by("name")],
        "places": list(building.places.order_by("name")),
    }


def changes_visible_to(user: AnyUser) -> QuerySet[RecordChange]:
    return scope_for(user, RecordChange.objects.select_related("proposed_by", "decided_by"), "territory_code")


def change_subject(change: RecordChange) -> str:
    """The record a change is about, as pages name it (a person by the masked name)."""
    return CHANGE_KINDS[change.kind].name_of(record_of(change))


def change_title(change: RecordChange) -> str:
    """The change in one line, in the page's language: kind · record (the fields changed)."""
    labels = _("、").join(_(CHANGE_KINDS[change.kind].fields[name].label) for name in change.fields)
    values = {"kind": change.get_kind_display(), "record": change_subject(change), "fields": labels}
    return _("%(kind)s · %(record)s（%(fields)s）") % values


def change_rows(change: RecordChange, level: int) -> list[dict[str, str]]:
    """The change's fields with their values before and after, as a viewer holding `level` in the
    record's territory sees them: masked (the kind's own masks), and a field above that level only as
    changed. The values are unsealed here and never leave masked."""
    spec = CHANGE_KINDS[change.kind]
    values = values_of(change)
    rows = []
    for name in change.fields:
        field = spec.fields[name]
        if level < field.level:
            before = after = _("（敏感信息，无权查看）")
        else:
            before, after = (
                field.show(value) if value not in (None, "", []) else "—"
                for value in (values["before"].get(name), values["after"].get(name))
            )
        rows.append({"field": name, "label": _(field.label), "before": before, "after": after})
    return rows


def unmask_log_for_person(person: Person) -> QuerySet[UnmaskRecord]:
    """Who unmasked what about this person, and why (shown on the person's page)."""
    return person.unmasks.select_related("actor").order_by("-at", "-id")


def unmask_log_for_entity(entity: Entity) -> QuerySet[UnmaskRecord]:
    return entity.unmasks.select_related("actor").order_by("-at", "-id")


def grid_figures(grid_code: str) -> dict[str, int]:
    """Counts of one grid's registries (the grid's basic-information list reads them). The caller has
    already checked the grid is in the viewer's jurisdiction; counts carry no personal data."""
    people = Person.objects.filter(territory_code=grid_code)
    by_kind = dict(people.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    places = dict(
        KeyPlace.objects.filter(territory_code=grid_code)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return {
        "households": Household.objects.filter(territory_code=grid_code).count(),
        "residents": sum(by_kind.values()),
        "migrants": by_kind.get(Person.Kind.MIGRANT, 0),
        "left_behind": by_kind.get(Person.Kind.LEFT_BEHIND, 0),
        "foreign": by_kind.get(Person.Kind.FOREIGN, 0),
        "buildings": Building.objects.filter(territory_code=grid_code).count(),
        "rented_houses": House.objects.filter(territory_code=grid_code, rented=True).count(),
        "enterprises": Entity.objects.filter(territory_code=grid_code).count(),
        "places": sum(places.values()),
        "key_places": places.get(KeyPlace.Kind.HAZARDOUS_CHEMICALS, 0) + places.get(KeyPlace.Kind.CROWDED, 0),
    }
