"""The phone pages as their people hold them, and the officer's desk pages as a desk shows them.

The grid worker (who is also a party member) on a 390×844 phone: the grid home, a patrol, the report form,
an event waiting for the on-site check (its outcome radios), the list of reports, the 待办 inbox and the
party member's 联户 visit pages. On each: nothing scrolls sideways, every button, input and menu item is at
least 44 px tall, radios and checkboxes sit beside their labels instead of stretching across the line, and
退出 (log out) is in the ☰ menu, never beside it. An officer at a 1440×900 desk: the case list and a case
page use the desktop column (wider than 900 px), not the phone one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import OrgUnit, Role
from accounts.testing import PASSWORD, make_person
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HQ_GRID = "320507003201001"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1440, "height": 900}
MIN_TARGET = 44  # px: the smallest comfortable touch target (WCAG 2.5.5, Apple's and Google's guides)

# What the page measures about itself (a function, not an expression: the page's CSP forbids eval).
MEASURE = """(minTarget) => {
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden" && style.opacity !== "0";
  };
  const name = (el) => (el.getAttribute("aria-label") || el.name || el.innerText || el.value || el.tagName)
    .trim().slice(0, 30);
  const targets = Array.from(document.querySelectorAll(
    "button, input[type=submit], a.btn, a.bigbtn, label.bigbtn, .nav-toggle-label, .mainnav a, "
    + "select, textarea, input:not([type=hidden]):not([type=radio]):not([type=checkbox]):not([type=file])"
  )).filter(shown);
  const choices = Array.from(document.querySelectorAll("input[type=radio], input[type=checkbox]"))
    .filter(shown)
    .map((input) => {
      const box = input.getBoundingClientRect();
      const label = (input.id && document.querySelector(`label[for="${input.id}"]`))
        || input.closest("label");
      // Where the label's words are (a label may wrap its input): the union of its text's boxes.
      const words = [];
      if (label) {
        const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
          if (walker.currentNode.textContent.trim()) {
            const range = document.createRange();
            range.selectNodeContents(walker.currentNode);
            words.push(...range.getClientRects());
          }
        }
      }
      const top = Math.min(...words.map((r) => r.top));
      const bottom = Math.max(...words.map((r) => r.bottom));
      const middle = (box.top + box.bottom) / 2;
      return {
        name: input.name + "=" + input.value,
        width: box.width,
        // The label is what a finger taps: at least as tall as any other target.
        target: label ? label.getBoundingClientRect().height : 0,
        // The words start right of the box, and the box's middle is level with them.
        beside: words.length > 0 && Math.min(...words.map((r) => r.left)) >= box.right - 1
          && middle >= top && middle <= bottom,
      };
    });
  return {
    scrollWidth: document.documentElement.scrollWidth,
    small: targets.filter((el) => el.getBoundingClientRect().height < minTarget)
      .map((el) => name(el) + " " + Math.round(el.getBoundingClientRect().height) + "px"),
    targets: targets.length,
    choices: choices,
  };
}"""

LOGOUT_GAP = """() => {
  const button = Array.from(document.querySelectorAll("form[action$='/logout/'] button"))
    .find((el) => el.getBoundingClientRect().height > 0);
  const menu = document.querySelector(".nav-toggle-label").getBoundingClientRect();
  if (!button) { return {shown: false}; }
  const box = button.getBoundingClientRect();
  const dx = Math.max(menu.left - box.right, box.left - menu.right, 0);
  const dy = Math.max(menu.top - box.bottom, box.top - menu.bottom, 0);
  return {shown: true, gap: Math.hypot(dx, dy), inMenu: !!button.closest(".mainnav")};
}"""


@pytest.fixture
def world(personas: dict[str, Any], settings: Any, tmp_path: Any) -> dict[str, Any]:
    """An event waiting for hq_grid's on-site check, a patrol under way, hq_grid a party member with two
    households to visit this month, and a case of hq_officer's."""
    from enforcement.actions import do_open_case, do_post_officer
    from enforcement.catalogue import seed_catalogue
    from grid.events.report import do_report_event
    from grid.events.steps import do_event_action
    from grid.patrols.actions import do_start_patrol
    from grid.standards.actions import do_add_patrol_item, do_seed_reference
    from grid.tests.test_pages_support import png
    from party import visits
    from party.actions import do_link_member
    from party.tests.conftest import enrol, org, register
    from registry import actions as registry_actions
    from territory.models import Grid
    from workflow.publishing import do_publish_processes

    settings.MEDIA_ROOT = tmp_path / "media"
    now = timezone.now()
    system = personas["system"]
    do_publish_processes(now=now, actor=system)
    do_seed_reference(actor=system, now=now)

    def report(description: str) -> Any:
        return do_report_event(
            actor=personas["hq_grid"],
            now=now,
            channel="patrol",
            category_code="0102",
            description=description,
            lon=120.555,
            lat=31.405,
        )

    event = report("路口绿化带旁有成堆的生活垃圾，约两立方米")
    do_event_action(event, "file", actor=personas["dispatcher"], now=now)
    do_event_action(event, "dispatch", actor=personas["dispatcher"], now=now)
    do_event_action(event, "sign", actor=personas["hq_agency"], now=now)
    do_event_action(
        event, "feedback", actor=personas["hq_agency"], now=now, inputs={"result": "已清运"}, photos=[png()]
    )
    report("村道东侧路灯不亮，夜间行人看不清路面")
    grid = Grid.objects.get(code=HQ_GRID)
    do_add_patrol_item(grid, name="主干道环境卫生", frequency="daily", actor=system, now=now)
    patrol = do_start_patrol(grid, actor=personas["hq_grid"], now=now)

    committee = org(system, "黄桥街道党工委", "working_committee", "320507003")
    branch = org(system, "黄桥测试村党支部", "branch", "320507003201", committee)
    world = {"users": personas, "hq_branch": branch}
    member = enrol(world, 1, user_id=personas["hq_grid"].pk)
    for seq in (2, 3):
        household = registry_actions.do_create_household(
            number=f"HQ-{seq}",
            territory_code=HQ_GRID,
            members=[(register(100 + seq, HQ_GRID, "户主甲"), "head")],
            actor=system,
            now=now,
        )
        do_link_member(member, household=household, actor=system, now=now)
    planned = visits.do_plan_month(member, timezone.localdate(now), actor=system, now=now)

    squad = OrgUnit.objects.get(code="320507003-squad1")
    colleague = make_person("hq_officer2", unit=squad, role=Role.OFFICER, display_name="李执法")
    with transaction.atomic():
        seed_catalogue()
    do_post_officer(personas["hq_officer"], squad, [HQ_GRID], actor=system, now=now)
    do_post_officer(colleague, squad, ["320507003201002"], actor=system, now=now)
    case = do_open_case(
        {
            "procedure": "ordinary",
            "source": "complaint",
            "matter": "CG-005",
            "territory_code": HQ_GRID,
            "address": "黄桥街道某村12号",
            "party_kind": "natural",
            "party_name": "李四",
            "party_number": "320507198001011231",
            "party_phone": "13800138000",
            "facts": "未取得建设工程规划许可证在宅基地上加建三层砖混结构房屋。",
            "circumstance_level": "ordinary",
            "proposed_fine": "20000",
            "officers": ["hq_officer", "hq_officer2"],
        },
        actor=personas["hq_officer"],
        now=now,
    )
    return {"event": event, "patrol": patrol, "visit": planned[0], "case": case, **personas}


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, device_scale_factor=2
    )
    yield context
    context.close()


