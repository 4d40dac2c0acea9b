"""Editing the standard: drafts copied from the current version, edited, published; published versions
never change."""

from __future__ import annotations

from typing import Any

import pytest

from audit.models import AuditEvent
from core.errors import DomainError, PermissionRefused
from grid.models import Category, CategoryStandard, CategoryStandardVersion
from grid.standards.actions import (
    do_create_draft_version,
    do_delete_standard_row,
    do_publish_standard_version,
    do_save_category,
    do_save_standard_row,
)
from grid.standards.selectors import limit_for

pytestmark = pytest.mark.django_db


def test_draft_edit_publish(reference: dict[str, int], personas: dict[str, Any], now: Any) -> None:
    system = personas["system"]
    v1 = CategoryStandardVersion.objects.get(active=True)
    draft = do_create_draft_version(actor=system, now=now)
    assert draft.is_draft and not draft.active and draft.rows.count() == v1.rows.count()
    row = draft.rows.get(category__kind="event", category__code="0102")
    row.limit_a = 2
    do_save_standard_row(row, actor=system, now=now)
    do_delete_standard_row(
        draft.rows.get(category__kind="event", category__code="0601"), actor=system, now=now
    )
    assert limit_for("0102", "A")[0] == 4  # the draft is not current yet
    do_publish_standard_version(draft, actor=system, now=now)
    assert limit_for("0102", "A")[0] == 2
    assert limit_for("0102", "A", version=v1)[0] == 4
    assert CategoryStandardVersion.objects.filter(active=True).count() == 1
    assert AuditEvent.objects.filter(action="grid.standard_row_saved", subject_id=str(row.pk)).exists()


def test_published_version_is_immutable(
    reference: dict[str, int], personas: dict[str, Any], now: Any
) -> None:
    row = CategoryStandard.objects.filter(version__active=True).first()
    assert row is not None
    row.limit_a = 99
    with pytest.raises(DomainError) as exc:
        do_save_standard_row(row, actor=personas["system"], now=now)
    assert exc.value.code == "version_published"
    with pytest.raises(DomainError):
        do_delete_standard_row(row, actor=personas["system"], now=now)
    with pytest.raises(DomainError):
        do_publish_standard_version(row.version, actor=personas["system"], now=now)
    row.refresh_from_db()
    assert row.limit_a != 99


def test_bad_row_and_bad_category(reference: dict[str, int], personas: dict[str, Any], now: Any) -> None:
    system = personas["system"]
    draft = do_create_draft_version(actor=system, now=now)
    row = draft.rows.first()
    assert row is not None
    row.limit_b = 0
    with pytest.raises(DomainError) as exc:
        do_save_standard_row(row, actor=system, now=now)
    assert exc.value.field == "limit_b"
    major = Category.objects.get(kind="event", code="01")
    with pytest.raises(DomainError) as exc:
        do_save_category(
            Category(kind="event", code="0299", name="错位", parent=major), actor=system, now=now
        )
    assert exc.value.field == "code"
    saved = do_save_category(
        Category(kind="event", code="0110", name="乱堆物料", parent=major), actor=system, now=now
    )
    assert saved.pk and not saved.is_major


def test_empty_draft_cannot_be_published(personas: dict[str, Any], now: Any) -> None:
    draft = do_create_draft_version(actor=personas["system"], now=now)
    with pytest.raises(DomainError) as exc:
        do_publish_standard_version(draft, actor=personas["system"], now=now)
    assert exc.value.code == "empty_version"


def test_agency_staff_cannot_edit_the_standard(
    reference: dict[str, int], personas: dict[str, Any], now: Any
) -> None:
    with pytest.raises(PermissionRefused):
        do_create_draft_version(actor=personas["hq_agency"], now=now)
