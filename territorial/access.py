"""Who keeps a village's 三资: the village (its head, its 报账员) and the town's 三资 office.
Outside the jurisdiction a village's records do not exist (404); inside it, other roles are refused."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.jurisdiction import may_see_code, user_roles
from accounts.models import Role, User
from core.errors import NotFound, PermissionRefused

# A village-wide grid worker is the village's 报账员 (one narrowed to a grid does not see the village).
VILLAGE_ROLES = {Role.GRID_HEAD.value, Role.GRID_WORKER.value}
TOWN_ROLES = {Role.AGENCY_STAFF.value, Role.LEADER.value}
KEEPERS = VILLAGE_ROLES | TOWN_ROLES


def check_keeper(actor: User, village_code: str, *, field: str = "organisation") -> None:
    if actor.is_system:
        return
    if not may_see_code(actor, village_code):
        raise NotFound(field=field)
    if not user_roles(actor) & KEEPERS:
        raise PermissionRefused("not_allowed", _("只有村三资管理人员和镇三资办可以办理。"), field=field)


def check_town(actor: User, village_code: str, *, field: str = "organisation") -> None:
    """Town-level acts (founding an organisation): the town's 三资 office only."""
    check_keeper(actor, village_code, field=field)
    if not actor.is_system and not user_roles(actor) & TOWN_ROLES:
        raise PermissionRefused("not_allowed", _("只有镇三资办可以办理。"), field=field)
