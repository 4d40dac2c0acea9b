"""The entity page's (一企一档) section of grid governance: events reported at the entity's address or at
its key places — an event whose address is one of theirs (the report form fills in the standard
address's text) or whose point lies within NEAR_METRES of one (the radius an event's title calls
"…附近"), in the same village; and events reported from a patrol check-in at one of its key places.
Newest first, scoped to the viewer's jurisdiction as the event pages are."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import pgettext_lazy

from accounts.models import User
from grid.events.place_names import near
from grid.events.selectors import events_visible_to
from grid.models import PatrolCheckIn
from registry import profile
from registry.models import Address, Entity, KeyPlace
from workflow.selectors import state_title


def _addresses(entity: Entity) -> list[Address]:
    """The entity's standard addresses: its own, its building's, and those of its key places."""
    found = [entity.address, entity.building.address if entity.building is not None else None]
    places = KeyPlace.objects.filter(entity=entity).select_related("address", "building__address")
    for place in places:
        found += [place.address, place.building.address if place.building is not None else None]
    unique = {a.pk: a for a in found if a is not None}
    return list(unique.values())


def _near(address: Address) -> Q:
    if address.lon is None or address.lat is None:
        return Q(pk__in=[])
    return Q(**near(address.lon, address.lat))


def events_of(entity: object, user: User) -> list[profile.Row]:
    assert isinstance(entity, Entity)
    at_address = Q(pk__in=[])
    for address in _addresses(entity):
        at_address |= Q(address__startswith=address.text) | _near(address)
    checked_in = PatrolCheckIn.objects.filter(
        patrol_item__key_place__entity=entity, event__isnull=False
    ).values("event_id")
    rows = (
        events_visible_to(user)
        .select_related(None)
        .select_related("work_item")
        .filter(
            (Q(territory_code__startswith=entity.territory_code[:12]) & at_address) | Q(pk__in=checked_in)
        )
        .order_by("-reported_at", "-id")[: profile.SECTION_LIMIT]
    )
    return [
        profile.Row(
            label=f"{event.receipt_number} {event.title}",
            url=reverse("grid:event", args=[event.pk]),
            status=state_title(event.work_item.process_name, event.work_item.state)
            if event.work_item
            else "",
            at=event.reported_at,
        )
        for event in rows
    ]


def register() -> None:
    profile.register_section("grid_events", pgettext_lazy("entity page", "网格事件"), events_of, position=50)
