from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from registry.models import Person
from registry.tests.conftest import HQ_GRID
from registry.tests.test_imports import GOOD, idn

pytestmark = pytest.mark.django_db
HEADER = "网格编码,姓名,身份证号,人口类别,联系电话,户号,与户主关系\n"


def upload(rows: list[list[str]]) -> SimpleUploadedFile:
    text = HEADER + "".join(",".join(r) + "\n" for r in rows)
    return SimpleUploadedFile("people.csv", text.encode("utf-8"), content_type="text/csv")


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


def test_import_then_error_report(people):
    client = as_user(people["hq_steward"])
    page = client.post("/registry/import/", {"kind": "people", "file": upload(GOOD)}).content.decode()
    assert "新增 4 条" in page and Person.objects.count() == 4
    bad = client.post(
        "/registry/import/",
        {"kind": "people", "file": upload([[HQ_GRID, "甲", idn(30)[:-1] + "Y", "", "", "", ""]])},
    )
    found = re.search(r"/registry/import/report/([\w-]+)/", bad.content.decode())
    assert found is not None
    token = found.group(1)
    report = client.get(f"/registry/import/report/{token}/")
    assert report.status_code == 200
    rows = list(load_workbook(io.BytesIO(report.content)).active.iter_rows(values_only=True))
    assert rows[1][:2] == (2, "身份证号")
    assert (
        as_user(people["hq_head"]).get(f"/registry/import/report/{token}/").status_code == 404
    )  # another user


def test_refused_roles(people):
    assert as_user(people["hq_grid"]).get("/registry/import/").status_code == 403
    assert (
        as_user(people["hq_clerk"])
        .post("/registry/import/", {"kind": "people", "file": upload(GOOD)})
        .status_code
        == 403
    )
    outsider = as_user(people["wt_steward"]).post(
        "/registry/import/", {"kind": "people", "file": upload(GOOD)}
    )
    assert "不在您可维护的范围内" in outsider.content.decode()
    assert not Person.objects.exists()
