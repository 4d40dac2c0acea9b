"""A monthly report for a past month (March 2026, holding the planted week of grid/tests/test_figures.py):
generated once, delivered to its subscribers through the outbox, and its cells equal the desk's figures."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import AuditEvent
from command import indicators as ind
from command.reports.actions import do_subscribe_report
from command.reports.models import Report
from command.tests.reports_support import APRIL_2, MARCH, SHANGHAI, figure_cells, generate, sheet_rows
from core.pdf import pdf_text
from grid.events.report import do_report_event
from grid.events.steps import do_event_action
from grid.tests.test_figures import HUANGQIAO, Scenario, at
from notifications import delivery
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def subscribe(user: User, channel: str, address: str) -> None:
    with time_machine.travel(APRIL_2, tick=False):
        do_subscribe_report(
            kind="monthly",
            territory_code=HUANGQIAO,
            channel=channel,
            address=address,
            actor=user,
            now=APRIL_2,
        )


def test_march_report_is_made_once_delivered_and_equals_the_desk(
    week: Callable[[], Scenario], personas: dict[str, User], settings: Any
) -> None:
    s = week()
    s.act("E4", "unpark", at(5, 9), "dispatcher")
    s.sweep(at(5, 14, 5))  # E4 overdue and still open at the end of March
    subscribe(personas["hq_leader"], "email", "leader@example.org")
    subscribe(personas["dispatcher"], "sms", "13800138000")
    settings.PUBLIC_BASE_URL = "https://zhili.example.gov.cn"

    report, made = generate(HUANGQIAO)

    assert made and (report.kind, report.period, report.territory_name) == ("monthly", "2026-03", "黄桥街道")
    assert (report.first_day, report.end_day) == MARCH
    xlsx, pdf = report.xlsx.read(), report.pdf.read()
    assert report.xlsx_sha256 == hashlib.sha256(xlsx).hexdigest()
    assert report.pdf_sha256 == hashlib.sha256(pdf).hexdigest()

    # Its numbers are the desk's: figures() for March and the figures API for the same days.
    cells = figure_cells(xlsx)
    figures = ind.figures(HUANGQIAO, *MARCH)
    api = APIClient()
    api.force_authenticate(personas["hq_leader"])
    desk = api.get(
        "/api/v1/command/figures/",
        {"level": "town", "code": HUANGQIAO, "from": "2026-03-01", "to": "2026-03-31"},
    ).json()["indicators"]
    compared = 0
    for code, row in cells.items():
        figure = figures[code]
        if not figure["connected"]:
            assert str(row[0]).startswith("未接入") and desk[code]["connected"] is False
            continue
        expected = (figure["value"], figure["previous"], figure["mom"], figure["last_year"], figure["yoy"])
        assert row == expected, code
        assert row[0] == desk[code]["value"] and row[2] == desk[code]["mom"] and row[4] == desk[code]["yoy"]
        compared += 1
    # Every connected indicator of the five sources (巡查覆盖率, 漏报率, the 属地管理 warnings and 财务公开,
    # the late 代办需求).
    assert compared == 60
    assert cells["filed"][0] == 5 and cells["closed"][0] == 5 and cells["closure_rate"][0] == 1.0
    assert cells["overdue_open"][0] == 1
    assert [row[7] for row in sheet_rows(xlsx, "指标") if row[0] == "score"] == [figures["score"]["grade"]]

    # The other sections.
    assert sheet_rows(xlsx, "来源构成") == [
        ("hotline", "12345 热线", 0.2),
        ("patrol", "网格员巡查上报", 0.6),
        ("resident_web", "群众网上反映", 0.2),
    ]
    assert sheet_rows(xlsx, "事件部件") == [("event", "事件", 1.0)]
    assert [row[2] for row in sheet_rows(xlsx, "高发类别前三")] == [5]
    ranking = sheet_rows(xlsx, "单位排名")
    village = ind.values_of(ind.counts("320507003201", *MARCH))
    assert ranking[0][:5] == (1, "320507003201", ranking[0][2], village["score"], ind.grade(village["score"]))
    assert [row[0] for row in sheet_rows(xlsx, "超期未办")] == [s.events["E4"].receipt_number]
    # No warning was raised in this March (the section's counting is tested in warnings/test_period_summary).
    assert sheet_rows(xlsx, "预警")[:6] == [
        ("发出预警", 0),
        ("办结", 0),
        ("误报撤销", 0),
        ("自动解除", 0),
        ("督办", 0),
        ("期末仍未办结", 0),
    ]
    text = pdf_text(pdf).replace(" ", "")
    assert (
        "黄桥街道2026年3月月报" in text
        and "本期发出预警0条" in text
        and s.events["E4"].receipt_number in text
    )

    # Delivered through the outbox: an e-mail with both files, an SMS with the link.
    messages = {m.channel: m for m in OutboxMessage.objects.filter(kind="command.report")}
    assert set(messages) == {"email", "sms"}
    assert messages["sms"].address == "13800138000"
    assert f"https://zhili.example.gov.cn/command/reports/{report.pk}/pdf/" in messages["sms"].body
    assert delivery.deliver_messages([messages["email"].pk], now=APRIL_2).sent == [messages["email"].pk]
    [email] = mail.outbox
    assert email.to == ["leader@example.org"] and email.subject == "黄桥街道2026-03月报"
    attached = {name: data for name, data, _ in email.attachments}
    assert attached["黄桥街道2026-03月报.xlsx"] == xlsx and attached["黄桥街道2026-03月报.pdf"] == pdf

    # Once: a second run changes nothing and sends nothing.
    again, made_again = generate(HUANGQIAO, now=APRIL_2.replace(hour=11))
    assert (again.pk, made_again) == (report.pk, False)
    assert Report.objects.count() == 1 and again.xlsx_sha256 == report.xlsx_sha256
    assert OutboxMessage.objects.filter(kind="command.report").count() == 2
    assert AuditEvent.objects.filter(action="command.report.generate").count() == 1


def test_the_pdf_page_shows_the_chart(week: Callable[[], Scenario], personas: dict[str, User]) -> None:
    """The ranking chart (red SVG bars) is drawn on a rendered page of the PDF."""
    import pypdfium2

    week()
    report, _ = generate(HUANGQIAO)
    document = pypdfium2.PdfDocument(report.pdf.read())
    reds = 0
    for index in range(len(document)):
        image = document[index].render(scale=1).to_pil().convert("RGB")
        reds += sum(1 for r, g, b in image.get_flattened_data() if r > 170 and g < 90 and b < 80)
    assert reds > 500


def test_a_report_at_23_30_on_the_last_day_belongs_to_that_month(
    reference: Any, personas: dict[str, User]
) -> None:
    """Local (Asia/Shanghai) boundaries: 31 March 23:30 is 15:30 UTC, in March; 1 April 00:30 is April."""
    for when in (
        datetime(2026, 3, 31, 23, 30, tzinfo=SHANGHAI),
        datetime(2026, 4, 1, 0, 30, tzinfo=SHANGHAI),
    ):
        with time_machine.travel(when, tick=False):
            event = do_report_event(
                actor=personas["hq_grid"],
                now=when,
                channel="patrol",
                category_code="0102",
                description="路边有暴露垃圾",
                grid_code="320507003201001",
            )
        filed_at = when + timedelta(minutes=5)
        with time_machine.travel(filed_at, tick=False):
            do_event_action(event, "file", actor=personas["dispatcher"], now=filed_at)
    may_2 = datetime(2026, 5, 2, 9, 0, tzinfo=SHANGHAI)
    march, _ = generate(HUANGQIAO, now=may_2)
    april, _ = generate(HUANGQIAO, key="2026-04", now=may_2)
    for report in (march, april):
        cells = figure_cells(report.xlsx.read())
        assert (cells["accepted"][0], cells["filed"][0]) == (1, 1), report.period
    # Days cut in UTC would have put both reports into 31 March.
    assert ind.figures(HUANGQIAO, *MARCH)["filed"]["value"] == 1


def test_a_subscriber_who_lost_the_jurisdiction_gets_nothing(
    reference: Any, personas: dict[str, User]
) -> None:
    from accounts.models import Assignment

    subscribe(personas["hq_leader"], "sms", "13800138000")
    subscribe(personas["dispatcher"], "sms", "13900139000")
    Assignment.objects.filter(user=personas["hq_leader"]).update(active=False)  # moved to another post
    generate(HUANGQIAO)
    assert list(OutboxMessage.objects.filter(kind="command.report").values_list("address", flat=True)) == [
        "13900139000"
    ]
