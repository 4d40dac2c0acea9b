"""代办需求: a need found on a visit becomes a proxy-service request (process party_service_need) for the
grid worker of the visited household's grid; returned (decline) with a reason through the one handler,
from the party page or /work/. Filing it (linking a proxy application) needs the approvals stream:
tests/test_party_need_proxy.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from audit.models import AuditEvent
from core.errors import Conflict, DomainError, NotFound
from outbox.models import OutboxMessage
from party import needs, selectors, visits
from party.models import VisitNeed
from party.tests.conftest import HQ_GRID, NOW
from party.tests.test_visits import POINT, planned, png  # noqa: F401 (fixture)
from workflow.engine import transition
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db
LATER = NOW + timedelta(hours=2)


@pytest.fixture(autouse=True)
def _clock(frozen: Any) -> None:
    """The pages read the clock: frozen at the fixtures' NOW."""


def logged(planned: dict[str, Any], need: str = "") -> Any:  # noqa: F811
    visit = planned["plan"][0]
    log = visits.VisitLog(lon=POINT[0], lat=POINT[1], note="入户走访。", need=need)
    return visits.do_log_visit(visit, log, actor=planned["member_user"], now=NOW)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_need_logged_with_the_visit_becomes_a_request_for_the_grid_worker(
    planned: dict[str, Any],  # noqa: F811
) -> None:
    visit = logged(planned, need="老人需办理高龄津贴，行动不便。")
    need = VisitNeed.objects.get()
    item = need.work_item
    assert (need.visit, need.member, need.territory_code) == (visit, planned["member"], HQ_GRID)
    assert item.process_name == "party_service_need" and item.state == "requested"
    assert (item.subject_type, item.subject_id, item.territory_code) == (
        "party.visitneed",
        str(need.pk),
        HQ_GRID,
    )
    assert item.title == "代办需求：户 HQ-0"
    start = item.transitions.get()
    household = planned["households"][0]
    assert start.inputs == {
        "party_visit": visit.pk,
        "party_member": planned["member"].pk,
        "household": household.pk,
    }
    assert AuditEvent.objects.filter(action="party.need_raised").count() == 1
    # The grid worker of the household's grid is told (hq_grid); the outsider's grid worker is not.
    told = OutboxMessage.objects.get(kind="party_need_raised")
    assert told.recipient == planned["users"]["hq_grid"] and "HQ-0" in told.body
    figures = selectors.member_coverage(planned["member"], now=LATER)
    assert (figures["needs_raised"], figures["needs_filed"]) == (1, 0)


def test_the_member_adds_a_need_to_a_logged_visit_on_the_phone(planned: dict[str, Any]) -> None:  # noqa: F811
    visit = logged(planned)
    client = client_for(planned["member_user"])
    page = client.get(f"/party/m/visits/{visit.pk}/")
    assert page.status_code == 200 and "data-need-form" in page.content.decode()
    response = client.post(f"/party/m/visits/{visit.pk}/needs/", {"need": "企业需代办用工备案。"})
    assert response.status_code == 303 and response["Location"].endswith("?need=1")
    html = client.get(f"/party/m/visits/{visit.pk}/").content.decode()
    assert "企业需代办用工备案。" in html and 'data-state="requested"' in html and "待网格员代办" in html
    listing = client.get("/party/m/visits/").content.decode()
    assert 'data-figure="needs">1<' in listing and 'data-figure="needs_filed">0<' in listing


