"""The data steward opens the data catalogue and a connected source's runs and quarantine in Chromium."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from accounts.models import OrgUnit, Role
from accounts.testing import PASSWORD, make_person
from datashare.models import Connector
from datashare.sync import do_run_connector
from registry.testing import synthetic_uscc
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_catalogue_and_source_pages(
    live_server: Any, page: Any, problems: PageProblems, personas: dict[str, Any], tmp_path: Path
) -> None:
    gov = OrgUnit.objects.get(code="320507003-gov")
    make_person("hq_steward", unit=gov, role=Role.DATA_STEWARD)
    with (tmp_path / "feed.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["uscc", "name", "legal_representative", "industry_code", "size", "grid", "updated_at"]
        )
        writer.writerow(
            [
                synthetic_uscc("320507", 5),
                "样例单位（生成数据）",
                "王建国",
                "F5212",
                "小型",
                "320507003201001",
                "2026-03-01T00:00:00Z",
            ]
        )
        writer.writerow(
            [
                "bad",
                "错码单位（生成数据）",
                "李四",
                "F5212",
                "小型",
                "320507003201001",
                "2026-03-01T01:00:00Z",
            ]
        )
    connector = Connector.objects.create(
        name="环保监测系统（生成数据）",
        category="environment",
        adapter="file",
        config={"directory": str(tmp_path)},
        owner_unit=gov,
        territory_code="320507003",
    )
    do_run_connector(connector, now=connector_now())
    log_in(page, live_server.url, "hq_steward", PASSWORD)
    page.goto(f"{live_server.url}/datashare/")
    assert "环保监测系统（生成数据）" in page.inner_text("#assets")
    screenshot(page, "datashare-catalogue")
    page.click("text=环保监测系统（生成数据）")
    assert "统一社会信用代码无效" in page.inner_text("#quarantine")
    screenshot(page, "datashare-source")
    # The steward corrects the mistyped credit code and retries: the row is imported.
    page.click("#quarantine summary")
    page.fill("#quarantine input[name=value__uscc]", synthetic_uscc("320507", 6))
    screenshot(page, "datashare-quarantine-edit")
    page.click("#quarantine button[value=edit]")
    assert "已导入" in page.inner_text(".messages")
    assert synthetic_uscc("320507", 6) in page.inner_text("[data-resolved=created]")
    assert page.locator("[data-quarantined]").count() == 0
    screenshot(page, "datashare-quarantine-retried")
    assert problems.errors == []


def connector_now() -> Any:
    from datetime import UTC, datetime

    return datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def test_grant_request_page(
    live_server: Any, page: Any, problems: PageProblems, personas: dict[str, Any], tmp_path: Path
) -> None:
    from workflow.publishing import do_publish_processes

    gov = OrgUnit.objects.get(code="320507003-gov")
    do_publish_processes(now=connector_now())
    Connector.objects.create(
        name="审批系统企业库（生成数据）",
        category="approval",
        adapter="file",
        config={"directory": str(tmp_path)},
        owner_unit=gov,
        territory_code="320507003",
    )
    log_in(page, live_server.url, "hq_agency", PASSWORD)
    page.goto(f"{live_server.url}/datashare/grants/")
    page.check("input[name='dataset_fields'][value='uscc']")
    page.check("input[name='dataset_fields'][value='name']")
    page.fill("textarea[name='purpose']", "企业走访服务")
    page.click("#request button[type=submit]")
    page.wait_for_selector("#mine [data-grant]")
    assert "待审批" in page.inner_text("#mine")
    screenshot(page, "datashare-grants")
    assert problems.errors == []


def test_a_people_source_shows_its_refusals_masked(
    live_server: Any, page: Any, problems: PageProblems, personas: dict[str, Any], tmp_path: Path
) -> None:
    from datetime import date

    from registry.testing import synthetic_id_number

    gov = OrgUnit.objects.get(code="320507003-gov")
    make_person("hq_steward", unit=gov, role=Role.DATA_STEWARD)
    outside = synthetic_id_number("320507", date(1961, 7, 1), 5)
    with (tmp_path / "people.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id_number", "name", "kind", "phone", "grid", "updated_at"])
        writer.writerow(
            [
                synthetic_id_number("320507", date(1961, 7, 1), 4),
                "周样民",
                "户籍人口",
                "",
                "320507003201001",
                "2026-03-01T00:00:00Z",
            ]
        )
        writer.writerow(
            [outside, "吴样芳", "流动人口", "13900000905", "320507105201001", "2026-03-01T01:00:00Z"]
        )
    connector = Connector.objects.create(
        name="综治人口信息（生成数据）",
        category="governance",
        adapter="file",
        target="person",
        key_field="id_number",
        config={"directory": str(tmp_path)},
        owner_unit=gov,
        territory_code="320507003",
    )
    do_run_connector(connector, now=connector_now())
    log_in(page, live_server.url, "hq_steward", PASSWORD)
    page.goto(f"{live_server.url}/datashare/sources/{connector.pk}/")
    quarantine = page.inner_text("#quarantine")
    assert "网格不在该数据源的区划内" in quarantine and "320507********" in quarantine
    body = page.inner_text("body")
    assert outside not in body and "13900000905" not in body and "吴样芳" not in body
    assert "实有人口" in body and "待审核" in page.inner_text("#runs")
    screenshot(page, "datashare-people-source")
    assert problems.errors == []


def test_the_steward_sets_up_a_connector_and_runs_it(
    live_server: Any, page: Any, problems: PageProblems, personas: dict[str, Any], tmp_path: Path
) -> None:
    gov = OrgUnit.objects.get(code="320507003-gov")
    make_person("hq_steward", unit=gov, role=Role.DATA_STEWARD)
    with (tmp_path / "feed.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["uscc", "name", "legal_representative", "industry_code", "size", "grid", "updated_at"]
        )
        writer.writerow(
            [
                synthetic_uscc("320507", 7),
                "水务样例单位（生成数据）",
                "王建国",
                "D4610",
                "小型",
                "320507003201001",
                "2026-03-01T00:00:00Z",
            ]
        )
    log_in(page, live_server.url, "hq_steward", PASSWORD)
    page.goto(f"{live_server.url}/datashare/")
    page.click("#connector-new")
    page.fill("input[name=name]", "水务企业名录（生成数据）")
    page.select_option("select[name=category]", "water")
    page.select_option("select[name=owner_unit]", str(gov.pk))
    page.fill("input[name=territory_code]", "320507003")
    page.select_option("select[name=adapter]", "file")
    page.fill("input[name=directory]", "relative/drop")
    page.click("#connector-form button[type=submit]")
    assert "投放目录须为绝对路径" in page.inner_text("[data-field-error=directory]")
    screenshot(page, "datashare-connector-form-error")
    page.fill("input[name=directory]", str(tmp_path))
    page.click("#connector-form button[type=submit]")
    assert "已保存" in page.inner_text(".messages")
    page.click("[data-run-now]")
    assert "已安排立即同步" in page.inner_text(".messages")
    page.reload()
    assert "成功" in page.inner_text("#runs")
    screenshot(page, "datashare-connector-run")
    page.click("text=编辑设置")
    screenshot(page, "datashare-connector-edit")
    # The refused form answered 400 (the one expected problem, reported twice by Chromium).
    unexpected = [
        e for e in problems.errors if "/datashare/sources/new/" not in e and "400 (Bad Request)" not in e
    ]
    assert unexpected == [] and len(problems.errors) == 2
