"""The tracking page in the resident's words: the public state (the receipt's, the API's, Open311's), the
public timeline from the work item's transitions (dates and resident words, no staff, no reasons, no
internal results), the public reply, the after-photo (only the feedback photos that closed the event,
served re-encoded through the receipt, never the staff URL), the expected date from the work calendar,
and a clear message for an unknown receipt number."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts.models import User
from grid.events.publication import EXPECTATIONS, PUBLIC_STATES, PUBLIC_STEPS
from grid.events.report import do_report_event
from grid.events.steps import do_event_action
from grid.models import AttachmentStage, EventAttachment, GridEvent
from grid.tests import test_pages_support as support
from grid.tests.test_pages_support import HQ_POINT, LOCAL, png, report
from workflow.definitions import load_file

pytestmark = pytest.mark.django_db
page_people = support.page_people  # fixture
People = dict[str, User]

STAFF_NAMES = {"dispatcher": "周调度", "hq_agency": "钱处置", "hq_grid": "孙网格"}
INTERNAL = "内部：约谈户主王小明"
PHOTO_URL = re.compile(r'<img src="(/grid/track/[^"]+/photos/\d+/)"[^>]*data-after-photo')


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=LOCAL)


def jpeg_with_exif() -> SimpleUploadedFile:
    """A real JPEG whose EXIF names a camera and carries a GPS block: what a phone photo brings along."""
    image = Image.new("RGB", (16, 16), (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCamMaker"
    exif[0x0110] = "SecretCamModel"
    exif.get_ifd(0x8825).update({1: "N", 2: (31.0, 24.0, 18.0), 3: "E", 4: (120.0, 33.0, 18.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    data = out.getvalue()
    assert b"SecretCamMaker" in data
    return SimpleUploadedFile("after.jpg", data, content_type="image/jpeg")


def step(event: GridEvent, action: str, people: People, who: str, when: datetime, **kwargs: Any) -> GridEvent:
    with time_machine.travel(when, tick=False):
        return do_event_action(event, action, actor=people[who], now=when, **kwargs)


def handled(people: People, event: GridEvent, *, photo: SimpleUploadedFile | None = None) -> GridEvent:
    """Filed, dispatched, signed for and fed back (with the internal result and a public reply)."""
    event = step(event, "file", people, "dispatcher", at(2, 10, 30))
    event = step(event, "dispatch", people, "dispatcher", at(2, 11))
    event = step(event, "sign", people, "hq_agency", at(2, 14))
    return step(
        event,
        "feedback",
        people,
        "hq_agency",
        at(3, 9),
        inputs={"result": INTERNAL, "public_reply": "垃圾已清运完毕"},
        photos=[photo or png("after.png")],
    )


@pytest.fixture
def named(page_people: People) -> People:
    """Staff with personal names, to show that none reaches the public page."""
    for username, name in STAFF_NAMES.items():
        User.objects.filter(username=username).update(display_name=name)
    return page_people


def page(receipt: str, client: Client | None = None) -> str:
    response = (client or Client()).get(f"/grid/track/{receipt}/")
    assert response.status_code == 200
    return response.content.decode()


def timeline(html: str) -> list[tuple[str, str]]:
    block = html[html.index("data-public-timeline") :]
    block = block[: block.index("</ol>")]
    return re.findall(r'<span class="when">([^<]*)</span><span class="step-text">([^<]*)</span>', block)


def test_a_closed_report_shows_the_timeline_the_reply_and_the_after_photo(named: People) -> None:
    event = report(named, who=None, photos=[png("report.png")])
    event = handled(named, event, photo=jpeg_with_exif())
    event = step(event, "verify_pass", named, "dispatcher", at(3, 10), reason="内部核查意见")
    html = page(event.receipt_number)

    assert 'data-public-state="closed">已办结<' in html and "垃圾已清运完毕" in html
    assert timeline(html) == [
        ("3月2日 10:00", "已收到您的反映"),
        ("3月2日 10:30", "已受理"),
        ("3月2日 11:00", "已派给办理单位"),
        ("3月2日 14:00", "办理单位已接单，正在处理"),
        ("3月3日 09:00", "办理单位已处理，等待核查"),
        ("3月3日 10:00", "核查通过，已办结"),
    ]
    # No one's name, no internal text, no staff or media address.
    for name in STAFF_NAMES.values():
        assert name not in html
    assert "王小明" not in html and INTERNAL not in html and "内部核查意见" not in html
    assert "/grid/photos/" not in html and "/media/" not in html and "hq_agency" not in html

    # The after-photo: the feedback photo, re-encoded, without the EXIF the phone wrote.
    urls = PHOTO_URL.findall(html)
    assert len(urls) == 1
    response = Client().get(urls[0])
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert b"SecretCam" not in data
    with Image.open(io.BytesIO(data)) as served:
        assert dict(served.getexif()) == {} and served.size == (16, 16)


def test_only_the_photos_of_the_closing_handling_are_public(named: People) -> None:
    event = report(named, who=None, photos=[png("report.png")])
    report_photo = EventAttachment.objects.get(event=event, stage=AttachmentStage.REPORT)
    event = handled(named, event)
    first = EventAttachment.objects.get(event=event, stage=AttachmentStage.FEEDBACK)
    # Not closed yet: no after-photo, and its address answers as unknown.
    html = page(event.receipt_number)
    assert 'data-public-state="handled">已处理，待核查<' in html and not PHOTO_URL.findall(html)
    photo_url = f"/grid/track/{event.receipt_number}/photos/{{}}/"
    assert Client().get(photo_url.format(first.pk)).status_code == 404
    # Rework: the first feedback's photo is superseded by the second one's.
    event = step(
        event, "verify_fail", named, "hq_grid", at(3, 10), reason="仍有残留", photos=[png("check.png")]
    )
    event = step(
        event,
        "feedback",
        named,
        "hq_agency",
        at(3, 15),
        inputs={"result": "再次清理"},
        photos=[png("again.png")],
    )
    event = step(event, "verify_pass", named, "dispatcher", at(3, 16))
    second = EventAttachment.objects.filter(event=event, stage=AttachmentStage.FEEDBACK).latest("pk")
    check = EventAttachment.objects.get(event=event, stage=AttachmentStage.VERIFICATION)
    html = page(event.receipt_number)
    assert PHOTO_URL.findall(html) == [photo_url.format(second.pk)]
    assert "核查发现未处理到位，已要求重新处理" in html and "仍有残留" not in html
    assert Client().get(photo_url.format(second.pk)).status_code == 200
    for hidden in (first, report_photo, check):
        assert Client().get(photo_url.format(hidden.pk)).status_code == 404
    # Another report's receipt does not open this report's photo; an unknown receipt neither.
    other = report(named, who=None)
    assert Client().get(f"/grid/track/{other.receipt_number}/photos/{second.pk}/").status_code == 404
    assert Client().get(f"/grid/track/SJ000000XXXXXXXX/photos/{second.pk}/").status_code == 404
    # The staff address of the same photo stays behind the login.
    assert Client().get(f"/grid/photos/{second.pk}/").status_code == 302


def test_a_duplicate_follows_its_original(named: People, tmp_path: Path) -> None:
    # The grid worker's report, accepted before the resident's came in at 10:00.
    with time_machine.travel(at(2, 9), tick=False):
        original = do_report_event(
            actor=named["hq_grid"],
            now=at(2, 9),
            channel="patrol",
            category_code="0102",
            description="路口有垃圾",
            lon=HQ_POINT[0],
            lat=HQ_POINT[1],
        )
    original = step(original, "file", named, "dispatcher", at(2, 9, 30))
    resident = report(named, who=None)
    resident = step(
        resident,
        "mark_duplicate",
        named,
        "dispatcher",
        at(2, 10, 40),
        inputs={"original": original.receipt_number},
    )
    original = step(original, "dispatch", named, "dispatcher", at(2, 11))
    html = page(resident.receipt_number)
    assert 'data-public-state="in_progress">处理中<' in html
    assert [text for _when, text in timeline(html)] == [
        "已收到您的反映",
        "与其他群众反映的同一问题合并办理",
        "已派给办理单位",
    ]


def test_the_expected_date_is_in_plain_words(page_people: People) -> None:
    event = report(page_people, who=None)
    html = page(event.receipt_number)
    assert "预计 3月2日 12:00 前受理（按工作日计算，节假日顺延）" in html
    event = step(event, "file", page_people, "dispatcher", at(2, 10, 30))
    event = step(event, "dispatch", page_people, "dispatcher", at(2, 11))
    event = step(event, "sign", page_people, "hq_agency", at(2, 11, 30))
    assert event.work_item is not None and event.work_item.step_due_at is not None
    due = event.work_item.step_due_at.astimezone(LOCAL)
    html = page(event.receipt_number)
    assert 'data-public-state="in_progress">处理中<' in html
    assert f"预计 {due.month}月{due.day}日 {due:%H:%M} 前处理完毕（按工作日计算，节假日顺延）" in html
    assert "工作小时" not in html and "剩余" not in html and "本环节" not in html
    # Past the deadline: said plainly, with the date it was due.
    with time_machine.travel(at(9, 10), tick=False):
        html = page(event.receipt_number)
    assert f"已超过预计时间（{due.month}月{due.day}日 {due:%H:%M}），正在督促办理。" in html
    # Parked (挂账): the clock is stopped, and the page says so instead of a date.
    event = step(event, "park", page_people, "dispatcher", at(2, 12), reason="等待汛期结束")
    html = page(event.receipt_number)
    assert 'data-public-state="on_hold">暂缓办理<' in html and "暂缓办理期间暂停计时" in html
    assert "等待汛期结束" not in html


def test_an_unknown_receipt_gets_a_clear_message(page_people: People) -> None:
    response = Client().get("/grid/track/", {"receipt": "SJ000000XXXXXXXX"})
    html = response.content.decode()
    assert response.status_code == 404 and 'data-field-error="receipt"' in html
    assert "未找到受理编号 SJ000000XXXXXXXX" in html and "以 SJ 开头，共 16 位" in html
    response = Client().get("/grid/track/NOPE<b>/")
    html = response.content.decode()
    assert response.status_code == 404 and "data-unknown-receipt" in html
    assert "未找到受理编号 NOPE&lt;b&gt;" in html and "<b>" not in html.split("<main>")[1].split("</main>")[0]
    assert 'value="NOPE&lt;b&gt;"' in html  # the number typed stays in the box to correct it


def test_the_public_wording_covers_every_state_and_step_of_the_process() -> None:
    definition = load_file(Path(__file__).resolve().parents[1] / "processes" / "grid_event.yaml")
    assert set(PUBLIC_STATES) == set(definition.states)
    assert set(PUBLIC_STEPS) <= {*definition.actions, "start"}
    assert set(EXPECTATIONS) <= set(definition.states)


def test_the_api_and_open311_say_what_the_pages_say(page_people: People) -> None:
    event = report(page_people, who=None)
    status = Client().get(f"/api/v1/public/reports/{event.receipt_number}/").json()
    assert status["state"] == "reported" and status["public_state"] == "received"
    assert status["state_title"] == "已收到" and status["status"] == "open"
    assert status["expected"] == "预计 3月2日 12:00 前受理（按工作日计算，节假日顺延）"
    assert [step["text"] for step in status["timeline"]] == ["已收到您的反映"]
    assert status["after_photos"] == []
    open311 = Client().get(f"/open311/v2/requests/{event.receipt_number}.json").json()[0]
    assert open311["status"] == "open" and open311["status_notes"] == "已收到"


def test_an_english_session_reads_english(named: People) -> None:
    event = handled(named, report(named, who=None))
    event = step(event, "verify_pass", named, "dispatcher", at(3, 10))
    client = Client()
    client.cookies["django_language"] = "en"
    html = page(event.receipt_number, client)
    assert ">Closed<" in html and "Received your report" in html and "Photo after handling" in html
    for chinese in ("已办结", "已收到您的反映", "办理过程", "处理后照片", "3月"):
        assert chinese not in html
    client.get("/grid/report/")
    html = client.get("/grid/report/").content.decode()
    assert "Not sure / other: staff will classify it" in html and ">Please choose<" in html
