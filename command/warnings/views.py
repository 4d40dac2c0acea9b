"""Staff pages of the early warnings: the 预警 panel of the desk (an htmx fragment of the open warnings of
the unit the desk shows, with the actions the user may take), the warnings page, and taking an action
from either (the same `do_act_on_warning` as the API). Parse → access (404 outside) → action → render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from command.selectors import unit_scope
from core.errors import DomainError
from workflow.english import state_title
from workflow.models import Transition, WorkItem
from workflow.publishing import current_version, definition_for

from .actions import do_act_on_warning
from .models import LEVEL_ORDER, EarlyWarning, Level, Rule
from .rules import WARNING_PROCESS
from .selectors import WarningFilters, actions_in_order, filter_warnings, get_warning_for

PANEL_ROWS = 10
# How the evidence's numbers are labelled on the pages (the API keeps the keys).
EVIDENCE_LABELS = {
    "elapsed_share": "已用时比例",
    "idle_hours": "无人办理（小时）",
    "threshold_share": "用时阈值",
    "threshold_idle_hours": "无人办理阈值（小时）",
    "state": "所处环节",
    "series": "近12日上报",
    "c1": "C1",
    "c2": "C2",
    "c3": "C3",
    "mean_c1": "近7日均值",
    "sigma_c1": "近7日标准差",
    "threshold": "阈值",
    "reports": "上报件数",
    "radius_m": "半径（米）",
    "days": "天数",
    "waiting": "待派遣件数",
    "hours": "等待阈值（小时）",
    "oldest_hours": "最久等待（小时）",
    "queue": "逐日在办件数",
    "growth": "增加件数",
    "decision_number": "决定书文号",
    "hours_late": "已超期（小时）",
}
PAGE_ROWS = 100


def _shown(value: Any) -> str:
    return " ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _rows(user: User, warnings: list[EarlyWarning]) -> list[dict[str, Any]]:
    # Why a withdrawn warning was withdrawn (its 自动解除 transition's reason), in one query for the page.
    withdrawn = dict(
        Transition.objects.filter(
            item_id__in=[w.work_item_id for w in warnings if w.work_item.state == "withdrawn"],
            action="withdraw",
        ).values_list("item_id", "reason")
    )
    return [
        {
            "warning": w,
            "withdrawn": withdrawn.get(w.work_item_id, ""),
            "state_title": state_title(
                WARNING_PROCESS,
                w.work_item.state,
                definition_for(w.work_item).states[w.work_item.state].title,
            ),
            "evidence": [
                (label, _shown(w.evidence[key]))
                for key, label in EVIDENCE_LABELS.items()
                if key in w.evidence
                and not isinstance(w.evidence[key], dict)
                and not (key == "days" and isinstance(w.evidence[key], list))
            ],
            "actions": [a for a in actions_in_order(w.work_item, user) if not a.name.startswith("supervise")],
        }
        for w in warnings
    ]


def _state_title(item: WorkItem) -> str:
    return state_title(WARNING_PROCESS, item.state, definition_for(item).states[item.state].title)


def _states() -> list[tuple[str, str]]:
    """(state, title) of the published warning process, for the page's filter."""
    version = current_version(WARNING_PROCESS, now=timezone.now())
    return [
        (name, state_title(WARNING_PROCESS, name, spec["title"]))
        for name, spec in version.definition["states"].items()
    ]


def _scoped(request: HttpRequest) -> tuple[Any, list[EarlyWarning]]:
    scope = unit_scope(request.user, request.GET.get("level"), request.GET.get("code"))
    queryset = filter_warnings(request.user, WarningFilters(open=True, territory=scope.code))
    found = list(queryset[: PANEL_ROWS * 5])
    found.sort(key=lambda w: (LEVEL_ORDER.get(Level(w.level), 9), -w.raised_at.timestamp(), -w.pk))
    return scope, found


def _error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "command/error.html", {"error": error}, status=error.status)


@login_required
def panel(request: HttpRequest, error: DomainError | None = None) -> HttpResponse:
    assert isinstance(request.user, User)
    try:
        scope, found = _scoped(request)
    except DomainError as error:
        return _error(request, error)
    return render(
        request,
        "command/warnings_panel.html",
        {
            "scope": scope,
            "rows": _rows(request.user, found[:PANEL_ROWS]),
            "more": max(0, len(found) - PANEL_ROWS),
            "query": urlencode({"level": scope.level, "code": scope.code}),
            "error": error,
        },
    )


@login_required
def page(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    rule = request.GET.get("rule", "")
    level = request.GET.get("level_of", "")
    state = request.GET.get("state", "")
    try:
        scope = unit_scope(request.user, request.GET.get("level"), request.GET.get("code"))
        if rule and rule not in Rule.values:
            raise DomainError("invalid", "未知的预警规则。", field="rule")
        if level and level not in Level.values:
            raise DomainError("invalid", "未知的预警等级。", field="level_of")
        if state and state not in dict(_states()):
            raise DomainError("invalid", "未知的预警状态。", field="state")
        filters = WarningFilters(territory=scope.code, rule=rule, level=level, state=state)
        found = list(filter_warnings(request.user, filters)[:PAGE_ROWS])
    except DomainError as error:
        return _error(request, error)
    return render(
        request,
        "command/warnings.html",
        {
            "scope": scope,
            "rows": _rows(request.user, found),
            "rules": Rule.choices,
            "levels": Level.choices,
            "states": _states(),
            "chosen": {"rule": rule, "level_of": level, "state": state},
            "query": urlencode({"level": scope.level, "code": scope.code}),
        },
    )


@login_required
@require_POST
def act(request: HttpRequest, warning_id: int) -> HttpResponse:
    """One action from the panel or the page; the panel (htmx) gets itself back, the page a redirect."""
    assert isinstance(request.user, User)
    inputs = {"measures": request.POST["measures"]} if "measures" in request.POST else {}
    version = request.POST.get("version", "")
    try:
        warning = get_warning_for(request.user, warning_id)
        do_act_on_warning(
            warning,
            request.POST.get("action", ""),
            actor=request.user,
            now=timezone.now(),
            reason=request.POST.get("reason", ""),
            inputs=inputs,
            expected_version=int(version) if version.isdigit() else None,
        )
    except DomainError as error:
        if request.headers.get("HX-Request"):
            return panel(request, error)  # the panel again, with the refusal above it
        return _error(request, error)
    back = request.POST.get("back", "")
    if request.headers.get("HX-Request"):
        return panel(request)
    return redirect(back if back.startswith("/command/") else "/command/warnings/")
