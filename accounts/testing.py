"""Personas for tests, one per jurisdiction, built the way the demo builds them:
the dispatcher sees the district; `hq_*` work in 黄桥街道; `wt_grid` is the outsider in 渭塘镇."""

from __future__ import annotations

from accounts.factories import PASSWORD, AssignmentFactory, OrgUnitFactory, UserFactory
from accounts.models import Assignment, OrgUnit, Role, User

__all__ = [
    "PASSWORD",
    "PERSONAS",
    "load_personas",
    "make_administrator",
    "make_org_unit",
    "make_person",
    "make_personas",
    "remove_session_base",
]


def make_org_unit(
    code: str, name: str, kind: str, territory_code: str, parent: OrgUnit | None = None
) -> OrgUnit:
    return OrgUnitFactory.create(
        code=code, name=name, kind=kind, territory_code=territory_code, parent=parent
    )


def make_person(
    username: str, *, unit: OrgUnit, role: str, territory_code: str | None = None, display_name: str = ""
) -> User:
    user = UserFactory.create(username=username, display_name=display_name or username)
    AssignmentFactory.create(
        user=user, org_unit=unit, role=role, territory_code=territory_code or unit.territory_code
    )
    return user


def make_personas() -> dict[str, User]:
    """dispatcher (district), hq_leader, hq_agency, hq_agency_colleague, hq_officer, hq_grid (黄桥),
    wt_grid (渭塘: the outsider), and `system`."""
    centre = make_org_unit("320507-command", "相城区集成指挥中心", OrgUnit.Kind.COMMAND_CENTRE, "320507")
    hq_gov = make_org_unit("320507003-gov", "黄桥街道党工委办事处", OrgUnit.Kind.GOVERNMENT, "320507003")
    hq_agency = make_org_unit(
        "320507003-urban", "黄桥街道城市管理办公室", OrgUnit.Kind.AGENCY, "320507003", hq_gov
    )
    hq_squad = make_org_unit(
        "320507003-squad1", "黄桥街道综合执法第一中队", OrgUnit.Kind.SQUAD, "320507003", hq_gov
    )
    hq_village = make_org_unit(
        "320507003201-vc", "黄桥测试村村委会", OrgUnit.Kind.VILLAGE_COMMITTEE, "320507003201", hq_gov
    )
    wt_village = make_org_unit(
        "320507105201-vc", "渭塘测试村村委会", OrgUnit.Kind.VILLAGE_COMMITTEE, "320507105201"
    )
    system = UserFactory.create(username="system", system=True)
    return {
        "dispatcher": make_person("dispatcher", unit=centre, role=Role.DISPATCHER),
        "hq_leader": make_person("hq_leader", unit=hq_gov, role=Role.LEADER),
        "hq_agency": make_person("hq_agency", unit=hq_agency, role=Role.AGENCY_STAFF),
        "hq_agency_colleague": make_person("hq_agency_colleague", unit=hq_agency, role=Role.AGENCY_STAFF),
        "hq_officer": make_person("hq_officer", unit=hq_squad, role=Role.OFFICER),
        "hq_grid": make_person(
            "hq_grid", unit=hq_village, role=Role.GRID_WORKER, territory_code="320507003201001"
        ),
        "wt_grid": make_person(
            "wt_grid", unit=wt_village, role=Role.GRID_WORKER, territory_code="320507105201001"
        ),
        "system": system,
    }


PERSONAS = (
    "dispatcher",
    "hq_leader",
    "hq_agency",
    "hq_agency_colleague",
    "hq_officer",
    "hq_grid",
    "wt_grid",
    "system",
)


def load_personas() -> dict[str, User]:
    """The personas as fresh instances (tests build them once per session): built here when they are
    missing (a test that emptied the database)."""
    users = User.objects.in_bulk(PERSONAS, field_name="username")
    if len(users) != len(PERSONAS):
        return make_personas()
    return {name: users[name] for name in PERSONAS}


def remove_session_base() -> None:
    """Delete the small territory and the personas (and whatever a test hung on them) inside the caller's
    transaction: for tests of a first load or of the demo seed, which start from an empty database."""
    from territory.models import Division, Grid, GridBoundary

    for model in (Assignment, User, GridBoundary, Grid):
        model.objects.all().delete()
    OrgUnit.objects.filter(parent__isnull=False).delete()
    OrgUnit.objects.all().delete()
    for level in (Division.Level.VILLAGE, Division.Level.TOWN, Division.Level.DISTRICT):
        Division.objects.filter(level=level).delete()


def make_administrator(username: str, role: str) -> User:
    """A staff member holding one of the three administrator groups (core.adminroles.AdminRole)."""
    from django.contrib.auth.models import Group

    user = UserFactory.create(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user
