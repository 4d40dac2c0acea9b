"""Idempotency-Key for create and transition requests: the first successful response is stored per
(user, key) in the same transaction as the work, and a retry with the same key and body gets it back
(same status, same body, header `Idempotent-Replayed: true`) instead of doing the work twice. The same
key with a different body is refused (422). Refusals are not stored: nothing was done, so a retry is
evaluated afresh.

Two requests with the same key at the same moment: the second waits for the first, then replays its
answer. The key is looked up inside the work's transaction after taking a lock on the key (a
transaction-level advisory lock on PostgreSQL; SQLite's IMMEDIATE transactions already admit one
writer at a time), so the second never runs the work against the state the first just changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.utils.datastructures import MultiValueDict
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.errors import DomainError, Unprocessable
from workflow.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


class _BodyEncoder(DjangoJSONEncoder):
    """Uploaded files (multipart requests) stand for their name, size and content hash."""

    def default(self, o: Any) -> Any:
        if isinstance(o, File):
            digest = hashlib.sha256()
            o.seek(0)
            for chunk in o.chunks():
                digest.update(chunk)
            o.seek(0)
            return {"file": o.name, "size": o.size, "sha256": digest.hexdigest()}
        return super().default(o)


def request_digest(method: str, path: str, body: Any) -> str:
    """The hash a replay must match: method, path and every value of the body (files by content)."""
    if isinstance(body, MultiValueDict):  # form and multipart bodies: every value of every key
        body = dict(body.lists())
    canonical = json.dumps({"method": method, "path": path, "body": body}, sort_keys=True, cls=_BodyEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _stored(record: IdempotencyRecord, digest: str) -> tuple[int, dict[str, Any], bool]:
    if record.request_hash != digest:
        raise Unprocessable("idempotency_key_reused", "该幂等键已用于另一个不同的请求。", field=HEADER)
    return record.status_code, record.response_body, True


def _lock_key(user_id: int, key: str) -> None:
    if connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"idempotency:{user_id}:{key}".encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)])


def run_once(
    *, user: User, key: str, request_hash: str, now: datetime, work: Callable[[], tuple[int, dict[str, Any]]]
) -> tuple[int, dict[str, Any], bool]:
    """Run `work` at most once per (user, key): (status, body, replayed). The first successful result is
    stored with the request's hash in the same transaction as the work; a later call with the same key
    and hash gets it back (replayed = True), one with another hash is refused (422). Also the door of
    forms with a one-time token (the residents' report page keys them under the system user)."""
    try:
        with transaction.atomic():
            _lock_key(user.pk, key)
            existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if existing is not None:
                return _stored(existing, request_hash)
            status, body = work()
            stored = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
            IdempotencyRecord.objects.create(
                user=user,
                key=key,
                request_hash=request_hash,
                status_code=status,
                response_body=stored,
                created_at=now,
            )
    except IntegrityError:
        # A concurrent request with the same key committed first; our work rolled back with this.
        existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if existing is None:
            raise
        return _stored(existing, request_hash)
    return status, stored, False


def idempotent(
    request: Request, *, now: datetime, work: Callable[[], tuple[int, dict[str, Any]]]
) -> Response:
    """Run `work` (returning status and JSON body) at most once per (user, Idempotency-Key)."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        status, body = work()
        return Response(body, status=status)
    if len(key) > MAX_KEY_LENGTH:
        raise DomainError("invalid", f"幂等键不能超过 {MAX_KEY_LENGTH} 个字符。", field=HEADER)
    user = request.user
    assert isinstance(user, User)
    digest = request_digest(request.method or "", request.path, request.data)
    status, body, replayed = run_once(user=user, key=key, request_hash=digest, now=now, work=work)
    return Response(body, status=status, headers={"Idempotent-Replayed": "true"} if replayed else None)
