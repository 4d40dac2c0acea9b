"""Agency staff (职能机构 / station / squad) at /grid/tasks/: the events dispatched to my unit, with their
traffic lights; each opens the event page, where 签收, 退回, 反馈, 申请延期 and 吹哨 are."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from grid.events.selectors import events_visible_to
from grid.web.common import (
    AGENCY_ROLES,
    current_user,
    event_rows,
    page_query,
    render_page,
    roles_required,
    user_unit_ids,
)
from grid.web.dispatch import apply_filters, major_categories, parse_filters, towns_for
from workflow.models import Light

AGENCY_ONLY = gettext_lazy("此页面供职能机构、站所、执法中队人员使用。")
TASK_STATES = [
    ("dispatched", gettext_lazy("待签收")),
    ("handling", gettext_lazy("处置中")),
    ("extension_requested", gettext_lazy("延期待审批")),
    ("parked", gettext_lazy("挂账")),
    ("verifying", gettext_lazy("已反馈待核查")),
]


@roles_required(AGENCY_ROLES, AGENCY_ONLY)
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    now = timezone.now()
    towns = towns_for(user)
    filters = parse_filters(request, towns)
    queryset = events_visible_to(user).filter(
        work_item__assigned_unit_id__in=user_unit_ids(user), work_item__closed_at__isnull=True
    )
    queryset = apply_filters(queryset, filters, now).order_by("work_item__step_due_at", "id")
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    context = {
        "rows": event_rows(page.object_list, now=now),
        "page": page,
        "query": page_query(request),
        "filters": filters,
        "towns": towns,
        "categories": major_categories(),
        "states": TASK_STATES,
        "lights": Light.choices,
    }
    return render_page(request, "grid/tasks/list.html", context)
