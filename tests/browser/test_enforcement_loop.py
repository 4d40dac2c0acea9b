"""The enforcement loop in Chromium, through the browser's own session (cookies, CSRF): the dispatcher
converts a grid event into a case; the officers take it through the ordinary procedure (filing, transcript,
report, notice, decision by the squad leader, service, payment, closure, archive); the decision PDF opens
with Chinese text and no ID number; the decision is published and the public page shows it without any
ID number; the squad's points ranking page shows the officers. The steps are the enforcement app's pages
(conversion form, the case page's action forms); generating the decision and publishing it have no page
yet, so those go through the JSON API from the logged-in browser (enforcement/api/documents.py)."""

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
    from grid.events.report import do_report_event
    from grid.models import Category
    from grid.standards.actions import do_seed_reference
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


def _act(
    page: Any, action: str, *, fields: dict[str, str] | None = None, checks: tuple[str, ...] = ()
) -> None:
    """Open the action's form on the case page, fill it and submit; the page reloads with a message."""
    form = page.locator(f"form[data-action-form='{action}']")
    details = form.locator("xpath=..")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    for name, value in (fields or {}).items():
        control = form.locator(f"[name='{name}']")
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    for name in checks:
        form.locator(f"[name='{name}']").check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "已办理" in page.inner_text("body"), (action, page.inner_text("main")[:500])


def test_enforcement_loop(live_server: Any, browser: Any, page: Any, loop_setup: dict[str, Any]) -> None:
    base = live_server.url
    problems = PageProblems()
    event = loop_setup["event"]

    # 1. The dispatcher converts the grid event into a case on the conversion page.
    dispatcher_page, _dispatcher = _session(browser, base, "dispatcher", problems)
    dispatcher_page.goto(f"{base}/enforcement/convert/{event.pk}/")
    dispatcher_page.select_option("select[name=matter]", "CG-005")
    dispatcher_page.select_option("select[name=party_kind]", "natural")
    dispatcher_page.fill("input[name=party_name]", "王小五")
    dispatcher_page.fill("input[name=party_number]", CITIZEN_ID)
    dispatcher_page.check("input[name=officers][value=hq_officer]")
    dispatcher_page.check("input[name=officers][value=hq_officer2]")
    screenshot(dispatcher_page, "enforcement-convert")
    dispatcher_page.click("section[data-convert] button[type=submit]")
    dispatcher_page.wait_for_load_state()
    assert re.search(r"/enforcement/cases/\d+/$", dispatcher_page.url), dispatcher_page.inner_text("main")
    case_url = dispatcher_page.url
    case_id = int(case_url.rstrip("/").rsplit("/", 1)[1])
    assert (
        "320507********1231" in dispatcher_page.inner_text("main")
        and CITIZEN_ID not in dispatcher_page.content()
    )

    # 2. The officers and the squad leader take it through the procedure on the case page.
    officer_page, officer = _session(browser, base, "hq_officer", problems)
    leader_page, _leader = _session(browser, base, "hq_squad_leader", problems)
    officer_page.goto(case_url)
    _act(officer_page, "propose_filing")
    leader_page.goto(case_url)
    _act(leader_page, "approve_filing")
    officer_page.goto(case_url)
    record = officer_page.locator("form[data-record-form]")
    record.locator("select[name=kind]").select_option("transcript")
    record.locator("input[name=title]").fill("询问王小五")
    record.locator("textarea[name=note]").fill("问：彩钢棚是否你搭建？答：是。")
    record.locator("button[type=submit]").click()
    officer_page.wait_for_load_state()
    _act(officer_page, "submit_report", fields={"proposed_fine": "20000"})
    _act(officer_page, "issue_notice")
    _act(officer_page, "end_notice", checks=("waived",))
    leader_page.goto(case_url)
    _act(leader_page, "decide")
    # The decision PDF, made once decided: opened in the officer's session, Chinese text, the ID masked.
    document = officer.post(
        f"/api/v1/enforcement/cases/{case_id}/documents/", {"kind": "decision"}, status=201
    )
    pdf = officer_page.request.get(f"{base}{document['pdf_url']}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.body()).replace(" ", "")
    assert "行政处罚决定书" in text and "王小五" in text and document["number"] in text
    assert "320507********1231" in text and not ID_PATTERN.search(text)
    officer_page.goto(case_url)
    assert document["number"] in officer_page.inner_text("main")
    _act(officer_page, "serve", fields={"method": "direct", "recipient": "王小五"})
    _act(officer_page, "confirm_execution")
    leader_page.goto(case_url)
    _act(leader_page, "close")
    officer_page.goto(case_url)
    _act(officer_page, "archive")
    assert officer_page.locator("[data-state=archived]").count() == 1
    screenshot(officer_page, "enforcement-case-archived")

    # An archived case takes no new document.
    officer.post(f"/api/v1/enforcement/cases/{case_id}/documents/", {"kind": "decision"}, status=409)

    # 3. Published; the public page shows the decision and no ID number.
    officer.post(f"/api/v1/enforcement/cases/{case_id}/publication/", {"action": "publish"})
    page.goto(f"{base}/public/enforcement/decisions/")
    row = page.locator(f"tr[data-decision='{document['number']}']")
    assert row.count() == 1
    assert "王**" in row.inner_text() and "王小五" not in page.content()
    assert not ID_PATTERN.search(page.content()) and CITIZEN_ID not in page.content()
    screenshot(page, "enforcement-public-decisions")
    page.goto(f"{base}/public/enforcement/")
    assert page.locator("tr[data-matter='CG-005']").count() == 1
    screenshot(page, "enforcement-public-matters")

    # 4. The grid event closed with the case; the squad leader computes the month's points.
    event.refresh_from_db()
    assert event.work_item is not None and event.work_item.state == "closed"
    leader_page.goto(f"{base}/evaluation/")
    leader_page.click("[data-compute]")
    leader_page.wait_for_load_state()
    assert "积分已计算" in leader_page.inner_text("body")
    officer_row = leader_page.locator(f"tr[data-officer='{loop_setup['hq_officer'].pk}']")
    assert officer_row.get_attribute("data-rank") == "1"
    screenshot(leader_page, "evaluation-ranking")
    assert problems.errors == [], problems.errors
