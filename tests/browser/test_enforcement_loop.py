"""The enforcement loop in Chromium, through the browser's own session (cookies, CSRF): the dispatcher
converts a grid event into a case; the officers take it through the ordinary procedure (filing, transcript,
report, notice, decision by the squad leader, service, payment, closure, archive); the decision PDF opens
with Chinese text and no ID number; the decision is published and the public page shows it without any
ID number; the squad's points ranking page shows the officers. The enforcement app has no staff pages
yet, so the steps go through its JSON API from the logged-in browser; the document and publication views are
enforcement/publication_api.py's."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import OrgUnit, Role
from accounts.testing import PASSWORD, make_person
from core.pdf import pdf_text
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CITIZEN_ID = "320507198001011231"
ID_PATTERN = re.compile(r"\d{17}[\dXx]")


@pytest.fixture
def loop_setup(personas: dict[str, Any], settings: Any, tmp_path: Any) -> dict[str, Any]:
    from enforcement.actions import do_post_officer
    from enforcement.catalogue import seed_catalogue
    from grid.actions import do_seed_reference
    from grid.event_actions import do_report_event
    from grid.models import Category
    from workflow.publishing import do_publish_processes

    settings.MEDIA_ROOT = tmp_path / "media"
    now = timezone.now()
    system = personas["system"]
    do_publish_processes(now=now, actor=system)
    do_seed_reference(actor=system, now=now)
    squad = OrgUnit.objects.get(code="320507003-squad1")
    colleague = make_person("hq_officer2", unit=squad, role=Role.OFFICER, display_name="李执法")
    leader = make_person("hq_squad_leader", unit=squad, role=Role.SQUAD_LEADER, display_name="赵中队长")
    with transaction.atomic():
        seed_catalogue()
    do_post_officer(personas["hq_officer"], squad, ["320507003201001"], actor=system, now=now)
    do_post_officer(colleague, squad, ["320507003201002"], actor=system, now=now)
    do_post_officer(leader, squad, [], actor=system, now=now, is_leader=True)
    category = (
        Category.objects.filter(kind="event", parent__isnull=False, active=True).order_by("code").first()
    )
    assert category is not None
    event = do_report_event(
        actor=personas["hq_grid"],
        now=now,
        channel="patrol",
        category_code=category.code,
        title="村口违法搭建",
        description="村口有人搭建彩钢棚，已责令停止未果。",
        grid_code="320507003201001",
    )
    return {"event": event, **personas}


class Api:
    """JSON calls from a logged-in browser context (its session cookie and CSRF token)."""

    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base = page, base

    def _csrf(self) -> str:
        return next(c["value"] for c in self.page.context.cookies() if c["name"] == "csrftoken")

    def post(self, url: str, data: dict[str, Any], status: int = 200) -> dict[str, Any]:
        response = self.page.request.post(
            f"{self.base}{url}", data=data, headers={"X-CSRFToken": self._csrf(), "Referer": self.base + "/"}
        )
        assert response.status == status, (url, response.status, response.text())
        body: dict[str, Any] = response.json()
        return body

    def act(self, case_id: int, action: str, **inputs: Any) -> dict[str, Any]:
        reason = inputs.pop("reason", "")
        return self.post(
            f"/api/v1/enforcement/cases/{case_id}/actions/",
            {"action": action, "reason": reason, "inputs": inputs},
        )


def _session(browser: Any, base: str, username: str, problems: PageProblems) -> tuple[Any, Api]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems.attach(page)
    log_in(page, base, username, PASSWORD)
    return page, Api(page, base)


def test_enforcement_loop(live_server: Any, browser: Any, page: Any, loop_setup: dict[str, Any]) -> None:
    base = live_server.url
    problems = PageProblems()
    event = loop_setup["event"]

    # 1. The dispatcher converts the grid event into a case (ordinary procedure, two officers).
    _dispatcher_page, dispatcher = _session(browser, base, "dispatcher", problems)
    case = dispatcher.post(
        f"/api/v1/enforcement/grid-events/{event.pk}/convert/",
        {
            "matter": "CG-005",
            "party_kind": "natural",
            "party_name": "王小五",
            "party_number": CITIZEN_ID,
            "party_phone": "13912345678",
            "party_address": "黄桥街道测试村 3 组 12 号",
            "officers": ["hq_officer", "hq_officer2"],
        },
        status=201,
    )
    case_id = case["id"]
    assert case["state"] == "verifying" and case["source"] == "grid_event"

    # 2. The officers and the squad leader take it through the procedure.
    officer_page, officer = _session(browser, base, "hq_officer", problems)
    _leader_page, leader = _session(browser, base, "hq_squad_leader", problems)
    officer.act(case_id, "propose_filing")
    leader.act(case_id, "approve_filing")
    officer.post(
        f"/api/v1/enforcement/cases/{case_id}/record/",
        {"kind": "transcript", "title": "询问王小五", "note": "问：彩钢棚是否你搭建？答：是。"},
        status=201,
    )
    officer.act(
        case_id, "submit_report", proposed_fine="20000", facts="未经规划许可在村口搭建彩钢棚约30平方米。"
    )
    officer.act(case_id, "issue_notice")
    officer.act(case_id, "end_notice", waived=True)
    decided = leader.act(case_id, "decide")
    assert decided["decision_number"]
    officer.act(case_id, "serve", method="direct", recipient="王小五")
    officer.act(case_id, "confirm_execution")
    leader.act(case_id, "close")
    archived = officer.act(case_id, "archive")
    assert archived["state"] == "archived" and len(archived["archive_number"]) == 8

    # 3. The decision PDF: generated, opened through the session, Chinese text, the ID masked.
    document = officer.post(
        f"/api/v1/enforcement/cases/{case_id}/documents/", {"kind": "decision"}, status=201
    )
    assert document["number"] == decided["decision_number"]
    pdf = officer_page.request.get(f"{base}{document['pdf_url']}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.body()).replace(" ", "")
    assert "行政处罚决定书" in text and "王小五" in text and document["number"] in text
    assert "320507********1231" in text and not ID_PATTERN.search(text)

    # 4. Published; the public page shows the decision and no ID number.
    officer.post(f"/api/v1/enforcement/cases/{case_id}/publication/", {"action": "publish"})
    page.goto(f"{base}/public/enforcement/decisions/")
    row = page.locator(f"tr[data-decision='{document['number']}']")
    assert row.count() == 1
    assert "王**" in row.inner_text() and "王小五" not in page.content()
    assert not ID_PATTERN.search(page.content()) and CITIZEN_ID not in page.content()
    screenshot(page, "enforcement-public-decisions")
    page.goto(f"{base}/public/enforcement/")
    assert "违法建设" in page.inner_text("main") or page.locator("tr[data-matter]").count() > 0
    screenshot(page, "enforcement-public-matters")

    # 5. The grid event closed with the case; the ranking page lists the squad.
    event.refresh_from_db()
    assert event.work_item is not None and event.work_item.state == "closed"
    leader_page = _leader_page
    leader_page.goto(f"{base}/evaluation/")
    leader_page.click("[data-compute]")
    leader_page.wait_for_load_state()
    assert leader_page.locator("tr[data-officer]").count() >= 3
    assert "积分已计算" in leader_page.inner_text("body")
    screenshot(leader_page, "evaluation-ranking")
    officer_page.goto(f"{base}/evaluation/")
    assert officer_page.locator(f"tr[data-officer='{loop_setup['hq_officer'].pk}']").count() == 1
    assert problems.errors == [], problems.errors
