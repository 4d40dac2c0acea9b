"""The crawler: personal data planted in every free-text field staff and residents write (grid reports,
feedback, public replies, void reasons, enforcement decisions, applications, corrections notes,
certificate titles and revocations, rating comments, the village's 三资: payees, purposes of payments,
assets, resources and contract parties), then every public page and API of README "Residents, without
logging in", the village 财务公开 and Open311 walked anonymously, following links: none of it appears.
The text also names a registered resident whom no caller passes to the scrubber (the registries know
him). Party work has no public page (every party view needs a log-in), so it plants nothing here."""

from __future__ import annotations

import re
from collections import deque
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.testing import image_bytes

pytestmark = pytest.mark.django_db

# Monday 2 November 2026, 10:00 in Suzhou: a working day.
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
CITIZEN_ID = "320507199001011236"  # valid check character
OLD_ID = "110105491231002"  # 15 digits, before 1999
MOBILE = "13812345678"
CARD = "6222021234567890128"  # 19 digits, Luhn-valid
NAME = "张三丰"
REGISTERED = "李建国"  # a resident of the registries, written without any label before it
ROOM = "401室"
PLANTED = (CITIZEN_ID, OLD_ID, MOBILE, "138 1234 5678", CARD, NAME, REGISTERED, ROOM)
TEXT = (
    f"{REGISTERED}代为转告：姓名：{NAME}，身份证{CITIZEN_ID}（旧证{OLD_ID}），手机{MOBILE}，"
    f"也可拨 138 1234 5678，银行卡{CARD}，住12幢3单元{ROOM}"
)
ENTERPRISE = "苏州相城黄桥路桥工程有限公司"  # a payee whose name is public information
VILLAGE = "320507003201"
JPEG = image_bytes("JPEG")  # uploads are decoded and re-encoded: a real image
SKIP = ("/static/", "/admin/", "/login", "/logout", "/i18n/", "/media/", "/api/docs", "/api/schema")
MAX_PAGES = 250


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("p.jpg", JPEG, content_type="image/jpeg")


def _grid_events(people: dict[str, Any]) -> list[str]:
    from grid.events.publication import do_release_description
    from grid.events.rating import do_rate_event
    from grid.events.report import do_report_event
    from grid.events.steps import do_event_action
    from grid.standards.actions import do_seed_reference

    do_seed_reference(actor=people["system"], now=NOW)

    def act(event: Any, action: str, who: str, **kwargs: Any) -> Any:
        return do_event_action(event, action, actor=people[who], now=NOW, **kwargs)

    point: dict[str, Any] = {"category_code": "0102", "lon": 120.555, "lat": 31.405}
    resident = do_report_event(
        actor=None,
        now=NOW,
        channel="resident_web",
        description=TEXT,
        address=f"黄桥街道春申路 12幢3单元{ROOM}（{NAME} {MOBILE}）",
        reporter_name=NAME,
        reporter_phone=MOBILE,
        publish_consent=True,
        **point,
    )
    do_release_description(resident, actor=people["dispatcher"], now=NOW)
    resident = act(resident, "file", "dispatcher")
    resident = act(resident, "dispatch", "dispatcher", reason=TEXT)
    resident = act(resident, "sign", "hq_agency")
    resident = act(
        resident, "feedback", "hq_agency", inputs={"result": TEXT, "public_reply": TEXT}, photos=[_photo()]
    )
    resident = act(resident, "verify_pass", "dispatcher", reason=TEXT, inputs={"public_reply": TEXT})
    do_rate_event(resident, rating=2, comment=TEXT, now=NOW)

    patrol = do_report_event(
        actor=people["hq_grid"], now=NOW, channel="patrol", description=TEXT, address=TEXT[:290], **point
    )
    act(patrol, "void", "dispatcher", reason=TEXT, inputs={"public_reply": TEXT})

    hotline = do_report_event(
        actor=people["dispatcher"],
        now=NOW,
        channel="hotline",
        description=TEXT,
        reporter_name=NAME,
        reporter_phone=MOBILE,
        category_code="0102",
        grid_code="320507003201001",
    )
    hotline = act(hotline, "file", "dispatcher")
    hotline = act(hotline, "dispatch", "dispatcher")
    hotline = act(hotline, "sign", "hq_agency")
    act(hotline, "feedback", "hq_agency", inputs={"result": TEXT}, photos=[_photo()])
    return [resident.receipt_number, patrol.receipt_number, hotline.receipt_number]


