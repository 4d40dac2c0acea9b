"""Staff pages of the party app (/party/…): the organisation tree with secretaries, pairings, action
branches and the 一肩挑 share; members (filters, masked names); a member's 联户联企 links and visits;
a member's monthly visit plan; 三会一课 per branch with the quarter's completeness. Forms write through the
same actions as the API (pairings, meeting records and projects: party/views_work.py).
Parse → access (selectors) → action → render; outside the jurisdiction is a 404, a role without party
work a 403."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.jurisdiction import jurisdiction_codes, scope_for, user_roles
from accounts.models import User
from core.errors import DomainError, NotFound
from core.pii import mask_name
from party import actions, meetings, selectors, visits
from party.access import ORGANISER_ROLES, READER_ROLES
from party.models import Meeting, Organisation, PartyMember, Visit
from registry.models import Entity, Household

MEMBER_PAGE = 100
TOP_KINDS = (Organisation.Kind.COMMITTEE, Organisation.Kind.WORKING_COMMITTEE)


def _reader(request: HttpRequest) -> tuple[User, bool]:
    """The user and whether they may write; a user with no party role is refused (403)."""
    user = request.user
    assert isinstance(user, User)
    roles = user_roles(user)
    if not roles & READER_ROLES:
        raise PermissionDenied(_("没有党建工作的角色。"))
    return user, bool(roles & ORGANISER_ROLES)


def _form_error(form: forms.Form, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=Organisation.Kind.choices)
    parent_id = forms.TypedChoiceField(label=_("上级组织"), coerce=int, required=False, empty_value=None)
    territory_code = forms.CharField(label=_("所属区划/网格代码"), max_length=15, required=False)
    action_type = forms.ChoiceField(
        label=_("行动支部类型"), choices=[("", "—"), *Organisation.ActionType.choices], required=False
    )
    functional_type = forms.ChoiceField(
        label=_("功能型党小组类型"), choices=[("", "—"), *Organisation.FunctionalType.choices], required=False
    )

    def __init__(self, *args: Any, orgs: Sequence[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = self.fields["parent_id"]
        assert isinstance(parent, forms.ChoiceField)
        parent.choices = [("", "—"), *((o.pk, o.name) for o in orgs)]


class SecretaryForm(forms.Form):
    organisation_id = forms.TypedChoiceField(label=_("党组织"), coerce=int)
    member_id = forms.TypedChoiceField(label=_("书记"), coerce=int, required=False, empty_value=None)

    def __init__(
        self, *args: Any, orgs: Sequence[Organisation], members: list[PartyMember], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        org_field, member_field = self.fields["organisation_id"], self.fields["member_id"]
        assert isinstance(org_field, forms.ChoiceField) and isinstance(member_field, forms.ChoiceField)
        org_field.choices = [(o.pk, o.name) for o in orgs]
        member_field.choices = [
            ("", _("（撤销书记）")),
            *((m.pk, f"{mask_name(m.person.name)} · {m.organisation.name}") for m in members),
        ]


def _tree(orgs: Sequence[Organisation]) -> list[dict[str, Any]]:
    """Depth-first rows (with their depth) of the visible organisations; a node whose parent is not
    visible starts a tree of its own."""
    ids = {o.pk for o in orgs}
    children: dict[int | None, list[Organisation]] = defaultdict(list)
    for org in orgs:
        children[org.parent_id if org.parent_id in ids else None].append(org)
    rows: list[dict[str, Any]] = []

    def walk(parent: int | None, depth: int) -> None:
        for org in sorted(children[parent], key=lambda o: (o.territory_code, o.name)):
            rows.append({"org": org, "depth": depth, "indent": depth * 1.5})
            walk(org.pk, depth + 1)

    walk(None, 0)
    return rows


@require_http_methods(["GET", "POST"])
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user, may_write = _reader(request)
    orgs = list(
        selectors.organisations_visible_to(user)
        .select_related("secretary__person")
        .annotate(member_count=Count("members"))
    )
    members = list(selectors.members_visible_to(user)[:500])
    org_form = OrganisationForm(orgs=orgs, prefix="org")
    secretary_form = SecretaryForm(orgs=orgs, members=members, prefix="sec")
    status = 200
    if request.method == "POST" and may_write:
        now = timezone.now()
        if "org-name" in request.POST:
            org_form = OrganisationForm(request.POST, orgs=orgs, prefix="org")
            if org_form.is_valid():
                data = org_form.cleaned_data
                try:
                    actions.do_create_organisation(actions.OrganisationInput(**data), actor=user, now=now)
                except DomainError as error:
                    _form_error(org_form, error)
                else:
                    return HttpResponseRedirect(request.path + "?done=organisation")
        else:
            secretary_form = SecretaryForm(request.POST, orgs=orgs, members=members, prefix="sec")
            if secretary_form.is_valid():
                data = secretary_form.cleaned_data
                org = next(o for o in orgs if o.pk == data["organisation_id"])
                member = next((m for m in members if m.pk == data["member_id"]), None)
                try:
                    actions.do_set_secretary(org, member, actor=user, now=now)
                except DomainError as error:
                    _form_error(secretary_form, error)
                else:
                    return HttpResponseRedirect(request.path + "?done=secretary")
        status = 400
    elif request.method == "POST":
        raise PermissionDenied(_("只有党（工）委领导、村书记/网格长或数据管理员可以维护党建信息。"))
    checks = selectors.one_shoulder_checks(jurisdiction_codes(user))
    context = {
        "tree": _tree(orgs),
        "secretaries": {o.pk: mask_name(o.secretary.person.name) for o in orgs if o.secretary},
        "action_branches": [o for o in orgs if o.kind == Organisation.Kind.ACTION_BRANCH],
        "functional_groups": [o for o in orgs if o.kind == Organisation.Kind.FUNCTIONAL_GROUP],
        "pairings": list(selectors.pairings_visible_to(user)[:200]),
        "projects": [
            {"project": p, "leader": mask_name(p.leader.person.name), "milestones": list(p.milestones.all())}
            for p in selectors.projects_visible_to(user)
            .select_related("organisation", "leader__person")
            .prefetch_related("milestones")[:200]
        ],
        "one_shoulder": selectors.one_shoulder_figures(checks),
        "problems": [c for c in checks if not c.satisfied],
        "may_write": may_write,
        "org_form": org_form,
        "secretary_form": secretary_form,
        "done": request.GET.get("done", ""),
    }
    return render(request, "party/home.html", context, status=status)


class MemberFilter(forms.Form):
    grid = forms.CharField(label=_("网格"), max_length=15, required=False)
    branch = forms.TypedChoiceField(label=_("支部"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(
        label=_("党员类别"), choices=[("", "—"), *PartyMember.Status.choices], required=False
    )
    mobile = forms.ChoiceField(
        label=_("流动党员"), choices=[("", "—"), ("yes", _("是")), ("no", _("否"))], required=False
    )

    def __init__(self, *args: Any, orgs: Sequence[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        branch = self.fields["branch"]
        assert isinstance(branch, forms.ChoiceField)
        branch.choices = [("", "—"), *((o.pk, o.name) for o in orgs)]


@require_http_methods(["GET"])
@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    user, may_write = _reader(request)
    orgs = [o for o in selectors.organisations_visible_to(user) if o.kind not in TOP_KINDS]
    form = MemberFilter(request.GET or None, orgs=orgs)
    rows = selectors.members_visible_to(user).annotate(link_count=Count("links", distinct=True))
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            if data["grid"]:
                rows = rows.filter(territory_code__startswith=data["grid"].strip())
            if data["branch"]:
                rows = rows.filter(organisation_id=data["branch"])
            if data["status"]:
                rows = rows.filter(status=data["status"])
            if data["mobile"]:
                rows = rows.filter(mobile=data["mobile"] == "yes")
        else:
            rows, status = rows.none(), 400
    total = rows.count()
    members = [
        {**selectors.masked_member(m), "links": m.link_count}
        for m in rows.order_by("territory_code", "id")[:MEMBER_PAGE]
    ]
    return render(
        request,
        "party/members.html",
        {"form": form, "members": members, "total": total, "limit": MEMBER_PAGE, "may_write": may_write},
        status=status,
    )


class LinkForm(forms.Form):
    household_number = forms.CharField(label=_("户号"), max_length=40, required=False)
    entity_uscc = forms.CharField(label=_("企业统一社会信用代码"), max_length=18, required=False)


class VisitPlanForm(forms.Form):
    month = forms.DateField(
        label=_("走访月份"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )


def _plan_visits(user: User, member: PartyMember, form: VisitPlanForm) -> tuple[int, int]:
    """The month's visit plan through `visits.do_plan_month` (the API's action): (status, visits
    planned), status 0 when done."""
    if not form.is_valid():
        return 400, 0
    try:
        planned = visits.do_plan_month(member, form.cleaned_data["month"], actor=user, now=timezone.now())
    except DomainError as error:
        form.add_error("month" if error.field == "month" else None, error.message)
        return (404 if isinstance(error, NotFound) else error.status), 0
    return 0, len(planned)


@require_http_methods(["GET", "POST"])
@login_required
def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    user, may_write = _reader(request)
    try:
        member = selectors.member_for(user, member_id)
    except NotFound as error:
        raise Http404(error.message) from error
    planning = "plan-month" in request.POST
    form = LinkForm(None if planning else (request.POST or None))
    plan_form = VisitPlanForm(request.POST if planning else None, prefix="plan")
    status = 200
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied(_("只有党（工）委领导、村书记/网格长或数据管理员可以维护党建信息。"))
        if planning:
            status, planned = _plan_visits(user, member, plan_form)
            if not status:
                return HttpResponseRedirect(request.path + f"?done=plan&planned={planned}")
        elif form.is_valid():
            number, uscc = (
                form.cleaned_data["household_number"].strip(),
                form.cleaned_data["entity_uscc"].strip(),
            )
            household = (
                scope_for(user, Household.objects.filter(number=number), "territory_code").first()
                if number
                else None
            )
            entity = (
                scope_for(user, Entity.objects.filter(uscc=uscc.upper()), "territory_code").first()
                if uscc
                else None
            )
            try:
                if number and household is None:
                    raise DomainError("unknown_household", gettext("户号不存在。"), field="household_number")
                if uscc and entity is None:
                    raise DomainError("unknown_entity", gettext("企业不存在。"), field="entity_uscc")
                actions.do_link_member(
                    member, household=household, entity=entity, actor=user, now=timezone.now()
                )
            except DomainError as error:
                field = {"household_id": "household_number", "entity_id": "entity_uscc"}.get(
                    error.field or ""
                )
                form.add_error(
                    field if field else (error.field if error.field in form.fields else None), error.message
                )
                status = 404 if isinstance(error, NotFound) else error.status
            else:
                return HttpResponseRedirect(request.path + "?done=link")
        else:
            status = 400
    links = member.links.select_related("household", "entity").order_by("id")
    visits = list(
        Visit.objects.filter(member=member)
        .select_related("link__household", "link__entity")
        .order_by("-due_on", "id")[:60]
    )
    now = timezone.now()
    return render(
        request,
        "party/member.html",
        {
            "member": selectors.masked_member(member),
            "links": links,
            "visits": [
                {**selectors.visit_row(v), "overdue": v.visited_at is None and v.due_on < now.date()}
                for v in visits
            ],
            "figures": selectors.member_coverage(member, now=now),
            "form": form,
            "plan_form": plan_form,
            "may_write": may_write,
            "done": request.GET.get("done", ""),
            "planned": request.GET.get("planned", ""),
        },
        status=status,
    )


class MeetingForm(forms.Form):
    organisation_id = forms.TypedChoiceField(label=_("支部"), coerce=int)
    kind = forms.ChoiceField(label=_("类型"), choices=Meeting.Kind.choices)
    topic = forms.CharField(label=_("主题"), max_length=200)
    scheduled_for = forms.DateTimeField(
        label=_("计划时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, branches: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = self.fields["organisation_id"]
        assert isinstance(org, forms.ChoiceField)
        org.choices = [(b.pk, b.name) for b in branches]


@require_http_methods(["GET", "POST"])
@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    user, may_write = _reader(request)
    visible = selectors.organisations_visible_to(user)
    branches = [o for o in visible if o.kind in meetings.BRANCH_KINDS]
    form = MeetingForm(request.POST or None, branches=branches)
    status = 200
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied(_("只有党（工）委领导、村书记/网格长或数据管理员可以维护党建信息。"))
        if form.is_valid():
            data = form.cleaned_data
            branch = next(b for b in branches if b.pk == data["organisation_id"])
            try:
                meetings.do_schedule_meeting(
                    branch,
                    kind=data["kind"],
                    topic=data["topic"],
                    scheduled_for=data["scheduled_for"],
                    actor=user,
                    now=timezone.now(),
                )
            except DomainError as error:
                _form_error(form, error)
                status = error.status
            else:
                return HttpResponseRedirect(request.path + "?done=meeting")
        else:
            status = 400
    now = timezone.now()
    quarter = meetings.completeness(visible, now=now)
    recent = selectors.meetings_visible_to(user).order_by("-scheduled_for", "-id")[:100]
    return render(
        request,
        "party/meetings.html",
        {
            "quarter": quarter,
            "kinds": Meeting.Kind.choices,
            "meetings": recent,
            "form": form,
            "may_write": may_write,
            "now": now,
        },
        status=status,
    )
