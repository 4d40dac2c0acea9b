"""The approvals pages: public guide, catalogue, apply, track; window intake; application; report."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from approvals.catalogue import rows_from_dicts, workbook_bytes
from approvals.models import Application
from approvals.testing import CONFIRM_CODE, ID_NUMBER, LICENCE_CODE, PHONE, catalogue_record, pdf_upload
from outbox.models import OutboxMessage

from .conftest import NOW
from .test_intake import COMPANY


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def window_post(client: Client, **overrides: Any) -> Any:
    data = {
        "applicant_kind": "legal",
        "applicant_name": "苏州黄桥小厨餐饮店",
        "applicant_number": COMPANY,
        "applicant_phone": PHONE,
        "materials": ["营业执照", "经营场所平面图"],
        "decision": "accept",
        "reason": "",
    }
    data.update(overrides)
    return client.post(f"/approvals/window/?centre=320507003-service&item={LICENCE_CODE}", data)


def test_public_guide(setup: dict[str, Any]):
    response = Client().get(f"/approvals/guide/{LICENCE_CODE}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "食品经营许可（小餐饮）" in html and "经营场所平面图" in html
    assert 'class="flow"' in html and "1. 申请" in html and "5. 送达" in html  # flow chart
    assert "<svg" in html and "0512-65811234" in html and "相城区政务服务中心二楼" in html
    assert "网上申请" in html
    assert Client().get("/approvals/guide/NOPE/").status_code == 404


def test_catalogue_filters(setup: dict[str, Any]):
    html = Client().get("/approvals/", {"type": "QR"}).content.decode()
    assert "城乡居民基本养老保险参保登记" in html and "食品经营许可" not in html
    template = login(setup["steward"]).get("/approvals/catalogue/template.xlsx")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")


def test_window_intake_page(setup: dict[str, Any]):
    clerk = login(setup["hq_clerk"])
    page = clerk.get(f"/approvals/window/?item={LICENCE_CODE}")
    assert page.status_code == 200 and "经营场所平面图" in page.content.decode()
    response = window_post(clerk)
    assert response.status_code == 303
    app = Application.objects.get()
    assert response["Location"] == f"/approvals/applications/{app.pk}/"
    detail = clerk.get(response["Location"]).content.decode()
    assert app.receipt_no in detail and "审查中" in detail
    receipt = clerk.get(f"/approvals/applications/{app.pk}/receipt/").content.decode()
    assert "受理通知书" in receipt and app.receipt_no in receipt


def test_window_scans_are_kept(setup: dict[str, Any], settings: Any, tmp_path: Any):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    scan = SimpleUploadedFile("licence.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    assert window_post(login(setup["hq_clerk"]), scans=[scan]).status_code == 303
    attachment = Application.objects.get().attachments.get()
    assert attachment.file.read() == b"%PDF-1.4 scan"
    bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")
    response = window_post(login(setup["hq_clerk"]), scans=[bad])
    assert response.status_code == 400 and Application.objects.count() == 1


def test_window_bad_input_and_refusals(setup: dict[str, Any]):
    clerk = login(setup["hq_clerk"])
    bad = window_post(clerk, applicant_number="123")
    assert bad.status_code == 400 and 'data-field-error="applicant_number"' in bad.content.decode()
    assert not Application.objects.exists()
    assert login(setup["hq_agency"]).get("/approvals/window/").status_code == 403
    anonymous = Client().get("/approvals/window/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_application_page_actions_and_outsider(setup: dict[str, Any]):
    window_post(login(setup["hq_clerk"]))
    app = Application.objects.get()
    url = f"/approvals/applications/{app.pk}/"
    approver = login(setup["district_approver"])
    page = approver.get(url).content.decode()
    assert 'data-action="pass_review"' in page and 'data-action="request_review_corrections"' in page
    response = approver.post(
        url, {"action": "request_review_corrections", "version": 2, "reason": "补平面图"}
    )
    assert response.status_code == 303
    app.refresh_from_db()
    assert app.work_item is not None and app.work_item.state == "review_corrections"
    stale = approver.post(url, {"action": "pass_review", "version": 2})
    assert stale.status_code == 400
    assert login(setup["wt_clerk"]).get(url).status_code == 404
    assert login(setup["wt_grid"]).get(url).status_code == 404


def test_track(setup: dict[str, Any]):
    window_post(login(setup["hq_clerk"]))
    app = Application.objects.get()
    ok = Client().get("/approvals/track/", {"receipt_no": app.receipt_no, "phone_last4": PHONE[-4:]})
    html = ok.content.decode()
    assert ok.status_code == 200 and "审查中" in html and "区行政审批局" in html and "剩余" in html
    assert COMPANY not in html and PHONE not in html
    wrong = Client().get("/approvals/track/", {"receipt_no": app.receipt_no, "phone_last4": "0000"})
    assert wrong.status_code == 404 and "data-progress" not in wrong.content.decode()


def test_track_guesses_are_limited_per_receipt_and_per_client(setup: dict[str, Any], settings: Any):
    settings.APPROVALS_TRACK_FAILURES_PER_RECEIPT_DAY = 3
    settings.APPROVALS_TRACK_FAILURES_PER_CLIENT_HOUR = 5
    window_post(login(setup["hq_clerk"]))
    app = Application.objects.get()
    right = {"receipt_no": app.receipt_no, "phone_last4": PHONE[-4:]}
    guesses = [
        Client().get("/approvals/track/", {**right, "phone_last4": f"{n:04d}"}, REMOTE_ADDR=f"198.51.100.{n}")
        for n in range(3)
    ]
    assert [g.status_code for g in guesses] == [404, 404, 404]
    # The receipt's budget is spent: even the right digits, from a fresh address, wait (no oracle).
    blocked = Client().get("/approvals/track/", right, REMOTE_ADDR="203.0.113.1")
    assert blocked.status_code == 429 and "data-progress" not in blocked.content.decode()
    assert "查询失败次数过多" in blocked.content.decode()
    # One client walking many receipts runs out too.
    walker = Client(REMOTE_ADDR="203.0.113.2")
    tries = [
        walker.get("/approvals/track/", {"receipt_no": f"X{n}", "phone_last4": "1234"}) for n in range(6)
    ]
    assert [t.status_code for t in tries] == [404] * 5 + [429]


def test_online_application_with_phone_code(setup: dict[str, Any]):
    client = Client()
    data = {
        "centre": "320507003-service",
        "applicant_kind": "natural",
        "applicant_name": "王秀英",
        "applicant_number": ID_NUMBER,
        "applicant_phone": PHONE,
        "step": "send",
    }
    sent = client.post(f"/approvals/apply/{CONFIRM_CODE}/", data)
    assert sent.status_code == 200
    sms = OutboxMessage.objects.filter(kind="phone_code").get()
    code = re.search(r"\d{6}", sms.body)
    assert code is not None
    files = {"materials_0": pdf_upload("id.pdf"), "materials_1": pdf_upload("hukou.pdf")}
    wrong = client.post(
        f"/approvals/apply/{CONFIRM_CODE}/", {**data, "step": "submit", "code": "000000", **files}
    )
    assert wrong.status_code == 400 and not Application.objects.exists()
    files = {"materials_0": pdf_upload("id.pdf"), "materials_1": pdf_upload("hukou.pdf")}
    done = client.post(
        f"/approvals/apply/{CONFIRM_CODE}/", {**data, "step": "submit", "code": code.group(), **files}
    )
    assert done.status_code == 303
    app = Application.objects.get()
    assert app.channel == "online" and app.work_item is not None and app.work_item.state == "submitted"
    assert app.receipt_no in client.get(done["Location"]).content.decode()


def test_report_page(setup: dict[str, Any]):
    html = login(setup["dispatcher"]).get("/approvals/report/").content.decode()
    assert 'data-centre="320507105-service"' in html and "差 196 项" in html


def test_import_page_reports_every_bad_row(setup: dict[str, Any]):
    records = [
        catalogue_record(
            **{"实施编码": LICENCE_CODE + "1", "实施主体统一社会信用代码": "113205070000000190"}
        ),
        catalogue_record(**{"实施编码": LICENCE_CODE + "2", "承诺办结时限": ""}),
    ]
    upload = io.BytesIO(
        workbook_bytes(
            [dict(zip(rows_from_dicts(records)[0], r, strict=True)) for r in rows_from_dicts(records)[1:]]
        )
    )
    upload.name = "catalogue.xlsx"
    steward = login(setup["steward"])
    response = steward.post("/approvals/catalogue/import/", {"file": upload})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-problem-row="2"' in html and 'data-problem-row="3"' in html
    assert login(setup["hq_clerk"]).get("/approvals/catalogue/import/").status_code == 403
    export = steward.get("/approvals/catalogue/export.xlsx")
    assert export.status_code == 200 and len(export.content) > 1000
