"""Staff pages of the party's joint work (/party/…): pairings (结对共建), one meeting's attendance and
minutes (三会一课 records), and party projects with their milestones and the vanguard posts (党员先锋岗).
Each form posts through the same action the API uses and shows its refusal at the field it names.
Parse → access (selectors) → action → render; outside the jurisdiction 404, a role without party work 403,
a reader who may not write 403 on POST."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods

from core.errors import DomainError, NotFound
from core.pii import mask_name
from party import actions, meetings, projects, selectors
from party.models import Organisation, PartyMember
from party.views import _reader

WRITE_REFUSED = _("只有党（工）委领导、村书记/网格长或数据管理员可以维护党建信息。")
PAIRABLE = {*meetings.BRANCH_KINDS, Organisation.Kind.COMMITTEE, Organisation.Kind.WORKING_COMMITTEE}


def _choices(field: forms.Field, options: list[tuple[Any, str]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = options


def _attempt(form: forms.Form, fields: dict[str, str], write: Callable[[], Any]) -> int:
    """Run the action; on a refusal show its message at the form field it names (`fields` maps the
    action's field names onto the form's), else above the form. Returns the status to render with."""
    try:
        write()
    except DomainError as error:
        name = fields.get(error.field or "", error.field or "")
        form.add_error(name if name in form.fields else None, error.message)
        return 404 if isinstance(error, NotFound) else error.status
    return 0


# --- 结对共建 ------------------------------------------------------------------------------------------


class PairingForm(forms.Form):
    first_id = forms.TypedChoiceField(label=_("本组织"), coerce=int)
    second_id = forms.TypedChoiceField(label=_("结对组织"), coerce=int)
    started_on = forms.DateField(label=_("结对日期"), widget=forms.DateInput(attrs={"type": "date"}))
    activities = forms.CharField(
        label=_("共建活动"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, orgs: Sequence[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = [(o.pk, o.name) for o in orgs]
        _choices(self.fields["first_id"], options)
        _choices(self.fields["second_id"], options)


@require_http_methods(["GET", "POST"])
@login_required
def pairing_list(request: HttpRequest) -> HttpResponse:
    user, may_write = _reader(request)
    orgs = [
        o
        for o in selectors.organisations_visible_to(user).order_by("territory_code", "name")
        if o.kind in PAIRABLE
    ]
    form = PairingForm(request.POST or None, orgs=orgs)
    status = 200
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied(WRITE_REFUSED)
        if form.is_valid():
            data = form.cleaned_data
            by_id = {o.pk: o for o in orgs}
            status = _attempt(
                form,
                {},
                lambda: actions.do_pair_organisations(
                    by_id[data["first_id"]],
                    by_id[data["second_id"]],
                    started_on=data["started_on"],
                    activities=data["activities"],
                    actor=user,
                    now=timezone.now(),
                ),
            )
            if not status:
                return HttpResponseRedirect(request.path + "?done=pairing")
        else:
            status = 400
    pairings = selectors.pairings_visible_to(user).order_by("-started_on", "-id")[:200]
    return render(
        request,
        "party/pairings.html",
        {"pairings": pairings, "form": form, "may_write": may_write, "done": request.GET.get("done", "")},
        status=status,
    )


# --- 三会一课: one meeting's attendance and minutes ----------------------------------------------------


class AttendanceForm(forms.Form):
    member_id = forms.TypedChoiceField(label=_("签到党员"), coerce=int)

    def __init__(self, *args: Any, members: Sequence[PartyMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["member_id"], [(m.pk, mask_name(m.person.name)) for m in members])


class MeetingRecordForm(forms.Form):
    minutes = forms.CharField(
        label=_("会议记录"), max_length=meetings.MAX_MINUTES, widget=forms.Textarea(attrs={"rows": 5})
    )
    photo = forms.ImageField(label=_("会议照片"), required=False)


@require_http_methods(["GET", "POST"])
@login_required
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user, may_write = _reader(request)
    try:
        meeting = selectors.meeting_visible_for(user, meeting_id)
    except NotFound as error:
        raise Http404(error.message) from error
    signed = {a.member_id: a.signed_at for a in meeting.attendance.all()}
    branch_members = list(
        selectors.members_visible_to(user)
        .filter(organisation_id__in=_branch_and_groups(meeting.organisation))
        .order_by("territory_code", "id")
    )
    attendance = AttendanceForm(
        request.POST if "att-member_id" in request.POST else None,
        members=[m for m in branch_members if m.pk not in signed],
        prefix="att",
    )
    record = MeetingRecordForm(
        request.POST if "rec-minutes" in request.POST else None,
        request.FILES if "rec-minutes" in request.POST else None,
        prefix="rec",
    )
    status = 200
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied(WRITE_REFUSED)
        now = timezone.now()
        form: forms.Form = attendance if attendance.is_bound else record
        if not form.is_bound or not form.is_valid():
            status = 400
        elif form is attendance:
            member = next(m for m in branch_members if m.pk == attendance.cleaned_data["member_id"])
            status = _attempt(
                attendance,
                {"meeting_id": ""},
                lambda: meetings.do_sign_attendance(meeting, member, actor=user, now=now),
            )
        else:
            data = record.cleaned_data
            status = _attempt(
                record,
                {"meeting_id": ""},
                lambda: meetings.do_record_meeting(
                    meeting,
                    meetings.MeetingRecord(minutes=data["minutes"], photo=data["photo"]),
                    actor=user,
                    now=now,
                ),
            )
        if not status:
            return HttpResponseRedirect(
                request.path + f"?done={'attendance' if form is attendance else 'record'}"
            )
    names = {m.pk: mask_name(m.person.name) for m in branch_members}
    return render(
        request,
        "party/meeting.html",
        {
            "meeting": meeting,
            "signed": [
                {"name": names.get(pk, "—"), "signed_at": at}
                for pk, at in sorted(signed.items(), key=lambda r: r[1])
            ],
            "attendance_form": attendance,
            "record_form": record,
            "may_write": may_write,
            "done": request.GET.get("done", ""),
        },
        status=status,
    )


def _branch_and_groups(branch: Organisation) -> list[int]:
    """The branch and its party groups: the members who attend its meetings."""
    return [branch.pk, *Organisation.objects.filter(parent=branch).values_list("pk", flat=True)]


# --- 党建项目 and 党员先锋岗 ---------------------------------------------------------------------------


def _milestones(text: str) -> list[tuple[str, date]]:
    """Lines of `YYYY-MM-DD 名称`; a malformed line is a field error naming it."""
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        day, _sep, name = line.strip().partition(" ")
        try:
            planned = date.fromisoformat(day)
        except ValueError:
            raise forms.ValidationError(
                _("第 %(n)s 行应为“日期 名称”，如 2026-06-30 完成选址。"), params={"n": number}
            ) from None
        if not name.strip():
            raise forms.ValidationError(_("第 %(n)s 行缺少节点名称。"), params={"n": number})
        rows.append((name.strip(), planned))
    return rows


class ProjectForm(forms.Form):
    organisation_id = forms.TypedChoiceField(label=_("领办组织"), coerce=int)
    name = forms.CharField(label=_("项目名称"), max_length=projects.MAX_NAME)
    lon = forms.FloatField(label=_("经度"))
    lat = forms.FloatField(label=_("纬度"))
    description = forms.CharField(
        label=_("项目说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    milestones = forms.CharField(
        label=_("节点（每行：日期 名称）"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, orgs: Sequence[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["organisation_id"], [(o.pk, o.name) for o in orgs])

    def clean_milestones(self) -> list[tuple[str, date]]:
        return _milestones(self.cleaned_data.get("milestones", ""))


class VanguardPostForm(forms.Form):
    member_id = forms.TypedChoiceField(label=pgettext_lazy("party", "党员"), coerce=int)
    name = forms.CharField(label=_("岗位名称"), max_length=projects.MAX_NAME)
    lon = forms.FloatField(label=_("经度"))
    lat = forms.FloatField(label=_("纬度"))

    def __init__(self, *args: Any, members: Sequence[PartyMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(
            self.fields["member_id"],
            [(m.pk, f"{mask_name(m.person.name)} · {m.organisation.name}") for m in members],
        )


class MilestoneForm(forms.Form):
    milestone_id = forms.IntegerField()


@require_http_methods(["GET", "POST"])
@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    user, may_write = _reader(request)
    orgs = list(selectors.organisations_visible_to(user).order_by("territory_code", "name"))
    members = list(selectors.members_visible_to(user).order_by("territory_code", "id")[:500])
    posted = request.POST if request.method == "POST" else None
    project_form = ProjectForm(posted if "proj-name" in request.POST else None, orgs=orgs, prefix="proj")
    post_form = VanguardPostForm(
        posted if "post-name" in request.POST else None, members=members, prefix="post"
    )
    milestone_form = MilestoneForm(posted if "milestone_id" in request.POST else None)
    status = 200
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied(WRITE_REFUSED)
        now = timezone.now()
        done = ""
        if project_form.is_bound and project_form.is_valid():
            data = project_form.cleaned_data
            org = next(o for o in orgs if o.pk == data["organisation_id"])
            done, status = (
                "project",
                _attempt(
                    project_form,
                    {},
                    lambda: projects.do_create_project(
                        org,
                        name=data["name"],
                        lon=data["lon"],
                        lat=data["lat"],
                        description=data["description"],
                        milestones=data["milestones"],
                        actor=user,
                        now=now,
                    ),
                ),
            )
        elif post_form.is_bound and post_form.is_valid():
            data = post_form.cleaned_data
            member = next(m for m in members if m.pk == data["member_id"])
            done, status = (
                "post",
                _attempt(
                    post_form,
                    {},
                    lambda: projects.do_create_vanguard_post(
                        member, name=data["name"], lon=data["lon"], lat=data["lat"], actor=user, now=now
                    ),
                ),
            )
        elif milestone_form.is_bound and milestone_form.is_valid():
            milestone_id = milestone_form.cleaned_data["milestone_id"]
            try:
                milestone = selectors.milestone_for(user, milestone_id)
            except NotFound as error:
                raise Http404(error.message) from error
            done, status = (
                "milestone",
                _attempt(
                    milestone_form, {}, lambda: projects.do_complete_milestone(milestone, actor=user, now=now)
                ),
            )
        else:
            status = 400
        if not status:
            return HttpResponseRedirect(request.path + f"?done={done}")
    rows = [
        {"project": p, "leader": mask_name(p.leader.person.name), "milestones": list(p.milestones.all())}
        for p in selectors.projects_visible_to(user)
        .select_related("organisation", "leader__person")
        .prefetch_related("milestones")
        .order_by("territory_code", "name")[:200]
    ]
    posts = [
        {"post": v, "member": mask_name(v.member.person.name)}
        for v in selectors.vanguard_posts_visible_to(user)
        .select_related("member__person")
        .order_by("territory_code", "name")[:200]
    ]
    return render(
        request,
        "party/projects.html",
        {
            "projects": rows,
            "posts": posts,
            "project_form": project_form,
            "post_form": post_form,
            "milestone_form": milestone_form,
            "may_write": may_write,
            "done": request.GET.get("done", ""),
        },
        status=status,
    )
