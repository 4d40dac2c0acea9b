"""The full-process record (全过程记录): append-only entries, each with the sha256 of what was done, and
the officers' own record uploads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max

from accounts.models import User
from audit.actions import record_event
from core.errors import Conflict, DomainError
from core.pdf import content_hash
from enforcement.actions.access import _require_case_access, _require_team
from enforcement.actions.common import MAX_UPLOAD_BYTES, _hash_json, _jsonable
from enforcement.models import Case, RecordEntry, RecordKind
from workflow.models import WorkItem

# ---------------------------------------------------------------------------------------------- record


def append_record(
    case: Case,
    *,
    step: str,
    title: str,
    actor: User,
    now: datetime,
    kind: str = RecordKind.NOTE,
    meta: dict[str, Any] | None = None,
    upload: UploadedFile | None = None,
) -> RecordEntry:
    """Append one entry to the case's full-process record (inside the caller's transaction). A file's
    hash is the sha256 of its bytes; an entry without a file hashes its canonical content."""
    meta = _jsonable(dict(meta or {}))
    last = RecordEntry.objects.filter(case=case).aggregate(last=Max("seq"))["last"] or 0
    entry = RecordEntry(
        case=case, seq=last + 1, step=step, kind=kind, title=title[:200], actor=actor, at=now, meta=meta
    )
    if upload is not None:
        data = upload.read()
        entry.content_hash = content_hash(data)
        entry.meta = {**meta, "filename": upload.name, "size": len(data)}
        upload.seek(0)
        entry.file.save(f"{last + 1:04d}-{entry.content_hash[:12]}-{upload.name}", upload, save=False)
    else:
        entry.content_hash = _hash_json(
            {
                "case": case.pk,
                "seq": entry.seq,
                "step": step,
                "title": title,
                "actor": actor.username,
                "at": now.isoformat(),
                "meta": meta,
            }
        )
    entry.save()
    return entry


def check_upload(upload: UploadedFile, field: str = "file") -> None:
    if upload.size is None or upload.size == 0:
        raise DomainError("invalid", "文件为空。", field=field)
    if upload.size > MAX_UPLOAD_BYTES:
        raise DomainError("invalid", "文件超过 200MB。", field=field)


def do_add_record(
    case: Case,
    *,
    kind: str,
    title: str,
    actor: User,
    now: datetime,
    upload: UploadedFile | None = None,
    note: str = "",
) -> RecordEntry:
    """记录: a transcript, photo, audio, video, evidence or note added to the case's current step by one
    of its officers (or the squad leader). Files carry their sha256."""
    _require_case_access(case, actor)
    _require_team(case, actor)
    if kind not in RecordKind.values or kind == RecordKind.DOCUMENT:
        raise DomainError("invalid", "记录类型无效。", field="kind")
    if not title.strip():
        raise DomainError("required", "请填写标题。", field="title")
    if kind in (RecordKind.PHOTO, RecordKind.AUDIO, RecordKind.VIDEO) and upload is None:
        raise DomainError("required", "照片、录音、录像须上传文件。", field="file")
    if upload is not None:
        check_upload(upload)
    item = WorkItem.objects.filter(pk=case.work_item_id or 0).first()
    if item is None or item.closed_at is not None:
        raise Conflict("case_closed", "案件已办结，全过程记录不能再追加。")
    with transaction.atomic():
        entry = append_record(
            case,
            step=item.state,
            title=title.strip(),
            actor=actor,
            now=now,
            kind=kind,
            meta={"note": note.strip()} if note.strip() else {},
            upload=upload,
        )
        record_event(
            actor=actor,
            action="enforcement.add_record",
            subject=entry,
            territory_code=case.territory_code,
            after={"case": case.pk, "seq": entry.seq, "kind": kind, "content_hash": entry.content_hash},
            now=now,
        )
    return entry
