"""Background jobs of the audit trail: the sealer every minute, the signed-head export every ten."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from audit.heads import export_head
from audit.sealing import seal_pending


@db_periodic_task(crontab(minute="*"))
def seal_audit_trail() -> dict[str, int]:
    result = seal_pending(now=timezone.now())
    return {"blocks": result.blocks, "rows": result.rows}


@db_periodic_task(crontab(minute="*/10"))
def export_audit_heads() -> bool:
    seal_pending(now=timezone.now())
    return export_head(Path(settings.AUDIT_HEADS_FILE), now=timezone.now()) is not None
