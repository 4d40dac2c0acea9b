"""Scoped reads of the reports: a caller with a command role sees the reports of territories inside their
jurisdiction (a town leader their town's and its villages', never the district's or another town's); a
village's head (村书记) the reports of their village; anything else is 404."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.db.models.functions import Length

from accounts.jurisdiction import may_see_code, scope_for, user_roles
from accounts.models import Role, User
from command.reports.models import Report, ReportKind, ReportSubscription
from command.selectors import COMMAND_ROLES
from core.errors import DomainError, NotFound, PermissionRefused

VILLAGE_CODE_LENGTH = 12
# The village's leader (村书记) reads the reports of their own village.
VILLAGE_READERS = {str(Role.GRID_HEAD)}
COMMAND = {str(r) for r in COMMAND_ROLES}


def require_report_reader(user: User | AnonymousUser) -> None:
    if not user_roles(user) & (COMMAND | VILLAGE_READERS):
        raise PermissionRefused("not_allowed", "仅领导、指挥中心调度员、督办员和村书记可查看定期报告。")


def may_read_report(user: User | AnonymousUser, code: str) -> bool:
    """Whether `user` may read (and be sent) the reports of territory `code`."""
    roles = user_roles(user)
    if roles & COMMAND:
        return may_see_code(user, code)
    return bool(roles & VILLAGE_READERS) and len(code) == VILLAGE_CODE_LENGTH and may_see_code(user, code)


def reports_visible_to(user: User | AnonymousUser, *, kind: str = "", code: str = "") -> QuerySet[Report]:
    require_report_reader(user)
    rows = scope_for(user, Report.objects.all(), "territory_code")
    if not user_roles(user) & COMMAND:
        rows = rows.alias(code_length=Length("territory_code")).filter(code_length=VILLAGE_CODE_LENGTH)
    if kind:
        if kind not in ReportKind.values:
            raise DomainError(
                "invalid_kind", f"报告类型应为 {' / '.join(ReportKind.values)} 之一。", field="kind"
            )
        rows = rows.filter(kind=kind)
    if code:
        if not code.isdigit() or len(code) not in (6, 9, VILLAGE_CODE_LENGTH):
            raise DomainError(
                "invalid", "区划代码应为6位（区县）、9位（镇/街道）或12位（村/社区）数字。", field="code"
            )
        rows = rows.filter(territory_code=code)
    return rows.order_by("-first_day", "kind", "territory_code", "id")


def get_report_for(user: User | AnonymousUser, report_id: int) -> Report:
    report = reports_visible_to(user).filter(pk=report_id).first()
    if report is None:
        raise NotFound("未找到报告。")
    return report


def subscriptions_of(user: User) -> QuerySet[ReportSubscription]:
    return ReportSubscription.objects.filter(user=user).order_by("territory_code", "kind", "id")