def _enforcement(people: dict[str, Any]) -> None:
    from enforcement.cases.publication import do_publish_decision
    from enforcement.tests.test_documents_support import make_case, squad_people

    squad = squad_people(people, NOW)
    case = make_case(
        squad,
        now=NOW,
        number="黄综执立〔2026〕1号",
        decision_number="相黄综执罚决字〔2026〕第0001号",
        decided_at=NOW,
        fine_amount=Decimal("100"),
        penalty_summary=TEXT,
        decision_basis=TEXT,
    )
    case.party_name, case.facts, case.party_address, case.address = NAME, TEXT, TEXT[:290], TEXT[:290]
    case.save(update_fields=["party_name", "facts", "party_address", "address"])
    do_publish_decision(case, actor=squad["officer"], now=NOW)


def _approvals_licences_ratings(people: dict[str, Any]) -> dict[str, str]:
    from approvals.actions import ApplicantInput, do_take_application
    from approvals.testing import LICENCE_CODE, make_approvals
    from licences.actions import do_issue_certificate, do_revoke_certificate
    from licences.reference import APPROVAL_BUREAU, do_seed_licence_types, synthetic_credit_code
    from ratings.actions import do_rate_application
    from ratings.models import RatingChannel
    from ratings.tests.factories import ONLINE_SCORES, make_application, make_item

    setup = make_approvals(people, NOW)
    application = do_take_application(
        actor=setup["hq_clerk"],
        now=NOW,
        decision="corrections",
        reason=TEXT,
        item_code=LICENCE_CODE,
        centre=setup["hq_centre"],
        applicant=ApplicantInput("natural", NAME, CITIZEN_ID, MOBILE),
        materials=["营业执照"],
    )
    do_seed_licence_types(
        actor=people["system"],
        now=NOW,
        no_housing_issuer=setup["approval_bureau"],
        issuer_credit_code=synthetic_credit_code("11", "320507", "MB176824"),
    )
    kept = do_issue_certificate(
        actor=setup["hq_clerk"],
        now=NOW,
        licence_type=f"{APPROVAL_BUREAU}001",
        holder_name=NAME,
        holder_kind="natural",
        holder_number=CITIZEN_ID,
        issuer=setup["hq_centre"],
        issuer_credit_code=synthetic_credit_code("11", "320507", "MB1A0003"),
        title=f"准予行政许可决定书（{NAME}）",
        body=[("许可内容", TEXT)],
    )
    revoked = do_issue_certificate(
        actor=setup["hq_clerk"],
        now=NOW,
        licence_type=f"{APPROVAL_BUREAU}001",
        holder_name=NAME,
        holder_kind="natural",
        holder_number=CITIZEN_ID,
        issuer=setup["hq_centre"],
        issuer_credit_code=synthetic_credit_code("11", "320507", "MB1A0003"),
        title="准予行政许可决定书",
        body=[("许可内容", "门头招牌")],
    )
    do_revoke_certificate(revoked, actor=setup["hq_clerk"], now=NOW, reason=TEXT[:480])
    rated = make_application(
        centre=setup["hq_centre"], clerk=setup["hq_clerk"], item=make_item(now=NOW), now=NOW, phone=MOBILE
    )
    do_rate_application(
        rated,
        stage="completed",
        channel=RatingChannel.ONLINE,
        level=5,
        scores=ONLINE_SCORES,
        comment=TEXT[:200],
        actor=None,
        now=NOW,
    )
    return {
        "receipt_no": application.receipt_no,
        "rated_receipt_no": rated.receipt_no,
        "rated_id": str(rated.pk),
        "certificates": f"{kept.identifier} {revoked.identifier}",
        "guide": LICENCE_CODE,
    }


