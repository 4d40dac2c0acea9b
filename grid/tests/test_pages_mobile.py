"""The grid worker's phone pages (/grid/m/…): home, patrol, report, my reports, verification."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from grid.models import EventAttachment, GridEvent, Patrol, PatrolCheckIn
from grid.patrols.actions import do_start_patrol
from grid.standards.actions import do_add_patrol_item
from grid.tests import test_pages_support as support
from grid.tests.test_pages_support import (
    HQ_GRID,
    HQ_POINT,
    NOW,
    WT_POINT,
    act,
    client_for,
    png,
    report,
)
from territory.models import Grid

page_people = support.page_people  # fixture

pytestmark = pytest.mark.django_db
People = dict[str, User]


def test_home_for_the_grid_worker(page_people: People) -> None:
    event = report(page_people)
    html = client_for(page_people["hq_grid"]).get("/grid/m/").content.decode()
    assert "我的网格" in html and "黄桥测试村第1网格" in html
    assert "开始巡查" in html and "上报事件" in html
    assert f'data-my-report="{event.receipt_number}"' in html
    assert "信息收集" in html  # the state title
    assert 'data-light="green"' in html


def test_home_refuses_other_roles(page_people: People) -> None:
    for name in ("dispatcher", "hq_agency", "hq_leader"):
        response = client_for(page_people[name]).get("/grid/m/")
        assert response.status_code == 403
        assert "此页面供网格员使用" in response.content.decode()
    response = client_for(None).get("/grid/m/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_patrol_pages(page_people: People) -> None:
    worker = page_people["hq_grid"]
    grid = Grid.objects.get(code=HQ_GRID)
    item = do_add_patrol_item(grid, name="消防通道", frequency="daily", actor=page_people["system"], now=NOW)
    client = client_for(worker)
    response = client.post("/grid/m/patrol/start/", {"grid": HQ_GRID})
    patrol = Patrol.objects.get(worker=worker)
    assert response.status_code == 303 and response["Location"] == f"/grid/m/patrol/{patrol.pk}/"
    html = client.get(f"/grid/m/patrol/{patrol.pk}/").content.decode()
    assert "消防通道" in html and "正常打卡" in html and "已打卡 0 / 1 项" in html
    # A second start is refused (409) and said so on the home page.
    response = client.post("/grid/m/patrol/start/", {"grid": HQ_GRID}, follow=True)
    assert "已有一次进行中的巡查" in response.content.decode()
    # A position outside the grid: the row comes back with the error, nothing is recorded.
    url = f"/grid/m/patrol/{patrol.pk}/items/{item.pk}/check-in/"
    response = client.post(
        url, {"lon": WT_POINT[0], "lat": WT_POINT[1], "crs": "wgs84"}, HTTP_HX_REQUEST="true"
    )
    assert "不在本网格内" in response.content.decode()
    assert not PatrolCheckIn.objects.exists()
    # "有异常" without a note: the error is shown and the row keeps the form.
    response = client.post(url, {"normal": "0", "note": ""}, HTTP_HX_REQUEST="true")
    assert "发现异常时请填写说明" in response.content.decode()
    response = client.post(
        url, {"lon": HQ_POINT[0], "lat": HQ_POINT[1], "crs": "wgs84"}, HTTP_HX_REQUEST="true"
    )
    assert 'data-checked-in="true"' in response.content.decode()
    assert (
        "已打卡 1 / 1 项" in response.content.decode() and 'hx-swap-oob="true"' in response.content.decode()
    )
    assert PatrolCheckIn.objects.get().lon == HQ_POINT[0]
    response = client.post(f"/grid/m/patrol/{patrol.pk}/end/")
    assert response.status_code == 303
    patrol.refresh_from_db()
    assert patrol.ended_at is not None


def test_patrol_outsider_and_other_workers(page_people: People) -> None:
    patrol = do_start_patrol(Grid.objects.get(code=HQ_GRID), actor=page_people["hq_grid"], now=NOW)
    outsider = client_for(page_people["wt_grid"])
    assert outsider.get(f"/grid/m/patrol/{patrol.pk}/").status_code == 404
    assert outsider.post(f"/grid/m/patrol/{patrol.pk}/end/").status_code == 404
    assert outsider.post("/grid/m/patrol/start/", {"grid": HQ_GRID}).status_code == 404
    assert client_for(page_people["dispatcher"]).get(f"/grid/m/patrol/{patrol.pk}/").status_code == 403


def test_report_with_photo_and_position(page_people: People) -> None:
    client = client_for(page_people["hq_grid"])
    html = client.get("/grid/m/report/").content.decode()
    assert 'capture="environment"' in html and 'accept="image/*"' in html and "multiple" in html
    assert "事件 · 01" in html  # category groups by major class
    response = client.post(
        "/grid/m/report/",
        {
            "category": "event:0102",
            "description": "垃圾堆在路口",
            "lon": HQ_POINT[0],
            "lat": HQ_POINT[1],
            "crs": "wgs84",
            "photos": [png("a.png"), png("b.png")],
        },
    )
    event = GridEvent.objects.get()
    assert response.status_code == 303 and response["Location"] == f"/grid/m/events/{event.pk}/"
    assert event.channel == "patrol" and event.grid_id == HQ_GRID
    assert EventAttachment.objects.filter(event=event, stage="report").count() == 2
    html = client.get(response["Location"]).content.decode()
    assert event.receipt_number in html and "办理经过" in html and "信息收集" in html


def test_report_without_position_uses_my_grid(page_people: People) -> None:
    client = client_for(page_people["hq_grid"])
    response = client.post(
        "/grid/m/report/", {"category": "event:0102", "description": "垃圾", "crs": "wgs84"}
    )
    assert response.status_code == 303
    assert GridEvent.objects.get().grid_id == HQ_GRID


def test_report_errors_are_shown_beside_the_fields_and_keep_the_input(page_people: People) -> None:
    client = client_for(page_people["hq_grid"])
    # No description: the form comes back with the error in Chinese, the rest kept.
    response = client.post(
        "/grid/m/report/",
        {
            "category": "event:0102",
            "description": "",
            "address": "黄桥路12号",
            "lon": HQ_POINT[0],
            "lat": HQ_POINT[1],
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-field-error="description"' in html and "该字段是必填项" in html
    assert 'value="黄桥路12号"' in html and 'value="event:0102" selected' in html
    assert f'value="{HQ_POINT[0]}"' in html
    # A point in another town: the action refuses it; shown at the location, description kept.
    response = client.post(
        "/grid/m/report/",
        {
            "category": "event:0102",
            "description": "垃圾很多",
            "lon": WT_POINT[0],
            "lat": WT_POINT[1],
            "crs": "wgs84",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-field-error="lon"' in html and "不在您负责的网格内" in html
    assert "垃圾很多" in html
    # Not an image.
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = client.post(
        "/grid/m/report/", {"category": "event:0102", "description": "垃圾", "photos": [bad]}
    )
    assert response.status_code == 400 and 'data-field-error="photos"' in response.content.decode()
    assert not GridEvent.objects.exists()


def test_event_page_outsider_404(page_people: People) -> None:
    event = report(page_people)
    assert client_for(page_people["wt_grid"]).get(f"/grid/m/events/{event.pk}/").status_code == 404
    assert client_for(page_people["wt_grid"]).post(f"/grid/m/events/{event.pk}/verify/").status_code == 404


def _to_verifying(people: People) -> Any:
    event = report(people)
    act(event, "file", people, "dispatcher")
    act(event, "dispatch", people, "dispatcher")
    act(event, "sign", people, "hq_agency")
    return act(event, "feedback", people, "hq_agency", inputs={"result": "已清运"}, photos=[png()])


def test_verification_by_the_grid_worker(page_people: People) -> None:
    event = _to_verifying(page_people)
    client = client_for(page_people["hq_grid"])
    home = client.get("/grid/m/").content.decode()
    assert f'data-verify-event="{event.receipt_number}"' in home
    page = client.get(f"/grid/m/events/{event.pk}/").content.decode()
    assert "现场核查" in page and "已清运" in page
    # Fail without a reason: error beside the reason field.
    response = client.post(
        f"/grid/m/events/{event.pk}/verify/", {"outcome": "verify_fail", "photos": [png()]}
    )
    assert response.status_code == 400 and 'data-field-error="reason"' in response.content.decode()
    response = client.post(
        f"/grid/m/events/{event.pk}/verify/",
        {"outcome": "verify_fail", "reason": "仍有垃圾", "photos": [png()]},
    )
    assert response.status_code == 303
    event.refresh_from_db()
    assert event.work_item.state == "handling"
    act(event, "feedback", page_people, "hq_agency", inputs={"result": "已彻底清运"}, photos=[png()])
    response = client.post(
        f"/grid/m/events/{event.pk}/verify/", {"outcome": "verify_pass", "photos": [png()]}
    )
    assert response.status_code == 303
    event.refresh_from_db()
    assert event.work_item.state == "closed"
    assert EventAttachment.objects.filter(event=event, stage="verification").count() == 2
