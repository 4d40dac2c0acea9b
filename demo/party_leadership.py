"""Demo 一肩挑 and 党建项目 (生成数据), after demo.party_data: like a real district, almost every village's
branch secretary is the head of each of its comprehensive grids (a party committee per town, a branch per
village, its secretary a registry person with a user), while a few villages, picked by a stable draw, are
not: one where a grid has no head yet, one whose branch has no secretary. So the 一肩挑 figure is high but
not 100 % and the command centre's rule raises a handful of warnings, not one per grid. Then party
projects led by branch secretaries (a couple per town), with milestones (one done, one late, one ahead),
and a 党员先锋岗 beside each. Everything through the party and accounts actions; a second run
adds nothing."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime, timedelta

from accounts.actions import StaffSpec, do_assign_role, do_bulk_create_staff
from accounts.models import Assignment, OrgUnit, Role, User
from core.errors import Conflict
from demo.names import person_name
from demo.places import grid_point
from party import actions, projects
from party.models import Organisation, PartyMember, PartyProject, VanguardPost
from registry import actions as registry_actions
from registry.models import Person
from registry.testing import synthetic_id_number
from territory.models import Division, Grid
from workcalendar.service import LOCAL_TZ

DEMO_MARK = "（演示）"
K = Organisation.Kind
SECRETARY_KINDS = (K.BRANCH, K.GENERAL_BRANCH)
# One village in GAP_EVERY is left with a gap: a grid without a head, or a branch without a secretary.
GAP_EVERY = 15
PROJECTS = (
    ("村级稻米合作社", "书记领办，组织农户入社，统一品种、统一销售。"),
    ("邻里互助睦邻点", "党员牵头在村（社区）设睦邻点，提供助老、助餐服务。"),
    ("河道长效保洁", "党员认领河段，定期巡河保洁，发现问题随手上报。"),
)
POSTS = ("便民服务先锋岗", "垃圾分类先锋岗", "安全巡查先锋岗")
PROJECT_BRANCHES_PER_TOWN = 2


def _draw(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)


def gap_of(village_code: str) -> str:
    """The village's deliberate 一肩挑 gap: "" (none), "grid_without_head" or "no_secretary"."""
    roll = _draw(f"one-shoulder-{village_code}")
    if roll % GAP_EVERY:
        return ""
    return "grid_without_head" if roll // GAP_EVERY % 2 else "no_secretary"


def _committee(town: Division, *, system: User, now: datetime) -> Organisation:
    existing = (
        Organisation.objects.filter(territory_code=town.code, kind__in=(K.COMMITTEE, K.WORKING_COMMITTEE))
        .order_by("id")
        .first()
    )
    if existing is not None:
        return existing
    kind = K.WORKING_COMMITTEE if town.name.endswith("街道") else K.COMMITTEE
    data = actions.OrganisationInput(
        name=f"{town.name}党（工）委{DEMO_MARK}", kind=kind, territory_code=town.code
    )
    return actions.do_create_organisation(data, actor=system, now=now)


def _branch(
    village: Division, committee: Organisation, *, system: User, now: datetime
) -> tuple[Organisation, bool]:
    existing = (
        Organisation.objects.filter(
            territory_code=village.code, kind__in=SECRETARY_KINDS, entity__isnull=True
        )
        .order_by("id")
        .first()
    )
    if existing is not None:
        return existing, False
    data = actions.OrganisationInput(
        name=f"{village.name}党支部{DEMO_MARK}",
        kind=K.BRANCH,
        territory_code=village.code,
        parent_id=committee.pk,
    )
    return actions.do_create_organisation(data, actor=system, now=now), True


def _head_user(village: Division, grid: str, *, system: User, now: datetime) -> User:
    """The village's head (网格长): the staff user of demo.seed where the town is staffed, else a new one."""
    for username in (f"head_{village.code}", f"secretary_{village.code}"):
        user = User.objects.filter(username=username).first()
        if user is not None:
            return user

    username = f"secretary_{village.code}"
    spec = StaffSpec(
        username, person_name(username), f"{village.code}-vc", Role.GRID_HEAD, grid, is_demo=True
    )
    do_bulk_create_staff([spec], actor=system, now=now, batch="demo")
    return User.objects.get(username=username)


def _secretary(
    village: Division, branch: Organisation, grid: str, index: int, *, system: User, now: datetime
) -> PartyMember:
    """The village head as a party member of the branch (a registry person in its first grid)."""
    user = _head_user(village, grid, system=system, now=now)
    member = PartyMember.objects.filter(user=user).first()
    if member is not None:
        return member
    born = date(1965, 1, 1) + timedelta(days=index * 37 % 3650)
    person = None
    for sequence in range(991, 1000, 2):
        data = registry_actions.PersonInput(
            territory_code=grid,
            kind=Person.Kind.REGISTERED,
            name=user.display_name or user.username,
            id_number=synthetic_id_number("320507", born, sequence),
        )
        try:
            person = registry_actions.do_register_person(data, actor=system, now=now)
        except Conflict:
            continue
        break
    if person is None:
        raise LookupError(f"no free synthetic ID number for {village.code}")
    enrol = actions.MemberInput(
        person_id=person.pk,
        organisation_id=branch.pk,
        status="formal",
        joined_on=date(1995 + index % 20, 7, 1),
        grid_code=grid,
        user_id=user.pk,
    )
    return actions.do_enrol_member(enrol, actor=system, now=now)


