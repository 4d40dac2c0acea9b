"""A police officer requests a bulk export of 黄桥's people in Chromium, the data steward approves it on the
same page, and the officer sees the download link."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import OrgUnit, Role
from accounts.testing import PASSWORD, make_person
from registry import actions as registry
from registry.models import Person
from registry.testing import synthetic_id_number
from tests.browser.conftest import PageProblems, log_in, screenshot
from workflow.publishing import do_publish_processes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_request_and_approve_a_people_export(
    live_server: Any, page: Any, problems: PageProblems, personas: dict[str, Any]
) -> None:
    do_publish_processes(now=timezone.now())
    make_person("hq_steward", unit=OrgUnit.objects.get(code="320507003-gov"), role=Role.DATA_STEWARD)
    data = registry.PersonInput(
        territory_code="320507003201001",
        kind=Person.Kind.REGISTERED,
        name="王建国",
        id_number=synthetic_id_number("320507", date(1980, 5, 6), 1),
    )
    registry.do_register_person(data, actor=personas["system"], now=timezone.now())

    log_in(page, live_server.url, "hq_officer", PASSWORD)
    page.goto(f"{live_server.url}/datashare/people-exports/")
    page.fill("#id_territory_code", "320507003")
    for value in ("name", "id_number", "kind"):
        page.check(f"input[name=export_fields][value={value}]")
    page.fill("#id_purpose", "防汛转移名单核对")
    page.click("#request button[type=submit]")
    assert "待审批" in page.inner_text("#mine")
    screenshot(page, "people-export-requested")

    page.context.clear_cookies()
    log_in(page, live_server.url, "hq_steward", PASSWORD)
    page.goto(f"{live_server.url}/datashare/people-exports/")
    assert "防汛转移名单核对" in page.inner_text("#to-review")
    screenshot(page, "people-export-to-review")
    page.click("#to-review button[value=approve]")
    assert "已处理导出申请" in page.inner_text("body")

    page.context.clear_cookies()
    log_in(page, live_server.url, "hq_officer", PASSWORD)
    page.goto(f"{live_server.url}/datashare/people-exports/")
    assert "可下载" in page.inner_text("#mine")
    screenshot(page, "people-export-approved")
    assert problems.errors == []
