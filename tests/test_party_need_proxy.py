"""A need found on a 联户 visit, filed through the approvals' proxy service (代办) and linked back (issue
16): the grid worker files the application at the centre with the resident's consent (approvals' rules),
then links it to the need (`file`, party/needs.py's handler) from the party page or /work/; the member's
phone shows the receipt number and the application's state as the centre moves it. Refusals: another
grid worker's or a window application, one filed before the need, an unknown or empty receipt number,
an application already linked; roles without the step (grid head, leader) 403; the outsider 404."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from approvals.actions import ApplicantInput, do_accept_application, do_file_application, do_take_application
from approvals.models import Application, Channel
from approvals.testing import CONFIRM_CODE, PHONE, make_approvals
from core.errors import DomainError
from core.testing_codes import citizen_id
from outbox.models import OutboxMessage
from party import selectors, visits
from party.actions import do_link_member
from party.models import VisitNeed
from party.needs import do_raise_need
from party.tests.conftest import HQ_GRID, NOW, K, enrol, org, register
from registry import actions as registry_actions
from workflow.engine import transition
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db
POINT = (120.555, 31.405)  # inside 黄桥测试村 grid 1
CONSENT = "户主本人当面签字同意委托网格员代办（2026-03-02）"


def at(minutes: int) -> Any:
    return NOW + timedelta(minutes=minutes)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(personas: dict[str, Any]) -> dict[str, Any]:
    """Approvals' centres and catalogue, 黄桥's party branch, a member linked to a household in grid 1
    who logged this month's visit with a need; grid 1's two grid workers, its grid head, the leaders."""
    from grid.standards.actions import do_seed_reference

    system = personas["system"]
    setup = {**personas, **make_approvals(personas, NOW)}
    do_seed_reference(actor=system, now=NOW)
    hq_village = OrgUnit.objects.get(code="320507003201-vc")
    users = {
        **personas,
        "hq_grid2": make_person("hq_grid2", unit=hq_village, role=Role.GRID_WORKER, territory_code=HQ_GRID),
        "hq_sec": make_person("hq_sec", unit=hq_village, role=Role.GRID_HEAD, territory_code=HQ_GRID),
        "wt_leader": make_person(
            "wt_leader", unit=OrgUnit.objects.get(code="320507105-gov"), role=Role.LEADER
        ),
    }
    committee = org(system, "黄桥街道党工委", K.WORKING_COMMITTEE, "320507003")
    branch = org(system, "黄桥测试村党支部", K.BRANCH, "320507003201", committee)
    head = register(100, HQ_GRID, "户主甲")
    household = registry_actions.do_create_household(
        number="HQ-0", territory_code=HQ_GRID, members=[(head, "head")], actor=system, now=NOW
    )
    member_user = User.objects.create_user(username="hq_member", password="x")  # a log-in, no staff role
    member = enrol({"users": users, "hq_branch": branch}, 1, user_id=member_user.pk)
    do_link_member(member, household=household, actor=system, now=NOW)
    [visit] = visits.do_plan_month(member, NOW.date(), actor=system, now=NOW)
    log = visits.VisitLog(lon=POINT[0], lat=POINT[1], note="入户走访。", need="户主需办理养老保险参保登记。")
    visits.do_log_visit(visit, log, actor=member_user, now=at(10))
    return {**setup, "users": users, "member_user": member_user, "member": member, "visit": visit}


def proxy(world: dict[str, Any], worker: str, minutes: int) -> Application:
    return do_file_application(
        actor=world["users"][worker],
        now=at(minutes),
        item_code=CONFIRM_CODE,
        centre=world["hq_centre"],
        channel=Channel.PROXY,
        applicant=ApplicantInput(kind="natural", name="户主甲", number=citizen_id(100), phone=PHONE),
        materials=["居民身份证", "户口簿"],
        proxy_consent=CONSENT,
    )


def post_file(user: Any, need: VisitNeed, receipt: str, minutes: int) -> Any:
    with time_machine.travel(at(minutes), tick=False):
        return client_for(user).post(f"/party/needs/{need.pk}/", {"action": "file", "receipt_no": receipt})


def test_the_grid_worker_files_by_proxy_and_links_it_and_the_member_follows_it(world: dict[str, Any]) -> None:
    need = VisitNeed.objects.get()
    worker = world["users"]["hq_grid"]
    earlier = proxy(world, "hq_grid", 5)  # filed before the need was raised: not offered
    application = proxy(world, "hq_grid", 30)
    colleagues = proxy(world, "hq_grid2", 31)
    with time_machine.travel(at(40), tick=False):
        page = client_for(worker).get(f"/party/needs/{need.pk}/").content.decode()
    assert f'value="{application.receipt_no}"' in page
    assert earlier.receipt_no not in page and colleagues.receipt_no not in page
    response = post_file(worker, need, application.receipt_no, 41)
    assert response.status_code == 303
    need.refresh_from_db()
    assert need.application == application.work_item and need.receipt_no == application.receipt_no
    assert WorkItem.objects.get(pk=need.work_item_id).state == "filed"
    told = OutboxMessage.objects.get(kind="party_need_file")
    assert told.recipient == world["member_user"] and application.receipt_no in told.body
    # The member's phone: the receipt number and the application's state, as the centre moves it.
    member = client_for(world["member_user"])
    with time_machine.travel(at(42), tick=False):
        phone = member.get(f"/party/m/visits/{need.visit_id}/").content.decode()
        figures = member.get("/party/m/visits/").content.decode()
    assert application.receipt_no in phone and "待受理（预审）" in phone and 'data-state="filed"' in phone
    assert 'data-figure="needs_filed">1<' in figures
    do_accept_application(application, actor=world["hq_clerk"], now=at(60))
    with time_machine.travel(at(61), tick=False):
        phone = member.get(f"/party/m/visits/{need.visit_id}/").content.decode()
    assert "审查中" in phone
    assert selectors.member_coverage(world["member"], now=at(61))["needs_filed"] == 1


def test_the_generic_door_links_the_same_way(world: dict[str, Any]) -> None:
    need = VisitNeed.objects.get()
    application = proxy(world, "hq_grid", 30)
    with time_machine.travel(at(40), tick=False):
        response = client_for(world["users"]["hq_grid"]).post(
            f"/work/items/{need.work_item_id}/act/",
            {"action": "file", "field_receipt_no": application.receipt_no, "version": "1"},
        )
    assert response.status_code == 303
    need.refresh_from_db()
    assert need.application == application.work_item and need.receipt_no == application.receipt_no


def test_what_may_not_be_linked(world: dict[str, Any]) -> None:
    need = VisitNeed.objects.get()
    worker = world["users"]["hq_grid"]
    earlier = proxy(world, "hq_grid", 5)
    colleagues = proxy(world, "hq_grid2", 30)
    window = do_take_application(
        actor=world["hq_clerk"],
        now=at(30),
        decision="accept",
        item_code=CONFIRM_CODE,
        centre=world["hq_centre"],
        applicant=ApplicantInput(kind="natural", name="户主甲", number=citizen_id(100), phone=PHONE),
        materials=["居民身份证", "户口簿"],
    )
    for receipt in (earlier.receipt_no, colleagues.receipt_no, window.receipt_no, "NO-SUCH-RECEIPT"):
        refused = post_file(worker, need, receipt, 40)
        assert refused.status_code == 400, receipt
        assert "不是您在该需求登记后代办的办件" in refused.content.decode()
    empty = post_file(worker, need, "", 40)
    assert empty.status_code == 400 and "请填写代办件的受理编号" in empty.content.decode()
    # Linked once: a second need of the same visit cannot take the same application.
    other = do_raise_need(need.visit, "还需代办医保。", actor=world["member_user"], now=at(44))
    application = proxy(world, "hq_grid", 45)
    assert post_file(worker, need, application.receipt_no, 50).status_code == 303
    taken = post_file(worker, other, application.receipt_no, 60)
    assert taken.status_code == 409 and "已关联其他需求" in taken.content.decode()
    assert WorkItem.objects.get(pk=other.work_item_id).state == "requested"
    assert VisitNeed.objects.filter(application__isnull=False).count() == 1


def test_who_may_link(world: dict[str, Any]) -> None:
    need = VisitNeed.objects.get()
    application = proxy(world, "hq_grid", 30)
    users = world["users"]
    # Not a step of theirs: the village's grid head, the town leader (403); the outsiders (404).
    for name in ("hq_sec", "hq_leader"):
        assert post_file(users[name], need, application.receipt_no, 40).status_code == 403, name
    for name in ("wt_grid", "wt_leader"):
        assert post_file(users[name], need, application.receipt_no, 40).status_code == 404, name
        with pytest.raises(DomainError) as refused:
            transition(need.work_item, "file", actor=users[name], now=at(40), inputs={"receipt_no": "x"})
        assert refused.value.status == 404
    # The member who raised it has no staff role: 403 on the staff page.
    assert post_file(world["member_user"], need, application.receipt_no, 40).status_code == 403
    # The colleague in the same grid may link only their own application.
    colleague = post_file(users["hq_grid2"], need, application.receipt_no, 40)
    assert colleague.status_code == 400
    assert WorkItem.objects.get(pk=need.work_item_id).state == "requested"
    assert post_file(users["hq_grid"], need, application.receipt_no, 41).status_code == 303
