"""The top navigation of every page: for staff, the links of each stream their roles work in; for
everyone else, the public services (report a problem, follow a report, service guides, 24-hour
self-service, published enforcement decisions)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.jurisdiction import user_roles
from accounts.models import Role
from grid.web.common import grid_nav

Link = tuple[str, str]

# (roles that see the link, URL name, label); labels are marked for makemessages and translated when shown
STAFF_LINKS: tuple[tuple[frozenset[str], str, str], ...] = (
    (frozenset({Role.WINDOW_CLERK}), "approvals:window", gettext_noop("窗口受理")),
    (frozenset({Role.GRID_WORKER, Role.GRID_HEAD}), "approvals:proxy", gettext_noop("代办服务")),
    (frozenset({Role.GRID_WORKER}), "party:needs", gettext_noop("代办需求")),
    (
        frozenset({Role.WINDOW_CLERK, Role.APPROVER, Role.LEADER, Role.SUPERVISOR}),
        "approvals:worklist",
        gettext_noop("审批件"),
    ),
    (
        frozenset({Role.WINDOW_CLERK, Role.APPROVER, Role.LEADER}),
        "licences:certificates",
        gettext_noop("电子证照"),
    ),
    (
        frozenset({Role.WINDOW_CLERK, Role.APPROVER, Role.LEADER, Role.SUPERVISOR}),
        "ratings:list",
        gettext_noop("好差评"),
    ),
    (
        frozenset({Role.OFFICER, Role.SQUAD_LEADER, Role.LEGAL_REVIEWER, Role.LEADER}),
        "enforcement:cases",
        gettext_noop("执法案件"),
    ),
    (frozenset({Role.SQUAD_LEADER, Role.LEADER}), "evaluation:ranking", gettext_noop("执法积分")),
    (
        frozenset({Role.GRID_WORKER, Role.GRID_HEAD, Role.WINDOW_CLERK, Role.DATA_STEWARD, Role.LEADER}),
        "registry:search",
        gettext_noop("基础信息"),
    ),
    (
        frozenset({Role.GRID_WORKER, Role.GRID_HEAD, Role.DATA_STEWARD}),
        "grid:registry_changes",
        gettext_noop("变更申请"),
    ),
    (
        frozenset({Role.LEADER, Role.GRID_HEAD, Role.DATA_STEWARD, Role.SUPERVISOR}),
        "party:home",
        gettext_noop("党建引领"),
    ),
    (
        frozenset({Role.GRID_WORKER, Role.GRID_HEAD, Role.AGENCY_STAFF, Role.LEADER}),
        "territorial:index",
        gettext_noop("三资"),
    ),
    (
        frozenset({Role.DATA_STEWARD, Role.LEADER, Role.AUDITOR}),
        "datashare:catalogue",
        gettext_noop("数据目录"),
    ),
    (
        frozenset(
            {
                Role.AGENCY_STAFF,
                Role.OFFICER,
                Role.WINDOW_CLERK,
                Role.APPROVER,
                Role.GRID_HEAD,
                Role.DATA_STEWARD,
                Role.LEADER,
            }
        ),
        "datashare:grants",
        gettext_noop("数据使用申请"),
    ),
)

PUBLIC_LINKS: tuple[tuple[str, str], ...] = (
    ("grid:public_report", gettext_noop("我要反映")),
    ("grid:public_track", gettext_noop("进度查询")),
    ("approvals:catalogue", gettext_noop("办事指南")),
    ("licences:selfservice", gettext_noop("自助服务")),
    ("enforcement_public:decisions", gettext_noop("执法公示")),
)


def staff_links(request: HttpRequest) -> list[Link]:
    roles = user_roles(request.user)
    links = grid_nav(request)
    links += [(reverse(name), _(label)) for allowed, name, label in STAFF_LINKS if roles & allowed]
    return links


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return {"stream_nav": staff_links(request)}
    return {"stream_nav": [(reverse(name), _(label)) for name, label in PUBLIC_LINKS]}
