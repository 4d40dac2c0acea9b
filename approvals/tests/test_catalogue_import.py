"""Catalogue import: every bad row reported at once and nothing imported; versioning by content."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from approvals.actions import do_import_catalogue
from approvals.catalogue import (
    HEADERS,
    SHEET_TITLE,
    record_of,
    rows_from_dicts,
    workbook_bytes,
)
from approvals.models import ServiceItem, ServiceItemVersion
from approvals.testing import LICENCE_CODE, catalogue_record, confirm_record
from audit.models import AuditEvent
from core.errors import PermissionRefused
from core.spreadsheets import SpreadsheetImportError


def test_bad_credit_code_and_missing_limit_import_nothing_and_report_both_rows(setup: dict[str, Any], now):
    before_items = ServiceItem.objects.count()
    before_versions = ServiceItemVersion.objects.count()
    records = [
        catalogue_record(**{"实施编码": LICENCE_CODE + "9", "事项名称": "改过的名称"}),  # row 2: good
        confirm_record(**{"实施主体统一社会信用代码": "113205070000000190", "实施编码": "X" * 20}),  # row 3
        catalogue_record(**{"实施编码": LICENCE_CODE + "8", "法定办结时限": ""}),  # row 4
    ]
    with pytest.raises(SpreadsheetImportError) as caught:
        do_import_catalogue(rows_from_dicts(records), actor=setup["steward"], now=now)
    problems = {(p.row, p.column) for p in caught.value.problems}
    assert (3, "实施主体统一社会信用代码") in problems
    assert (4, "法定办结时限") in problems
    assert not any(p.row == 2 for p in caught.value.problems)
    assert "第3行" in caught.value.message and "第4行" in caught.value.message
    assert "GB 32100" in caught.value.message
    assert ServiceItem.objects.count() == before_items
    assert ServiceItemVersion.objects.count() == before_versions


def test_missing_column_and_bad_choices_are_reported(setup: dict[str, Any], now):
    rows = rows_from_dicts(
        [catalogue_record(**{"事项类型": "许可", "办件类型": "即办件", "申请材料": "身份证|原件"})]
    )
    with pytest.raises(SpreadsheetImportError) as caught:
        do_import_catalogue(rows, actor=setup["steward"], now=now)
    columns = {p.column for p in caught.value.problems}
    assert {"事项类型", "承诺办结时限", "申请材料"} <= columns
    header_only = [tuple(h for h in HEADERS if h != "承诺办结时限")]
    with pytest.raises(SpreadsheetImportError) as caught:
        do_import_catalogue(header_only, actor=setup["steward"], now=now)
    assert caught.value.problems[0].column == "承诺办结时限"


def test_unchanged_row_writes_nothing_changed_row_a_new_version(setup: dict[str, Any], now):
    item = ServiceItem.objects.get(implementation_code=LICENCE_CODE)
    assert item.current_version is not None and item.current_version.version == 1
    same = do_import_catalogue(rows_from_dicts([catalogue_record()]), actor=setup["steward"], now=now)
    assert (same.created, same.versioned, same.unchanged) == (0, 0, 1)
    assert item.versions.count() == 1
    later = now + timedelta(days=1)
    changed = do_import_catalogue(
        rows_from_dicts([catalogue_record(**{"承诺办结时限": 4})]), actor=setup["steward"], now=later
    )
    assert (changed.created, changed.versioned) == (0, 1)
    item.refresh_from_db()
    assert item.current_version is not None
    assert (item.current_version.version, item.current_version.promised_limit_amount) == (2, 4)
    assert list(item.versions.values_list("version", flat=True)) == [2, 1]
    assert AuditEvent.objects.filter(action="approvals.import_catalogue").count() >= 3


def test_xlsx_round_trip_is_unchanged(setup: dict[str, Any], now):
    items = ServiceItem.objects.select_related("current_version", "agency").order_by("pk")
    data = workbook_bytes([record_of(item) for item in items])
    sheet = load_workbook(io.BytesIO(data))[SHEET_TITLE]
    assert [c.value for c in sheet[1]] == HEADERS
    result = do_import_catalogue(io.BytesIO(data), actor=setup["steward"], now=now)
    assert (result.created, result.versioned, result.unchanged) == (0, 0, 3)


def test_not_an_xlsx(setup: dict[str, Any], now):
    with pytest.raises(SpreadsheetImportError) as caught:
        do_import_catalogue(io.BytesIO(b"not a workbook"), actor=setup["steward"], now=now)
    assert caught.value.field == "file"


def test_only_stewards_import(setup: dict[str, Any], now):
    with pytest.raises(PermissionRefused):
        do_import_catalogue(rows_from_dicts([catalogue_record()]), actor=setup["hq_clerk"], now=now)


def test_applications_keep_the_version_they_were_made_under(setup: dict[str, Any], now):
    from approvals.actions import ApplicantInput, do_take_application
    from approvals.testing import PHONE
    from approvals.tests.test_intake import COMPANY

    app = do_take_application(
        actor=setup["hq_clerk"],
        now=now,
        decision="accept",
        item_code=LICENCE_CODE,
        centre=setup["hq_centre"],
        applicant=ApplicantInput("legal", "苏州黄桥小厨餐饮店", COMPANY, PHONE),
        materials=["营业执照", "经营场所平面图"],
    )
    do_import_catalogue(
        rows_from_dicts(
            [catalogue_record(**{"承诺办结时限": 3, "事项名称": "食品经营许可（小餐饮，告知承诺）"})]
        ),
        actor=setup["steward"],
        now=now + timedelta(hours=1),
    )
    app.refresh_from_db()
    item = ServiceItem.objects.get(implementation_code=LICENCE_CODE)
    assert item.current_version is not None and item.current_version.version == 2
    assert app.item_version.version == 1 and app.item_version.promised_limit_amount == 5
    assert item.name == "食品经营许可（小餐饮，告知承诺）"