def test_bad_needs_are_refused_and_nothing_is_kept(planned: dict[str, Any]) -> None:  # noqa: F811
    member = planned["member_user"]
    unlogged = planned["plan"][1]
    with pytest.raises(Conflict) as caught:
        needs.do_raise_need(unlogged, "需要代办。", actor=member, now=NOW)
    assert (caught.value.code, caught.value.field) == ("not_visited", "need")
    visit = logged(planned)
    for text, code in (("  ", "required"), ("长" * (needs.MAX_NEED + 1), "too_long")):
        with pytest.raises(DomainError) as refused:
            needs.do_raise_need(visit, text, actor=member, now=NOW)
        assert (refused.value.code, refused.value.field) == (code, "need")
    for n in range(needs.MAX_NEEDS_PER_VISIT):
        needs.do_raise_need(visit, f"需求 {n}", actor=member, now=NOW)
    with pytest.raises(DomainError) as full:
        needs.do_raise_need(visit, "再一项", actor=member, now=NOW)
    assert full.value.code == "too_many_needs"
    assert VisitNeed.objects.count() == needs.MAX_NEEDS_PER_VISIT
    # On the pages: the same refusals at the field, the status of the error, nothing saved.
    client = client_for(member)
    empty = client.post(f"/party/m/visits/{visit.pk}/needs/", {"need": ""})
    assert empty.status_code == 400 and "请填写需求内容" in empty.content.decode()
    early = client.post(f"/party/m/visits/{unlogged.pk}/needs/", {"need": "需要代办。"})
    assert early.status_code == 409
    too_long = client.post(
        f"/party/m/visits/{unlogged.pk}/",
        {"lon": POINT[0], "lat": POINT[1], "note": "走访", "need": "长" * (needs.MAX_NEED + 1)},
    )
    assert too_long.status_code == 400 and "需求内容不能超过" in too_long.content.decode()
    assert VisitNeed.objects.count() == needs.MAX_NEEDS_PER_VISIT
    assert not type(unlogged).objects.filter(pk=unlogged.pk, visited_at__isnull=False).exists()


def test_only_the_visits_member_raises_a_need(planned: dict[str, Any]) -> None:  # noqa: F811
    visit = logged(planned)
    for name in ("hq_grid", "hq_leader", "hq_sec", "wt_leader", "wt_grid"):
        stranger = planned["users"][name]
        with pytest.raises(NotFound):
            needs.do_raise_need(visit, "需要代办。", actor=stranger, now=NOW)
        assert (
            client_for(stranger).post(f"/party/m/visits/{visit.pk}/needs/", {"need": "x"}).status_code == 404
        )
    assert Client().post(f"/party/m/visits/{visit.pk}/needs/", {"need": "x"}).status_code == 302
    assert client_for(planned["member_user"]).get(f"/party/m/visits/{visit.pk}/needs/").status_code == 405
    assert not VisitNeed.objects.exists()


def test_a_second_post_of_a_logged_visit_is_shown_not_saved(planned: dict[str, Any]) -> None:  # noqa: F811
    visit = logged(planned)
    again = client_for(planned["member_user"]).post(
        f"/party/m/visits/{visit.pk}/", {"lon": POINT[0], "lat": POINT[1], "note": "另一条记录", "need": "x"}
    )
    assert again.status_code == 409 and "该走访已登记" in again.content.decode()
    visit.refresh_from_db()
    assert visit.note == "入户走访。" and not VisitNeed.objects.exists()


