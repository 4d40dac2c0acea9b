"""Staff page forms of the party's joint work: pairings, a meeting's attendance and minutes, a member's
visit plan, party projects with milestones and vanguard posts. Each form writes through the action the API
uses; per page: the happy path, the refused role (a grid worker cannot open it, a supervisor reads but
cannot post), the outsider town (sees none of 黄桥's records, cannot reach them) and bad input (the field
named, nothing written)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from party import actions, meetings
from party.models import Meeting, Pairing, PartyProject, ProjectMilestone, VanguardPost, Visit
from party.tests.conftest import NOW, enrol
from party.tests.test_visits import png

pytestmark = pytest.mark.django_db


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def field_error(response: Any, field: str) -> str:
    html = response.content.decode()
    marker = f'data-field-error="{field}"'
    assert marker in html, html[-3000:]
    return html.split(marker, 1)[1].split("</span>", 1)[0]


@pytest.fixture
def supervisor(party_world: dict[str, Any]) -> User:
    centre = OrgUnit.objects.get(code="320507-command")
    return make_person("supervisor", unit=centre, role=Role.SUPERVISOR)


# --- 结对共建 ------------------------------------------------------------------------------------------


def test_pairings_page(party_world: dict[str, Any], supervisor: User, frozen: Any) -> None:
    users, world = party_world["users"], party_world
    leader = as_user(users["hq_leader"])
    page = leader.get("/party/pairings/")
    assert page.status_code == 200 and "暂无结对" in page.content.decode()
    done = leader.post(
        "/party/pairings/",
        {
            "first_id": world["hq_committee"].pk,
            "second_id": world["hq_branch"].pk,
            "started_on": "2026-03-01",
            "activities": "共建稻米合作社",
        },
    )
    assert done.status_code == 302 and done["Location"].endswith("?done=pairing")
    listed = leader.get("/party/pairings/").content.decode()
    assert "黄桥街道党工委" in listed and "共建稻米合作社" in listed
    # Bad input: the action's refusal at its field; a missing date at the form's; nothing written.
    same = leader.post(
        "/party/pairings/",
        {"first_id": world["hq_branch"].pk, "second_id": world["hq_branch"].pk, "started_on": "2026-03-01"},
    )
    assert same.status_code == 400 and "不能与自身结对" in field_error(same, "second_id")
    again = leader.post(
        "/party/pairings/",
        {
            "first_id": world["hq_branch"].pk,
            "second_id": world["hq_committee"].pk,
            "started_on": "2026-03-01",
        },
    )
    assert again.status_code == 409 and "两组织已结对" in field_error(again, "second_id")
    undated = leader.post(
        "/party/pairings/", {"first_id": world["hq_committee"].pk, "second_id": world["hq_branch"].pk}
    )
    assert undated.status_code == 400 and field_error(undated, "started_on")
    assert Pairing.objects.count() == 1
    # The outsider sees none of 黄桥's pairings and cannot name 黄桥's organisations.
    outsider = as_user(users["wt_leader"])
    assert "黄桥" not in outsider.get("/party/pairings/").content.decode()
    foreign = outsider.post(
        "/party/pairings/",
        {"first_id": world["hq_branch"].pk, "second_id": world["wt_branch"].pk, "started_on": "2026-03-01"},
    )
    assert foreign.status_code == 400 and field_error(foreign, "first_id")
    # Roles: a grid worker has no party work; a supervisor reads but does not write.
    assert as_user(users["hq_grid"]).get("/party/pairings/").status_code == 403
    reader = as_user(supervisor)
    assert reader.get("/party/pairings/").status_code == 200
    refused = reader.post(
        "/party/pairings/",
        {
            "first_id": world["wt_committee"].pk,
            "second_id": world["wt_branch"].pk,
            "started_on": "2026-03-01",
        },
    )
    assert refused.status_code == 403 and Pairing.objects.count() == 1


# --- 三会一课: attendance and minutes ------------------------------------------------------------------


def test_meeting_attendance_and_minutes(party_world: dict[str, Any], supervisor: User) -> None:
    users, world = party_world["users"], party_world
    members = [enrol(world, seq) for seq in (1, 2)]
    start = NOW + timedelta(minutes=30)
    meeting = meetings.do_schedule_meeting(
        world["hq_branch"],
        kind="general_assembly",
        topic="学习党章",
        scheduled_for=start,
        actor=users["system"],
        now=NOW,
    )
    url = f"/party/meetings/{meeting.pk}/"
    leader = as_user(users["hq_leader"])
    with time_machine.travel(NOW, tick=False):
        assert f'href="{url}"' in leader.get("/party/meetings/").content.decode()
        page = leader.get(url).content.decode()
        assert "学习党章" in page and "尚无人签到" in page and "李**" in page
        signed = leader.post(url, {"att-member_id": members[0].pk})
        assert signed.status_code == 302 and signed["Location"].endswith("?done=attendance")
        # A member already signed is no longer offered; an unknown one is a field error.
        again = leader.post(url, {"att-member_id": members[0].pk})
        assert again.status_code == 400 and field_error(again, "member_id")
        # Minutes before the meeting has started: the action refuses, above the form.
        early = leader.post(url, {"rec-minutes": "学习党章第一章。"})
        assert early.status_code == 400 and "会议尚未开始" in early.content.decode()
    later = start + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        empty = leader.post(url, {"rec-minutes": "  "})
        assert empty.status_code == 400 and field_error(empty, "minutes")
        recorded = leader.post(url, {"rec-minutes": "学习党章第一章。", "rec-photo": png()})
        assert recorded.status_code == 302 and recorded["Location"].endswith("?done=record")
        shown = leader.get(url).content.decode()
    meeting.refresh_from_db()
    assert meeting.held_at == later and meeting.minutes == "学习党章第一章。" and meeting.photo
    assert list(meeting.attendance.values_list("member_id", flat=True)) == [members[0].pk]
    assert "学习党章第一章。" in shown and "已存会议照片" in shown and "签到（1 人）" in shown
    # The outsider: 404; a grid worker: 403; a supervisor reads, cannot sign.
    assert as_user(users["wt_leader"]).get(url).status_code == 404
    assert as_user(users["wt_leader"]).post(url, {"att-member_id": members[1].pk}).status_code == 404
    assert as_user(users["hq_grid"]).get(url).status_code == 403
    assert as_user(supervisor).get(url).status_code == 200
    assert as_user(supervisor).post(url, {"att-member_id": members[1].pk}).status_code == 403
    assert meeting.attendance.count() == 1 and Meeting.objects.count() == 1


# --- 联户联企: a member's visit plan --------------------------------------------------------------------


def test_visit_plan_form(party_world: dict[str, Any], supervisor: User, frozen: Any) -> None:
    users, world = party_world["users"], party_world
    member = enrol(world, 1)
    for household in world["households"][:2]:
        actions.do_link_member(member, household=household, entity=None, actor=users["system"], now=NOW)
    url = f"/party/members/{member.pk}/"
    leader = as_user(users["hq_leader"])
    assert "生成走访计划" in leader.get(url).content.decode()
    done = leader.post(url, {"plan-month": "2026-03"})
    assert done.status_code == 302 and done["Location"].endswith("?done=plan&planned=2")
    assert "已生成走访计划 2 条" in leader.get(done["Location"]).content.decode()
    due = sorted(Visit.objects.filter(member=member).values_list("due_on", flat=True))
    assert due == [date(2026, 3, 31), date(2026, 3, 31)]
    # Planned again: nothing doubled.
    assert leader.post(url, {"plan-month": "2026-03"})["Location"].endswith("planned=0")
    bad = leader.post(url, {"plan-month": "2026-13"})
    assert bad.status_code == 400 and field_error(bad, "month")
    assert Visit.objects.count() == 2
    assert as_user(users["wt_leader"]).post(url, {"plan-month": "2026-04"}).status_code == 404
    assert as_user(users["hq_grid"]).post(url, {"plan-month": "2026-04"}).status_code == 403
    assert as_user(supervisor).post(url, {"plan-month": "2026-04"}).status_code == 403
    assert Visit.objects.count() == 2


# --- 党建项目 and 党员先锋岗 -----------------------------------------------------------------------------


def test_projects_milestones_and_posts(party_world: dict[str, Any], supervisor: User, frozen: Any) -> None:
    users, world = party_world["users"], party_world
    leader = as_user(users["hq_leader"])
    project = {
        "proj-organisation_id": world["hq_branch"].pk,
        "proj-name": "村级稻米合作社",
        "proj-lon": "120.5552",
        "proj-lat": "31.4051",
        "proj-description": "书记领办，带动 40 户增收",
        "proj-milestones": "2026-04-30 注册合作社\n2026-09-30 首季稻米上市",
    }
    # The branch has no secretary yet: the action refuses at the organisation field.
    refused = leader.post("/party/projects/", project)
    assert refused.status_code == 400 and "尚无书记" in field_error(refused, "organisation_id")
    secretary = enrol(world, 1)
    actions.do_set_secretary(world["hq_branch"], secretary, actor=users["system"], now=NOW)
    bad_line = leader.post("/party/projects/", {**project, "proj-milestones": "四月 注册合作社"})
    assert bad_line.status_code == 400 and "第 1 行" in field_error(bad_line, "milestones")
    bad_lon = leader.post("/party/projects/", {**project, "proj-lon": "520"})
    assert bad_lon.status_code == 400 and "经度" in field_error(bad_lon, "lon")
    assert PartyProject.objects.count() == 0
    created = leader.post("/party/projects/", project)
    assert created.status_code == 302 and created["Location"].endswith("?done=project")
    saved = PartyProject.objects.get()
    assert saved.leader == secretary and saved.territory_code == "320507003201"
    assert list(saved.milestones.order_by("planned_on").values_list("name", flat=True)) == [
        "注册合作社",
        "首季稻米上市",
    ]
    first = saved.milestones.order_by("planned_on").first()
    assert first is not None
    # A milestone done through its button; done twice is refused and shown.
    assert leader.post("/party/projects/", {"milestone_id": first.pk}).status_code == 302
    first.refresh_from_db()
    assert first.done_on == NOW.date()
    twice = leader.post("/party/projects/", {"milestone_id": first.pk})
    assert twice.status_code == 409 and "该节点已完成" in twice.content.decode()
    # A vanguard post.
    post = {
        "post-member_id": secretary.pk,
        "post-name": "党员先锋岗·垃圾分类",
        "post-lon": "120.5551",
        "post-lat": "31.4050",
    }
    bad_post = leader.post("/party/projects/", {**post, "post-name": ""})
    assert bad_post.status_code == 400 and field_error(bad_post, "name")
    assert leader.post("/party/projects/", post).status_code == 302
    page = leader.get("/party/projects/").content.decode()
    assert "村级稻米合作社" in page and "✓ 注册合作社" in page and "党员先锋岗·垃圾分类" in page
    assert VanguardPost.objects.count() == 1
    # The outsider sees none of it and cannot complete 黄桥's milestone; roles as elsewhere.
    outsider = as_user(users["wt_leader"])
    assert "稻米" not in outsider.get("/party/projects/").content.decode()
    second = saved.milestones.exclude(pk=first.pk).get()
    assert outsider.post("/party/projects/", {"milestone_id": second.pk}).status_code == 404
    assert as_user(users["hq_grid"]).get("/party/projects/").status_code == 403
    assert as_user(supervisor).get("/party/projects/").status_code == 200
    assert as_user(supervisor).post("/party/projects/", {"milestone_id": second.pk}).status_code == 403
    assert ProjectMilestone.objects.filter(done_on__isnull=False).count() == 1
