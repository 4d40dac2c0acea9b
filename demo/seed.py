"""Seeding the demo district: territory (real codes, generated grids and zones), the system actor, the
organisation, the log-in personas and the staff behind the grids of the two model towns. Idempotent:
every step creates only what is missing, so a second run changes nothing and writes no audit row."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from accounts import actions
from accounts.adminroles import do_grant_admin_role
from accounts.models import Assignment, OrgUnit, Role, User
from core.adminroles import AdminRole, admin_roles_of
from demo import organisation
from demo.approvals_data import seed_approvals
from demo.datashare_data import seed_datashare
from demo.enforcement_data import seed_enforcement
from demo.evaluation_data import seed_evaluation
from demo.history import seed_history
from demo.licences_data import seed_licences
from demo.names import PASSWORD, person_name
from demo.open311_key import ensure_demo_key
from demo.organisation import DISTRICT, Town
from demo.party_data import seed_party
from demo.places import place_history_events
from demo.projects_data import seed_projects
from demo.ratings_data import seed_ratings
from demo.registry_data import seed_registry
from demo.territorial_data import seed_territorial
from grid.standards.actions import do_seed_reference
from open311.actions import do_seed_service_definitions
from territory.actions.loading import do_load_territory
from territory.models import Division, EnforcementZone, Grid
from territory.synthetic import TerritorySpec, generate_territory
from workflow.publishing import do_publish_processes
from workflow.rollups import fold_all, registered

HUANGQIAO = "320507003"
WANGTING = "320507100"
WEITANG = "320507105"
# Towns whose every grid, village and agency gets a (non-login) person, so the map and routing show people.
STAFFED_TOWNS = (HUANGQIAO, WANGTING)


@dataclass(frozen=True)
class Persona:
    username: str
    display_name: str
    who: str  # one line for the demo_logins table
    org_unit: str  # code
    role: str
    territory_code: str = ""  # default: the unit's
    is_staff: bool = False
    is_superuser: bool = False
    admin_role: str = ""  # one of core.adminroles.AdminRole (三员分立)


def personas() -> list[Persona]:
    """The log-in personas. Grid workers sit on the first grid of their town's first village."""
    wangting_grid = first_grid(WANGTING)
    weitang_grid = first_grid(WEITANG)
    return [
        Persona("dispatcher", "陈静", "区集成指挥中心调度员（全区）", f"{DISTRICT}-command", Role.DISPATCHER),
        Persona("huangqiao_leader", "周建国", "黄桥街道领导", f"{HUANGQIAO}-gov", Role.LEADER),
        Persona(
            "huangqiao_window",
            "李晓燕",
            "黄桥街道便民服务中心窗口人员",
            f"{HUANGQIAO}-service",
            Role.WINDOW_CLERK,
        ),
        Persona(
            "huangqiao_officer",
            "王磊",
            "黄桥街道综合执法一中队执法队员",
            first_squad(HUANGQIAO),
            Role.OFFICER,
        ),
        Persona(
            "huangqiao_squad_leader",
            "钱志远",
            "黄桥街道综合执法一中队中队长（立案审批、执法积分）",
            first_squad(HUANGQIAO),
            Role.SQUAD_LEADER,
        ),
        Persona(
            "huangqiao_legal",
            "陶文清",
            "黄桥街道综合行政执法局法制审核员",
            f"{HUANGQIAO}-enforcement",
            Role.LEGAL_REVIEWER,
        ),
        Persona(
            "huangqiao_approver",
            "赵琳",
            "黄桥街道社会事业局审批人员",
            f"{HUANGQIAO}-social",
            Role.APPROVER,
        ),
        Persona(
            "district_approver",
            "韩梅",
            "区行政审批局审批人员（好差评申诉复核）",
            f"{DISTRICT}-approval",
            Role.APPROVER,
        ),
        Persona(
            "huangqiao_agency",
            "孙丽",
            "黄桥街道城市管理办公室（职能机构）",
            f"{HUANGQIAO}-urban",
            Role.AGENCY_STAFF,
        ),
        Persona(
            "wangting_grid",
            "张敏",
            "望亭镇网格员",
            f"{wangting_grid[:12]}-vc",
            Role.GRID_WORKER,
            wangting_grid,
        ),
        Persona(
            "weitang_grid",
            "刘洋",
            "渭塘镇网格员（与上面各人互不可见）",
            f"{weitang_grid[:12]}-vc",
            Role.GRID_WORKER,
            weitang_grid,
        ),
        Persona(
            "district_sysadmin",
            "赵强",
            "系统管理员（账号、机构、参考数据），可进入管理后台",
            f"{DISTRICT}-command",
            Role.DATA_STEWARD,
            is_staff=True,
            admin_role=AdminRole.SYSTEM,
        ),
        Persona(
            "district_secadmin",
            "孙磊",
            "安全管理员（任职与授权、锁定、双因素设备、密钥）",
            f"{DISTRICT}-command",
            "",  # no business role: least privilege
            is_staff=True,
            admin_role=AdminRole.SECURITY,
        ),
        Persona(
            "district_auditadmin",
            "周敏",
            "审计管理员（查看审计记录与后台历史，只读）",
            f"{DISTRICT}-command",
            Role.AUDITOR,
            is_staff=True,
            admin_role=AdminRole.AUDIT,
        ),
        Persona(
            "district_auditor",
            "吴芳",
            "审计员，可在管理后台查看审计记录",
            f"{DISTRICT}-command",
            Role.AUDITOR,
            is_staff=True,
        ),
    ]