def _collective_finances(people: dict[str, Any]) -> str:
    """黄桥测试村's 三资 this month: a person and an enterprise paid, an asset bought, contracts with a
    person and an enterprise; the planted text in every field the public page shows. Its path."""
    from accounts.models import OrgUnit, Role
    from accounts.testing import make_person
    from registry.actions import do_register_entity
    from registry.models import Person
    from registry.testing import synthetic_uscc
    from territorial import actions
    from territorial.assets import do_propose_asset_change, do_review_asset_change
    from territorial.contracts import ContractInput, do_sign_contract
    from territorial.funds import do_propose_payment, do_review_payment

    village = OrgUnit.objects.get(code=f"{VILLAGE}-vc")
    head = make_person("crawl_head", unit=village, role=Role.GRID_HEAD)
    clerk = make_person("crawl_clerk", unit=village, role=Role.GRID_WORKER)
    org = actions.do_create_organisation(
        village_code=VILLAGE, name="黄桥测试村股份经济合作社", actor=people["system"], now=NOW
    )
    account = actions.do_open_account(org, name="基本户", kind="bank", actor=people["hq_agency"], now=NOW)
    actions.do_record_entry(
        account,
        direction="in",
        voucher=_photo(),
        amount="50000",
        booked_on=NOW.date(),
        summary=f"租金（{TEXT}）"[:200],
        actor=people["hq_agency"],
        now=NOW,
    )
    account.refresh_from_db()  # the balance moved in the database
    for payee in (NAME, ENTERPRISE):
        payment = do_propose_payment(
            account, amount="100", payee=payee, purpose=TEXT, voucher=_photo(), actor=clerk, now=NOW
        )
        do_review_payment(payment, "committee_settle", actor=head, now=NOW)
    card = {"number": "ZC-1", "name": TEXT[:100], "kind": "building", "value": "5000", "responsible": NAME}
    bought = do_propose_asset_change(org, kind="purchase", card=card, actor=head, now=NOW)
    asset = do_review_asset_change(bought, "approve", actor=people["hq_agency"], now=NOW).asset
    square = [[[120.55, 31.40], [120.551, 31.40], [120.551, 31.401], [120.55, 31.40]]]
    land = actions.do_record_resource(
        org,
        name=TEXT[:100],
        kind="land",
        area_mu="3",
        outline={"type": "Polygon", "coordinates": square},
        actor=head,
        now=NOW,
    )
    entity = do_register_entity(
        uscc_code=synthetic_uscc("320507", 77),
        name=ENTERPRISE,
        legal_representative=NAME,
        industry_code="E48",
        size="small",
        territory_code=f"{VILLAGE}001",
        actor=people["system"],
        now=NOW,
    )
    tenant = Person.objects.get(name=NAME)
    starts, ends = NOW.date().replace(month=1, day=1), NOW.date().replace(year=2027)
    for contract in (
        ContractInput("HT-1", starts, ends, "1000", [], person=tenant, resource=land),
        ContractInput("HT-2", starts, ends, "1000", [], entity=entity, asset=asset),
    ):
        do_sign_contract(org, contract, actor=head, now=NOW)
    return f"{VILLAGE}/{NOW.year}/{NOW.month}/"


def _links(body: str, base: str) -> list[str]:
    found = []
    for href in re.findall(r'(?:href|action)="([^"#]+)"', body):
        url = urljoin(base, href.replace("&amp;", "&"))
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != "testserver":
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith("/") and not any(path.startswith(s) for s in SKIP):
            found.append(path)
    return found


