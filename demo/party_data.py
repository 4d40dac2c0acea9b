"""Demo 党建: for each model town a party (working) committee, a branch per village that has registry
people, an action branch, members drawn from the registry (each in a grid, 全员入格) linked to households
of their grid (联户), three months of visits (most logged, a few left overdue, some reporting a problem as a
grid event of source 党员联户), needs raised on some of them (代办需求, demo.party_needs) and 三会一课 held
each month; then 一肩挑, party projects and vanguard posts (demo.party_leadership). Everything goes through
the party actions, dated in the past as the grid history is. Idempotent: a town whose committee exists
is skipped."""

from __future__ import annotations

import hashlib
import io
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import User
from demo.party_leadership import seed_one_shoulder, seed_projects_and_posts
from demo.party_needs import seed_needs
from demo.places import grid_point
from party import actions, meetings, visits
from party.models import Organisation, PartyMember
from registry.models import Household, Person
from territory.models import Division
from workcalendar.service import LOCAL_TZ

TOWNS = ("320507003", "320507100")  # 黄桥, 望亭: the towns with registry people
DEMO_MARK = "（演示）"
PROBLEMS = ("楼道堆放杂物，堵塞消防通道。", "路灯不亮，夜间出行不便。", "小区绿化带枯死缺株。")
PROBLEM_CATEGORY = "0402"
K = Organisation.Kind
MEETINGS = (("committee", "支委会"), ("general_assembly", "主题党日"), ("lecture", "专题党课"))


