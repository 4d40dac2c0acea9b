"""Public pages (no login): the resident's report form, the receipt, tracking and rating."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from accounts.models import User
from grid.models import GridEvent
from grid.tests import test_pages_support as support
from grid.tests.test_pages_support import HQ_POINT, act, png, report

pytestmark = pytest.mark.django_db
page_people = support.page_people  # fixture
People = dict[str, User]


def test_report_form_renders_without_login(page_people: People) -> None:
    html = Client().get("/grid/report/").content.decode()
    assert "我要反映问题" in html and "隐私说明" in html and "data-pick-map" in html
    assert "联系电话（可选）" in html and "称呼（可选）" in html
    assert 'capture="environment"' in html
    assert "data-submit-once" in html and "data-submit-progress" in html and "grid_submit.js" in html


def _options(html: str) -> list[tuple[str, str, bool]]:
    start = html.index('<select name="category"')
    select = html[start : html.index("</select>", start)]
    return [
        (value, unescape(label), " selected" in attributes)
        for value, attributes, label in re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select)
    ]


def test_the_category_picker_is_plain_words_with_nothing_chosen(page_people: People) -> None:
    html = Client().get("/grid/report/").content.decode()
    options = _options(html)
    # Only the empty "please choose" is chosen: no category is preselected.
    assert options[0] == ("", "请选择", True) and not any(chosen for *_, chosen in options[1:])
    assert options[1] == ("unclassified", "不清楚/其他，由工作人员分类", False)
    labels = [label for _value, label, _chosen in options]
    assert "暴露垃圾" in labels and "路灯" in labels and "其他事件" not in labels
    assert not any(re.search(r"\d", label) for label in labels)  # no codes
    groups = re.findall(r'<optgroup label="([^"]*)"', html)
    assert (
        groups[0] == "市容环境"
        and "设施损坏 · 公用设施" in groups
        and not any(re.search(r"\d", g) for g in groups)
    )


def test_i_dont_know_files_the_report_for_the_dispatcher_to_classify(page_people: People) -> None:
    response = Client().post(
        "/grid/report/",
        {"category": "unclassified", "description": "路边有个坑", "lon": HQ_POINT[0], "lat": HQ_POINT[1]},
    )
    assert response.status_code == 303, response.content.decode()[:2000]
    event = GridEvent.objects.select_related("category").get()
    assert (
        event.category.code == "0601" and event.kind == "event" and event.attributes["unclassified"] is True
    )


def test_report_gives_a_receipt_and_the_status_page(page_people: People) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/grid/report/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/grid/report/",
        {
            "csrfmiddlewaretoken": token,
            "category": "event:0102",
            "description": "小区门口垃圾",
            "lon": HQ_POINT[0],
            "lat": HQ_POINT[1],
            "crs": "wgs84",
            "photos": [png()],
            "publish_consent": "on",
        },
    )
    event = GridEvent.objects.get()
    assert event.channel == "resident_web" and event.reporter is None and event.reporter_phone_hash == ""
    assert event.publish_consent and event.description_released_at is None
    assert response.status_code == 303
    html = client.get(response["Location"]).content.decode()
    assert event.receipt_number in html and "请保存此编号" in html
    # The receipt and the tracking page say the same: received, to be accepted by 12:00 (2 working hours).
    assert "我们已收到" in html and 'data-public-state="received">已收到<' in html
    assert "预计 3月2日 12:00 前受理（按工作日计算，节假日顺延）" in html and "已受理" not in html
    assert html.count("预计") == 1  # the expectation says 预计 itself: no 预计 label before it
    html = client.get(f"/grid/track/{event.receipt_number}/").content.decode()
    assert "暴露垃圾" in html and 'data-public-state="received">已收到<' in html
    assert "预计 3月2日 12:00 前受理（按工作日计算，节假日顺延）" in html
    assert "信息收集" not in html and "工作小时" not in html and "剩余" not in html
    assert "请评价" not in html  # not closed yet


def test_csrf_is_on(page_people: People) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/grid/report/", {"category": "event:0102", "description": "x"})
    assert response.status_code == 403
    assert not GridEvent.objects.exists()


def test_a_missing_place_is_reported_with_the_other_errors_on_the_first_submit(page_people: People) -> None:
    response = Client().post("/grid/report/", {"category": "", "description": "", "reporter_name": "王先生"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-field-error="lon"' in html and "请在地图上点选问题位置" in html
    assert 'data-field-error="description"' in html and 'data-field-error="category"' in html
    assert "不清楚可选" in html and 'value="王先生"' in html
    assert not GridEvent.objects.exists()


def test_a_place_outside_the_district_is_reported_on_the_first_submit(page_people: People) -> None:
    response = Client().post(
        "/grid/report/", {"category": "event:0102", "description": "", "lon": 116.4, "lat": 39.9}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-field-error="description"' in html
    assert 'data-field-error="lon"' in html and "不在本区任何网格内" in html
    assert not GridEvent.objects.exists()


def test_bad_input_is_shown_beside_the_fields(page_people: People) -> None:
    client = Client()
    response = client.post(
        "/grid/report/",
        {
            "category": "event:0102",
            "description": "路灯不亮",
            "reporter_name": "王先生",
            "reporter_phone": "123",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-field-error="lon"' in html and "请在地图上点选问题位置" in html
    assert "路灯不亮" in html and 'value="王先生"' in html and 'value="123"' in html
    response = client.post(
        "/grid/report/",
        {
            "category": "event:0102",
            "description": "路灯不亮",
            "reporter_phone": "123",
            "lon": HQ_POINT[0],
            "lat": HQ_POINT[1],
        },
    )
    html = response.content.decode()
    assert (
        response.status_code == 400 and 'data-field-error="reporter_phone"' in html and "11位手机号码" in html
    )
    response = client.post(
        "/grid/report/",
        {"category": "event:9999", "description": "x", "lon": HQ_POINT[0], "lat": HQ_POINT[1]},
    )
    assert response.status_code == 400 and 'data-field-error="category"' in response.content.decode()
    response = client.post(
        "/grid/report/", {"category": "event:0102", "description": "x", "lon": 116.4, "lat": 39.9}
    )
    assert response.status_code == 400 and "不在本区任何网格内" in response.content.decode()
    assert not GridEvent.objects.exists()


def test_track_lookup(page_people: People) -> None:
    event = report(page_people, who=None)
    client = Client()
    assert "受理编号" in client.get("/grid/track/").content.decode()
    response = client.get("/grid/track/", {"receipt": event.receipt_number.lower()})
    assert response.status_code == 302 and response["Location"] == f"/grid/track/{event.receipt_number}/"
    response = client.get("/grid/track/", {"receipt": "SJ000000XXXXXXXX"})
    assert response.status_code == 404 and 'data-field-error="receipt"' in response.content.decode()
    assert client.get("/grid/track/NOPE/").status_code == 404


def _close(people: People, event: GridEvent) -> None:
    act(event, "file", people, "dispatcher")
    act(event, "dispatch", people, "dispatcher")
    act(event, "sign", people, "hq_agency")
    act(
        event,
        "feedback",
        people,
        "hq_agency",
        inputs={"result": "内部：约谈户主王小明", "public_reply": "垃圾已清运完毕"},
        photos=[png()],
    )
    act(event, "verify_pass", people, "dispatcher")


def test_rating_after_closure(page_people: People) -> None:
    event = report(page_people, who=None, reporter_name="李女士", reporter_phone="13800138000")
    _close(page_people, event)
    client = Client()
    html = client.get(f"/grid/track/{event.receipt_number}/").content.decode()
    assert "已办结" in html and "垃圾已清运完毕" in html and "黄桥街道城市管理办公室" in html
    assert "请评价办理结果" in html and "王小明" not in html
    assert "李女士" not in html and "13800138000" not in html and "hq_agency" not in html
    response = client.post(f"/grid/track/{event.receipt_number}/rate/", {"comment": "很快"})
    assert response.status_code == 400 and "请选择 1–5 星" in response.content.decode()
    assert "很快" in response.content.decode()
    response = client.post(f"/grid/track/{event.receipt_number}/rate/", {"rating": "5", "comment": "很快"})
    assert response.status_code == 303
    event.refresh_from_db()
    assert event.rating == 5 and event.rating_comment == "很快"
    html = client.get(f"/grid/track/{event.receipt_number}/").content.decode()
    assert 'data-rating="5"' in html and "请评价办理结果" not in html
    response = client.post(f"/grid/track/{event.receipt_number}/rate/", {"rating": "1"})
    assert response.status_code == 409 and "已评价过" in response.content.decode()


def test_staff_reports_cannot_be_rated_by_the_public(page_people: People) -> None:
    event = report(page_people)  # by the grid worker
    _close(page_people, event)
    html = Client().get(f"/grid/track/{event.receipt_number}/").content.decode()
    assert "已办结" in html and "请评价办理结果" not in html
    response = Client().post(f"/grid/track/{event.receipt_number}/rate/", {"rating": "5"})
    assert response.status_code == 403
