"""The append-only base: every model built on it refuses changes and deletions through the ORM, one row
at a time and in bulk, and still takes new rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from audit.models import AuditBlock, AuditEvent
from core.appendonly import AppendOnlyError, AppendOnlyModel
from enforcement.models import RecordEntry
from workflow.models import ProcessVersion, Transition

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("model", [AuditEvent, AuditBlock, ProcessVersion, Transition, RecordEntry])
def test_the_platforms_append_only_models_share_the_base(model: Any) -> None:
    assert issubclass(model, AppendOnlyModel)
    queryset = model.objects.all()
    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        queryset.update(id=0)
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        queryset.delete()
    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        queryset.bulk_update([], ["id"])


@pytest.mark.django_db
def test_a_stored_row_is_never_changed_nor_deleted() -> None:
    version = ProcessVersion.objects.create(
        name="append_only_probe",
        version=1,
        title="探针",
        content_hash="0" * 64,
        definition={},
        published_at=NOW,
    )
    version.title = "改过"
    with pytest.raises(AppendOnlyError, match="只能追加，不能修改"):
        version.save()
    with pytest.raises(AppendOnlyError, match="只能追加，不能删除"):
        version.delete()
    with pytest.raises(AppendOnlyError):
        ProcessVersion.objects.filter(pk=version.pk).update(title="改过")
    with pytest.raises(AppendOnlyError):
        ProcessVersion.objects.filter(pk=version.pk).delete()
    assert ProcessVersion.objects.get(pk=version.pk).title == "探针"
