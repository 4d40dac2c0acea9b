"""The import_property_records and seed_licence_types commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from licences.imports import workbook_of
from licences.models import LicenceType, PropertyRecord
from licences.reference import LICENCE_TYPES, NO_HOUSING_TYPE_CODE
from licences.tests.conftest import DISTRICT_APPROVAL_CREDIT, ID_NUMBER

pytestmark = pytest.mark.django_db
ROW = ["张三", ID_NUMBER, "黄桥街道胡湾路88号3幢502室", "苏(2020)第1号", "320507003", 89.5, "2020-05-18", ""]


def test_import_command(territory: Any, tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook_of([ROW]))
    call_command("import_property_records", str(good))
    assert PropertyRecord.objects.count() == 1
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook_of([[*ROW[:2], "", *ROW[3:]]]))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_property_records", str(bad))
    with pytest.raises(CommandError):
        call_command("import_property_records", str(tmp_path / "missing.xlsx"))


def test_seed_licence_types_command(staff: dict[str, Any]) -> None:
    LicenceType.objects.all().delete()
    call_command(
        "seed_licence_types", "--issuer", "320507-approval", "--credit-code", DISTRICT_APPROVAL_CREDIT
    )
    assert LicenceType.objects.count() == len(LICENCE_TYPES)
    assert LicenceType.objects.get(code=NO_HOUSING_TYPE_CODE).default_issuer == staff["approval"]
    with pytest.raises(CommandError):
        call_command("seed_licence_types", "--issuer", "nope")
    with pytest.raises(CommandError):
        call_command("seed_licence_types", "--issuer", "320507-approval", "--credit-code", "bad")