def _draw(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


def _months(today: date) -> list[date]:
    """The first days of the month two months back, last month and this month."""
    this = today.replace(day=1)
    last = (this - timedelta(days=1)).replace(day=1)
    return [(last - timedelta(days=1)).replace(day=1), last, this]


def _photo(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 40)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _grids_with_people(town: str) -> dict[str, list[str]]:
    """village code → its grids that hold registry people (the demo registries cover a few grids)."""
    by_village: dict[str, list[str]] = defaultdict(list)
    grids = sorted(
        set(Person.objects.filter(territory_code__startswith=town).values_list("territory_code", flat=True))
    )
    for grid in grids:
        if len(grid) == 15:
            by_village[grid[:12]].append(grid)
    return dict(by_village)


def _org(
    name: str, kind: str, code: str, parent: Organisation | None, *, system: User, now: datetime, **extra: Any
) -> Organisation:
    data = actions.OrganisationInput(
        name=name, kind=kind, territory_code=code, parent_id=parent.pk if parent else None, **extra
    )
    return actions.do_create_organisation(data, actor=system, now=now)


def _members(
    grid: str, branch: Organisation, *, system: User, now: datetime, count: int
) -> list[PartyMember]:
    people = Person.objects.filter(territory_code=grid, party_membership__isnull=True).order_by("id")[:count]
    out = []
    for index, person in enumerate(people):
        user = User.objects.create_user(
            username=f"member_{person.pk}", password=None, display_name=person.name
        )
        data = actions.MemberInput(
            person_id=person.pk,
            organisation_id=branch.pk,
            status="probationary" if index == count - 1 else "formal",
            joined_on=date(1990 + _draw(grid + str(index)) % 30, 7, 1),
            grid_code=grid,
            mobile=index == 1,
            user_id=user.pk,
        )
        out.append(actions.do_enrol_member(data, actor=system, now=now))
    return out


def _log_visits(
    member: PartyMember, month: date, today: date, point: tuple[float, float], *, now: datetime
) -> dict[str, int]:
    """Most visits of the month logged on a working morning; one in five left (overdue once the month is
    over); one logged visit in four reports a problem."""
    done = problems = 0
    for visit in member.visits.filter(month=month).order_by("id"):
        roll = _draw(f"visit-{visit.pk}")
        day = month + timedelta(days=5 + roll % 18)
        if roll % 5 == 0 or day >= today:
            continue
        problem = PROBLEMS[roll % len(PROBLEMS)] if roll % 4 == 0 else ""
        log = visits.VisitLog(
            lon=point[0],
            lat=point[1],
            note="入户走访，了解家庭近况和诉求。",
            photo=_photo(f"visit-{visit.pk}.png") if roll % 3 == 0 else None,
            problem=problem,
            category_code=PROBLEM_CATEGORY if problem else "",
        )
        visits.do_log_visit(visit, log, actor=member.user, now=min(_at(day), now))  # type: ignore[arg-type]
        done += 1
        problems += bool(problem)
    return {"visits_logged": done, "problems": problems}


def seed_party(*, now: datetime, system: User) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    today = now.astimezone(LOCAL_TZ).date()
    months = _months(today)
    start = _at(months[0] - timedelta(days=1), 9)
    per_grid = settings.DEMO_PARTY_MEMBERS_PER_GRID
    links = settings.DEMO_PARTY_LINKS_PER_MEMBER
    for town in TOWNS:
        division = Division.objects.filter(code=town).first()
        if (
            division is None
            or Organisation.objects.filter(territory_code=town, name__endswith=DEMO_MARK).exists()
        ):
            continue
        kind = K.WORKING_COMMITTEE if division.name.endswith("街道") else K.COMMITTEE
        committee = _org(f"{division.name}党（工）委{DEMO_MARK}", kind, town, None, system=system, now=start)
        counts["organisations"] += 1
        for village_code, grids in sorted(_grids_with_people(town).items()):
            village = Division.objects.get(code=village_code)
            branch = _org(
                f"{village.name}党支部{DEMO_MARK}",
                K.BRANCH,
                village_code,
                committee,
                system=system,
                now=start,
            )
            _org(
                f"{village.name}便民服务行动支部{DEMO_MARK}",
                K.ACTION_BRANCH,
                village_code,
                branch,
                system=system,
                now=start,
                action_type="convenience",
            )
            counts["organisations"] += 2
            for grid_index, grid in enumerate(grids):
                members = _members(grid, branch, system=system, now=start, count=per_grid)
                if grid_index == 0 and members:
                    actions.do_set_secretary(branch, members[0], actor=system, now=start)
                households = list(Household.objects.filter(territory_code=grid).order_by("id"))
                point = grid_point(grid)
                for index, member in enumerate(members):
                    for household in households[index * links : (index + 1) * links]:
                        actions.do_link_member(member, household=household, actor=system, now=start)
                        counts["links"] += 1
                    for month in months:
                        counts["visits_planned"] += len(
                            visits.do_plan_month(member, month, actor=system, now=max(start, _at(month, 8)))
                        )
                        for key, n in _log_visits(member, month, today, (point.x, point.y), now=now).items():
                            counts[key] += n
                counts["members"] += len(members)
            for month in months:
                for kind_index, (meeting_kind, title) in enumerate(MEETINGS):
                    held = month + timedelta(days=8 + kind_index * 5)
                    if _at(held, 15) >= now:
                        continue
                    meeting = meetings.do_schedule_meeting(
                        branch,
                        kind=meeting_kind,
                        topic=f"{held:%Y年%m月}{title}",
                        scheduled_for=_at(held, 14),
                        actor=system,
                        now=_at(held - timedelta(days=7)),
                    )
                    meetings.do_record_meeting(
                        meeting,
                        meetings.MeetingRecord(minutes="传达学习上级精神，研究本月网格工作。"),
                        actor=system,
                        now=_at(held, 16),
                    )
                    counts["meetings"] += 1
        # 代办需求 found on the town's logged visits, in every state (demo.party_needs).
        for key, n in seed_needs(town, now=now, system=system).items():
            counts[key] += n
    # 一肩挑 across the district (most villages compliant, a few not), then projects and vanguard posts.
    for key, n in {
        **seed_one_shoulder(now=now, system=system),
        **seed_projects_and_posts(now=now, system=system),
    }.items():
        counts[key] += n
    return dict(counts)
