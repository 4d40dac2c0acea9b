"""Re-sealing registry columns under the current key, in batches that each commit with their cursor,
so a stopped run resumes where it left off (and a finished table is not walked again for that key)."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import transaction

from core import pii
from registry import crypto
from registry.models import RotationCursor


@dataclass
class RotationReport:
    target_version: int
    resealed: int = 0
    batches: int = 0
    finished: bool = False


def rotate(*, batch_size: int = 500, max_batches: int | None = None) -> RotationReport:
    """Re-seal every token not under the current key version; stop after `max_batches` if given."""
    target = pii.current_key_version()
    report = RotationReport(target_version=target)
    for label, columns in crypto.SEALED_COLUMNS.items():
        model = apps.get_model(label)
        cursor, _ = RotationCursor.objects.get_or_create(table=label, defaults={"target_version": target})
        if cursor.target_version != target:  # a newer key since the last run: start this table over
            cursor.target_version, cursor.last_pk, cursor.done = target, 0, False
            cursor.save()
        while not cursor.done:
            if max_batches is not None and report.batches >= max_batches:
                return report
            with transaction.atomic():
                rows = list(
                    model.objects.select_for_update()
                    .filter(pk__gt=cursor.last_pk)
                    .order_by("pk")
                    .only("pk", *columns)[:batch_size]
                )
                changed = []
                for row in rows:
                    stale = False
                    for column in columns:
                        token = getattr(row, column)
                        if token and pii.sealed_version(token) != target:
                            setattr(row, column, crypto.seal(model, column, crypto.unseal(row, column)))
                            stale = True
                    if stale:
                        changed.append(row)
                if changed:
                    model.objects.bulk_update(changed, list(columns))
                report.resealed += len(changed)
                report.batches += 1
                if rows:
                    cursor.last_pk = rows[-1].pk
                cursor.done = len(rows) < batch_size
                cursor.save(update_fields=["last_pk", "done"])
    report.finished = True
    return report
