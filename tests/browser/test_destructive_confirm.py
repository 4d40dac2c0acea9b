"""Destructive decisions on the window's application page in Chromium: 不予受理 sits apart in danger style;
with scripts the dialog asks (dismissed: nothing happens; accepted: taken at once); without scripts the
first post comes back asking to confirm, and the confirmed post takes it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.testing import PASSWORD
from approvals.actions import do_take_application
from approvals.models import Application
from approvals.testing import LICENCE_CODE, make_approvals
from approvals.tests.test_intake import company
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def waiting(
    personas: dict[str, Any], settings: Any, tmp_path: Any
) -> tuple[dict[str, Any], list[Application]]:
    settings.MEDIA_ROOT = tmp_path / "media"
    setup = {**personas, **make_approvals(personas, timezone.now())}
    apps = [
        do_take_application(
            actor=setup["hq_clerk"],
            now=timezone.now(),
            decision="corrections",
            item_code=LICENCE_CODE,
            centre=setup["hq_centre"],
            applicant=company(),
            materials=["营业执照"],
            reason="请补交经营场所平面图",
        )
        for _n in range(2)
    ]
    return setup, apps


def _state(app: Application) -> str:
    app.refresh_from_db()
    assert app.work_item is not None
    app.work_item.refresh_from_db()
    return app.work_item.state


@pytest.fixture
def no_script_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_refusal_with_the_dialog(
    page: Any, live_server: Any, waiting: tuple[dict[str, Any], list[Application]], problems: PageProblems
) -> None:
    _setup, (app, _other) = waiting
    log_in(page, live_server.url, "hq_clerk", PASSWORD)
    page.goto(f"{live_server.url}/approvals/applications/{app.pk}/")
    zone = page.locator("[data-danger-zone]")
    button = zone.locator("form[data-action=refuse_acceptance] button.btn.danger")
    main = page.locator("form[data-action=resubmit] button")
    # Danger style: a red outline on white, unlike the filled main button.
    assert button.evaluate("b => getComputedStyle(b).color") == "rgb(166, 27, 27)"
    assert main.evaluate("b => getComputedStyle(b).color") != "rgb(166, 27, 27)"
    zone.locator("form[data-action=refuse_acceptance] textarea[name=reason]").fill("不属于本中心受理范围")
    zone.scroll_into_view_if_needed()
    screenshot(page, "application-refuse-acceptance-apart")
    page.once("dialog", lambda dialog: dialog.dismiss())
    button.click()
    assert page.url.endswith(f"/approvals/applications/{app.pk}/") and _state(app) == "intake_corrections"
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        button.click()
    assert _state(app) == "not_accepted"
    assert not problems.errors, problems.errors


def test_refusal_without_scripts_in_two_steps(
    no_script_page: Any, live_server: Any, waiting: tuple[dict[str, Any], list[Application]]
) -> None:
    setup, (_first, app) = waiting
    page = no_script_page
    # The session of a clerk logged in (the log-in page itself is tested with scripts elsewhere).
    client = Client()
    client.force_login(setup["hq_clerk"])
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/approvals/applications/{app.pk}/")
    form = page.locator("form[data-action=refuse_acceptance]")
    form.locator("textarea[name=reason]").fill("不属于本中心受理范围")
    form.locator("button.btn.danger").click()
    box = page.locator("[data-confirming=refuse_acceptance]")
    box.wait_for()
    assert _state(app) == "intake_corrections"
    box.scroll_into_view_if_needed()
    screenshot(page, "application-refuse-acceptance-confirm")
    confirmed = page.locator("form[data-action=refuse_acceptance]")
    assert confirmed.locator("textarea[name=reason]").input_value() == "不属于本中心受理范围"
    confirmed.locator("button.btn.danger").click()
    page.wait_for_url(f"**/approvals/applications/{app.pk}/")
    assert _state(app) == "not_accepted"
