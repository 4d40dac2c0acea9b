"""Long imports run in the background: the page stores the upload (`store_upload`), queues
`registry.tasks.run_import` (`registry.tasks.queue_import` does both) and shows a progress bar that
polls the job's state until the counts (or every problem, with the error report) are there. The import
itself stays one transaction, so its progress is kept outside the database: in the shared cache when
that is Redis (every host sees it), else in a small file under the var directory (the embedded mode:
web and worker on one machine)."""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.utils import translation

from accounts.models import User
from core.spreadsheets import SpreadsheetImportError, problems_workbook
from registry.imports import do_import_entities, do_import_people
from registry.imports_places import do_import_addresses, do_import_buildings, do_import_key_places

# What a file holds → its import (the page and the background job share this table).
IMPORTERS = {
    "people": do_import_people,
    "entities": do_import_entities,
    "addresses": do_import_addresses,
    "buildings": do_import_buildings,
    "places": do_import_key_places,
}
KEEP_SECONDS = 24 * 3600
PROBLEMS_SHOWN = 200


def _directory() -> Path:
    path = Path(settings.VAR_DIR) / "registry-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _shared_cache() -> bool:
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


def save_state(token: str, state: dict[str, Any]) -> None:
    if _shared_cache():
        cache.set(f"registry:import-job:{token}", state, KEEP_SECONDS)
        return
    target = _directory() / f"{token}.json"
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(state, out, ensure_ascii=False)
    os.replace(temporary, target)


def load_state(token: str) -> dict[str, Any] | None:
    if not token.replace("-", "").replace("_", "").isalnum():
        return None
    if _shared_cache():
        return cache.get(f"registry:import-job:{token}")
    path = _directory() / f"{token}.json"
    if not path.exists():
        return None
    state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return state


def state_for(user: User, token: str) -> dict[str, Any] | None:
    """The job's state, only for the user who started it."""
    state = load_state(token)
    return state if state is not None and state.get("owner") == user.pk else None


def store_upload(upload: UploadedFile, kind: str, *, actor: User, now: datetime) -> tuple[str, str]:
    """Store the upload for its background import and record the job as queued: (token, stored path)."""
    token = secrets.token_urlsafe(16)
    suffix = Path(upload.name or "").suffix.lower() or ".xlsx"
    path = _directory() / f"{token}{suffix}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    save_state(
        token,
        {
            "owner": actor.pk,
            "kind": kind,
            "status": "queued",
            "done": 0,
            "total": 0,
            "queued_at": now.isoformat(),
            "language": translation.get_language() or settings.LANGUAGE_CODE,
        },
    )
    return token, str(path)


def process_import(token: str, kind: str, actor: User, path: str, *, now: datetime) -> dict[str, Any]:
    """Run the import of a stored upload, keeping its state current; the upload is removed after. Its
    problems are worded in the language of the page that queued it."""
    state = load_state(token) or {"owner": actor.pk, "kind": kind}
    with translation.override(state.get("language") or settings.LANGUAGE_CODE):
        return _process(token, kind, actor, path, state, now=now)


def _process(
    token: str, kind: str, actor: User, path: str, state: dict[str, Any], *, now: datetime
) -> dict[str, Any]:
    state.update(status="running")
    save_state(token, state)

    def progress(done: int, total: int) -> None:
        state.update(done=done, total=total)
        save_state(token, state)

    try:
        report = IMPORTERS[kind](path, actor=actor, now=now, progress=progress)
    except SpreadsheetImportError as error:
        report_path = _directory() / f"{token}-errors.xlsx"
        report_path.write_bytes(problems_workbook(error.problems))
        state.update(
            status="failed",
            problems=[p.as_dict() for p in error.problems[:PROBLEMS_SHOWN]],
            problem_count=len(error.problems),
        )
    else:
        state.update(status="done", report={k: v for k, v in asdict(report).items() if k != "problems"})
    finally:
        Path(path).unlink(missing_ok=True)
    save_state(token, state)
    return state


def error_report(user: User, token: str) -> bytes | None:
    state = state_for(user, token)
    path = _directory() / f"{token}-errors.xlsx"
    if state is None or state.get("status") != "failed" or not path.exists():
        return None
    return path.read_bytes()