@functools.cache
def _territory_spec() -> TerritorySpec:
    """The generated district is deterministic and takes seconds to compute: once per process."""
    return generate_territory()


def first_grid(town_code: str) -> str:
    code = (
        Grid.objects.filter(code__startswith=town_code)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    if code is None:
        raise LookupError(f"no grid in {town_code}: load the territory first")
    return code


def first_squad(town_code: str) -> str:
    zone = (
        EnforcementZone.objects.filter(town_id=town_code)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    if zone is None:
        raise LookupError(f"no enforcement zone in {town_code}: load the territory first")
    return organisation.squad_code(zone)


def system_user(now: datetime) -> User:
    user = User.objects.filter(username="system").first()
    if user is None:
        user = actions.do_create_user(
            username="system", display_name="系统", is_system=True, actor=None, now=now
        )
    return user


def organisation_specs() -> list[actions.OrgUnitSpec]:
    specs = organisation.district_specs()
    zones: dict[str, list[tuple[str, str]]] = {}
    for code, name, town_code in EnforcementZone.objects.order_by("code").values_list(
        "code", "name", "town_id"
    ):
        zones.setdefault(town_code, []).append((code, name))
    for town in Division.objects.filter(level=Division.Level.TOWN).order_by("code"):
        specs += organisation.town_specs(Town(town.code, town.name), zones.get(town.code, []))
    for village in Division.objects.filter(level=Division.Level.VILLAGE).order_by("code"):
        assert village.parent_id is not None
        specs.append(organisation.village_spec(village.parent_id, village.code, village.name))
    return specs


def staff_specs(persona_usernames: set[str], taken_grids: set[str]) -> list[actions.StaffSpec]:
    """Non-login people of the model towns: a head per village, a worker per grid (reporting to the
    village head), a leader per squad and a member of staff per agency."""
    specs: list[actions.StaffSpec] = []
    for town in STAFFED_TOWNS:
        for village in Division.objects.filter(level=Division.Level.VILLAGE, parent_id=town).order_by("code"):
            head = f"head_{village.code}"
            specs.append(
                actions.StaffSpec(head, person_name(head), f"{village.code}-vc", Role.GRID_HEAD, is_demo=True)
            )
            for grid in Grid.objects.filter(village=village).order_by("code").values_list("code", flat=True):
                if grid in taken_grids:
                    continue
                username = f"grid_{grid}"
                specs.append(
                    actions.StaffSpec(
                        username,
                        person_name(username),
                        f"{village.code}-vc",
                        Role.GRID_WORKER,
                        grid,
                        is_demo=True,
                        reports_to=head,
                    )
                )
        for zone in (
            EnforcementZone.objects.filter(town_id=town).order_by("code").values_list("code", flat=True)
        ):
            username = f"squadlead_{zone}"
            specs.append(
                actions.StaffSpec(
                    username,
                    person_name(username),
                    organisation.squad_code(zone),
                    Role.SQUAD_LEADER,
                    is_demo=True,
                )
            )
        for unit in OrgUnit.objects.filter(territory_code=town, kind=OrgUnit.Kind.AGENCY).order_by("code"):
            username = f"staff_{unit.code}"
            specs.append(
                actions.StaffSpec(username, person_name(username), unit.code, Role.AGENCY_STAFF, is_demo=True)
            )
    return [s for s in specs if s.username not in persona_usernames]


def _ensure_persona(persona: Persona, *, password_hash: str, actor: User, now: datetime) -> int:
    """Create the persona and its assignment if missing; returns the number of writes."""
    writes = 0
    user = User.objects.filter(username=persona.username).first()
    if user is None:
        user = actions.do_create_user(
            username=persona.username,
            display_name=persona.display_name,
            password_hash=password_hash,
            is_staff=persona.is_staff,
            is_superuser=persona.is_superuser,
            is_demo=True,
            actor=actor,
            now=now,
        )
        writes += 1
    unit = OrgUnit.objects.get(code=persona.org_unit)
    code = persona.territory_code or unit.territory_code
    if (
        persona.role
        and not Assignment.objects.filter(
            user=user, org_unit=unit, role=persona.role, territory_code=code
        ).exists()
    ):
        actions.do_assign_role(
            user=user, org_unit=unit, role=persona.role, territory_code=code, actor=actor, now=now
        )
        writes += 1
    if persona.admin_role and persona.admin_role not in admin_roles_of(user):
        do_grant_admin_role(user, persona.admin_role, actor=actor, now=now)
        writes += 1
    return writes


def refresh_planner_statistics() -> None:
    """PostgreSQL plans from table statistics that autovacuum refreshes only some time after a bulk load: on a
    fresh database every table still looks empty and joins become nested sequential scans (seconds each)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def seed_demo(*, now: datetime) -> dict[str, Any]:
    """Load everything; returns what was created (all zeros on a second run)."""
    with transaction.atomic():
        system = system_user(now)
        territory = do_load_territory(actor=system, now=now, spec=_territory_spec())
        units = actions.do_bulk_create_org_units(organisation_specs(), actor=system, now=now, batch="demo")
        cast = personas()
        missing = not set(
            User.objects.filter(username__in=[p.username for p in cast]).values_list("username", flat=True)
        ) >= {p.username for p in cast}
        # One (deliberately slow) hash shared by the personas, who share the published password anyway.
        password_hash = make_password(PASSWORD) if missing else ""
        persona_writes = sum(
            _ensure_persona(p, password_hash=password_hash, actor=system, now=now) for p in cast
        )
        taken = {p.territory_code for p in cast if p.role == Role.GRID_WORKER}
        staff = actions.do_bulk_create_staff(
            staff_specs({p.username for p in cast}, taken), actor=system, now=now, batch="demo"
        )
        reference = do_seed_reference(actor=system, now=now)
        processes = do_publish_processes(now=now, actor=system)
        open311_services = do_seed_service_definitions(actor=system, now=now)
        ensure_demo_key(actor=system, now=now)
    # Synthetic registries (生成数据) for the personas' towns, through the registry's import and actions.
    registries = seed_registry(now=now, system=system, town_codes=[HUANGQIAO, WANGTING, WEITANG])
    # Five connected sources (党建, 综治, 水务, 审批, 环保): sample feeds, run once into 黄桥's registries.
    datashare = seed_datashare(now=now, system=system, town_code=HUANGQIAO)
    refresh_planner_statistics()
    # A month of grid-governance history (its own transactions: thousands of rows in batches).
    history = seed_history(now=now, system=system)
    # Points inside their grids for the history's events (the map and the wall screen show them).
    history["placed"] = place_history_events()
    refresh_planner_statistics()
    # The other streams, each through its own actions (approvals issue certificates, ratings rate the
    # applications, officer points are computed from the enforcement cases).
    streams: dict[str, dict[str, Any]] = {}
    for name, seed in (
        ("approvals", seed_approvals),
        ("licences", seed_licences),
        ("ratings", seed_ratings),
        ("enforcement", seed_enforcement),
        ("evaluation", seed_evaluation),
        ("party", seed_party),
        ("territorial", seed_territorial),
        ("projects", seed_projects),
    ):
        started = time.monotonic()
        streams[name] = {**seed(now=now, system=system), "seconds": round(time.monotonic() - started, 1)}
    # Fold the history into the ledger rollup now: the command desk reads figures from it, and the
    # periodic fold would otherwise leave a month of transitions to recompute on the first requests.
    rollup = {name: fold_all(name, now=now) for name in registered()}
    return {
        "territory": territory,
        "org_units_created": len(units),
        "persona_writes": persona_writes,
        "staff_created": len(staff),
        "grid_reference": reference,
        "processes_published": sum(1 for _, created in processes if created),
        "open311_services": open311_services,
        "history": history,
        "registries": registries,
        "datashare": datashare,
        "streams": streams,
        "rollup": rollup,
    }
