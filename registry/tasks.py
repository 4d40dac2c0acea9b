"""Background jobs of the registries: long imports (registry/import_jobs.py). The clock is read here."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from huey.contrib.djhuey import db_task

from accounts.models import User
from registry.import_jobs import process_import


@db_task()
def run_import(token: str, kind: str, actor_id: int, path: str) -> dict[str, Any]:
    actor = User.objects.get(pk=actor_id)
    return process_import(token, kind, actor, path, now=timezone.now())