def _heads(user: User, village: Division, grids: list[str], *, system: User, now: datetime) -> int:
    unit = OrgUnit.objects.get(code=f"{village.code}-vc")
    held = set(
        Assignment.objects.filter(user=user, role=Role.GRID_HEAD, active=True).values_list(
            "territory_code", flat=True
        )
    )
    added = 0
    for grid in grids:
        if grid not in held:
            do_assign_role(
                user=user, org_unit=unit, role=Role.GRID_HEAD, territory_code=grid, actor=system, now=now
            )
            added += 1
    return added


def seed_one_shoulder(*, now: datetime, system: User) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    start = now - timedelta(days=100)
    grids_of: dict[str, list[str]] = defaultdict(list)
    for code in (
        Grid.objects.filter(active=True, kind=Grid.Kind.COMPREHENSIVE)
        .order_by("code")
        .values_list("code", flat=True)
    ):
        grids_of[code[:12]].append(code)
    towns = {d.code: d for d in Division.objects.filter(level=Division.Level.TOWN)}
    villages = Division.objects.filter(level=Division.Level.VILLAGE, code__in=list(grids_of)).order_by("code")
    for index, village in enumerate(villages):
        town = towns.get(village.code[:9])
        if town is None or not OrgUnit.objects.filter(code=f"{village.code}-vc").exists():
            continue
        committee = _committee(town, system=system, now=start)
        branch, created = _branch(village, committee, system=system, now=start)
        counts["branches"] += int(created)
        grids = grids_of[village.code]
        gap = gap_of(village.code)
        head = _head_user(village, grids[0], system=system, now=start)
        if gap == "no_secretary" and branch.secretary_id is None:
            counts["grid_heads"] += _heads(head, village, grids, system=system, now=start)
            continue
        secretary = branch.secretary or _secretary(village, branch, grids[0], index, system=system, now=start)
        if branch.secretary_id is None:
            actions.do_set_secretary(branch, secretary, actor=system, now=start)
            counts["secretaries"] += 1
        if secretary.user is None:
            continue
        covered = grids[:-1] if gap == "grid_without_head" and len(grids) > 1 else grids
        counts["grid_heads"] += _heads(secretary.user, village, covered, system=system, now=start)
    return dict(counts)


def seed_projects_and_posts(*, now: datetime, system: User) -> dict[str, int]:
    """A project led by the secretary of each demo branch with members and of the first
    PROJECT_BRANCHES_PER_TOWN branches of every town, and a vanguard post at each (held by a member, else
    by the secretary)."""

    counts: dict[str, int] = defaultdict(int)
    today = now.astimezone(LOCAL_TZ).date()
    per_town: dict[str, int] = defaultdict(int)
    branches = (
        Organisation.objects.filter(kind=K.BRANCH, name__endswith=DEMO_MARK, secretary__isnull=False)
        .select_related("secretary")
        .order_by("territory_code")
    )
    for branch in branches:
        secretary = branch.secretary
        assert secretary is not None
        members = list(branch.members.exclude(pk=secretary.pk).order_by("id")[:1])
        town = branch.territory_code[:9]
        per_town[town] += 1
        if not members and per_town[town] > PROJECT_BRANCHES_PER_TOWN:
            continue
        holder = members[0] if members else secretary
        try:
            point, spot = grid_point(secretary.territory_code), grid_point(holder.territory_code)
        except LookupError:
            continue
        roll = _draw(f"project-{branch.territory_code}")
        name, description = PROJECTS[roll % len(PROJECTS)]
        title = f"{branch.name.removesuffix(DEMO_MARK).removesuffix('党支部')}{name}{DEMO_MARK}"
        if not PartyProject.objects.filter(organisation=branch, name=title).exists():
            project = projects.do_create_project(
                branch,
                name=title,
                lon=point.x,
                lat=point.y,
                description=description,
                milestones=[
                    ("启动与选址", today - timedelta(days=40)),
                    ("首批成效验收", today - timedelta(days=5)),
                    ("总结推广", today + timedelta(days=60)),
                ],
                actor=system,
                now=now - timedelta(days=60),
            )
            first = project.milestones.order_by("planned_on").first()
            if first is not None:
                projects.do_complete_milestone(first, actor=system, now=now - timedelta(days=38))
            counts["projects"] += 1
        post_name = f"{POSTS[roll % len(POSTS)]}{DEMO_MARK}"
        if not VanguardPost.objects.filter(member=holder, name=post_name).exists():
            projects.do_create_vanguard_post(
                holder, name=post_name, lon=spot.x, lat=spot.y, actor=system, now=now - timedelta(days=30)
            )
            counts["vanguard_posts"] += 1
    return dict(counts)
