"""Staff pages: the organisation tree with 一肩挑, the member list (filters, masked names), a member's
links and visits, 三会一课 with the quarter's completeness; the forms write through the actions. The
refused role (a grid worker) gets 403, the outsider town sees none of 黄桥's records (404 on a member)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from party import actions, projects, visits
from party.models import Meeting, MemberLink, Organisation
from party.tests.conftest import HQ_GRID, NOW, enrol

pytestmark = pytest.mark.django_db


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_home_tree_one_shoulder_and_forms(party_world: dict[str, Any], frozen: Any) -> None:
    users = party_world["users"]
    member = enrol(party_world, 1, user_id=users["hq_sec"].pk)
    leader = as_user(users["hq_leader"])
    page = leader.get("/party/").content.decode()
    assert "黄桥街道党工委" in page and "黄桥测试村党支部" in page and "渭塘" not in page
    assert "0 / 2 个网格" in page and "无网格长" in page and "党建引领" in page
    # Setting the secretary through the form: grid 1 now satisfies the rule.
    assert "村级稻米合作社" not in page
    done = leader.post(
        "/party/", {"sec-organisation_id": party_world["hq_branch"].pk, "sec-member_id": member.pk}
    )
    assert done.status_code == 302
    assert "1 / 2 个网格" in leader.get("/party/").content.decode()
    assert "李**" in leader.get("/party/").content.decode()
    projects.do_create_project(
        party_world["hq_branch"],
        name="村级稻米合作社",
        lon=120.5552,
        lat=31.4051,
        description="",
        milestones=[("注册合作社", NOW.date())],
        actor=users["hq_leader"],
        now=NOW,
    )
    with_project = leader.get("/party/").content.decode()
    assert "村级稻米合作社" in with_project and "○ 注册合作社" in with_project
    assert "村级稻米合作社" not in as_user(users["wt_leader"]).get("/party/").content.decode()
    # A new group through the form; a bad one shows the action's message and writes nothing.
    created = leader.post(
        "/party/",
        {
            "org-name": "第一党小组",
            "org-kind": "group",
            "org-parent_id": party_world["hq_branch"].pk,
            "org-territory_code": HQ_GRID,
        },
    )
    assert created.status_code == 302 and Organisation.objects.filter(name="第一党小组").exists()
    bad = leader.post(
        "/party/",
        {
            "org-name": "产业支部",
            "org-kind": "action_branch",
            "org-parent_id": party_world["hq_committee"].pk,
            "org-territory_code": "320507003",
        },
    )
    assert bad.status_code == 400 and "行动支部须注明类型" in bad.content.decode()
    assert not Organisation.objects.filter(name="产业支部").exists()
    outsider = as_user(users["wt_leader"]).get("/party/").content.decode()
    assert "渭塘镇党委" in outsider and "黄桥" not in outsider
    assert as_user(users["hq_grid"]).get("/party/").status_code == 403
    assert as_user(users["hq_agency"]).get("/party/").status_code == 403
    assert Client().get("/party/").status_code == 302  # to the login


def test_read_only_supervisor_cannot_post(party_world: dict[str, Any], frozen: Any) -> None:
    from accounts.models import OrgUnit, Role
    from accounts.testing import make_person

    supervisor = make_person("sup", unit=OrgUnit.objects.get(code="320507-command"), role=Role.SUPERVISOR)
    client = as_user(supervisor)
    assert client.get("/party/").status_code == 200
    refused = client.post("/party/", {"org-name": "x", "org-kind": "group"})
    assert refused.status_code == 403 and not Organisation.objects.filter(name="x").exists()


def test_member_list_filters_and_masking(party_world: dict[str, Any], frozen: Any) -> None:
    users = party_world["users"]
    formal = enrol(party_world, 1)
    mobile = enrol(party_world, 2, status="probationary", mobile=True, grid="320507003201002")
    enrol(party_world, 3, grid="320507105201001", branch="wt_branch")
    leader = as_user(users["hq_leader"])
    page = leader.get("/party/members/").content.decode()
    assert page.count("data-member=") == 2 and "李**" in page and "李党员" not in page
    only_mobile = leader.get("/party/members/", {"mobile": "yes"}).content.decode()
    assert f'data-member="{mobile.pk}"' in only_mobile and f'data-member="{formal.pk}"' not in only_mobile
    by_status = leader.get("/party/members/", {"status": "formal"}).content.decode()
    assert f'data-member="{formal.pk}"' in by_status and f'data-member="{mobile.pk}"' not in by_status
    by_grid = leader.get("/party/members/", {"grid": HQ_GRID}).content.decode()
    assert by_grid.count("data-member=") == 1
    by_branch = leader.get("/party/members/", {"branch": party_world["hq_branch"].pk}).content.decode()
    assert by_branch.count("data-member=") == 2
    assert leader.get("/party/members/", {"status": "honorary"}).status_code == 400
    assert as_user(users["wt_leader"]).get("/party/members/").content.decode().count("data-member=") == 1
    assert as_user(users["hq_grid"]).get("/party/members/").status_code == 403


def test_member_page_links_and_visits(party_world: dict[str, Any], frozen: Any) -> None:
    users = party_world["users"]
    member = enrol(party_world, 1)
    actions.do_link_member(member, household=party_world["households"][0], actor=users["system"], now=NOW)
    visits.do_plan_month(member, NOW.date(), actor=users["system"], now=NOW)
    leader = as_user(users["hq_leader"])
    url = f"/party/members/{member.pk}/"
    page = leader.get(url).content.decode()
    assert "户 HQ-0" in page and "待走访" in page and "走访 0 / 0" in page
    linked = leader.post(url, {"household_number": "HQ-1"})
    assert linked.status_code == 302 and MemberLink.objects.filter(member=member).count() == 2
    outside = leader.post(url, {"household_number": "WT-1"})  # another town's household: not found
    assert outside.status_code == 400 and "户号不存在" in outside.content.decode()
    missing = leader.post(url, {"household_number": "", "entity_uscc": ""})
    assert missing.status_code == 400 and "须且只能指定一户或一家企业" in missing.content.decode()
    entity = leader.post(url, {"entity_uscc": party_world["entity"].uscc})
    assert entity.status_code == 302 and MemberLink.objects.filter(member=member).count() == 3
    assert as_user(users["wt_leader"]).get(url).status_code == 404
    assert as_user(users["hq_grid"]).get(url).status_code == 403


def test_meetings_page_completeness_and_schedule(party_world: dict[str, Any], frozen: Any) -> None:
    users = party_world["users"]
    leader = as_user(users["hq_leader"])
    page = leader.get("/party/meetings/").content.decode()
    assert "0 / 1 个支部已完成" in page and "黄桥测试村党支部" in page and "渭塘" not in page
    when = (NOW + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    body = {
        "organisation_id": party_world["hq_branch"].pk,
        "kind": "lecture",
        "topic": "专题党课",
        "scheduled_for": when,
    }
    assert leader.post("/party/meetings/", body).status_code == 302
    assert Meeting.objects.filter(topic="专题党课").exists()
    past = leader.post("/party/meetings/", {**body, "topic": "补课", "scheduled_for": "2026-01-01T08:00"})
    assert past.status_code == 400 and "计划时间不能早于现在" in past.content.decode()
    assert "专题党课" in leader.get("/party/meetings/").content.decode()
    assert "专题党课" not in as_user(users["wt_leader"]).get("/party/meetings/").content.decode()
    assert as_user(users["hq_grid"]).post("/party/meetings/", body).status_code == 403
    assert (
        as_user(users["wt_leader"]).post("/party/meetings/", body).status_code == 400
    )  # not a branch it sees
    assert Meeting.objects.count() == 1
