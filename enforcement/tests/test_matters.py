"""The matter catalogue: the API, the discretion check and the all-or-nothing XLSX import."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from core.errors import Unprocessable
from core.spreadsheets import SpreadsheetImportError
from enforcement.actions.opening import check_discretion
from enforcement.catalogue import CATALOGUE_FILE, catalogue_specs
from enforcement.imports import HEADERS, do_import_matters, write_template
from enforcement.models import DiscretionBand, EnforcementMatter
from enforcement.tests.conftest import client_for
from enforcement.tests.test_case_flow import at

pytestmark = pytest.mark.django_db


def test_catalogue_size_and_api(people: dict[str, Any]) -> None:
    assert EnforcementMatter.objects.count() == len(catalogue_specs()) >= 60
    assert len({m.sector for m in EnforcementMatter.objects.all()}) >= 12
    response = client_for(people["hq_officer"]).get("/api/v1/enforcement/matters/?sector=urban_management")
    assert response.status_code == 200
    names = [m["name"] for m in response.json()["results"]]
    assert "未经批准擅自设置大型户外广告" in names and "占道经营" in names
    first = response.json()["results"][0]
    assert [b["level"] for b in first["bands"]] == ["lighter", "ordinary", "heavier"]
    bad = client_for(people["hq_officer"]).get("/api/v1/enforcement/matters/?sector=nope")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "sector"


def test_discretion_check(people: dict[str, Any]) -> None:
    matter = EnforcementMatter.objects.prefetch_related("bands").get(code="CG-002")  # ordinary 200–1000
    assert check_discretion(matter, "ordinary", Decimal(500), "") is False
    assert check_discretion(matter, "ordinary", None, "") is False
    with pytest.raises(Unprocessable) as refused:
        check_discretion(matter, "ordinary", Decimal(1500), "")
    assert refused.value.field == "discretion_justification"
    assert check_discretion(matter, "ordinary", Decimal(1500), "多次违法") is True
    assert check_discretion(matter, "lighter", Decimal(1500), "理由") is True


def _xlsx(rows: list[list[Any]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "执法事项"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


GOOD: list[Any] = [
    "T-001",
    "测试事项",
    "城市管理",
    "某条例第一条",
    "某条例第二条",
    "警告、罚款",
    "否",
    "是",
    "初犯",
    0,
    100,
    "一般",
    100,
    500,
    "从重",
    500,
    1000,
    "责令改正",
]


def test_import_all_or_nothing(people: dict[str, Any]) -> None:
    steward = people["system"]
    bad_rows = [
        GOOD,
        ["T-002", "", "城市管理", "x", "y", "罚款", "否", "是", "", 0, 100, "", 200, 100, "", None, None, ""],
        [
            "T-001",
            "重复",
            "不存在的领域",
            "x",
            "y",
            "罚款",
            "也许",
            "是",
            "",
            "abc",
            None,
            "",
            None,
            None,
            "",
            None,
            None,
            "",
        ],
    ]
    with pytest.raises(SpreadsheetImportError) as refused:
        do_import_matters(_xlsx(bad_rows), actor=steward, now=at(3, 2))
    problems = {(p.row, p.column) for p in refused.value.problems}
    assert {
        (3, "事项名称"),
        (3, "一般罚款上限"),
        (4, "事项编码"),
        (4, "领域"),
        (4, "可听证(是/否)"),
        (4, "从轻罚款下限"),
    } <= problems
    assert not EnforcementMatter.objects.filter(code__startswith="T-").exists()
    counts = do_import_matters(_xlsx([GOOD]), actor=steward, now=at(3, 2))
    assert counts == {"created": 1, "updated": 0}
    band = DiscretionBand.objects.get(matter__code="T-001", level="ordinary")
    assert (band.fine_min, band.fine_max) == (Decimal(100), Decimal(500))
    # The officer may not import; the template round-trips the catalogue.
    response = client_for(people["hq_officer"]).post(
        "/api/v1/enforcement/matters/import/", {"file": _xlsx([GOOD])}, format="multipart"
    )
    assert response.status_code == 403
    out = io.BytesIO()
    assert write_template(out, catalogue_specs()) == len(catalogue_specs())
    out.seek(0)
    counts = do_import_matters(out, actor=steward, now=at(3, 2))
    assert counts["created"] == 0 and counts["updated"] == len(catalogue_specs())


def test_import_bad_file(people: dict[str, Any]) -> None:
    with pytest.raises(SpreadsheetImportError):
        do_import_matters(io.BytesIO(b"not a spreadsheet"), actor=people["system"], now=at(3, 2))


def test_catalogue_file_is_checked_as_an_import(tmp_path):
    """The seed catalogue is a data file read by the import's parser: a bad row is refused, row named."""
    good = CATALOGUE_FILE.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "matters.csv"
    bad.write_text(
        "\n".join([good[0], good[1].replace("城市管理", "不存在的领域", 1)]) + "\n", encoding="utf-8"
    )
    with pytest.raises(SpreadsheetImportError) as refused:
        catalogue_specs(bad)
    assert [(p.row, p.column) for p in refused.value.problems] == [(2, "领域")]
    assert [spec.code for spec in catalogue_specs()][:2] == ["CG-001", "CG-002"]
