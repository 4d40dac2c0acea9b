"""What grid governance's master-data writes share: the reference editor's right."""

from __future__ import annotations

from typing import Any

from accounts.jurisdiction import user_roles
from accounts.models import Role
from core.errors import PermissionRefused


def require_reference_editor(actor: Any) -> None:
    """Categories, the standard and the responsibility list are master data: administrators, data
    stewards and the system actor (seeding) may change them."""
    if getattr(actor, "is_system", False) or getattr(actor, "is_superuser", False):
        return
    if getattr(actor, "is_staff", False) or Role.DATA_STEWARD in user_roles(actor):
        return
    raise PermissionRefused("not_allowed", "只有管理员或数据管理员可以修改分类、标准和责任清单。")
