"""The grid worker's phone pages for changing registered records (基础信息变更): find a person (by ID
number), a household (by number), an entity, a key place or a building's rooms in one's jurisdiction,
then propose a change on the record's form. The registry checks the proposal (each kind's rules), the
trivial fields apply at once, the rest goes to the village's review (grid.registry_changes). Parse →
access (registry selectors: outside the jurisdiction is a 404) → action → render."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from core import idnumbers
from core.errors import DomainError, NotFound
from core.pii import mask_id_number, mask_name
from grid.registry_changes import do_propose_record_change
from grid.web.common import (
    GRID_WORKER_ROLES,
    attach_error,
    current_user,
    not_found,
    render_page,
    roles_required,
)
from grid.web.registry_changes import REVIEW_ROLES
from registry import selectors
from registry.actions import care_tags
from registry.models import Entity, House, KeyPlace, Person, RecordChange

PROPOSER_ROLES = GRID_WORKER_ROLES | REVIEW_ROLES
SEARCH_LIMIT = 20
NEW_TENANT_ROWS = 2
REFUSED = _("只有网格员、网格长和数据管理员可以提出基础信息变更。")

Rows = list[tuple[str, str]]


def _tag_choices() -> list[tuple[str, str]]:
    return [(tag, gettext(tag)) for tag in care_tags()]


class ProposalForm(forms.Form):
    """A change form: `proposal()` is what the worker asks for (a field left empty stays as it is)."""

    def __init__(self, *args: Any, record: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record = record

    def proposal(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None, [])}

    def field_for(self, name: str) -> str:
        """The form field showing an action's refusal about `name`."""
        return name

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields as the page sets them out: (legend, fields), one untitled group by default."""
        return [("", list(self.visible_fields()))]


class PersonForm(ProposalForm):
    phone = forms.CharField(
        label=_("新联系电话"),
        max_length=20,
        required=False,
        help_text=_("一般字段：提交即生效，留痕。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    address_detail = forms.CharField(label=_("新详细住址"), max_length=100, required=False)
    care_tags_add = forms.MultipleChoiceField(
        label=_("新增关爱标签"), required=False, widget=forms.CheckboxSelectMultiple
    )
    care_tags_remove = forms.MultipleChoiceField(
        label=_("取消关爱标签"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("care_tags_add", "care_tags_remove"):
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = _tag_choices()

    def field_for(self, name: str) -> str:
        return "care_tags_add" if name == "care_tags" else name


class _MoveForm(ProposalForm):
    moved_on = forms.DateField(
        label=_("迁移日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)

    def proposal(self) -> dict[str, Any]:
        values = super().proposal()
        if "moved_on" in values:
            values["moved_on"] = values["moved_on"].isoformat()
        return values


class MoveOutForm(_MoveForm):
    pass


class MoveInForm(_MoveForm):
    household = forms.CharField(label=_("迁入户号"), max_length=30)
    relation = forms.ChoiceField(label=_("与户主关系"), choices=Person.Relation.choices)
    field_order = ["household", "relation", "moved_on", "reason"]


class EntityForm(ProposalForm):
    uscc = forms.CharField(
        label=_("统一社会信用代码（更正）"),
        max_length=18,
        required=False,
        help_text=_("登记有误时填写正确的代码，审核后生效。"),
    )
    name = forms.CharField(label=_("单位名称"), max_length=200)
    legal_representative = forms.CharField(label=_("新法定代表人"), max_length=50, required=False)
    industry_code = forms.CharField(label=_("行业代码（GB/T 4754）"), max_length=5)
    size = forms.ChoiceField(label=_("规模"), choices=Entity.Size.choices)
    legal_representative_phone = forms.CharField(
        label=_("新法定代表人电话"),
        max_length=20,
        required=False,
        help_text=_("一般字段：提交即生效，留痕。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, record: Entity, **kwargs: Any) -> None:
        initial = {"name": record.name, "industry_code": record.industry_code, "size": record.size}
        super().__init__(*args, record=record, initial=initial, **kwargs)


class PlaceForm(ProposalForm):
    name = forms.CharField(label=_("场所名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类别"), choices=KeyPlace.Kind.choices)
    inspection_days = forms.IntegerField(label=_("巡查周期（天）"), min_value=1, max_value=366)

    def __init__(self, *args: Any, record: KeyPlace, **kwargs: Any) -> None:
        initial = {"name": record.name, "kind": record.kind, "inspection_days": record.inspection_days}
        super().__init__(*args, record=record, initial=initial, **kwargs)


class HouseForm(ProposalForm):
    rented = forms.BooleanField(label=_("出租房"), required=False)
    remove_tenants = forms.TypedMultipleChoiceField(
        label=_("退租的承租人"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, record: House, **kwargs: Any) -> None:
        super().__init__(*args, record=record, initial={"rented": record.rented}, **kwargs)
        field = self.fields["remove_tenants"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(p.pk, mask_name(p.name)) for p in record.residents.filter(tenant=True)]
        for i in range(NEW_TENANT_ROWS):
            self.fields[f"tenant_name_{i}"] = forms.CharField(label=_("姓名"), max_length=50, required=False)
            self.fields[f"tenant_id_number_{i}"] = forms.CharField(
                label=_("身份证号"), max_length=18, required=False
            )
            self.fields[f"tenant_phone_{i}"] = forms.CharField(label=_("电话"), max_length=20, required=False)

    def proposal(self) -> dict[str, Any]:
        data = self.cleaned_data
        tenants = [
            {key: data[f"tenant_{key}_{i}"] for key in ("name", "id_number", "phone")}
            for i in range(NEW_TENANT_ROWS)
            if data[f"tenant_name_{i}"] or data[f"tenant_id_number_{i}"]
        ]
        values: dict[str, Any] = {"rented": data["rented"]}
        if data["remove_tenants"]:
            values["remove_tenants"] = data["remove_tenants"]
        if tenants:
            values["new_tenants"] = tenants
        return values

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        tenants = [
            (
                gettext("新承租人 %(n)s") % {"n": i + 1},
                [self[f"tenant_{key}_{i}"] for key in ("name", "id_number", "phone")],
            )
            for i in range(NEW_TENANT_ROWS)
        ]
        return [("", [self["rented"], self["remove_tenants"]]), *tenants]

    def field_for(self, name: str) -> str:
        found = re.fullmatch(r"new_tenants\[(\d+)\]\.(\w+)", name)
        return f"tenant_{found.group(2)}_{found.group(1)}" if found else name


# ------------------------------------------------------------------------- what the form shows first


def _person_rows(person: Person) -> Rows:
    shown = selectors.masked_person(person)
    household = person.household.number if person.household else "—"
    return [
        (gettext("姓名"), shown["name"]),
        (gettext("证件号码"), shown["id_number"]),
        (gettext("联系电话"), shown["phone"] or "—"),
        (gettext("户"), f"{household} {shown['relation_label']}".strip()),
    ]


def _entity_rows(entity: Entity) -> Rows:
    shown = selectors.masked_entity(entity)
    return [
        (gettext("单位名称"), shown["name"]),
        (gettext("统一社会信用代码"), shown["uscc"]),
        (gettext("法定代表人"), shown["legal_representative"]),
        (gettext("法定代表人电话"), shown["legal_representative_phone"] or "—"),
    ]


def _place_rows(place: KeyPlace) -> Rows:
    return [
        (gettext("场所名称"), place.name),
        (gettext("类别"), place.get_kind_display()),
        (gettext("巡查周期（天）"), str(place.inspection_days)),
    ]


def _house_rows(house: House) -> Rows:
    tenants = [mask_name(p.name) for p in house.residents.filter(tenant=True)]
    return [
        (gettext("房屋"), str(house)),
        (gettext("房屋编码"), house.code),
        (gettext("出租房"), gettext("出租") if house.rented else gettext("未出租")),
        (gettext("承租人"), "、".join(tenants) or "—"),
    ]


@dataclass(frozen=True)
class ChangePage:
    kind: str
    fetch: Callable[[Any, int], Any]
    form: type[ProposalForm]
    rows: Callable[[Any], Rows]
    note: str | Promise = ""


PAGES: dict[str, ChangePage] = {
    "person": ChangePage(
        RecordChange.Kind.PERSON,
        selectors.person_for,
        PersonForm,
        _person_rows,
        _("联系电话提交即生效；住址和关爱标签经村（社区）审核后生效。"),
    ),
    "move-out": ChangePage(
        RecordChange.Kind.MOVE_OUT, selectors.person_for, MoveOutForm, _person_rows, _("审核后生效。")
    ),
    "move-in": ChangePage(
        RecordChange.Kind.MOVE_IN,
        selectors.person_for,
        MoveInForm,
        _person_rows,
        _("迁入同村（社区）的户，审核后生效。"),
    ),
    "entity": ChangePage(
        RecordChange.Kind.ENTITY,
        selectors.entity_for,
        EntityForm,
        _entity_rows,
        _("法定代表人电话提交即生效；其他信息经审核后生效。"),
    ),
    "place": ChangePage(
        RecordChange.Kind.KEY_PLACE, selectors.place_for, PlaceForm, _place_rows, _("审核后生效。")
    ),
    "house": ChangePage(
        RecordChange.Kind.HOUSE,
        selectors.house_for,
        HouseForm,
        _house_rows,
        _("未登记的承租人审核通过后按流动人口登记。"),
    ),
}


def _done_message(outcome: Any) -> str:
    parts = []
    if outcome.applied is not None:
        parts.append(gettext("已生效：%(summary)s") % {"summary": selectors.change_title(outcome.applied)})
    if outcome.pending is not None:
        summary = selectors.change_title(outcome.pending)
        parts.append(gettext("已提交，待村（社区）审核：%(summary)s") % {"summary": summary})
    return "；".join(parts)


@roles_required(PROPOSER_ROLES, REFUSED)
@require_http_methods(["GET", "POST"])
def propose_change(request: HttpRequest, page: str, record_id: int) -> HttpResponse:
    spec = PAGES.get(page)
    user = current_user(request)
    try:
        if spec is None:
            raise NotFound()
        record = spec.fetch(user, record_id)
    except NotFound:
        return not_found(request, gettext("该记录不存在，或不在您的管辖范围内。"))
    form = spec.form(request.POST if request.method == "POST" else None, record=record)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = do_propose_record_change(
                spec.kind, record, form.proposal(), actor=user, now=timezone.now()
            )
        except DomainError as error:
            attach_error(form, error, {error.field or "": form.field_for(error.field or "")})
        else:
            messages.success(request, _done_message(outcome))
            return redirect("grid:registry_changes")
    context = {
        "form": form,
        "title": RecordChange.Kind(spec.kind).label,
        "note": spec.note,
        "rows": spec.rows(record),
    }
    return render_page(request, "grid/m/record_change.html", context)


# ---------------------------------------------------------------------------------------- the search


def _found_person(user: Any, query: str) -> list[Person]:
    try:
        return [selectors.person_by_id_number(user, query)]
    except DomainError:
        return []


def _search(user: Any, query: str) -> dict[str, Any]:
    """One box: an ID number finds the person (by its keyed hash), a household number its members,
    other text the entities, key places and buildings (with their rooms) whose names hold it."""
    if len(idnumbers.compact(query)) == 18:
        return {"people": _found_person(user, idnumbers.compact(query))}
    household = selectors.households_visible_to(user).filter(number=query).first()
    people = list(household.members.select_related("household").order_by("pk")) if household else []
    rooms = Prefetch("houses", queryset=House.objects.order_by("code"))
    buildings = selectors.buildings_visible_to(user).filter(
        Q(compound__icontains=query) | Q(address__text__icontains=query) | Q(code=query)
    )
    return {
        "people": people,
        "entities": list(selectors.entities_visible_to(user).filter(name__icontains=query)[:SEARCH_LIMIT]),
        "places": list(selectors.places_visible_to(user).filter(name__icontains=query)[:SEARCH_LIMIT]),
        "buildings": list(buildings.prefetch_related(rooms)[:SEARCH_LIMIT]),
    }


@roles_required(PROPOSER_ROLES, REFUSED)
@require_http_methods(["GET", "POST"])
def records(request: HttpRequest) -> HttpResponse:
    """Posted, so that an ID number never lands in a URL; echoed back masked."""
    user = current_user(request)
    query = request.POST.get("q", "").strip()[:60] if request.method == "POST" else ""
    found: dict[str, Any] = _search(user, query) if query else {}
    people = [
        {"person": p, "shown": selectors.masked_person(p), "in_household": p.household_id is not None}
        for p in found.get("people", [])
    ]
    compact = idnumbers.compact(query)
    shown_query = mask_id_number(compact) if len(compact) == 18 else query
    context = {
        "query": shown_query,
        "searched": bool(query),
        "people": people,
        "entities": found.get("entities", []),
        "places": found.get("places", []),
        "buildings": found.get("buildings", []),
    }
    return render_page(request, "grid/m/records.html", context)
