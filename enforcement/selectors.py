"""Reads of enforcement: the matter catalogue, who is responsible for a place (四责), cases scoped to the
caller's jurisdiction, a squad leader's queue and an officer's own cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, QuerySet

from accounts.jurisdiction import scope_for, user_roles
from accounts.models import OrgUnit, Role, User
from core.errors import DomainError, NotFound
from enforcement.models import (
    Case,
    CaseOfficer,
    CircumstanceLevel,
    DiscretionBand,
    EnforcementMatter,
    OfficerPost,
    PatrolLog,
    SquadArea,
)
from territory.locate import locate
from territory.models import EnforcementZone, Grid

CASE_SUBJECT = "enforcement.case"


def matters(*, active_only: bool = True) -> QuerySet[EnforcementMatter]:
    queryset = EnforcementMatter.objects.prefetch_related(
        Prefetch("bands", queryset=DiscretionBand.objects.order_by("id"))
    ).order_by("sector", "code")
    return queryset.filter(active=True) if active_only else queryset


def band_for(matter: EnforcementMatter, level: str) -> DiscretionBand | None:
    return next((band for band in matter.bands.all() if band.level == level), None)


def within_band(band: DiscretionBand | None, fine: Decimal | None) -> bool:
    """Whether `fine` lies in the band's range (no fine proposed is always within: a warning)."""
    if fine is None or band is None:
        return fine is None
    if band.fine_min is not None and fine < band.fine_min:
        return False
    return not (band.fine_max is not None and fine > band.fine_max)


# ---------------------------------------------------------------------------------------------- 四责


DUTIES = {
    "patrol": "巡查在内：网格内日常巡查、发现问题",
    "enforce": "执法在外：由中队跨网格组队立案查处，不由本网格队员独自办案",
    "zone": "片区包干：中队长对本片区的执法负总责",
    "supervise": "监管全域：镇（街道）综合行政执法机构对全域执法监督、统筹调度",
}


@dataclass
class ResponsiblePerson:
    username: str
    name: str
    duties: list[str]


@dataclass
class Responsibility:
    grid_code: str
    village_code: str
    town_code: str
    zone: EnforcementZone | None
    squad: OrgUnit | None
    supervisor_unit: OrgUnit | None
    people: list[ResponsiblePerson] = field(default_factory=list)


def squad_for_code(code: str) -> OrgUnit | None:
    """The squad responsible for a grid/village code: the squad whose zone holds the village, else the
    squad of the officers posted to the grid, else the town's first squad."""
    village = code[:12]
    area = (
        SquadArea.objects.select_related("squad")
        .filter(zone__villages__code=village)
        .order_by("zone_id")
        .first()
    )
    if area is not None:
        return area.squad
    if len(code) == 15:
        post = (
            OfficerPost.objects.select_related("squad")
            .filter(active=True, grids__code=code)
            .order_by("squad_id")
            .first()
        )
        if post is not None:
            return post.squad
    return OrgUnit.objects.filter(kind=OrgUnit.Kind.SQUAD, territory_code=code[:9]).order_by("code").first()


def responsible_for(*, code: str = "", lon: float | None = None, lat: float | None = None) -> Responsibility:
    """Who answers for a place: a grid code, or a point (located to its grid). 404 outside every grid."""
    if lon is not None and lat is not None:
        code = locate(lon, lat).grid_code
    if not code:
        raise DomainError("required", "请提供网格代码或经纬度。", field="code")
    grid = Grid.objects.select_related("village").filter(code=code).first()
    if grid is None:
        raise NotFound(f"未找到网格：{code}", field="code")
    zone = EnforcementZone.objects.filter(villages__code=grid.village_id).order_by("code").first()
    squad = squad_for_code(grid.code)
    supervisor_unit = squad.parent if squad is not None and squad.parent_id else None
    result = Responsibility(
        grid_code=grid.code,
        village_code=grid.village_id,
        town_code=grid.code[:9],
        zone=zone,
        squad=squad,
        supervisor_unit=supervisor_unit,
    )
    people: dict[int, ResponsiblePerson] = {}

    def add(user: User, duty: str) -> None:
        person = people.setdefault(
            user.pk, ResponsiblePerson(username=user.username, name=str(user), duties=[])
        )
        if duty not in person.duties:
            person.duties.append(duty)

    posted = OfficerPost.objects.filter(active=True, grids__code=grid.code).select_related("officer")
    for post in posted:
        add(post.officer, "patrol")
    if squad is not None:
        for post in OfficerPost.objects.filter(active=True, squad=squad).select_related("officer"):
            if post.is_leader:
                add(post.officer, "zone")
            else:
                add(post.officer, "enforce")
    if supervisor_unit is not None:
        leaders = User.objects.filter(
            assignments__org_unit=supervisor_unit, assignments__active=True, is_active=True
        ).distinct()
        for user in leaders:
            add(user, "supervise")
    result.people = sorted(people.values(), key=lambda p: p.username)
    return result


# ---------------------------------------------------------------------------------------------- cases


def case_queryset() -> QuerySet[Case]:
    return Case.objects.select_related(
        "matter", "squad", "lead_officer", "work_item", "work_item__process_version", "grid_event"
    )


def cases_for(user: User | AnonymousUser) -> QuerySet[Case]:
    return scope_for(user, case_queryset(), "territory_code")


def case_for(user: User | AnonymousUser, case_id: int) -> Case:
    """One case in the caller's jurisdiction, with its officers, record and documents; else 404."""
    case = (
        cases_for(user)
        .prefetch_related(
            Prefetch("officers", queryset=CaseOfficer.objects.select_related("officer").order_by("id")),
            "record__actor",
            "documents",
            "services",
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("未找到该案件。", field="case")
    return case


def officer_cases(user: User) -> QuerySet[Case]:
    """The cases the officer works on (lead or on the case), open first."""
    return (
        cases_for(user)
        .filter(Q(lead_officer=user) | Q(officers__officer=user))
        .distinct()
        .order_by("closed_at", "-created_at")
    )


def squad_queue(user: User) -> QuerySet[Case]:
    """A squad leader's queue: open cases of the squads they lead, waiting for them or running late."""
    squads = OrgUnit.objects.filter(
        assignments__user=user, assignments__active=True, assignments__role=Role.SQUAD_LEADER
    )
    return (
        cases_for(user)
        .filter(squad__in=squads, work_item__closed_at__isnull=True)
        .order_by("work_item__step_due_at", "-created_at")
    )


def is_squad_leader(user: User) -> bool:
    return Role.SQUAD_LEADER.value in user_roles(user)


def patrol_logs_for(user: User) -> QuerySet[PatrolLog]:
    return scope_for(
        user, PatrolLog.objects.select_related("officer", "squad"), "territory_code"
    ).prefetch_related("checks")


def level_label(level: str) -> str:
    return str(CircumstanceLevel(level).label)
