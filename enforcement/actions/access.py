"""Who may act on a case: jurisdiction (404 outside it) and, for an officer, being on the case's team."""

from __future__ import annotations

from accounts.jurisdiction import may_see_code, user_roles
from accounts.models import User
from core.errors import NotFound, PermissionRefused
from enforcement.actions.common import CASE_TEAM_ONLY
from enforcement.models import Case, CaseOfficer


def _require_case_access(case: Case, actor: User) -> None:
    if not actor.is_system and not may_see_code(actor, case.territory_code):
        raise NotFound("未找到该案件。", field="case")


def _on_team(case: Case, actor: User) -> bool:
    return CaseOfficer.objects.filter(case=case, officer=actor).exists()


def _require_team(case: Case, actor: User) -> None:
    """An officer acts only on cases they work on; squad leaders, leaders and reviewers on any case in
    their jurisdiction (their role decides what they may do)."""
    if actor.is_system:
        return
    roles = user_roles(actor)
    if roles and roles <= CASE_TEAM_ONLY and not _on_team(case, actor):
        raise PermissionRefused("not_allowed", "只有本案的办案人员可以操作。")


def may_act(case: Case, actor: User) -> bool:
    if actor.is_system:
        return True
    roles = user_roles(actor)
    return not (roles and roles <= CASE_TEAM_ONLY and not _on_team(case, actor))
