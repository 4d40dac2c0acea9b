"""What every approvals action shares: the process name, the centre kinds, the master-data right."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from accounts.jurisdiction import user_roles
from accounts.models import OrgUnit, Role, User
from core.errors import PermissionRefused

PROCESS = "approval_application"
SUBJECT_TYPE = "approvals.application"
CENTRE_KINDS = (OrgUnit.Kind.SERVICE_CENTRE, OrgUnit.Kind.VILLAGE_COMMITTEE)


# ---------------------------------------------------------------------------------------------- rights


def require_catalogue_editor(actor: User) -> None:
    """The catalogue and the authorisations are master data: administrators, data stewards, the system."""
    if actor.is_system or actor.is_superuser or actor.is_staff:
        return
    if Role.DATA_STEWARD in user_roles(actor):
        return
    raise PermissionRefused("not_allowed", "只有管理员或数据管理员可以维护服务事项目录和进驻授权。")


def _chunks(values: Sequence[Any], size: int = 900) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
