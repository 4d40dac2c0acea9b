"""English sessions of the party pages (党建引领) show no Chinese outside proper names and user data: the
organisation tree, members and a member, 三会一课 and a meeting, pairings, projects with vanguard posts (as
the town's leader, who works there), and the member's phone pages (as the member). Every page is filled
(a secretary, links and visits, a held meeting with attendance, a pairing, a project with milestones, a
vanguard post, an action branch and a functional group) so each label and state is shown. Names and data
(organisations, people as masked, grids, topics, minutes, project and post names) come from the database
and are left out; what remains must be English. Without a language choice the pages stay Chinese."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from core.pii import mask_name
from party import actions, meetings, projects, visits
from party.models import (
    Meeting,
    Organisation,
    Pairing,
    PartyProject,
    ProjectMilestone,
    VanguardPost,
    Visit,
    VisitNeed,
)
from party.tests.conftest import NOW, enrol, org
from party.tests.test_visits import POINT, planned, png  # noqa: F401 (fixture)
from registry.models import Entity, Person
from tests.test_english_staff_pages import HAN, data_names, untranslated

pytestmark = pytest.mark.django_db
K = Organisation.Kind

# (persona, page): {member}, {meeting} and {visit} are filled from the world.
PAGES = [
    ("hq_leader", "/party/"),
    ("hq_leader", "/party/?done=organisation"),
    ("hq_leader", "/party/members/"),
    ("hq_leader", "/party/members/?mobile=yes"),
    ("hq_leader", "/party/members/{member}/"),
    ("hq_leader", "/party/members/{member}/?done=plan&planned=2"),
    ("hq_leader", "/party/meetings/"),
    ("hq_leader", "/party/meetings/{meeting}/"),
    ("hq_leader", "/party/meetings/{upcoming}/"),
    ("hq_leader", "/party/pairings/"),
    ("hq_leader", "/party/projects/?done=project"),
    ("member_user", "/party/m/visits/"),
    ("member_user", "/party/m/visits/?done=1"),
    ("member_user", "/party/m/visits/{visit}/"),
    ("member_user", "/party/m/visits/{logged}/"),
    ("member_user", "/party/m/visits/{logged}/?need=1"),
    ("hq_leader", "/party/needs/"),
    ("hq_grid", "/party/needs/"),
    ("hq_grid", "/party/needs/{need}/"),
]


@pytest.fixture
def world(planned: dict[str, Any], settings: Any, tmp_path: Any) -> dict[str, Any]:  # noqa: F811
    """`planned` (a member with a login, two households linked, March's visits planned) and the rest of
    a branch's party work."""
    settings.MEDIA_ROOT = tmp_path
    system, branch = planned["users"]["system"], planned["hq_branch"]
    member = planned["member"]
    with time_machine.travel(NOW, tick=False):
        actions.do_set_secretary(branch, member, actor=system, now=NOW)
        other = enrol(planned, 2, status="probationary", mobile=True)
        # The enterprise linked in January, so February's visit to it is overdue.
        january = NOW - timedelta(days=40)
        actions.do_link_member(member, entity=planned["entity"], actor=system, now=january)
        org(
            system, "黄桥便民服务行动支部", K.ACTION_BRANCH, "320507003201", branch, action_type="convenience"
        )
        org(system, "黄桥维权党小组", K.FUNCTIONAL_GROUP, "320507003201", branch, functional_type="rights")
        actions.do_pair_organisations(
            planned["hq_committee"],
            branch,
            started_on=NOW.date(),
            activities="共建稻米合作社",
            actor=system,
            now=NOW,
        )
        earlier = NOW - timedelta(days=3)
        held = meetings.do_schedule_meeting(
            branch,
            kind="general_assembly",
            topic="学习党章",
            scheduled_for=NOW - timedelta(days=1),
            actor=system,
            now=earlier,
        )
        meetings.do_sign_attendance(held, member, actor=system, now=NOW - timedelta(days=1))
        meetings.do_record_meeting(
            held, meetings.MeetingRecord(minutes="学习党章第一章。", photo=png()), actor=system, now=NOW
        )
        upcoming = meetings.do_schedule_meeting(
            branch,
            kind="lecture",
            topic="讲党史",
            scheduled_for=NOW + timedelta(days=2),
            actor=system,
            now=NOW,
        )
        project = projects.do_create_project(
            branch,
            name="村级稻米合作社",
            lon=120.5552,
            lat=31.4051,
            description="书记领办，带动 40 户增收",
            milestones=[("注册合作社", NOW.date()), ("首季稻米上市", NOW.date() + timedelta(days=200))],
            actor=system,
            now=NOW,
        )
        first = project.milestones.order_by("planned_on").first()
        assert first is not None
        projects.do_complete_milestone(first, actor=system, now=NOW)
        projects.do_create_vanguard_post(
            other, name="党员先锋岗·垃圾分类", lon=120.5551, lat=31.4050, actor=system, now=NOW
        )
        # One visit logged with a problem (a grid event), one left open and one overdue from February.
        visit = planned["plan"][0]
        log = visits.VisitLog(
            lon=POINT[0],
            lat=POINT[1],
            note="入户走访",
            photo=None,
            problem="楼道堆放杂物",
            category_code="0402",
            need="户主需代办老年人优待证。",
        )
        visits.do_log_visit(visit, log, actor=planned["member_user"], now=NOW)
        assert visits.do_plan_month(member, NOW.date() - timedelta(days=10), actor=system, now=NOW)
    return {
        **planned["users"],
        "member_user": planned["member_user"],
        "member": member.pk,
        "meeting": held.pk,
        "upcoming": upcoming.pk,
        "visit": planned["plan"][1].pk,
        "logged": visit.pk,
        "need": VisitNeed.objects.get().pk,
    }


def party_names() -> list[str]:
    """The suite's names and data plus the party's: organisations, people (whole and as masked),
    enterprises, meeting topics and minutes, pairing activities, projects, milestones and posts."""
    names: set[str] = set(data_names())
    names.update(Organisation.objects.values_list("name", flat=True))
    for name in Person.objects.values_list("name", flat=True):
        names.update((name, mask_name(name)))
    names.update(Entity.objects.values_list("name", flat=True))
    for topic, minutes in Meeting.objects.values_list("topic", "minutes"):
        names.update((topic, minutes))
    names.update(Pairing.objects.values_list("activities", flat=True))
    for name, description in PartyProject.objects.values_list("name", "description"):
        names.update((name, description))
    names.update(ProjectMilestone.objects.values_list("name", flat=True))
    names.update(VanguardPost.objects.values_list("name", flat=True))
    names.update(VisitNeed.objects.values_list("description", flat=True))
    names.update(Visit.objects.values_list("note", flat=True))
    return sorted((n for n in names if n and HAN.search(n)), key=len, reverse=True)


def get(user: User, url: str, **headers: str) -> str:
    client = Client()
    client.force_login(user)
    if not headers:
        client.cookies["django_language"] = "en"
    with time_machine.travel(NOW, tick=False):
        response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize(("persona", "url"), PAGES)
def test_english_party_page_has_no_chinese_ui_text(world: dict[str, Any], persona: str, url: str) -> None:
    html = get(world[persona], url.format(**world))
    assert untranslated(html, party_names()) == []


def test_english_pages_show_labels_choices_and_figures_in_english(world: dict[str, Any]) -> None:
    leader = world["hq_leader"]
    home = get(leader, "/party/", **{"Accept-Language": "en"})
    assert "One person holding both posts (grid chief = branch secretary)" in home
    assert "Party working committee" in home and "Action branch · Public convenience services" in home
    assert "Functional Party group · Rights protection" in home
    assert untranslated(home, party_names()) == []
    listing = get(leader, "/party/meetings/")
    assert "Branch general meeting of members" in listing and "Three meetings and one lesson" in listing
    member = get(leader, f"/party/members/{world['member']}/")
    assert (
        "Household HQ-" in member and "Problem" in member and "Overdue" in member and "Visit month" in member
    )
    assert "Probationary Party member" in get(leader, "/party/members/")
    assert "Party member vanguard posts" in get(leader, "/party/projects/")
    assert "Visit by Mar 31" in get(world["member_user"], "/party/m/visits/")
    logged = get(world["member_user"], f"/party/m/visits/{world['logged']}/")
    assert "Awaiting the grid worker" in logged and "Service needs" in logged
    need = get(world["hq_grid"], f"/party/needs/{world['need']}/")
    assert "Filed by proxy (link the application)" in need and "Return (not needed" in need


def test_english_refusals_are_english(world: dict[str, Any], planned: dict[str, Any]) -> None:  # noqa: F811
    """A refusal from the action, a form's own check and the page's own lookup, all in English."""
    client = Client()
    client.force_login(world["hq_leader"])
    client.cookies["django_language"] = "en"
    branch = planned["hq_branch"]
    with time_machine.travel(NOW, tick=False):
        same = client.post(
            "/party/pairings/", {"first_id": branch.pk, "second_id": branch.pk, "started_on": "2026-03-01"}
        )
        bad_line = client.post(
            "/party/projects/",
            {
                "proj-organisation_id": branch.pk,
                "proj-name": "新项目",
                "proj-lon": "120.5552",
                "proj-lat": "31.4051",
                "proj-milestones": "四月 注册合作社",
            },
        )
        unknown = client.post(f"/party/members/{world['member']}/", {"household_number": "NO-SUCH"})
    assert (
        same.status_code == 400 and "An organisation cannot be paired with itself." in same.content.decode()
    )
    assert bad_line.status_code == 400
    assert "Line 1 should read “date name”" in bad_line.content.decode()
    assert unknown.status_code == 400
    assert "The household number does not exist." in unknown.content.decode()
    names = ["四月 注册合作社", "新项目", *party_names()]
    for response in (same, bad_line, unknown):
        assert untranslated(response.content.decode(), names) == []


def test_chinese_stays_the_default(world: dict[str, Any]) -> None:
    html = get(world["hq_leader"], "/party/", **{"Accept-Language": "zh-hans"})
    assert "一肩挑（网格长 = 支部书记）" in html and "组织体系" in html and "党工委" in html
    assert "Organisation structure" not in html
    client = Client()
    client.force_login(world["hq_leader"])
    with time_machine.travel(NOW, tick=False):
        plain = client.get("/party/meetings/").content.decode()
    assert "三会一课" in plain and "支部党员大会" in plain and "Three meetings" not in plain
    member = Client()
    member.force_login(world["member_user"])
    with time_machine.travel(NOW, tick=False):
        phone = member.get("/party/m/visits/").content.decode()
    assert "应于 3月31日 前走访" in phone
