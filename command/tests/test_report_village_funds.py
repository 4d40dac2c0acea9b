"""The monthly report of a village and of its town carry the 三资 section: March 2026 of 黄桥测试村 built
through the 三资 actions (receipts, payments through their approval chain, a town correction, a lease with
an unpaid instalment, an asset purchase), its cells equal to hand-computed ledger totals to the fen, the PDF
in Chinese, and the village's head (村书记) subscribed and served like a town leader."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from command.reports.actions import do_subscribe_report
from command.reports.models import Report
from command.tests.reports_support import APRIL_2, SHANGHAI, generate, sheet_rows
from core.errors import DomainError
from core.pdf import pdf_text
from outbox.models import OutboxMessage
from registry.models import Entity
from registry.testing import synthetic_uscc
from territorial import actions, assets, contracts, funds
from territorial.models import Account, LedgerEntry
from territory.testing import HUANGQIAO_VILLAGE, WEITANG_VILLAGE

pytestmark = pytest.mark.django_db
HUANGQIAO = HUANGQIAO_VILLAGE[:9]
OUTLINE = {
    "type": "Polygon",
    "coordinates": [[[120.5, 31.4], [120.51, 31.4], [120.51, 31.41], [120.5, 31.4]]],
}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


def voucher() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (250, 250, 240)).save(buffer, "PNG")
    return SimpleUploadedFile("voucher.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def village(personas: dict[str, User]) -> dict[str, Any]:
    unit = OrgUnit.objects.get(code="320507003201-vc")
    return {
        **personas,
        "head": make_person("hq_head", unit=unit, role=Role.GRID_HEAD),
        "clerk": make_person("hq_clerk", unit=unit, role=Role.GRID_WORKER),
        "wt_head": make_person(
            "wt_head", unit=OrgUnit.objects.get(code="320507105201-vc"), role=Role.GRID_HEAD
        ),
    }


def pay(
    p: dict[str, Any], account: Account, amount: str, category: str, when: datetime, steps: list[str]
) -> None:
    with time_machine.travel(when, tick=False):
        payment = funds.do_propose_payment(
            account,
            amount=amount,
            payee="苏州某工程有限公司",
            purpose=f"{category} 支出",
            category=category,
            voucher=voucher(),
            actor=p["clerk"],
            now=when,
        )
        for step in steps:
            actor = p["head"] if step.startswith("committee") else p["hq_agency"]
            funds.do_review_payment(payment, step, actor=actor, now=when)


@pytest.fixture
def march(village: dict[str, Any]) -> dict[str, Any]:
    """黄桥测试村's March, by hand:
    opening  10,000.00 (received 20 Feb) + 500.00 (booked 25 Feb, recorded 12 Mar: late for February's
             disclosure, due 10 Mar)                                             = 10,500.00
    income    3,000.50 (5 Mar)
    payments  1,200.25 管理费用 (village settles) + 6,000.00 公益支出 (town approves) + 99.99 其他支出
             (the town's correction)                                             =  7,300.24
    closing  10,500.00 + 3,000.50 − 7,300.24                                     =  6,200.26
    pending  800.00 经营支出 proposed 28 Mar, still waiting; 2,000.00 proposed 30 Mar, rejected 31 Mar
    lease    signed 10 Mar, ends 15 May (within 90 days of 1 Apr); 5,000.00 due 15 Mar not received
    asset    a purchase of 48,000.00 applied 20 Mar.
    Not counted: 700.00 received 1 Apr; 渭塘's village (another town)."""
    p = village
    agency = p["hq_agency"]
    with time_machine.travel(at(2, 1), tick=False):
        org = actions.do_create_organisation(
            village_code=HUANGQIAO_VILLAGE, name="黄桥测试村股份经济合作社", actor=agency, now=at(2, 1)
        )
        account = actions.do_open_account(org, name="农商行基本户", kind="bank", actor=agency, now=at(2, 1))
    for booked, recorded, amount, summary in (
        (date(2026, 2, 20), at(2, 20), "10000.00", "上年结转"),
        (date(2026, 2, 25), at(3, 12), "500.00", "二月鱼塘承包费（补记）"),
        (date(2026, 3, 5), at(3, 5), "3000.50", "厂房租金"),
    ):
        with time_machine.travel(recorded, tick=False):
            actions.do_record_entry(
                account,
                direction="in",
                voucher=voucher(),
                amount=amount,
                booked_on=booked,
                summary=summary,
                actor=agency,
                now=recorded,
            )
    account.refresh_from_db()
    pay(p, account, "1200.25", "management", at(3, 8), ["committee_settle"])
    pay(p, account, "6000.00", "public_welfare", at(3, 9), ["committee_approve", "town_approve"])
    with time_machine.travel(at(3, 11), tick=False):
        actions.do_record_entry(
            account,
            direction="out",
            amount="99.99",
            booked_on=date(2026, 3, 11),
            summary="银行手续费调整",
            actor=agency,
            now=at(3, 11),
        )
    pay(p, account, "800.00", "operating", at(3, 28), [])
    pay(p, account, "2000.00", "operating", at(3, 30), [])
    rejected = funds.Payment.objects.get(amount=Decimal("2000.00"))
    with time_machine.travel(at(3, 31), tick=False):
        funds.do_review_payment(rejected, "reject", actor=p["head"], now=at(3, 31), reason="无预算")
    tenant = Entity.objects.create(
        uscc=synthetic_uscc(HUANGQIAO_VILLAGE, 7),
        name="苏州某农业有限公司",
        legal_representative="李四",
        industry_code="A0111",
        size=Entity.Size.SMALL,
        territory_code=f"{HUANGQIAO_VILLAGE}001",
    )
    with time_machine.travel(at(3, 10), tick=False):
        pond = actions.do_record_resource(
            org, name="东鱼塘", kind="water", area_mu="35.50", outline=OUTLINE, actor=agency, now=at(3, 10)
        )
        contracts.do_sign_contract(
            org,
            contracts.ContractInput(
                number="HT-2026-01",
                starts_on=date(2025, 5, 16),
                ends_on=date(2026, 5, 15),
                annual_price="10000.00",
                schedule=[(date(2026, 3, 15), "5000.00")],
                entity=tenant,
                resource=pond,
            ),
            actor=agency,
            now=at(3, 10),
        )
    with time_machine.travel(at(3, 20), tick=False):
        change = assets.do_propose_asset_change(
            org,
            kind="purchase",
            card={
                "number": "ZC-9",
                "name": "灌溉泵站",
                "kind": "equipment",
                "value": "48000.00",
                "responsible": "王五",
            },
            actor=p["head"],
            now=at(3, 20),
        )
        assets.do_review_asset_change(change, "approve", actor=agency, now=at(3, 20))
    with time_machine.travel(at(4, 1), tick=False):
        actions.do_record_entry(
            account,
            direction="in",
            voucher=voucher(),
            amount="700.00",
            booked_on=date(2026, 4, 1),
            summary="四月租金",
            actor=agency,
            now=at(4, 1),
        )
    with time_machine.travel(at(2, 1), tick=False):
        other = actions.do_create_organisation(
            village_code=WEITANG_VILLAGE, name="渭塘测试村股份经济合作社", actor=p["system"], now=at(2, 1)
        )
        wt_account = actions.do_open_account(
            other, name="基本户", kind="bank", actor=p["system"], now=at(2, 1)
        )
    with time_machine.travel(at(3, 3), tick=False):
        actions.do_record_entry(
            wt_account,
            direction="in",
            voucher=voucher(),
            amount="88888.88",
            booked_on=date(2026, 3, 3),
            summary="渭塘收入",
            actor=p["system"],
            now=at(3, 3),
        )
    return {"account": account}


HEADER_AT = {
    "opening": 3,
    "income": 4,
    "expenditure": 5,
    "operating": 6,
    "management": 7,
    "public_welfare": 8,
    "distribution": 9,
    "other": 10,
    "closing": 11,
}


def funds_rows(xlsx: bytes) -> dict[str, tuple[Any, ...]]:
    return {str(row[0]): row for row in sheet_rows(xlsx, "三资")}


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_the_village_report_holds_the_funds_section_equal_to_the_ledger(
    march: dict[str, Any], village: dict[str, Any]
) -> None:
    report, made = generate(HUANGQIAO_VILLAGE)
    assert made and (report.territory_code, report.territory_name, report.period) == (
        HUANGQIAO_VILLAGE,
        "黄桥测试村",
        "2026-03",
    )
    xlsx = report.xlsx.read()
    header = sheet_rows(xlsx, "三资")
    assert header  # the village row and the total
    rows = funds_rows(xlsx)
    assert set(rows) == {HUANGQIAO_VILLAGE}
    row = rows[HUANGQIAO_VILLAGE]
    figures = {name: money(row[i]) for name, i in HEADER_AT.items()}
    assert figures == {
        "opening": Decimal("10500.00"),
        "income": Decimal("3000.50"),
        "expenditure": Decimal("7300.24"),
        "operating": Decimal("0.00"),
        "management": Decimal("1200.25"),
        "public_welfare": Decimal("6000.00"),
        "distribution": Decimal("0.00"),
        "other": Decimal("99.99"),
        "closing": Decimal("6200.26"),
    }
    # The same figures from the ledger itself (entries booked in March, all entries before April).
    march_entries = LedgerEntry.objects.filter(
        booked_on__range=(date(2026, 3, 1), date(2026, 3, 31)), account=march["account"]
    )
    assert figures["income"] == sum(e.amount for e in march_entries if e.amount > 0)
    assert figures["expenditure"] == -sum(e.amount for e in march_entries if e.amount < 0)
    assert figures["closing"] == sum(
        e.amount for e in LedgerEntry.objects.filter(account=march["account"], booked_on__lt=date(2026, 4, 1))
    )
    signed, expiring, ended, overdue_n, overdue_amount, pending_n, pending_amount, changes = row[12:20]
    assert (signed, expiring, ended, overdue_n, pending_n, changes) == (1, 1, 0, 1, 1, 1)
    assert (money(overdue_amount), money(pending_amount)) == (Decimal("5000.00"), Decimal("800.00"))
    # Balances reconcile; February's disclosure (due 10 March) had an entry booked after the deadline.
    assert row[20:] == ("是", "否", 1)
    book_header = [c.value for c in next(iter(_sheet(xlsx, "三资").iter_rows(max_row=1)))]
    assert book_header[21] == "财务公开按时（2026年2月，3月10日前）"
    assert sheet_rows(xlsx, "三资资产变动") == [
        (datetime(2026, 3, 20), HUANGQIAO_VILLAGE, "购置", "ZC-9", "灌溉泵站", 48000)
    ]

    text = pdf_text(report.pdf.read()).replace(" ", "").replace("\n", "")
    assert "黄桥测试村2026年3月月报" in text
    assert "农村集体“三资”" in text and "本期收入3000.50元，支出7300.24元，期末余额6200.26元" in text
    assert (
        "灌溉泵站" in text
        and "公益支出" in text
        and "2026年2月财务公开有1笔账目在公开期限（3月10日）后补记" in text
    )
    assert report.summary["funds_income"] == "3000.50" and report.summary["funds_reconcile"] is True


def _sheet(xlsx: bytes, title: str) -> Any:
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(xlsx))[title]


