"""Reads of officer points, scoped by jurisdiction: the ranking of a period per squad and per town, an
officer's entries, and the rotation flags with their history.

Who is ranked: every officer with an active post in a squad inside the reader's jurisdiction (0 points
when they have no entry), plus officers with entries in that period who have since left. Ranks are
competition ranks (1, 1, 3): equal totals share a rank; within a rank, by name."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet, Sum

from accounts.jurisdiction import jurisdiction_codes, may_see_code, scope_for, user_roles
from accounts.models import OrgUnit, Role, User
from core.errors import DomainError, NotFound, PermissionRefused
from enforcement.models import OfficerPost
from evaluation.actions import parse_period, period_of
from evaluation.models import PeriodComputation, PointEntry, RotationFlag
from evaluation.rules import STEP_LATE, STEP_ON_TIME
from territory.models import Division

RANKING_ROLES: set[str] = {
    Role.OFFICER,
    Role.SQUAD_LEADER,
    Role.LEGAL_REVIEWER,
    Role.LEADER,
    Role.SUPERVISOR,
    Role.DISPATCHER,
    Role.AUDITOR,
}


@dataclass
class OfficerRow:
    officer_id: int
    name: str
    squad_id: int | None
    squad_name: str
    town_code: str
    points: int = 0
    entries: int = 0
    on_time: int = 0
    late: int = 0
    rank: int = 0
    flagged: bool = False


@dataclass
class Group:
    code: str
    name: str
    officers: list[OfficerRow] = field(default_factory=list)


@dataclass
class Ranking:
    period: str
    computed_at: object | None
    town: str
    squad: str
    squads: list[Group]
    towns: list[Group]


def check_may_read(user: User | AnonymousUser) -> None:
    if not user.is_authenticated:
        raise PermissionRefused("not_authenticated", "请先登录。")
    if not (user_roles(user) & RANKING_ROLES):
        raise PermissionRefused("not_allowed", "您的角色不能查看执法积分。")


def _ranked(rows: list[OfficerRow]) -> list[OfficerRow]:
    ordered = sorted(rows, key=lambda r: (-r.points, r.name, r.officer_id))
    result: list[OfficerRow] = []
    for index, row in enumerate(ordered):
        rank = index + 1 if index == 0 or ordered[index - 1].points != row.points else result[-1].rank
        result.append(OfficerRow(**{**row.__dict__, "rank": rank}))
    return result


def default_period(now: datetime) -> str:
    """The period a ranking shows when none is asked for: the latest one computed, else the current."""
    latest = PeriodComputation.objects.order_by("-period").values_list("period", flat=True).first()
    return latest or period_of(now)


def ranking_for(user: User, *, period: str | None, town: str = "", squad: str = "") -> Ranking:
    """The period's ranking per squad and per town, limited to the user's jurisdiction, optionally to
    one town (9-digit code) or one squad (org unit code). Out-of-jurisdiction filters: 404."""
    check_may_read(user)
    period = parse_period(period)
    town = (town or "").strip()
    squad = (squad or "").strip()
    if town and (len(town) != 9 or not town.isdigit()):
        raise DomainError("invalid", "镇（街道）代码应为 9 位数字。", field="town")
    if town and not may_see_code(user, town):
        raise NotFound("该镇（街道）不在您的管辖范围内。", field="town")
    squad_unit: OrgUnit | None = None
    if squad:
        squad_unit = OrgUnit.objects.filter(code=squad, kind=OrgUnit.Kind.SQUAD).first()
        if squad_unit is None or not may_see_code(user, squad_unit.territory_code):
            raise NotFound("该执法中队不存在，或不在您的管辖范围内。", field="squad")

    posts: QuerySet[OfficerPost] = scope_for(
        user,
        OfficerPost.objects.filter(active=True).select_related("officer", "squad"),
        "squad__territory_code",
    )
    entries: QuerySet[PointEntry] = scope_for(user, PointEntry.objects.filter(period=period), "town_code")
    if town:
        posts = posts.filter(squad__territory_code__startswith=town)
        entries = entries.filter(town_code=town)
    if squad_unit is not None:
        posts = posts.filter(squad=squad_unit)
        entries = entries.filter(squad=squad_unit)

    rows: dict[int, OfficerRow] = {}
    for post in posts.order_by("officer_id", "-started_at"):
        if post.officer_id not in rows:
            rows[post.officer_id] = OfficerRow(
                officer_id=post.officer_id,
                name=str(post.officer),
                squad_id=post.squad_id,
                squad_name=post.squad.name,
                town_code=post.squad.territory_code[:9],
            )
    totals = (
        entries.values(
            "officer_id", "officer__display_name", "officer__username", "squad_id", "squad__name", "town_code"
        )
        .annotate(
            points=Sum("points"),
            entries=Count("id"),
            on_time=Count("id", filter=Q(rule__code=STEP_ON_TIME)),
            late=Count("id", filter=Q(rule__code=STEP_LATE)),
        )
        .order_by("officer_id")
    )
    for total in totals:
        row = rows.get(total["officer_id"])
        if row is None:
            row = rows[total["officer_id"]] = OfficerRow(
                officer_id=total["officer_id"],
                name=total["officer__display_name"] or total["officer__username"],
                squad_id=total["squad_id"],
                squad_name=total["squad__name"] or "",
                town_code=total["town_code"],
            )
        row.points += int(total["points"] or 0)
        row.entries += total["entries"]
        row.on_time += total["on_time"]
        row.late += total["late"]
    flagged = set(
        scope_for(user, RotationFlag.objects.filter(period=period), "town_code").values_list(
            "officer_id", flat=True
        )
    )
    for row in rows.values():
        row.flagged = row.officer_id in flagged

    by_squad: dict[tuple[str, int | None], list[OfficerRow]] = defaultdict(list)
    by_town: dict[str, list[OfficerRow]] = defaultdict(list)
    for row in rows.values():
        by_squad[(row.squad_name, row.squad_id)].append(row)
        by_town[row.town_code].append(row)
    squad_codes = dict(
        OrgUnit.objects.filter(pk__in=[k[1] for k in by_squad if k[1]]).values_list("pk", "code")
    )
    town_names = dict(Division.objects.filter(code__in=list(by_town)).values_list("code", "name"))
    computed = PeriodComputation.objects.filter(period=period).values_list("computed_at", flat=True).first()
    return Ranking(
        period=period,
        computed_at=computed,
        town=town,
        squad=squad,
        squads=[
            Group(code=squad_codes.get(key[1] or 0, ""), name=key[0], officers=_ranked(members))
            for key, members in sorted(
                by_squad.items(), key=lambda item: (squad_codes.get(item[0][1] or 0, ""),)
            )
        ],
        towns=[
            Group(code=code, name=town_names.get(code, code), officers=_ranked(members))
            for code, members in sorted(by_town.items())
        ],
    )


def entries_for(user: User, *, period: str | None, officer_id: int) -> QuerySet[PointEntry]:
    """One officer's entries of a period (the lines behind a total)."""
    check_may_read(user)
    period = parse_period(period)
    return (
        scope_for(user, PointEntry.objects.filter(period=period, officer_id=officer_id), "town_code")
        .select_related("rule", "case")
        .order_by("at", "id")
    )


def rotation_flags_for(user: User, *, period: str | None) -> QuerySet[RotationFlag]:
    check_may_read(user)
    period = parse_period(period)
    return (
        scope_for(user, RotationFlag.objects.filter(period=period), "town_code")
        .select_related("officer", "squad")
        .order_by("town_code", "officer_id")
    )


def officer_visible(user: User, officer_id: int) -> bool:
    """Whether the officer holds a post in a squad inside the user's jurisdiction."""
    posts = OfficerPost.objects.filter(officer_id=officer_id)
    return scope_for(user, posts, "squad__territory_code").exists()


def visible_town_codes(user: User) -> list[tuple[str, str]]:
    """Towns the user may filter by (for the page's select)."""
    codes = jurisdiction_codes(user)
    towns = Division.objects.filter(level=Division.Level.TOWN).order_by("code")
    return [(d.code, d.name) for d in towns if any(d.code.startswith(c) for c in codes)]
