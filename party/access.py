"""Who may read and write party records: the record's territory in one's jurisdiction (else 404), and
for writes an organising role there (town leader, village secretary/grid head, data steward) or the
system user (the demo seed)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from accounts.jurisdiction import may_see_code
from accounts.models import Assignment, Role, User
from core.errors import NotFound, PermissionRefused

ORGANISER_ROLES = frozenset({Role.LEADER, Role.GRID_HEAD, Role.DATA_STEWARD})


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