def _check_phone_page(page: Any, name: str) -> None:
    page.wait_for_load_state("networkidle")
    screenshot(page, f"phone-{name}", full_page=True)
    measured = page.evaluate(MEASURE, MIN_TARGET)
    assert measured["scrollWidth"] <= PHONE["width"], (name, measured["scrollWidth"])
    assert measured["targets"] > 0
    assert measured["small"] == [], (name, measured["small"])
    for choice in measured["choices"]:
        assert choice["width"] < 40 and choice["beside"] and choice["target"] >= MIN_TARGET, (name, choice)
    # 退出 is not beside ☰: folded into the menu, it shows only when the menu opens.
    assert page.evaluate(LOGOUT_GAP) == {"shown": False}, name
    page.click(".nav-toggle-label")
    opened = page.evaluate(LOGOUT_GAP)
    assert opened["shown"] and opened["inMenu"] and opened["gap"] > MIN_TARGET, (name, opened)
    menu = page.evaluate(MEASURE, MIN_TARGET)
    assert menu["small"] == [] and menu["scrollWidth"] <= PHONE["width"], (name, menu)
    screenshot(page, f"phone-{name}-menu")


def test_phone_pages_fit_a_phone(live_server: Any, phone: Any, world: dict[str, Any]) -> None:
    base = live_server.url
    problems = PageProblems()
    page = phone.new_page()
    page.set_default_timeout(15_000)
    problems.attach(page)
    log_in(page, base, "hq_grid", PASSWORD)
    pages = {
        "grid-home": "/grid/m/",
        "grid-event-verify": f"/grid/m/events/{world['event'].pk}/",
        "grid-patrol": f"/grid/m/patrol/{world['patrol'].pk}/",
        "grid-report": "/grid/m/report/",
        "grid-events": "/grid/m/events/",
        "grid-household-new": "/grid/m/households/new/",
        "inbox": "/work/",
        "work-item": f"/work/items/{world['event'].work_item_id}/",
        "party-visits": "/party/m/visits/",
        "party-visit": f"/party/m/visits/{world['visit'].pk}/",
    }
    for name, path in pages.items():
        page.goto(f"{base}{path}")
        if name == "grid-event-verify":
            assert page.locator("input[name='outcome']").count() == 2
        if name == "inbox":  # the event waiting for the worker's check, as a card
            assert page.locator("table.inbox td.card-title a").count() >= 1
        _check_phone_page(page, name)
    # English words are longer: the work item's history must still fit (its table scrolls in its card).
    phone.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(f"{base}{pages['work-item']}")
    _check_phone_page(page, "work-item-en")
    assert problems.errors == []


