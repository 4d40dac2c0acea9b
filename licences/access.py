"""Who may issue and revoke certificates: approvers, window clerks and leaders of the issuing unit or of a
unit above it, and leaders whose jurisdiction covers the issuer's territory; the system user issues
self-service certificates. Seeing a certificate (PDF) needs the issuer's territory in one's jurisdiction."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from accounts.jurisdiction import may_see_code
from accounts.models import Assignment, OrgUnit, Role, User
from core.errors import NotFound, PermissionRefused

CERTIFICATE_ROLES = frozenset({Role.APPROVER, Role.WINDOW_CLERK, Role.LEADER})


def _unit_and_ancestors(unit: OrgUnit) -> set[int]:
    ids: set[int] = set()
    current: OrgUnit | None = unit
    while current is not None and current.pk not in ids:
        ids.add(current.pk)
        current = current.parent
    return ids


def may_manage_certificates(user: User | AnonymousUser, issuer: OrgUnit) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_system", False):
        return True
    units = _unit_and_ancestors(issuer)
    for unit_id, role, code in Assignment.objects.filter(
        user=user, active=True, role__in=CERTIFICATE_ROLES
    ).values_list("org_unit_id", "role", "territory_code"):
        if unit_id in units:
            return True
        if role == Role.LEADER and issuer.territory_code.startswith(code):
            return True
    return False


def access_certificate_management(user: User | AnonymousUser, issuer: OrgUnit) -> None:
    """Outside the jurisdiction → NotFound (404); inside but without the right → PermissionRefused (403)."""
    if getattr(user, "is_system", False):
        return
    if not may_see_code(user, issuer.territory_code):
        raise NotFound()
    if not may_manage_certificates(user, issuer):
        raise PermissionRefused("not_allowed", "只有发证单位的审批人员、窗口人员或领导可以办理。")
