"""The dispatcher's queues, the hotline intake, the staff event page with its actions, and the agency's
task list: the right persona sees them, other roles are refused, the outsider gets 404, bad input shows
beside its field, and no list runs a query per row."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from grid.models import GridEvent, ResponsibilityEntry
from grid.tests import test_pages_support as support
from grid.tests.test_pages_support import HQ_GRID, HQ_POINT, URBAN, act, client_for, png, report

pytestmark = pytest.mark.django_db
page_people = support.page_people  # fixture
People = dict[str, User]

QUEUE_URLS = [
    "/grid/dispatch/",
    "/grid/dispatch/dispatch/",
    "/grid/dispatch/unrouted/",
    "/grid/dispatch/late/",
    "/grid/dispatch/extensions/",
    "/grid/dispatch/verify/",
    "/grid/dispatch/all/",
    "/grid/dispatch/hotline/",
]


def test_queues_render_for_the_dispatcher_and_refuse_others(page_people: People) -> None:
    report(page_people)
    dispatcher = client_for(page_people["dispatcher"])
    for url in QUEUE_URLS:
        response = dispatcher.get(url)
        assert response.status_code == 200, url
        assert "待受理" in response.content.decode()
    for name in ("hq_grid", "hq_agency", "wt_grid"):
        for url in QUEUE_URLS:
            response = client_for(page_people[name]).get(url)
            assert response.status_code == 403, (name, url)
            assert "此页面供指挥中心调度员使用" in response.content.decode()
    assert client_for(None).get("/grid/dispatch/").status_code == 302


def test_review_queue_file_and_void_inline(page_people: People) -> None:
    first, second = report(page_people), report(page_people, description="另一处垃圾")
    client = client_for(page_people["dispatcher"])
    html = client.get("/grid/dispatch/").content.decode()
    assert first.receipt_number in html and second.receipt_number in html
    assert 'data-act="file"' in html and 'data-act="void"' in html
    # 立案 over htmx: the row comes back done.
    response = client.post(
        f"/grid/events/{first.pk}/act/",
        {"action": "file", "file-action": "file", "file-version": first.work_item.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and 'data-done="true"' in response.content.decode()
    assert "已立案" in response.content.decode()
    # 作废 without a reason: the error goes to the row's error box, in Chinese.
    response = client.post(
        f"/grid/events/{second.pk}/act/", {"action": "void", "void-action": "void"}, HTTP_HX_REQUEST="true"
    )
    assert response["HX-Retarget"] == f"#err-{second.pk}"
    assert "必填" in response.content.decode()
    # Not confirmed (the page's script adds confirmed=1 once the dialog is accepted): nothing is taken.
    response = client.post(
        f"/grid/events/{second.pk}/act/",
        {"action": "void", "void-action": "void", "void-reason": "非本区问题"},
        HTTP_HX_REQUEST="true",
    )
    assert "请确认后再提交" in response.content.decode()
    response = client.post(
        f"/grid/events/{second.pk}/act/",
        {"action": "void", "void-action": "void", "void-reason": "非本区问题", "confirmed": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert "已作废" in response.content.decode()
    states = dict(GridEvent.objects.values_list("pk", "work_item__state"))
    assert states == {first.pk: "filed", second.pk: "voided"}


def test_filter_by_town_category_light(page_people: People) -> None:
    event = report(page_people)
    client = client_for(page_people["dispatcher"])
    assert event.receipt_number in client.get("/grid/dispatch/?town=320507003").content.decode()
    assert event.receipt_number not in client.get("/grid/dispatch/?town=320507105").content.decode()
    assert event.receipt_number in client.get("/grid/dispatch/?category=01").content.decode()
    assert event.receipt_number not in client.get("/grid/dispatch/?category=02").content.decode()
    assert event.receipt_number in client.get("/grid/dispatch/?light=green").content.decode()
    assert event.receipt_number not in client.get("/grid/dispatch/?light=red").content.decode()
    # Nonsense filters are ignored, not an error.
    assert client.get("/grid/dispatch/?town=abc&category=x&light=blue").status_code == 200


def test_dispatch_queue_prefills_the_routed_unit(page_people: People) -> None:
    event = report(page_people)
    act(event, "file", page_people, "dispatcher")
    client = client_for(page_people["dispatcher"])
    html = client.get("/grid/dispatch/dispatch/").content.decode()
    assert f'data-routed-unit="{URBAN}"' in html and f'value="{URBAN}"' in html
    assert "黄桥街道城市管理办公室" in html and "先属地后属主" in html
    response = client.post(
        f"/grid/events/{event.pk}/act/",
        {"action": "dispatch", "dispatch-action": "dispatch", "dispatch-assigned_unit": URBAN},
        HTTP_HX_REQUEST="true",
    )
    assert "已派遣" in response.content.decode()


def test_unrouted_queue(page_people: People) -> None:
    ResponsibilityEntry.objects.all().delete()
    event = report(page_people)
    act(event, "file", page_people, "dispatcher")
    client = client_for(page_people["dispatcher"])
    html = client.get("/grid/dispatch/unrouted/").content.decode()
    assert event.receipt_number in html and "未路由" in html
    # Dispatch with no unit is refused with the reason beside the field; a chosen unit works.
    response = client.post(
        f"/grid/events/{event.pk}/act/", {"action": "dispatch", "dispatch-action": "dispatch"}
    )
    assert response.status_code == 400
    assert 'data-field-error="dispatch-assigned_unit"' in response.content.decode()
    response = client.post(
        f"/grid/events/{event.pk}/act/",
        {"action": "dispatch", "dispatch-action": "dispatch", "dispatch-assigned_unit": URBAN},
    )
    assert response.status_code == 303
    event.refresh_from_db()
    assert event.work_item.state == "dispatched"


def test_duplicate_from_the_event_page(page_people: People) -> None:
    original = report(page_people)
    copy = report(page_people, who=None, description="路口垃圾没人管")
    client = client_for(page_people["dispatcher"])
    html = client.get(f"/grid/events/{copy.pk}/").content.decode()
    assert "data-candidates" in html and original.receipt_number in html
    response = client.post(
        f"/grid/events/{copy.pk}/act/",
        {
            "action": "mark_duplicate",
            "mark_duplicate-action": "mark_duplicate",
            "mark_duplicate-original": "SJ0",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field-error="mark_duplicate-original"' in html and "原件不存在" in html
    assert 'value="SJ0"' in html  # what was typed is kept
    response = client.post(
        f"/grid/events/{copy.pk}/act/",
        {
            "action": "mark_duplicate",
            "mark_duplicate-action": "mark_duplicate",
            "mark_duplicate-candidate": original.receipt_number,
            "mark_duplicate-original": "",
        },
    )
    assert response.status_code == 303
    copy.refresh_from_db()
    assert copy.duplicate_of_id == original.pk


def test_late_queue_and_supervise(page_people: People) -> None:
    import time_machine

    event = report(page_people)
    act(event, "file", page_people, "dispatcher")
    act(event, "dispatch", page_people, "dispatcher")
    client = client_for(page_people["dispatcher"])
    assert event.receipt_number not in client.get("/grid/dispatch/late/").content.decode()
    with time_machine.travel(support.NOW.replace(day=4), tick=False):
        html = client.get("/grid/dispatch/late/").content.decode()
        assert (
            event.receipt_number in html
            and 'data-act="supervise_sign"' in html
            and 'data-light="red"' in html
        )
        response = client.post(
            f"/grid/events/{event.pk}/act/",
            {
                "action": "supervise_sign",
                "supervise_sign-action": "supervise_sign",
                "supervise_sign-reason": "请立即签收",
            },
            HTTP_HX_REQUEST="true",
        )
        assert "督办签收" in response.content.decode()


def test_hotline_intake(page_people: People) -> None:
    client = client_for(page_people["dispatcher"])
    html = client.get("/grid/dispatch/hotline/").content.decode()
    assert "12345 热线来电录入" in html and "data-pick-map" in html
    # Neither a point nor a grid code: error beside the grid code, what was typed is kept.
    response = client.post(
        "/grid/dispatch/hotline/",
        {"category": "event:0102", "description": "来电反映垃圾", "reporter_phone": "13800138000"},
    )
    html = response.content.decode()
    assert response.status_code == 400 and 'data-field-error="grid_code"' in html
    assert "来电反映垃圾" in html and 'value="13800138000"' in html
    response = client.post(
        "/grid/dispatch/hotline/",
        {"category": "event:0102", "description": "来电反映垃圾", "reporter_phone": "12345"},
    )
    assert 'data-field-error="grid_code"' in response.content.decode()
    response = client.post(
        "/grid/dispatch/hotline/",
        {
            "category": "event:0102",
            "description": "来电反映垃圾",
            "lon": HQ_POINT[0],
            "lat": HQ_POINT[1],
            "crs": "wgs84",
            "reporter_phone": "138-0013-8000",
        },
    )
    event = GridEvent.objects.get()
    assert response.status_code == 303 and event.channel == "hotline" and event.grid_id == HQ_GRID
    # A bad phone number is the action's refusal, shown at the phone field.
    response = client.post(
        "/grid/dispatch/hotline/",
        {"category": "event:0102", "description": "x", "grid_code": HQ_GRID, "reporter_phone": "12345"},
    )
    assert response.status_code == 400 and 'data-field-error="reporter_phone"' in response.content.decode()


def test_event_page_outsider_and_roles(page_people: People) -> None:
    event = report(page_people)
    assert client_for(page_people["wt_grid"]).get(f"/grid/events/{event.pk}/").status_code == 404
    response = client_for(page_people["wt_grid"]).post(f"/grid/events/{event.pk}/act/", {"action": "file"})
    assert response.status_code == 404
    # The agency may see the event but not file it: the engine refuses (403 page).
    response = client_for(page_people["hq_agency"]).post(
        f"/grid/events/{event.pk}/act/", {"action": "file", "file-action": "file"}
    )
    assert response.status_code == 403 and "无权" in response.content.decode()
    html = client_for(page_people["dispatcher"]).get(f"/grid/events/{event.pk}/").content.decode()
    assert 'data-action-form="file"' in html and 'data-action-form="void"' in html


def test_agency_tasks_sign_feedback_send_back_extension_whistle(page_people: People) -> None:
    event = report(page_people)
    act(event, "file", page_people, "dispatcher")
    act(event, "dispatch", page_people, "dispatcher")
    agency = client_for(page_people["hq_agency"])
    html = agency.get("/grid/tasks/").content.decode()
    assert event.receipt_number in html and "待签收" in html
    html = agency.get(f"/grid/events/{event.pk}/").content.decode()
    for name in ("sign", "send_back"):
        assert f'data-action-form="{name}"' in html
    assert (
        agency.post(f"/grid/events/{event.pk}/act/", {"action": "sign", "sign-action": "sign"}).status_code
        == 303
    )
    html = agency.get(f"/grid/events/{event.pk}/").content.decode()
    for name in ("feedback", "request_extension", "whistle", "send_back"):
        assert f'data-action-form="{name}"' in html
    assert "相城区集成指挥中心" in html  # whistle: the units one level up (the district)
    # Feedback without photos: error beside the photos field, the result text kept.
    response = agency.post(
        f"/grid/events/{event.pk}/act/",
        {"action": "feedback", "feedback-action": "feedback", "feedback-result": "已清运"},
    )
    html = response.content.decode()
    assert response.status_code == 400 and 'data-field-error="feedback-photos"' in html and "已清运" in html
    response = agency.post(
        f"/grid/events/{event.pk}/act/",
        {
            "action": "feedback",
            "feedback-action": "feedback",
            "feedback-result": "已清运",
            "feedback-photos": [png()],
        },
    )
    assert response.status_code == 303
    event.refresh_from_db()
    assert event.work_item.state == "verifying"


def test_agency_whistle_to_the_town(page_people: People) -> None:
    event = report(page_people)
    act(event, "file", page_people, "dispatcher")
    act(event, "dispatch", page_people, "dispatcher", inputs={"assigned_unit": "320507003201-vc"})
    act(event, "sign", page_people, "hq_head")
    head = client_for(page_people["hq_head"])
    response = head.post(
        f"/grid/events/{event.pk}/act/",
        {
            "action": "whistle",
            "whistle-action": "whistle",
            "whistle-trigger": "needs_enforcement",
            "whistle-reason": "需执法",
        },
    )
    assert (
        response.status_code == 400
        and 'data-field-error="whistle-assigned_unit"' in response.content.decode()
    )
    response = head.post(
        f"/grid/events/{event.pk}/act/",
        {
            "action": "whistle",
            "whistle-action": "whistle",
            "whistle-trigger": "needs_enforcement",
            "whistle-assigned_unit": "320507003-squad1",
            "whistle-reason": "需执法",
        },
    )
    assert response.status_code == 303
    event.refresh_from_db()
    assert event.level == "town" and event.work_item.assigned_unit.code == "320507003-squad1"


def test_tasks_refused_for_grid_workers_and_dispatcher(page_people: People) -> None:
    for name in ("hq_grid", "dispatcher"):
        assert client_for(page_people[name]).get("/grid/tasks/").status_code == 403
    assert client_for(None).get("/grid/tasks/").status_code == 302


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("queue", ["review", "dispatch", "all", "tasks"])
def test_lists_do_not_query_per_row(page_people: People, queue: str) -> None:
    def prepare(event: Any) -> None:
        if queue in ("dispatch", "tasks"):
            act(event, "file", page_people, "dispatcher")
        if queue == "tasks":
            act(event, "dispatch", page_people, "dispatcher")

    url = {
        "review": "/grid/dispatch/",
        "dispatch": "/grid/dispatch/dispatch/",
        "all": "/grid/dispatch/all/",
    }.get(queue, "/grid/tasks/")
    client = client_for(page_people["hq_agency" if queue == "tasks" else "dispatcher"])
    prepare(report(page_people))
    _queries(client, url)  # warm the per-process caches (definitions, calendar)
    one = _queries(client, url)
    for i in range(5):
        prepare(report(page_people, description=f"垃圾 {i}"))
    assert _queries(client, url) == one


def test_photos_are_served_only_to_staff_who_may_see_the_event(page_people: People) -> None:
    event = report(page_people, photos=[png()])
    attachment = event.attachments.get()
    url = f"/grid/photos/{attachment.pk}/"
    html = client_for(page_people["dispatcher"]).get(f"/grid/events/{event.pk}/").content.decode()
    assert f'src="{url}"' in html
    response = client_for(page_people["dispatcher"]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.getvalue().startswith(b"\x89PNG")
    assert client_for(page_people["wt_grid"]).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