def test_no_planted_personal_data_reaches_any_public_page(
    personas: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        from demo.open311_key import ensure_demo_key
        from open311.actions import do_seed_service_definitions
        from registry.testing import register_named_person

        for sequence, name in enumerate((REGISTERED, NAME), start=901):
            register_named_person(name, actor=personas["system"], now=NOW, sequence=sequence)
        receipts = _grid_events(personas)
        do_seed_service_definitions(actor=personas["system"], now=NOW)
        ensure_demo_key(actor=personas["system"], now=NOW)
        _enforcement(personas)
        found = _approvals_licences_ratings(personas)
        disclosure = _collective_finances(personas)

        anonymous = Client()
        session = anonymous.session
        session["ratings_verified"] = {
            "application": int(found["rated_id"]),
            "until": "2099-01-01T00:00:00+00:00",
        }
        session.save()
        start = [
            "/grid/report/",
            "/grid/track/",
            "/approvals/",
            f"/approvals/guide/{found['guide']}/",
            f"/approvals/apply/{found['guide']}/",
            f"/approvals/track/?receipt_no={found['receipt_no']}&phone_last4={MOBILE[-4:]}",
            "/selfservice/",
            "/verify/",
            "/ratings/rate/",
            "/ratings/rate/form/",
            "/public/enforcement/",
            "/public/enforcement/decisions/",
            "/open311/v2/discovery.json",
            "/open311/v2/services.json",
            "/open311/v2/requests.json",
            "/open311/v2/requests.xml",
            f"/public/territorial/{disclosure}",
            f"/api/v1/territorial/disclosure/{disclosure}",
        ]
        for receipt in receipts:
            start += [
                f"/grid/track/{receipt}/",
                f"/api/v1/public/reports/{receipt}/",
                f"/open311/v2/requests/{receipt}.json",
                f"/open311/v2/requests/{receipt}.xml",
            ]
        for identifier in found["certificates"].split():
            start += [f"/verify/{identifier}/", f"/api/v1/licences/certificates/{identifier}/"]

        seen: set[str] = set()
        queue = deque(start)
        statuses: dict[str, int] = {}
        while queue and len(seen) < MAX_PAGES:
            path = queue.popleft()
            if path in seen:
                continue
            seen.add(path)
            response = anonymous.get(path)
            statuses[path] = response.status_code
            if response.status_code in (301, 302, 303):
                queue.append(response["Location"])
                continue
            # Files (the after-photos of the tracking page) stream; they are searched all the same.
            raw = (
                b"".join(response.streaming_content)  # type: ignore[attr-defined]
                if response.streaming
                else response.content
            )
            body = raw.decode("utf-8", errors="replace")
            for planted in PLANTED:
                assert planted not in body, f"{planted} leaked on {path}"
            if "html" in response.get("Content-Type", ""):
                queue.extend(link for link in _links(body, path) if link not in seen)

    # The walk really reached the pages that carry the planted text (masked), not error pages.
    for path in start:
        assert statuses.get(path) == 200, (path, statuses.get(path))
    followed = seen - set(start)
    # (The catalogue's import template is a steward's link since residents were no longer offered it.)
    assert {"/approvals/track/", "/selfservice/no-housing/"} <= followed and len(followed) >= 7
    assert "/approvals/catalogue/template.xlsx" not in seen
    after_photo = f"/grid/track/{receipts[0]}/photos/"
    assert any(path.startswith(after_photo) and statuses[path] == 200 for path in followed)
    tracking = Client().get(f"/api/v1/public/reports/{receipts[0]}/").json()
    assert tracking["public_reply"].startswith("李**代为转告：姓名：张**，身份证320507********1236")
    decisions = Client().get("/public/enforcement/decisions/").content.decode()
    assert "138****5678" in decisions and "***室" in decisions
    # The 财务公开 shows what was paid and leased, masked, and an enterprise by its name.
    finances = Client().get(f"/public/territorial/{disclosure}").content.decode()
    assert f"（{ENTERPRISE}）" in finances and "（张**）" in finances and "李**代为转告" in finances
    assert finances.count("HT-") == 2 and "张**" in finances
