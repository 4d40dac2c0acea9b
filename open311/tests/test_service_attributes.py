"""Service-definition attributes as data: the idempotent seed and the administrators' edits (through
actions with audit rows)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from audit.models import AuditEvent
from core.errors import Conflict, DomainError, PermissionRefused
from grid.models import Category, CategoryStandard
from open311.actions import (
    do_delete_service_attribute,
    do_save_service_attribute,
    do_seed_service_definitions,
)
from open311.attributes import DEFAULT_ATTRIBUTES
from open311.models import ServiceAttribute

pytestmark = pytest.mark.django_db


def test_seed_gives_every_service_the_default_set(definitions: dict[str, int]) -> None:
    services = CategoryStandard.objects.filter(version__active=True).values("category_id").distinct().count()

    assert definitions["services"] == services
    assert definitions["attributes_created"] == services * len(DEFAULT_ATTRIBUTES)
    assert ServiceAttribute.objects.count() == services * len(DEFAULT_ATTRIBUTES)
    assert AuditEvent.objects.filter(action="open311.service_definitions_seeded").count() == 1


def test_seed_is_idempotent_and_keeps_edits(
    definitions: dict[str, int], personas: dict[str, Any], now: datetime
) -> None:
    edited = ServiceAttribute.objects.get(category__kind="event", category__code="0102", code="URGENCY")
    edited.description = "有多急？"
    do_save_service_attribute(edited, actor=personas["system"], now=now)
    ServiceAttribute.objects.filter(category__kind="event", category__code="0102", code="QUANTITY").delete()

    counts = do_seed_service_definitions(actor=personas["system"], now=now)

    assert counts["attributes_created"] == 1
    assert ServiceAttribute.objects.get(pk=edited.pk).description == "有多急？"
    again = do_seed_service_definitions(actor=personas["system"], now=now)
    assert again["attributes_created"] == 0
    assert AuditEvent.objects.filter(action="open311.service_definitions_seeded").count() == 2


@pytest.mark.parametrize("who", ["dispatcher", "hq_grid", "wt_grid", "hq_agency"])
def test_only_reference_editors_seed_or_edit(
    definitions: dict[str, int], personas: dict[str, Any], now: datetime, who: str
) -> None:
    attribute = ServiceAttribute.objects.first()
    assert attribute is not None

    with pytest.raises(PermissionRefused):
        do_seed_service_definitions(actor=personas[who], now=now)
    with pytest.raises(PermissionRefused):
        do_save_service_attribute(attribute, actor=personas[who], now=now)
    with pytest.raises(PermissionRefused):
        do_delete_service_attribute(attribute, actor=personas[who], now=now)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "bad code"}, "code"),
        ({"datatype": "singlevaluelist", "values": []}, "values"),
        ({"datatype": "singlevaluelist", "values": [{"key": "a"}]}, "values"),
        (
            {"datatype": "multivaluelist", "values": [{"key": "a", "name": "A"}, {"key": "a", "name": "B"}]},
            "values",
        ),
        ({"datatype": "number", "values": [{"key": "a", "name": "A"}]}, "values"),
        ({"variable": False, "required": True}, "required"),
    ],
)
def test_a_bad_definition_row_is_refused(
    definitions: dict[str, int], personas: dict[str, Any], now: datetime, changes: dict[str, Any], field: str
) -> None:
    attribute = ServiceAttribute(
        category=Category.objects.get(kind="event", code="0102"),
        code="NEW",
        datatype="string",
        description="新",
    )
    for name, value in changes.items():
        setattr(attribute, name, value)

    with pytest.raises(DomainError) as refused:
        do_save_service_attribute(attribute, actor=personas["system"], now=now)
    assert refused.value.field == field


def test_a_duplicate_code_is_a_conflict(
    definitions: dict[str, int], personas: dict[str, Any], now: datetime
) -> None:
    attribute = ServiceAttribute(
        category=Category.objects.get(kind="event", code="0102"),
        code="URGENCY",
        datatype="string",
        description="x",
    )

    with pytest.raises(Conflict):
        do_save_service_attribute(attribute, actor=personas["system"], now=now)


def test_delete_writes_an_audit_row(
    definitions: dict[str, int], personas: dict[str, Any], now: datetime
) -> None:
    attribute = ServiceAttribute.objects.get(category__kind="event", category__code="0102", code="CONTACT")

    do_delete_service_attribute(attribute, actor=personas["system"], now=now)

    assert not ServiceAttribute.objects.filter(pk=attribute.pk).exists()
    audit = AuditEvent.objects.get(action="open311.service_attribute_deleted")
    assert audit.before is not None and audit.before["code"] == "CONTACT"


def test_admin_edits_go_through_the_action(definitions: dict[str, Any], personas: dict[str, Any]) -> None:
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.create_superuser(username="root", password="x"))
    attribute = ServiceAttribute.objects.get(category__kind="event", category__code="0102", code="URGENCY")
    form = {
        "category": attribute.category_id,
        "code": "URGENCY",
        "order": "1",
        "description": "有多急？",
        "datatype": "singlevaluelist",
        "required": "on",
        "variable": "on",
        "datatype_description": "",
        "values": '[{"key": "normal", "name": "一般"}]',
    }

    bad = client.post(f"/admin/open311/serviceattribute/{attribute.pk}/change/", {**form, "values": "[]"})
    assert bad.status_code == 200  # the form shows the refusal
    assert ServiceAttribute.objects.get(pk=attribute.pk).description == "紧急程度（不填为一般）"

    response = client.post(f"/admin/open311/serviceattribute/{attribute.pk}/change/", form)

    assert response.status_code == 302
    assert ServiceAttribute.objects.get(pk=attribute.pk).values == [{"key": "normal", "name": "一般"}]
    audit = AuditEvent.objects.get(action="open311.service_attribute_saved")
    assert audit.before is not None and audit.before["description"] == "紧急程度（不填为一般）"
