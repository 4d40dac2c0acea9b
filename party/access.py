"""Who may read and write party records: the record's territory in one's jurisdiction (else 404), and
for writes an organising role there (town leader, village secretary/grid head, data steward) or the
system user (the demo seed)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from accounts.jurisdiction import may_see_code, user_roles
from accounts.models import Assignment, Role, User
from core.errors import NotFound, PermissionRefused

ORGANISER_ROLES = frozenset({Role.LEADER, Role.GRID_HEAD, Role.DATA_STEWARD})
# Who reads the party pages: the organisers (who also write) and the command centre's supervisors.
READER_ROLES = ORGANISER_ROLES | {Role.SUPERVISOR}
# 代办需求 are also read by the grid workers who take them up (the party pages and the API alike).
NEED_READER_ROLES = READER_ROLES | {Role.GRID_WORKER}


def access_needs(user: User) -> None:
    """403 for a user with no role that reads 代办需求 (what each one sees is scoped by jurisdiction)."""
    if not user_roles(user) & NEED_READER_ROLES:
        raise PermissionRefused("not_allowed", _("没有查看代办需求的角色。"))


def access_write(user: User | AnonymousUser, territory_code: str, *, field: str = "territory_code") -> None:
    if getattr(user, "is_system", False):
        return
    if not isinstance(user, User) or not may_see_code(user, territory_code):
        raise NotFound(field=field)
    allowed = any(
        territory_code.startswith(code)
        for code in Assignment.objects.filter(user=user, active=True, role__in=ORGANISER_ROLES).values_list(
            "territory_code", flat=True
        )
    )
    if not allowed:
        raise PermissionRefused(
            "not_allowed", _("只有党（工）委领导、村书记/网格长或数据管理员可以维护党建信息。")
        )
