"""The admin saves grid reference data through actions (audit rows), imports and exports the standard."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from accounts.models import OrgUnit, User
from audit.models import AuditEvent
from grid.models import Category, CategoryStandardVersion, ResponsibilityEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(reference: dict[str, int]) -> Client:
    user = User.objects.create_superuser("root", password="x-admin-2026")
    client = Client()
    client.force_login(user)
    return client


def test_export_and_import_through_the_admin(admin_client: Client) -> None:
    response = admin_client.get("/admin/grid/categorystandardversion/export/")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    assert load_workbook(io.BytesIO(content)).worksheets[0]["B2"].value == "市容环境"
    upload = io.BytesIO(content)
    upload.name = "standard.xlsx"
    response = admin_client.post(
        "/admin/grid/categorystandardversion/import/", {"file": upload, "note": "复核"}
    )
    assert response.status_code == 302
    assert CategoryStandardVersion.objects.get(active=True).note == "复核"
    bad = io.BytesIO(b"garbage")
    bad.name = "bad.xlsx"
    response = admin_client.post("/admin/grid/categorystandardversion/import/", {"file": bad})
    assert response.status_code == 200 and "未导入任何数据" in response.content.decode()
    assert CategoryStandardVersion.objects.count() == 2


def test_category_and_responsibility_saved_through_actions(admin_client: Client) -> None:
    major = Category.objects.get(kind="event", code="01")
    response = admin_client.post(
        "/admin/grid/category/add/",
        {"kind": "event", "code": "0110", "name": "乱堆物料", "parent": major.pk, "active": "on"},
    )
    assert response.status_code == 302
    created = Category.objects.get(kind="event", code="0110")
    assert AuditEvent.objects.filter(action="grid.category_saved", subject_id=str(created.pk)).exists()
    refused = admin_client.post(
        "/admin/grid/category/add/", {"kind": "event", "code": "0299", "name": "错位", "parent": major.pk}
    )
    assert refused.status_code == 200 and not Category.objects.filter(code="0299").exists()

    unit = OrgUnit.objects.get(code="320507003201-vc")
    response = admin_client.post(
        "/admin/grid/responsibilityentry/add/",
        {
            "category": created.pk,
            "territory_code": "320507003201",
            "basis": "territorial",
            "org_unit": unit.pk,
            "active": "on",
            "note": "",
        },
    )
    assert response.status_code == 302
    entry = ResponsibilityEntry.objects.get(category=created)
    assert AuditEvent.objects.filter(action="grid.responsibility_saved", subject_id=str(entry.pk)).exists()


def test_draft_rows_edited_inline_and_published(admin_client: Client, personas: dict[str, Any]) -> None:
    v1 = CategoryStandardVersion.objects.get(active=True)
    response = admin_client.post(
        "/admin/grid/categorystandardversion/",
        {"action": "make_draft", "_selected_action": [v1.pk]},
    )
    assert response.status_code == 302
    draft = CategoryStandardVersion.objects.get(number=2)
    assert draft.is_draft
    assert admin_client.get(f"/admin/grid/categorystandardversion/{draft.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/grid/categorystandardversion/{v1.pk}/change/").status_code == 200
    admin_client.post(
        "/admin/grid/categorystandardversion/", {"action": "publish", "_selected_action": [draft.pk]}
    )
    draft.refresh_from_db()
    assert draft.active and not CategoryStandardVersion.objects.get(number=1).active


def test_routing_decisions_are_read_only(admin_client: Client) -> None:
    assert admin_client.get("/admin/grid/routingdecision/").status_code == 200
    assert admin_client.get("/admin/grid/routingdecision/add/").status_code == 403
