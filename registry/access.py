"""Who may read and write registry records: reading needs the record's territory in one's jurisdiction
(else 404) and a role granting a level; writing needs an editor role there (data steward, grid head)
or the system user (imports, the demo seed). Grid workers propose changes instead (grid's reviews)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from accounts.jurisdiction import may_see_code
from accounts.models import Assignment, Role, User
from core.errors import NotFound, PermissionRefused
from registry import sensitivity
from registry.models import RecordChange

EDITOR_ROLES = frozenset({Role.DATA_STEWARD, Role.GRID_HEAD})
# Fields declared trivial, by kind of change: a grid worker of the record's grid changes them at once
# (with history: who, when, before and after), without the village's review. Only contact numbers: a
# number that merely reaches the person or the enterprise, which the worker checks on the spot by calling
# it; correcting it changes no count, list, household, right or inspection duty. Everything else (an
# address, care tags, a move, an entity's name or representative, a key place's inspection period, a
# house let out) is reviewed first.
TRIVIAL_FIELDS: dict[str, frozenset[str]] = {
    RecordChange.Kind.PERSON: frozenset({"phone"}),
    RecordChange.Kind.ENTITY: frozenset({"legal_representative_phone"}),
}
TRIVIAL_EDITOR_ROLES = EDITOR_ROLES | {Role.GRID_WORKER}


def may_edit(user: User | AnonymousUser, territory_code: str, *, trivial: bool = False) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_system", False):
        return True
    roles = TRIVIAL_EDITOR_ROLES if trivial else EDITOR_ROLES
    return any(
        territory_code.startswith(code)
        for code in Assignment.objects.filter(user=user, active=True, role__in=roles).values_list(
            "territory_code", flat=True
        )
    )


def access_read(user: User | AnonymousUser, territory_code: str) -> int:
    """The user's level for a record in `territory_code`; outside the jurisdiction → NotFound."""
    if not isinstance(user, User) or not may_see_code(user, territory_code):
        raise NotFound()
    level = sensitivity.level_for(user, territory_code)
    if level < sensitivity.INTERNAL:
        raise PermissionRefused("not_allowed", _("您的岗位无权查看基础信息库。"))
    return level


def access_write(
    user: User | AnonymousUser, territory_code: str, *, field: str = "territory_code", trivial: bool = False
) -> None:
    """`trivial`: the change touches only TRIVIAL_FIELDS (grid workers may make it directly)."""
    if getattr(user, "is_system", False):
        return
    if not may_see_code(user, territory_code):
        raise NotFound(field=field)
    if not may_edit(user, territory_code, trivial=trivial):
        raise PermissionRefused(
            "not_allowed", _("只有数据管理员或网格长可以直接修改基础信息；网格员请提交变更申请。")
        )
