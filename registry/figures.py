"""What the registries (一标三实) contribute to the command centre's basic-information tiles: one queryset
per count figure under a territory code prefix, so a figure is the queryset's count and its drill-down
the same queryset's rows. The registries hold today's state (their history is per record, not a time
series), so every figure here is answered for a period that ends today only (`CURRENT_ONLY`).
Care tags and special groups are counted, never listed (`NUMBER_ONLY`): a drill-down of them would
name who carries them. A drill-down row never holds clear personal data: names masked, no ID or phone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from core.drill import drill_row
from core.pii import mask_name
from registry.models import Entity, House, Household, KeyPlace, Person, SensitiveRecord


def people(prefix: str, first_day: date, end_day: date) -> QuerySet[Person]:
    """实有人口: everyone on the registries under the prefix (registered, migrant, left-behind, foreign)."""
    return Person.objects.filter(territory_code__startswith=prefix)


def registered(prefix: str, first_day: date, end_day: date) -> QuerySet[Person]:
    """户籍人口."""
    return people(prefix, first_day, end_day).filter(kind=Person.Kind.REGISTERED)


def migrants(prefix: str, first_day: date, end_day: date) -> QuerySet[Person]:
    """流动人口."""
    return people(prefix, first_day, end_day).filter(kind=Person.Kind.MIGRANT)


def households(prefix: str, first_day: date, end_day: date) -> QuerySet[Household]:
    return Household.objects.filter(territory_code__startswith=prefix)


def houses(prefix: str, first_day: date, end_day: date) -> QuerySet[House]:
    """实有房屋, counted by unit/room (户室)."""
    return House.objects.filter(territory_code__startswith=prefix)


def rented_houses(prefix: str, first_day: date, end_day: date) -> QuerySet[House]:
    """出租房屋."""
    return houses(prefix, first_day, end_day).filter(rented=True)


def entities(prefix: str, first_day: date, end_day: date) -> QuerySet[Entity]:
    """实有单位."""
    return Entity.objects.filter(territory_code__startswith=prefix)


def key_places(prefix: str, first_day: date, end_day: date) -> QuerySet[KeyPlace]:
    """重点场所 (九小场所, hazardous-chemical sites, crowded places)."""
    return KeyPlace.objects.filter(territory_code__startswith=prefix)


def aggregates(prefix: str, first_day: date, end_day: date) -> dict[str, int]:
    """The people, house and care counts in three queries (each count equals its COUNTS queryset's;
    the care counts have no queryset: they are numbers only)."""
    out: dict[str, Any] = people(prefix, first_day, end_day).aggregate(
        registry_population=Count("id"),
        registry_registered=Count("id", filter=Q(kind=Person.Kind.REGISTERED)),
        registry_migrant=Count("id", filter=Q(kind=Person.Kind.MIGRANT)),
    )
    out |= houses(prefix, first_day, end_day).aggregate(
        registry_houses=Count("id"), registry_rented=Count("id", filter=Q(rented=True))
    )
    # A sealed list is "" when it holds nothing (registry.crypto.seal_list), so no value is opened here.
    out |= SensitiveRecord.objects.filter(territory_code__startswith=prefix).aggregate(
        registry_care_people=Count("id", filter=~Q(care_tags_sealed="")),
        registry_special_groups=Count("id", filter=~Q(special_groups_sealed="")),
    )
    return {code: int(n or 0) for code, n in out.items()}


COUNTS: dict[str, Callable[[str, date, date], QuerySet[Any]]] = {
    "registry_population": people,
    "registry_registered": registered,
    "registry_migrant": migrants,
    "registry_households": households,
    "registry_houses": houses,
    "registry_rented": rented_houses,
    "registry_entities": entities,
    "registry_key_places": key_places,
}
NUMBER_ONLY = frozenset({"registry_care_people", "registry_special_groups"})
CURRENT_ONLY = frozenset(COUNTS) | NUMBER_ONLY
# Relations each figure's rows read (no query per row).
RELATED: dict[str, tuple[str, ...]] = {
    "registry_households": ("house__building",),
    "registry_houses": ("building",),
    "registry_rented": ("building",),
}


def _place_url(place: KeyPlace) -> str:
    if place.entity_id is not None:
        return reverse("registry:entity", args=[place.entity_id])
    if place.building_id is not None:
        return reverse("registry:building", args=[place.building_id])
    return ""


def describe(obj: Any) -> dict[str, Any]:
    """A drill-down row of a registry record: a person by masked name and category, never an ID or phone
    number; a household, house, entity or place by its number and address or name."""
    if isinstance(obj, Person):
        url = reverse("registry:person", args=[obj.pk])
        return drill_row(
            obj.pk, "", mask_name(obj.name), obj.get_kind_display(), obj.territory_code, None, url
        )
    if isinstance(obj, Household):
        house = obj.house
        url = reverse("registry:building", args=[house.building_id]) if house is not None else ""
        return drill_row(obj.pk, obj.number, str(house) if house else "", "", obj.territory_code, None, url)
    if isinstance(obj, House):
        state = _("出租") if obj.rented else _("未出租")
        url = reverse("registry:building", args=[obj.building_id])
        return drill_row(obj.pk, obj.code, str(obj), state, obj.territory_code, None, url)
    if isinstance(obj, Entity):
        url = reverse("registry:entity", args=[obj.pk])
        return drill_row(obj.pk, obj.uscc, obj.name, obj.get_size_display(), obj.territory_code, None, url)
    if isinstance(obj, KeyPlace):
        return drill_row(
            obj.pk, "", obj.name, obj.get_kind_display(), obj.territory_code, None, _place_url(obj)
        )
    raise TypeError(type(obj).__name__)
