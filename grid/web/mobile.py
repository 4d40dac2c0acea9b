"""The grid worker's phone pages (/grid/m/…): home (my grid, open patrol, my reports, verifications
waiting for me), report an event, my reports and their timelines, on-site verification of a fix."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from core.errors import DomainError, NotFound
from grid.events.report import do_report_event
from grid.events.selectors import events_visible_to, get_event_for
from grid.events.steps import do_event_action
from grid.models import EventAttachment, EventChannel, GridEvent, PatrolCheckIn
from grid.patrols.actions import do_link_check_in_event
from grid.patrols.selectors import open_patrol_of, recent_patrols_of
from grid.web.common import (
    GRID_WORKER_ROLES,
    attach_error,
    current_user,
    event_rows,
    forbidden,
    not_found,
    render_page,
    roles_required,
    worker_grid_codes,
)
from grid.web.forms import VerifyForm, WorkerReportForm
from territory.models import Division, Grid, GridBoundary
from territory.scoping import within
from workflow.access import available_actions
from workflow.selectors import timeline_of, view_of

WORKER_ONLY = gettext_lazy("此页面供网格员使用。")
REPORT_FIELDS = {"category_code": "category", "kind": "category", "grid_code": "lon", "photos": "photos"}


def geo_labels() -> dict[str, str]:
    return {
        "unsupported": _("此浏览器不支持定位，将不带位置提交。"),
        "locating": _("正在获取位置…"),
        "located": _("已定位"),
        "accuracy": _("（±{m} 米）"),
        "denied": _("未能获取位置（未授权或信号弱），将不带位置提交。"),
    }


def map_config(features: list[dict[str, Any]], point: tuple[float, float] | None = None) -> dict[str, Any]:
    return {
        "features": {"type": "FeatureCollection", "features": features},
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        # Tiles from Chinese providers are drawn in GCJ-02; a tap on them is a GCJ-02 point.
        "tileCrs": getattr(settings, "MAP_TILE_CRS", "wgs84"),
        "point": list(point) if point else None,
    }


def grid_features(codes: list[str]) -> list[dict[str, Any]]:
    rows = GridBoundary.objects.filter(grid_id__in=codes, valid_to__isnull=True).values_list(
        "grid_id", "geometry"
    )
    return [
        {"type": "Feature", "properties": {"code": code}, "geometry": geometry} for code, geometry in rows
    ]


def area_features(codes: list[str] | None = None) -> list[dict[str, Any]]:
    """Outlines for a map of the district (or of the towns `codes`): the towns' boundaries, or the
    villages' where the towns have none."""
    for level in (Division.Level.TOWN, Division.Level.VILLAGE, Division.Level.DISTRICT):
        divisions = Division.objects.filter(level=level, boundary__isnull=False)
        if codes is not None:
            divisions = divisions.filter(within(codes, "code"))
        rows = list(divisions.values_list("code", "name", "boundary"))
        if rows:
            return [
                {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": boundary}
                for code, name, boundary in rows
            ]
    return []


def _my_grids(user: User) -> list[Grid]:
    return list(
        Grid.objects.filter(code__in=worker_grid_codes(user)).select_related("village", "village__parent")
    )


@roles_required(GRID_WORKER_ROLES, WORKER_ONLY)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    now = timezone.now()
    visible = events_visible_to(user)
    mine = list(visible.filter(reporter=user).order_by("-reported_at", "-id")[:10])
    to_verify = list(
        visible.filter(work_item__state="verifying", work_item__closed_at__isnull=True).order_by(
            "work_item__step_due_at", "id"
        )[:20]
    )
    context = {
        "grids": _my_grids(user),
        "open_patrol": open_patrol_of(user),
        "recent_patrols": recent_patrols_of(user),
        "my_reports": event_rows(mine, now=now),
        "to_verify": event_rows(to_verify, now=now),
    }
    return render_page(request, "grid/m/home.html", context)


def _own_check_in(user: User, value: Any) -> PatrolCheckIn | None:
    if value is None or not str(value).isdigit():
        return None
    return (
        PatrolCheckIn.objects.filter(pk=int(value), patrol__worker=user)
        .select_related("patrol_item", "patrol")
        .first()
    )


@roles_required(GRID_WORKER_ROLES, WORKER_ONLY)
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    grids = _my_grids(user)
    if not grids:
        return forbidden(request, _("您尚未被指派到任何网格。"))
    check_in_id = request.GET.get("check_in") or request.POST.get("check_in")
    form = WorkerReportForm(
        request.POST or None,
        request.FILES or None,
        initial={"crs": "wgs84", "check_in": check_in_id if check_in_id and check_in_id.isdigit() else None},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind, code = data["category"]
        try:
            event = do_report_event(
                actor=user,
                now=timezone.now(),
                channel=EventChannel.PATROL,
                category_code=code,
                kind=kind,
                description=data["description"],
                lon=data["lon"],
                lat=data["lat"],
                crs=data["crs"],
                grid_code=None if data["lon"] is not None else grids[0].code,
                address=data["address"],
                photos=data["photos"],
            )
        except DomainError as error:
            attach_error(form, error, REPORT_FIELDS)
        else:
            check_in = _own_check_in(user, data["check_in"])
            if (
                check_in is not None
                and check_in.event_id is None
                and check_in.patrol.grid_id == event.grid_id
            ):
                do_link_check_in_event(check_in, event, actor=user, now=timezone.now())
            messages.success(request, _("已上报，受理编号 %(receipt)s。") % {"receipt": event.receipt_number})
            return HttpResponseRedirect(reverse("grid:m_event", args=[event.pk]), status=303)
    context = {
        "form": form,
        "grids": grids,
        "map_config": map_config(grid_features([g.code for g in grids])),
        "geo_labels": geo_labels(),
        "check_in": _own_check_in(user, check_in_id),
    }
    return render_page(request, "grid/m/report.html", context, status=400 if form.errors else 200)


@roles_required(GRID_WORKER_ROLES, WORKER_ONLY)
@require_GET
def my_events(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    queryset = events_visible_to(user).filter(reporter=user).order_by("-reported_at", "-id")
    page = Paginator(queryset, 20).get_page(request.GET.get("page"))
    rows = event_rows(page.object_list, now=timezone.now())
    return render_page(request, "grid/m/events.html", {"rows": rows, "page": page})


def _photos(event: GridEvent) -> dict[str, list[EventAttachment]]:
    by_stage: dict[str, list[EventAttachment]] = {}
    for attachment in event.attachments.all().order_by("id"):
        by_stage.setdefault(attachment.stage, []).append(attachment)
    return by_stage


@roles_required(GRID_WORKER_ROLES, WORKER_ONLY)
@require_GET
def event_page(request: HttpRequest, event_id: int) -> HttpResponse:
    user = current_user(request)
    try:
        event = get_event_for(user, event_id)
    except NotFound:
        return not_found(request)
    return _render_event(request, user, event, VerifyForm())


def _render_event(
    request: HttpRequest, user: User, event: GridEvent, form: VerifyForm, status: int = 200
) -> HttpResponse:
    item = event.work_item
    actions = {a.name for a in available_actions(item, user)} if item else set()
    context = {
        "event": event,
        "row": event_rows([event], now=timezone.now())[0],
        "view": view_of(item, now=timezone.now()) if item else None,
        "timeline": timeline_of(item) if item else [],
        "photos": _photos(event),
        "may_verify": {"verify_pass", "verify_fail"} <= actions,
        "form": form,
    }
    return render_page(request, "grid/m/event.html", context, status=status)


@roles_required(GRID_WORKER_ROLES, WORKER_ONLY)
@require_POST
def verify(request: HttpRequest, event_id: int) -> HttpResponse:
    user = current_user(request)
    try:
        event = get_event_for(user, event_id)
    except NotFound:
        return not_found(request)
    form = VerifyForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            do_event_action(
                event,
                data["outcome"],
                actor=user,
                now=timezone.now(),
                reason=data["reason"],
                photos=data["photos"],
            )
        except DomainError as error:
            if error.status == 403:
                return forbidden(request, error.message)
            attach_error(form, error, {"inputs.attachments": "photos", "attachments": "photos"})
        else:
            if data["outcome"] == "verify_pass":
                messages.success(request, _("核查通过，已结案。"))
            else:
                messages.success(request, _("核查不通过，已退回返工。"))
            return HttpResponseRedirect(reverse("grid:m_event", args=[event.pk]), status=303)
    event = get_event_for(user, event_id)
    return _render_event(request, user, event, form, status=400)
