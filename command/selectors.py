"""Scoped reads of the command centre: who may open it, which unit a request names (within the caller's
jurisdiction, else 404), the period in whole local days, and the units one level down for rankings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.dateparse import parse_date

from accounts.jurisdiction import jurisdiction_codes, user_roles
from accounts.models import Role, User
from core.errors import DomainError, PermissionRefused
from grid.figures.ledger import Scope, resolve_scope
from territory.models import Division, Grid

COMMAND_ROLES = {Role.LEADER, Role.DISPATCHER, Role.SUPERVISOR}
LEVELS = ("grid", "village", "town", "district")
CHILD = {"district": "town", "town": "village", "village": "grid"}
DEFAULT_DAYS = 30
MAX_DAYS = 366 * 3


def require_command_role(user: User | AnonymousUser) -> None:
    if not user_roles(user) & {str(r) for r in COMMAND_ROLES}:
        raise PermissionRefused("not_allowed", "仅领导、指挥中心调度员和督办员可查看指挥中心。")


def home_unit(user: User | AnonymousUser) -> tuple[str, str]:
    """(level, code) of the caller's widest jurisdiction root: the desk's default unit."""
    codes = sorted(jurisdiction_codes(user), key=len)
    if not codes:
        raise PermissionRefused("not_allowed", "没有辖区。")
    code = codes[0]
    return {6: "district", 9: "town", 12: "village", 15: "grid"}.get(len(code), "district"), code


def unit_scope(user: User | AnonymousUser, level: str | None, code: str | None) -> Scope:
    if not level and not code:
        level, code = home_unit(user)
    if level not in LEVELS:
        raise DomainError("invalid", f"层级应为 {' / '.join(LEVELS)} 之一。", field="level")
    return resolve_scope(user, level, code or "")


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None:
        raise DomainError("invalid", "日期格式应为 YYYY-MM-DD。", field=name)
    return day


def days(params: Any, today: date | None = None) -> tuple[date, date]:
    """[first_day, end_day) from `from` and `to` (dates, `to` included); default the last 30 days."""
    today = today or timezone.localdate()
    last = _day(params.get("to"), "to") or today
    first = _day(params.get("from"), "from") or last - timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise DomainError("invalid", "结束日期须不早于开始日期。", field="to")
    if (last - first).days >= MAX_DAYS:
        raise DomainError("invalid", "统计区间最长三年。", field="from")
    return first, last + timedelta(days=1)


def children(scope: Scope) -> list[tuple[str, str]]:
    """(code, name) of the units one level below the scope (towns, villages or grids)."""
    child = CHILD.get(scope.level)
    if child is None:
        return []
    if child == "grid":
        return list(
            Grid.objects.filter(village_id=scope.code, active=True)
            .order_by("code")
            .values_list("code", "name")
        )
    rows = Division.objects.filter(level=child, code__startswith=scope.code).order_by("code")
    return list(rows.values_list("code", "name"))
