"""Town-managed institutions: the list (posts filled, latest evaluation) and an institution's page with its
verbs — create a post, fill it, move it with its duties, record the yearly evaluation, assign and retire a
station's duty — each one action."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import OrgUnit, User
from accounts.requests import acting_user
from core.errors import NotFound
from grid.models import Category, CategoryKind
from territorial import institutions, stations
from territorial.forms import (
    EvaluationForm,
    FillPostForm,
    MovePostForm,
    PostForm,
    RetireDutyForm,
    StationDutyForm,
)
from territorial.models import InstitutionEvaluation, Post, StationDuty
from territorial.pages.common import now, roles, staff_page, submit, today, verb_form
from territory.models import Division


@require_GET
@staff_page
def institution_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    units = list(institutions.institutions(user))
    posts = Post.objects.filter(org_unit__in=units).prefetch_related("holdings")
    evaluations = InstitutionEvaluation.objects.filter(org_unit__in=units).order_by("org_unit", "-year")
    latest: dict[int, InstitutionEvaluation] = {}
    for e in evaluations:
        latest.setdefault(e.org_unit_id, e)
    counts: dict[int, list[int]] = {}
    for p in posts:
        filled = any(h.ended_on is None for h in p.holdings.all())
        row = counts.setdefault(p.org_unit_id, [0, 0])
        row[0] += 1
        row[1] += int(filled)
    rows = [(u, counts.get(u.pk, [0, 0]), latest.get(u.pk)) for u in units]
    return render(request, "territorial/staff/institutions.html", {"rows": rows})


def _institution_page(
    request: HttpRequest, unit: OrgUnit, *, status: int = 200, **forms: Any
) -> HttpResponse:
    user = acting_user(request)
    move = forms.get("move") or MovePostForm()
    move.set_choices("to_unit", [(u.pk, u.name) for u in institutions.institutions(user).exclude(pk=unit.pk)])
    posts = Post.objects.filter(org_unit=unit).prefetch_related(
        "holdings", "moves__from_unit", "moves__to_unit"
    )
    duty = forms.get("duty") or StationDutyForm(initial={"territory_code": unit.territory_code[:9]})
    duty.set_choices("category", _category_choices())
    duty.set_choices("territory_code", _area_choices(unit))
    areas = dict(_area_choices(unit))
    context = {
        "unit": unit,
        "posts": posts,
        "is_station": unit.kind == OrgUnit.Kind.STATION,
        "duties": [
            (d, areas.get(d.territory_code, d.territory_code))
            for d in StationDuty.objects.filter(station=unit)
            .select_related("category")
            .annotate(items=Count("patrol_items"))
            .order_by("retired_at", "territory_code", "name")
        ],
        "duty_form": duty,
        "evaluations": InstitutionEvaluation.objects.filter(org_unit=unit).select_related("recorded_by"),
        "post_form": forms.get("post") or PostForm(),
        "fill": forms.get("fill") or FillPostForm(initial={"started_on": today()}),
        "move": move,
        "evaluation": forms.get("evaluation") or EvaluationForm(initial={"year": today().year - 1}),
        **roles(user),
    }
    return render(request, "territorial/staff/institution.html", context, status=status)


def _category_choices() -> list[tuple[Any, str]]:
    rows = Category.objects.filter(kind=CategoryKind.EVENT, active=True).order_by("code")
    return [(c.pk, f"{c.code} {c.name}") for c in rows]


def _area_choices(unit: OrgUnit) -> list[tuple[Any, str]]:
    """The station's town and its villages."""
    town = unit.territory_code[:9]
    rows = Division.objects.filter(code__startswith=town, level__in=stations.AREA_LEVELS).order_by("code")
    return [(d.code, f"{d.code} {d.name}") for d in rows]


@require_GET
@staff_page
def institution_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    return _institution_page(request, institutions.institution_for(acting_user(request), unit_id))


def _post_of(unit: OrgUnit, data: dict[str, Any]) -> Post:
    post = Post.objects.filter(org_unit=unit, pk=data["post"]).first()
    if post is None:
        raise NotFound(field="post")
    return post


def _create(user: User, unit: OrgUnit, data: dict[str, Any]) -> Any:
    return institutions.do_create_post(
        unit, title=data["title"], category=data["category"], actor=user, now=now()
    )


def _fill(user: User, unit: OrgUnit, data: dict[str, Any]) -> Any:
    return institutions.do_fill_post(
        _post_of(unit, data),
        holder_name=data["holder_name"],
        started_on=data["started_on"],
        actor=user,
        now=now(),
    )


def _move(user: User, unit: OrgUnit, data: dict[str, Any]) -> Any:
    return institutions.do_move_post(
        _post_of(unit, data),
        to_unit=institutions.institution_for(user, data["to_unit"]),
        moved_on=data["moved_on"],
        reason=data["reason"],
        actor=user,
        now=now(),
    )


def _evaluate(user: User, unit: OrgUnit, data: dict[str, Any]) -> Any:
    return institutions.do_record_evaluation(
        unit,
        year=data["year"],
        grade=data["grade"],
        town_opinion=data["town_opinion"],
        sector_opinion=data["sector_opinion"],
        actor=user,
        now=now(),
    )


def _assign_duty(user: User, unit: OrgUnit, data: dict[str, Any]) -> Any:
    return stations.do_assign_station_duty(
        unit,
        name=data["name"],
        category=Category.objects.filter(pk=data["category"], kind=CategoryKind.EVENT).first(),
        frequency=data["frequency"],
        territory_code=data["territory_code"],
        checkpoint=data["checkpoint"],
        actor=user,
        now=now(),
    )


def _retire_duty(user: User, unit: OrgUnit, data: dict[str, Any]) -> Any:
    duty = stations.duty_for(user, data["duty"])
    if duty.station_id != unit.pk:
        raise NotFound(field="duty")
    return stations.do_retire_station_duty(duty, actor=user, now=now())


FORMS = {
    "post": PostForm,
    "fill": FillPostForm,
    "move": MovePostForm,
    "evaluation": EvaluationForm,
    "duty": StationDutyForm,
    "retire": RetireDutyForm,
}
ACTS = {
    "post": _create,
    "fill": _fill,
    "move": _move,
    "evaluation": _evaluate,
    "duty": _assign_duty,
    "retire": _retire_duty,
}


@require_POST
@staff_page
def institution_act(request: HttpRequest, unit_id: int, verb: str) -> HttpResponse:
    """post (create), fill, move, evaluation, duty (assign a station duty), retire (it): one action
    function each."""
    user = acting_user(request)
    unit = institutions.institution_for(user, unit_id)
    return submit(
        request,
        verb_form(FORMS, verb, request),
        lambda data: ACTS[verb](user, unit, data),
        page=lambda form, status: _institution_page(request, unit, status=status, **{verb: form}),
        done=lambda _done: reverse("territorial:institution", args=[unit.pk]),
        message=_("已登记。"),
    )
