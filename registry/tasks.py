"""Background jobs of the registries: long imports (registry/import_jobs.py). The clock is read here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from huey.contrib.djhuey import db_task

from accounts.models import User
from registry.import_jobs import process_import, store_upload


@db_task()
def run_import(token: str, kind: str, actor_id: int, path: str) -> dict[str, Any]:
    actor = User.objects.get(pk=actor_id)
    return process_import(token, kind, actor, path, now=timezone.now())


def queue_import(upload: UploadedFile, kind: str, *, actor: User, now: datetime) -> str:
    """Store the upload and queue its import; the token names the job."""
    token, path = store_upload(upload, kind, actor=actor, now=now)
    run_import(token, kind, actor.pk, path)
    return token