def test_the_town_report_sums_its_villages_and_flags_an_unreconciled_account(
    march: dict[str, Any], village: dict[str, Any]
) -> None:
    # A balance written behind the ledger's back: the reconcile flag says so.
    Account.objects.filter(pk=march["account"].pk).update(balance=Decimal("1.00"))
    report, _ = generate(HUANGQIAO)
    rows = funds_rows(report.xlsx.read())
    assert set(rows) == {HUANGQIAO_VILLAGE, HUANGQIAO}  # 渭塘's village is not in 黄桥's report
    village_row, total = rows[HUANGQIAO_VILLAGE], rows[HUANGQIAO]
    assert (
        total[1] == "合计"
        and money(total[4]) == Decimal("3000.50")
        and money(total[11]) == Decimal("6200.26")
    )
    assert village_row[3:20] == total[3:20]
    assert (village_row[20], total[20]) == ("否", "否")
    assert "存在不符" in pdf_text(report.pdf.read()).replace(" ", "").replace("\n", "")


def test_the_village_head_subscribes_and_is_sent_the_village_report(
    march: dict[str, Any], village: dict[str, Any]
) -> None:
    head = village["head"]
    with time_machine.travel(APRIL_2, tick=False):
        do_subscribe_report(
            kind="monthly",
            territory_code=HUANGQIAO_VILLAGE,
            channel="sms",
            address="13800138000",
            actor=head,
            now=APRIL_2,
        )
        refusals = [
            (village["wt_head"], HUANGQIAO_VILLAGE, "monthly", 404),  # another town's village head
            (head, HUANGQIAO, "monthly", 404),  # a village head does not read the town's reports
            (head, HUANGQIAO_VILLAGE, "weekly", 404),  # a village has monthly reports only
            (village["clerk"], HUANGQIAO_VILLAGE, "monthly", 403),  # a grid worker reads no reports
        ]
        for actor, code, kind, status in refusals:
            with pytest.raises(DomainError) as refused:
                do_subscribe_report(
                    kind=kind,
                    territory_code=code,
                    channel="sms",
                    address="13800138000",
                    actor=actor,
                    now=APRIL_2,
                )
            assert refused.value.status == status, (actor, code, kind)
    generate(HUANGQIAO_VILLAGE)
    generate(HUANGQIAO)
    [sms] = OutboxMessage.objects.filter(kind="command.report")
    assert sms.recipient_id == head.pk and "黄桥测试村2026-03月报" in sms.body

    api = APIClient()
    api.force_authenticate(head)
    listed = api.get("/api/v1/command/reports/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["territory_code"] for r in rows] == [HUANGQIAO_VILLAGE]
    town = Report.objects.get(territory_code=HUANGQIAO)
    assert api.get(f"/api/v1/command/reports/{town.pk}/").status_code == 404
    village_report = Report.objects.get(territory_code=HUANGQIAO_VILLAGE)
    assert api.get(f"/api/v1/command/reports/{village_report.pk}/download/xlsx/").status_code == 200
    outsider = APIClient()
    outsider.force_authenticate(village["wt_head"])
    assert outsider.get(f"/api/v1/command/reports/{village_report.pk}/").status_code == 404
    page = Client()
    page.force_login(head)
    listed_page = page.get("/command/reports/")
    assert listed_page.status_code == 200
    text = listed_page.content.decode()
    assert (
        f"/command/reports/{village_report.pk}/pdf/" in text
        and f"/command/reports/{town.pk}/pdf/" not in text
    )
    assert page.get(f"/command/reports/{village_report.pk}/pdf/").status_code == 200
    assert page.get(f"/command/reports/{town.pk}/pdf/").status_code == 404
    leader = APIClient()
    leader.force_authenticate(village["hq_leader"])
    codes = {r["territory_code"] for r in leader.get("/api/v1/command/reports/").json()["results"]}
    assert codes == {HUANGQIAO, HUANGQIAO_VILLAGE}
