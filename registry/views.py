"""Staff pages of the registries: a phone-friendly search, a person page (masked; unmask asks for a
purpose; the unmask log), a building page (who lives and what works there) and an entity page (一企一档).
Parse → access (selectors) → action → render; outside the jurisdiction is a 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.requests import acting_user
from core import idnumbers
from core.errors import DomainError, NotFound
from core.pii import mask_id_number
from registry import profile, selectors
from registry.actions import do_unmask
from registry.models import Entity, Person, UnmaskRecord
from registry.sensitivity import FIELDS
from territory.refs import territory_names

SEARCH_LIMIT = 20


class UnmaskForm(forms.Form):
    field = forms.ChoiceField(label=_("字段"), choices=[])
    purpose = forms.ChoiceField(label=_("用途"), choices=UnmaskRecord.Purpose.choices)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    work_item = forms.CharField(label=_("关联事项编号"), max_length=60, required=False)

    def __init__(self, *args: Any, subject: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["field"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(f.name, f.label) for f in FIELDS.values() if f.subject == subject]


def _unmask_on_post(
    request: HttpRequest, subject: Person | Entity, kind: str
) -> tuple[UnmaskForm, dict[str, str]]:
    """The unmask form, and {"label", "value"} when a POST unmasked a value (shown once, never stored)."""
    if request.method != "POST":
        return UnmaskForm(subject=kind), {}
    form = UnmaskForm(request.POST, subject=kind)
    if not form.is_valid():
        return form, {}
    try:
        value = do_unmask(subject, actor=acting_user(request), now=timezone.now(), **form.cleaned_data)
    except NotFound as error:
        raise Http404(error.message) from error
    except DomainError as error:
        form.add_error(None, error.message)
        return form, {}
    return UnmaskForm(subject=kind), {
        "label": FIELDS[form.cleaned_data["field"]].label,
        "value": value or "—",
    }


def _get(fetch: Any, request: HttpRequest, pk: int) -> Any:
    try:
        return fetch(acting_user(request), pk)
    except NotFound as error:
        raise Http404(error.message) from error


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """One box: an ID number finds the person by its hash; other text searches addresses and entities.
    Posted, so that an ID number never lands in a URL (access logs, history); echoed back masked."""
    query = request.POST.get("q", "").strip() if request.method == "POST" else ""
    shown_query = query
    user = acting_user(request)
    results: dict[str, Any] = {"people": [], "addresses": [], "entities": [], "territory_names": {}}
    if query:
        compact = idnumbers.compact(query)
        if len(compact) == 18:
            shown_query = mask_id_number(compact)
            try:
                results["people"] = [selectors.masked_person(selectors.person_by_id_number(user, compact))]
            except DomainError:
                results["people"] = []
        else:
            results["addresses"] = list(selectors.search_addresses(query, limit=SEARCH_LIMIT))
            results["territory_names"] = territory_names(a.territory_code for a in results["addresses"])
            entities = selectors.entities_visible_to(user)
            results["entities"] = [
                selectors.masked_entity(e)
                for e in (entities.filter(name__icontains=query) | entities.filter(uscc=query.upper()))[
                    :SEARCH_LIMIT
                ]
            ]
    return render(request, "registry/search.html", {"query": shown_query, **results})


@login_required
def person_page(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _get(selectors.person_for, request, person_id)
    form, revealed = _unmask_on_post(request, person, "person")
    context = {
        "person": selectors.masked_person(person),
        "household": person.household,
        "members": selectors.household_members(person.household) if person.household else [],
        "form": form,
        "revealed": revealed,
        "unmask_log": selectors.unmask_log_for_person(person)[:50],
    }
    return render(request, "registry/person.html", context)


@login_required
def building_page(request: HttpRequest, building_id: int) -> HttpResponse:
    building = _get(selectors.building_for, request, building_id)
    return render(
        request, "registry/building.html", {"building": building, **selectors.building_occupants(building)}
    )


@login_required
def entity_page(request: HttpRequest, entity_id: int) -> HttpResponse:
    entity = _get(selectors.entity_for, request, entity_id)
    form, revealed = _unmask_on_post(request, entity, "entity")
    context = {
        "entity": selectors.masked_entity(entity),
        "building": entity.building,
        "places": entity.places.order_by("name"),
        "sections": profile.sections_for(entity, acting_user(request)),
        "form": form,
        "revealed": revealed,
        "unmask_log": selectors.unmask_log_for_entity(entity)[:50],
    }
    return render(request, "registry/entity.html", context)
