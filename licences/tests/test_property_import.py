"""Property register XLSX import: all-or-nothing, every bad row reported, updates by certificate number,
the template, the data steward's page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from accounts.models import OrgUnit, Role
from accounts.testing import make_person
from audit.models import AuditEvent
from core.errors import DomainError
from core.pii import decrypt, lookup_hash
from core.spreadsheets import SpreadsheetImportError
from licences.imports import (
    HEADERS,
    do_import_property_records,
    template_workbook,
    workbook_of,
)
from licences.models import PropertyRecord
from licences.tests.conftest import ID_NUMBER, OTHER_ID, T0

pytestmark = pytest.mark.django_db


def good(
    number: str = "苏(2020)相城区不动产权第0000001号", owner: str = ID_NUMBER, **changes: Any
) -> list[Any]:
    row = {
        "name": "张三",
        "id": owner,
        "address": "黄桥街道胡湾路88号3幢502室",
        "number": number,
        "code": "320507003",
        "area": 89.5,
        "registered": "2020-05-18",
        "cancelled": "",
    }
    row.update(changes)
    return list(row.values())


def run(staff: dict[str, Any], rows: list[list[Any]], actor: str = "system") -> Any:
    return do_import_property_records(io.BytesIO(workbook_of(rows)), actor=staff[actor], now=T0)


def test_import_creates_encrypted_records_and_audits(staff: dict[str, Any]) -> None:
    result = run(staff, [good(), good("苏(2021)相城区不动产权第0000002号", OTHER_ID, code="320507105201")])
    assert (result.created, result.updated) == (2, 0)
    record = PropertyRecord.objects.get(certificate_number="苏(2020)相城区不动产权第0000001号")
    assert decrypt(record.owner_id_encrypted) == ID_NUMBER and record.owner_id_hash == lookup_hash(ID_NUMBER)
    assert str(record.area_m2) == "89.50" and record.cancelled_at is None
    audit = AuditEvent.objects.get(action="licences.property_records_imported")
    assert audit.after == {"created": 2, "updated": 0}


def test_reimport_updates_by_certificate_number(staff: dict[str, Any]) -> None:
    run(staff, [good()])
    result = run(staff, [good(cancelled="2024-01-02")])
    assert (result.created, result.updated) == (0, 1)
    assert PropertyRecord.objects.get().cancelled_at is not None


def test_every_bad_row_is_reported_and_nothing_imported(staff: dict[str, Any]) -> None:
    rows = [
        good(),
        good("A2", owner="110105194912310021"),  # row 3: bad ID
        good("A3", address=""),  # row 4: missing address
        good("苏(2020)相城区不动产权第0000001号"),  # row 5: duplicate of row 2
        good("A5", code="999999999"),  # row 6: unknown territory
        good("A6", area="大"),  # row 7
        good("A7", registered="昨天"),  # row 8
        good("A8", cancelled="2019-01-01"),  # row 9: before registration
    ]
    with pytest.raises(SpreadsheetImportError) as caught:
        run(staff, rows)
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {
        (3, "权利人身份证号"),
        (4, "不动产坐落"),
        (5, "不动产权证号"),
        (6, "区划代码"),
        (7, "建筑面积"),
        (8, "登记日期"),
        (9, "注销日期"),
    }
    assert caught.value.field == "file" and "第3行" in caught.value.message
    assert not PropertyRecord.objects.exists()


def test_missing_column_and_bad_file(staff: dict[str, Any]) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADERS[:2])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    with pytest.raises(SpreadsheetImportError) as caught:
        do_import_property_records(buffer, actor=staff["system"], now=T0)
    assert {p.column for p in caught.value.problems} == {
        "不动产坐落",
        "不动产权证号",
        "区划代码",
        "建筑面积",
        "登记日期",
    }
    with pytest.raises(SpreadsheetImportError):
        do_import_property_records(io.BytesIO(b"not a spreadsheet"), actor=staff["system"], now=T0)


def test_steward_may_import_only_within_jurisdiction(staff: dict[str, Any]) -> None:
    town_steward = make_person(
        "hq_steward", unit=OrgUnit.objects.get(code="320507003-gov"), role=Role.DATA_STEWARD
    )
    staff["hq_steward"] = town_steward
    with pytest.raises(SpreadsheetImportError) as caught:
        run(staff, [good(), good("B2", code="320507105")], actor="hq_steward")
    assert [(p.row, p.column) for p in caught.value.problems] == [(3, "区划代码")]
    with pytest.raises(DomainError) as refused:
        run(staff, [good()], actor="hq_clerk")
    assert refused.value.status == 403


def test_template_has_the_documented_columns_and_imports(staff: dict[str, Any]) -> None:
    content = template_workbook()
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == HEADERS
    assert do_import_property_records(io.BytesIO(content), actor=staff["system"], now=T0).created == 1


@pytest.fixture
def steward(staff: dict[str, Any]) -> Any:
    return make_person(
        "district_steward", unit=OrgUnit.objects.get(code="320507-command"), role=Role.DATA_STEWARD
    )


def upload(client: Client, rows: list[list[Any]]) -> Any:
    file = SimpleUploadedFile("register.xlsx", workbook_of(rows))
    return client.post("/licences/properties/import/", {"file": file})


def test_import_page(client: Client, steward: Any) -> None:
    client.force_login(steward)
    assert client.get("/licences/properties/import/").status_code == 200
    response = upload(client, [good()])
    assert response.status_code == 200 and "新增 1 条" in response.content.decode()


def test_import_page_lists_problems(client: Client, steward: Any) -> None:
    client.force_login(steward)
    response = upload(client, [good(), good("X", address="")])
    html = response.content.decode()
    assert response.status_code == 400 and "不动产坐落" in html and "<td>3</td>" in html
    assert not PropertyRecord.objects.exists()


def test_import_page_without_file_is_400(client: Client, steward: Any) -> None:
    client.force_login(steward)
    response = client.post("/licences/properties/import/", {})
    assert response.status_code == 400 and 'data-field-error="file"' in response.content.decode()


@pytest.mark.parametrize("who", ["hq_clerk", "wt_grid"])
def test_import_page_refused_to_others(client: Client, staff: dict[str, Any], who: str) -> None:
    client.force_login(staff[who])
    assert client.get("/licences/properties/import/").status_code == 403
    assert upload(client, [good()]).status_code == 403
    assert not PropertyRecord.objects.exists()


def test_template_download(client: Client, steward: Any) -> None:
    client.force_login(steward)
    response = client.get("/licences/properties/template.xlsx")
    assert response.status_code == 200 and response.content.startswith(b"PK")
