"""Scoped reads of the reports: a caller with a command role sees the reports of territories inside their
jurisdiction (a town leader their town's, never the district's or another town's); anything else is 404."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from accounts.jurisdiction import scope_for
from accounts.models import User
from command.reports.models import Report, ReportKind, ReportSubscription
from command.selectors import require_command_role
from core.errors import DomainError, NotFound


def reports_visible_to(user: User | AnonymousUser, *, kind: str = "", code: str = "") -> QuerySet[Report]:
    require_command_role(user)
    rows = scope_for(user, Report.objects.all(), "territory_code")
    if kind:
        if kind not in ReportKind.values:
            raise DomainError(
                "invalid_kind", f"报告类型应为 {' / '.join(ReportKind.values)} 之一。", field="kind"
            )
        rows = rows.filter(kind=kind)
    if code:
        if not code.isdigit() or len(code) not in (6, 9):
            raise DomainError("invalid", "区划代码应为6位（区县）或9位（镇/街道）数字。", field="code")
        rows = rows.filter(territory_code=code)
    return rows.order_by("-first_day", "kind", "territory_code", "id")


def get_report_for(user: User | AnonymousUser, report_id: int) -> Report:
    report = reports_visible_to(user).filter(pk=report_id).first()
    if report is None:
        raise NotFound("未找到报告。")
    return report


def subscriptions_of(user: User) -> QuerySet[ReportSubscription]:
    return ReportSubscription.objects.filter(user=user).order_by("territory_code", "kind", "id")