def test_enforcement_desk_pages_use_the_desk(
    live_server: Any, page: Any, phone: Any, world: dict[str, Any]
) -> None:
    base = live_server.url
    case = world["case"]
    problems = PageProblems()
    problems.attach(page)
    page.set_viewport_size(DESK)
    log_in(page, base, "hq_officer", PASSWORD)
    page.goto(f"{base}/enforcement/")
    page.wait_for_selector(f'table [data-case="{case.pk}"]')
    assert page.locator("main").bounding_box()["width"] > 900
    screenshot(page, "desk-enforcement-cases")
    page.click(f'[data-case="{case.pk}"]')
    page.wait_for_selector("[data-case-page]")
    assert page.locator("main").bounding_box()["width"] > 900
    # Two columns: the case beside its actions.
    facts, actions = page.locator("[data-case-page]").bounding_box(), page.locator("#actions").bounding_box()
    assert actions["x"] >= facts["x"] + facts["width"] and actions["y"] == facts["y"]
    screenshot(page, "desk-enforcement-case", full_page=True)

    # The same pages still fit an officer's phone, one column.
    mobile = phone.new_page()
    mobile.set_default_timeout(15_000)
    problems.attach(mobile)
    log_in(mobile, base, "hq_officer", PASSWORD)
    for name, path in (("cases", "/enforcement/"), ("case", f"/enforcement/cases/{case.pk}/")):
        mobile.goto(f"{base}{path}")
        mobile.wait_for_load_state("networkidle")
        assert mobile.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], name
        screenshot(mobile, f"phone-enforcement-{name}", full_page=True)
    assert problems.errors == []