def test_the_grid_worker_returns_a_need_with_a_reason_and_the_member_is_told(
    planned: dict[str, Any],  # noqa: F811
) -> None:
    logged(planned, need="需要代办残疾人证。")
    need = VisitNeed.objects.get()
    worker = client_for(planned["users"]["hq_grid"])
    listing = worker.get("/party/needs/")
    assert listing.status_code == 200 and f'data-need="{need.pk}"' in listing.content.decode()
    page = worker.get(f"/party/needs/{need.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-action="decline"' in html and 'data-action="file"' in html
    assert "户主甲" not in html and "户*" in html  # the household head's name masked
    no_reason = worker.post(f"/party/needs/{need.pk}/", {"action": "decline", "reason": "", "confirmed": "1"})
    assert no_reason.status_code == 400 and "须填写理由" in no_reason.content.decode()
    unconfirmed = worker.post(f"/party/needs/{need.pk}/", {"action": "decline", "reason": "已自行办理。"})
    assert unconfirmed.status_code == 200 and 'data-confirming="decline"' in unconfirmed.content.decode()
    assert WorkItem.objects.get(pk=need.work_item_id).state == "requested"
    done = worker.post(
        f"/party/needs/{need.pk}/", {"action": "decline", "reason": "已自行办理。", "confirmed": "1"}
    )
    assert done.status_code == 303
    assert WorkItem.objects.get(pk=need.work_item_id).state == "declined"
    told = OutboxMessage.objects.get(kind="party_need_decline")
    assert told.recipient == planned["member_user"] and "已自行办理" in told.body
    phone = client_for(planned["member_user"]).get(f"/party/m/visits/{need.visit_id}/").content.decode()
    assert 'data-state="declined"' in phone and "已退回" in phone


def test_who_may_see_and_return_a_need(planned: dict[str, Any]) -> None:  # noqa: F811
    logged(planned, need="需要代办。")
    need = VisitNeed.objects.get()
    users = planned["users"]
    post = {"action": "decline", "reason": "不需要。", "confirmed": "1"}
    # Readers who may not return it: the town leader (403 from the engine's roles).
    leader = client_for(users["hq_leader"])
    assert leader.get(f"/party/needs/{need.pk}/").status_code == 200
    assert leader.post(f"/party/needs/{need.pk}/", post).status_code == 403
    # No role for needs: the member, an agency's staff (403); the outsiders (404, and an empty list).
    for name in ("hq_agency",):
        assert client_for(users[name]).get(f"/party/needs/{need.pk}/").status_code == 403
    assert client_for(planned["member_user"]).get("/party/needs/").status_code == 403
    for name in ("wt_grid", "wt_leader"):
        outsider = client_for(users[name])
        assert outsider.get(f"/party/needs/{need.pk}/").status_code == 404
        assert outsider.post(f"/party/needs/{need.pk}/", post).status_code == 404
        assert f'data-need="{need.pk}"' not in outsider.get("/party/needs/").content.decode()
    # Bad input: an unknown action, a stale version.
    worker = client_for(users["hq_grid"])
    assert worker.post(f"/party/needs/{need.pk}/", {"action": "teleport"}).status_code == 400
    stale = worker.post(f"/party/needs/{need.pk}/", {**post, "version": "99"})
    assert stale.status_code == 409
    assert WorkItem.objects.get(pk=need.work_item_id).state == "requested"
    # The village secretary (grid head) may return it, also through the engine directly.
    with pytest.raises(DomainError) as refused:
        transition(need.work_item, "decline", actor=users["wt_grid"], now=LATER, reason="x")
    assert refused.value.status == 404
    transition(need.work_item, "decline", actor=users["hq_sec"], now=LATER, reason="户主已搬离。")
    assert WorkItem.objects.get(pk=need.work_item_id).state == "declined"


def test_the_generic_door_runs_the_same_decline(planned: dict[str, Any]) -> None:  # noqa: F811
    logged(planned, need="需要代办。")
    need = VisitNeed.objects.get()
    worker = client_for(planned["users"]["hq_grid"])
    item_page = worker.get(f"/work/items/{need.work_item_id}/").content.decode()
    assert "代办件受理编号" in item_page  # the file step's field, labelled
    response = worker.post(
        f"/work/items/{need.work_item_id}/act/",
        {"action": "decline", "reason": "已自行办理。", "version": "1", "confirmed": "1"},
    )
    assert response.status_code == 303
    assert WorkItem.objects.get(pk=need.work_item_id).state == "declined"
    assert OutboxMessage.objects.filter(kind="party_need_decline", recipient=planned["member_user"]).exists()


def test_needs_of_a_visit_show_on_the_phone_page_with_a_photo_visit(planned: dict[str, Any]) -> None:  # noqa: F811
    visit = planned["plan"][0]
    client = client_for(planned["member_user"])
    response = client.post(
        f"/party/m/visits/{visit.pk}/",
        {"lon": POINT[0], "lat": POINT[1], "note": "走访", "photo": png(), "need": "需代办医保参保登记。"},
    )
    assert response.status_code == 302
    rows = selectors.needs_of_visit(visit, now=LATER)
    assert [(r["description"], r["state"], r["receipt_no"]) for r in rows] == [
        ("需代办医保参保登记。", "requested", "")
    ]
