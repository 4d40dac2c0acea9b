"""The dispatcher's wide pages (/grid/dispatch/…): review (立案 / 作废 / 重复 / 改类), dispatch with the
routed unit pre-filled, the unrouted queue, late items to supervise (督办), extension requests,
verification, every event, and the 12345 hotline intake. Each list: traffic lights, filters (town,
category, state, light), pagination; the rows come from one query with their joins (no query per row)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.jurisdiction import scope_for
from accounts.models import User
from accounts.selectors import org_units_visible_to
from core.errors import DomainError
from core.replica import replica_reads
from grid.events.report import do_report_event
from grid.events.selectors import (
    SUBJECT_TYPE,
    attach_event_references,
    events_visible_to,
    lean_events,
    unrouted_events_for,
)
from grid.models import Category, CategoryKind, EventChannel, GridEvent, RoutingDecision
from grid.web.common import (
    DISPATCH_ROLES,
    EventRow,
    attach_error,
    clean_choice,
    current_user,
    event_rows,
    page_query,
    render_page,
    roles_required,
)
from grid.web.forms import HotlineForm, minor_choices
from grid.web.mobile import area_features, map_config
from territory.models import Division
from workflow.listing import CappedPaginator, count_upto
from workflow.models import Light

DISPATCH_ONLY = gettext_lazy("此页面供指挥中心调度员使用。")
PAGE_SIZE = 25


@dataclass(frozen=True)
class Queue:
    name: str
    title: Any
    states: tuple[str, ...]  # empty: any state
    description: Any


QUEUES: dict[str, Queue] = {
    "review": Queue(
        "review",
        gettext_lazy("待受理"),
        ("reported",),
        gettext_lazy("有效的立案，无效的作废（须填理由），重复的关联到原件。"),
    ),
    "dispatch": Queue(
        "dispatch", gettext_lazy("待派遣"), ("filed",), gettext_lazy("承办机构已按责任清单预填，可改选。")
    ),
    "unrouted": Queue(
        "unrouted",
        gettext_lazy("未路由"),
        ("filed",),
        gettext_lazy("责任清单中没有匹配的单位，请手动选择承办机构。"),
    ),
    "late": Queue(
        "late",
        gettext_lazy("超期督办"),
        (),
        gettext_lazy("本环节已超期的事件：签收超期的督办签收，处置超期的督办。"),
    ),
    "extensions": Queue(
        "extensions",
        gettext_lazy("延期审批"),
        ("extension_requested",),
        gettext_lazy("承办机构在期限内申请的延期。"),
    ),
    "verify": Queue(
        "verify",
        gettext_lazy("待核查"),
        ("verifying",),
        gettext_lazy("承办机构已反馈，核查通过即结案，不通过退回返工。"),
    ),
    "all": Queue("all", gettext_lazy("全部事件"), (), gettext_lazy("辖区内全部事件。")),
}


def _latest_routing() -> QuerySet[RoutingDecision]:
    return RoutingDecision.objects.filter(
        subject_type=SUBJECT_TYPE, subject_id=Cast(OuterRef("pk"), output_field=CharField())
    ).order_by("-decided_at", "-id")


def with_routing(queryset: QuerySet[GridEvent]) -> QuerySet[GridEvent]:
    latest = _latest_routing()
    return queryset.annotate(
        route_unit_code=Subquery(latest.values("chosen_unit__code")[:1]),
        route_unit_name=Subquery(latest.values("chosen_unit__name")[:1]),
        route_reason=Subquery(latest.values("reason")[:1]),
    )


@dataclass(frozen=True)
class ListFilters:
    town: str = ""
    category: str = ""
    state: str = ""
    light: str = ""
    channel: str = ""


def parse_filters(request: HttpRequest, towns: list[tuple[str, str]]) -> ListFilters:
    category = request.GET.get("category", "").strip()
    return ListFilters(
        town=clean_choice(request.GET.get("town", ""), [c for c, _n in towns]),
        category=category if category.isdigit() and len(category) in (2, 4) else "",
        state=request.GET.get("state", "").strip()[:40],
        light=clean_choice(request.GET.get("light", ""), Light.values),
        channel=clean_choice(request.GET.get("channel", ""), EventChannel.values),
    )


def apply_filters(queryset: QuerySet[GridEvent], filters: ListFilters, now: datetime) -> QuerySet[GridEvent]:
    if filters.town:
        queryset = queryset.filter(territory_code__startswith=filters.town)
    if filters.category:
        queryset = queryset.filter(
            Q(category__code=filters.category) | Q(category__parent__code=filters.category)
        )
    if filters.state:
        queryset = queryset.filter(work_item__state=filters.state)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.light == Light.GREEN:
        queryset = queryset.filter(work_item__closed_at__isnull=True, work_item__warn_at__gt=now)
    elif filters.light == Light.YELLOW:
        queryset = queryset.filter(
            work_item__closed_at__isnull=True, work_item__warn_at__lte=now, work_item__step_due_at__gt=now
        )
    elif filters.light == Light.RED:
        queryset = queryset.filter(work_item__closed_at__isnull=True, work_item__step_due_at__lte=now)
    return queryset


def towns_for(user: User) -> list[tuple[str, str]]:
    return list(
        scope_for(user, Division.objects.filter(level=Division.Level.TOWN), "code")
        .order_by("code")
        .values_list("code", "name")
    )


def major_categories() -> list[tuple[str, str]]:
    return [
        (c.code, f"{c.get_kind_display()} · {c.code} {c.display_name}")
        for c in Category.objects.filter(parent__isnull=True, active=True).order_by("-kind", "code")
    ]


def queue_queryset(user: User, queue: Queue, now: datetime) -> QuerySet[GridEvent]:
    if queue.name == "unrouted":
        return unrouted_events_for(user)
    queryset = events_visible_to(user)
    if queue.states:
        queryset = queryset.filter(work_item__state__in=queue.states, work_item__closed_at__isnull=True)
    if queue.name == "late":
        queryset = queryset.filter(work_item__closed_at__isnull=True, work_item__step_due_at__lte=now)
        return queryset.order_by("work_item__step_due_at", "id")
    if queue.name == "all":
        return queryset.order_by("-reported_at", "-id")
    return queryset.order_by("work_item__step_due_at", "reported_at", "id")


BADGE_CAP = 999


def queue_counts(user: User, now: datetime) -> dict[str, int | str]:
    """Open counts per queue for the tabs (one small query each, independent of the rows), counted up to
    BADGE_CAP + 1 only: "999+" beyond, never a count of the whole table."""
    counts: dict[str, int | str] = {}
    for name, queue in QUEUES.items():
        if name != "all":
            n = count_upto(queue_queryset(user, queue, now), BADGE_CAP)
            counts[name] = n if n <= BADGE_CAP else f"{BADGE_CAP}+"
    return counts


@roles_required(DISPATCH_ROLES, DISPATCH_ONLY)
@require_GET
@replica_reads
def queue_page(request: HttpRequest, queue: str = "review") -> HttpResponse:
    user = current_user(request)
    now = timezone.now()
    spec = QUEUES[queue]
    towns = towns_for(user)
    filters = parse_filters(request, towns)
    queryset = apply_filters(queue_queryset(user, spec, now), filters, now)
    if queue in ("dispatch", "unrouted"):
        queryset = with_routing(queryset)
    page = CappedPaginator(lean_events(queryset), PAGE_SIZE).get_page(request.GET.get("page"))
    events = list(page.object_list)
    attach_event_references(events)
    rows: list[EventRow] = event_rows(events, now=now)
    context = {
        "queue": spec,
        "queues": QUEUES.values(),
        "counts": queue_counts(user, now),
        "rows": rows,
        "page": page,
        "query": page_query(request),
        "filters": filters,
        "towns": towns,
        "categories": major_categories(),
        "lights": Light.choices,
        "channels": EventChannel.choices,
        "units": list(org_units_visible_to(user).order_by("name", "code").values_list("code", "name"))
        if queue in ("dispatch", "unrouted")
        else [],
        # 改类 inline for reports a resident left without a class (other rows link to the event page).
        "categories_minor": minor_choices(CategoryKind.EVENT) if queue in ("review", "dispatch") else [],
        "here": request.get_full_path(),
    }
    return render_page(request, "grid/dispatch/queue.html", context)


@roles_required(DISPATCH_ROLES, DISPATCH_ONLY)
@require_http_methods(["GET", "POST"])
def hotline(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    now = timezone.now()
    form = HotlineForm(request.POST or None, request.FILES or None, initial={"crs": "wgs84"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind, code = data["category"]
        try:
            event = do_report_event(
                actor=user,
                now=now,
                channel=EventChannel.HOTLINE,
                category_code=code,
                kind=kind,
                title=data["title"],
                description=data["description"],
                lon=data["lon"],
                lat=data["lat"],
                crs=data["crs"],
                grid_code=data["grid_code"] or None,
                address=data["address"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                photos=data["photos"],
            )
        except DomainError as error:
            attach_error(form, error, {"category_code": "category", "kind": "category"})
        else:
            messages.success(
                request, _("热线来电已登记，受理编号 %(receipt)s。") % {"receipt": event.receipt_number}
            )
            return HttpResponseRedirect(reverse("grid:event", args=[event.pk]), status=303)
    features = area_features([code for code, _name in towns_for(user)] or None)
    context = {
        "form": form,
        "queues": QUEUES.values(),
        "counts": queue_counts(user, now),
        "map_config": map_config(features),
    }
    return render_page(request, "grid/dispatch/hotline.html", context, status=400 if form.errors else 200)
