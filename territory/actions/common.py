"""What the territory's actions share: the steward's right to change territory data, the boundary
revision bumped (and the locate index dropped) when grid coverage changed, the import tolerance."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F

from core.errors import PermissionRefused
from territory.locate import invalidate_index
from territory.models import BoundaryRevision


def require_steward(actor: Any) -> None:
    """Territory master data: the system actor, superusers and holders of territory.change_grid."""
    if actor is None:
        return
    if getattr(actor, "is_system", False) or getattr(actor, "is_superuser", False):
        return
    if getattr(actor, "is_active", False) and actor.has_perm("territory.change_grid"):
        return
    raise PermissionRefused("not_allowed", "无权维护区划与网格数据。Not allowed to change territory data.")


def bump_revision(now: datetime) -> None:
    BoundaryRevision.objects.get_or_create(pk=1)
    BoundaryRevision.objects.filter(pk=1).update(number=F("number") + 1, changed_at=now)
    # Drop this process's index now (a lookup inside the transaction sees the new rows) and again after
    # commit (a lookup that raced the commit may have rebuilt from the old rows).
    invalidate_index()
    transaction.on_commit(invalidate_index)


def import_tolerance_m2() -> float:
    """How far (m²) a boundary may stray outside its parent before it is refused."""
    return float(getattr(settings, "TERRITORY_IMPORT_TOLERANCE_M2", 1.0))
