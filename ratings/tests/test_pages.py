"""/ratings/rate/ (receipt number + phone code → form), /ratings/pad/<id>/ and /ratings/figures/."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from outbox.models import OutboxMessage
from ratings.models import Rating
from ratings.tests.factories import PHONE, make_application

pytestmark = pytest.mark.django_db

ONLINE_FORM = {
    "stage": "completed",
    "level": "1",
    "score_overall": "1",
    "score_efficiency": "2",
    "score_guide_accuracy": "2",
    "score_convenience": "1",
    "score_usability": "3",
    "comment": "跑了三趟",
}
WINDOW_FORM = {
    "stage": "completed",
    "level": "5",
    "score_overall": "5",
    "score_service_efficiency": "5",
    "score_service_level": "4",
    "score_service_attitude": "5",
}


@pytest.fixture
def application(people: dict[str, Any], item: Any, now: datetime) -> Any:
    return make_application(centre=people["hq_centre"], clerk=people["hq_clerk"], item=item, now=now)


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_online_flow(application: Any, frozen: Any) -> None:
    client = Client()
    page = client.get("/ratings/rate/")
    assert page.status_code == 200 and "获取短信验证码" in page.content.decode()
    sent = client.post(
        "/ratings/rate/", {"receipt_no": application.receipt_no, "phone": PHONE, "step": "send"}
    )
    assert sent.status_code == 200 and "验证码已发送" in sent.content.decode()
    code = "".join(ch for ch in OutboxMessage.objects.get(kind="phone_code").body if ch.isdigit())[:6]
    # Before verification the form is not reachable.
    assert client.get("/ratings/rate/form/").status_code == 302
    verified = client.post(
        "/ratings/rate/",
        {"receipt_no": application.receipt_no, "phone": PHONE, "code": code, "step": "verify"},
    )
    assert verified.status_code == 303 and verified["Location"] == "/ratings/rate/form/"
    form = client.get("/ratings/rate/form/")
    assert "平台操作性" in form.content.decode() and "受理后评价" in form.content.decode()
    done = client.post("/ratings/rate/form/", ONLINE_FORM)
    assert done.status_code == 200 and "15个工作日内回访" in done.content.decode()
    rating = Rating.objects.get()
    assert (rating.channel, rating.level, rating.scores["usability"]) == ("online", 1, 3)
    assert rating.rectification is not None


def test_online_refusals(application: Any, frozen: Any) -> None:
    client = Client()
    wrong = client.post(
        "/ratings/rate/", {"receipt_no": application.receipt_no, "phone": "13900139000", "step": "send"}
    )
    assert wrong.status_code == 404 and 'data-field-error="receipt_no"' in wrong.content.decode()
    assert not OutboxMessage.objects.filter(kind="phone_code").exists()
    empty = client.post("/ratings/rate/", {"step": "send"})
    assert empty.status_code == 400 and 'data-field-error="phone"' in empty.content.decode()
    client.post("/ratings/rate/", {"receipt_no": application.receipt_no, "phone": PHONE, "step": "send"})
    bad_code = client.post(
        "/ratings/rate/",
        {"receipt_no": application.receipt_no, "phone": PHONE, "code": "12", "step": "verify"},
    )
    assert bad_code.status_code == 400 and 'data-field-error="code"' in bad_code.content.decode()


def test_window_pad(application: Any, people: dict[str, Any], frozen: Any) -> None:
    client = _login(people["hq_clerk"])
    page = client.get(f"/ratings/pad/{application.pk}/")
    assert page.status_code == 200 and "服务态度" in page.content.decode()
    missing = client.post(f"/ratings/pad/{application.pk}/", {**WINDOW_FORM, "score_service_level": ""})
    assert missing.status_code == 400 and 'data-field-error="score_service_level"' in missing.content.decode()
    bad = client.post(f"/ratings/pad/{application.pk}/", {**WINDOW_FORM, "level": "2"})
    assert bad.status_code == 400 and 'data-field-error="comment"' in bad.content.decode()
    done = client.post(f"/ratings/pad/{application.pk}/", WINDOW_FORM)
    assert done.status_code == 200 and "感谢您的评价" in done.content.decode()
    rating = Rating.objects.get()
    assert (rating.channel, rating.recorded_by) == ("window", people["hq_clerk"])


def test_window_pad_refusals(application: Any, people: dict[str, Any], frozen: Any) -> None:
    assert Client().get(f"/ratings/pad/{application.pk}/").status_code == 302
    assert _login(people["hq_agency"]).get(f"/ratings/pad/{application.pk}/").status_code == 403
    assert _login(people["wt_clerk"]).get(f"/ratings/pad/{application.pk}/").status_code == 404
    assert _login(people["hq_clerk"]).get("/ratings/pad/999999/").status_code == 404


def test_figures_page(application: Any, people: dict[str, Any], frozen: Any) -> None:
    _login(people["hq_clerk"]).post(f"/ratings/pad/{application.pk}/", WINDOW_FORM)
    page = _login(people["hq_leader"]).get("/ratings/figures/?by=clerk")
    body = page.content.decode()
    assert page.status_code == 200 and "黄桥窗口甲" in body and "ratings-chart-data" in body
    assert "100%" in body
    outsider = _login(people["wt_clerk"]).get("/ratings/figures/?by=clerk").content.decode()
    assert "黄桥窗口甲" not in outsider
    assert _login(people["hq_grid"]).get("/ratings/figures/").status_code == 403
    bad = _login(people["hq_leader"]).get("/ratings/figures/?to=tomorrow")
    assert bad.status_code == 400 and 'data-field-error="to"' in bad.content.decode()
    assert Client().get("/ratings/figures/").status_code == 302


def test_list_and_rectification_page(application: Any, people: dict[str, Any], frozen: Any) -> None:
    clerk = _login(people["hq_clerk"])
    clerk.post(f"/ratings/pad/{application.pk}/", {**WINDOW_FORM, "level": "1", "comment": "态度差"})
    rating = Rating.objects.get()
    listing = clerk.get("/ratings/?bad=1&open=1").content.decode()
    assert application.receipt_no in listing and "2026-03-23 17:30" in listing
    page = clerk.get(f"/ratings/{rating.pk}/").content.decode()
    assert "待回访" in page and 'data-action="callback"' in page and 'data-action="uphold_appeal"' not in page
    missing = clerk.post(f"/ratings/{rating.pk}/", {"action": "callback"})
    assert (
        missing.status_code == 400 and 'data-field-error="inputs.callback_note"' in missing.content.decode()
    )
    assert (
        clerk.post(
            f"/ratings/{rating.pk}/", {"action": "callback", "field_callback_note": "已回访"}
        ).status_code
        == 303
    )
    clerk.post(f"/ratings/{rating.pk}/", {"action": "reply", "field_outcome": "已整改并致歉"})
    rating.refresh_from_db()
    assert rating.outcome_sent_at is not None
    assert "已整改答复" in clerk.get(f"/ratings/{rating.pk}/").content.decode()
    # The outsider: 404; a grid worker: no access to the ratings list.
    assert _login(people["wt_clerk"]).get(f"/ratings/{rating.pk}/").status_code == 404
    assert _login(people["hq_grid"]).get("/ratings/").status_code == 403


def test_appeal_review_on_the_page(application: Any, people: dict[str, Any], frozen: Any) -> None:
    clerk = _login(people["hq_clerk"])
    clerk.post(f"/ratings/pad/{application.pk}/", {**WINDOW_FORM, "level": "2", "comment": "慢"})
    rating = Rating.objects.get()
    clerk.post(f"/ratings/{rating.pk}/", {"action": "callback", "field_callback_note": "申请人称误评"})
    clerk.post(f"/ratings/{rating.pk}/", {"action": "appeal", "reason": "申请人确认误评"})
    assert "暂停计时" in clerk.get(f"/ratings/{rating.pk}/").content.decode()
    refused = clerk.post(f"/ratings/{rating.pk}/", {"action": "uphold_appeal", "reason": "自审"})
    assert refused.status_code == 403
    bureau = _login(people["bureau_approver"])
    assert 'data-action="uphold_appeal"' in bureau.get(f"/ratings/{rating.pk}/").content.decode()
    bureau.post(f"/ratings/{rating.pk}/", {"action": "uphold_appeal", "reason": "录音证实"})
    rating.refresh_from_db()
    assert rating.excluded
