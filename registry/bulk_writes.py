"""Registry rows written in bulk with their history: ids reserved up front, then the rows and their
django-simple-history "created" rows (who, when) inserted through `core.bulk` (COPY on PostgreSQL) —
what `bulk_create_with_history` stores, without building a model instance per row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import models

from accounts.models import User
from core.bulk import allocate_ids, insert_rows


def insert_with_history(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, actor: User, now: datetime
) -> list[int]:
    """INSERT `rows` ({attname: value}, no id) of a model with `history = HistoricalRecords()` and one
    history row each ("+", by `actor` at `now`); returns the new ids in row order."""
    if not rows:
        return []
    ids = allocate_ids(model, len(rows))
    stored = [{**row, "id": pk} for row, pk in zip(rows, ids, strict=True)]
    insert_rows(model, stored)
    historical = model.history.model  # type: ignore[attr-defined]
    tracked = [(f.attname, f.get_default()) for f in historical.tracked_fields]
    history_ids = allocate_ids(historical, len(rows))
    insert_rows(
        historical,
        [
            {
                **{name: row.get(name, default) for name, default in tracked},
                "history_id": history_id,
                "history_date": now,
                "history_change_reason": None,
                "history_type": "+",
                "history_user_id": actor.pk,
            }
            for row, history_id in zip(stored, history_ids, strict=True)
        ],
    )
    return ids
