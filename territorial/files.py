"""Files kept only with their rows: a voucher, an asset photo or a contract's scan is written to storage
inside the transaction that records its row (so the row never points at a file that was not written), and
deleted again when that transaction does not complete, so no file outlives a rolled-back row.

`atomic_with_files()` is the action's transaction; `store_file()` writes a file inside it. A block that
completes inside another `atomic_with_files()` hands its files to it. A process killed between the write
and the commit, or a caller's own transaction rolled back after this block completed, can still leave a
file no row refers to: `orphan_files()` (and `manage.py territorial_orphan_files`) finds and removes
those once they are older than any transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.db.models.fields.files import FieldFile

from territorial.models import AssetChange, AssetPhoto, Contract, LedgerEntry, Payment

logger = logging.getLogger(__name__)

# The folders (under the storage's root) this app uploads to: the models' upload_to without the dates.
UPLOAD_FOLDERS = ("territorial/vouchers", "territorial/assets", "territorial/contracts")

_written: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("territorial_written_files", default=None)


@contextmanager
def atomic_with_files() -> Iterator[None]:
    """transaction.atomic(), and the files written inside it through store_file() are deleted when the
    block is left by an exception (its database writes are then rolled back) or its commit fails."""
    written: list[tuple[Storage, str]] = []
    enclosing = _written.get()
    token = _written.set(written)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        _delete(written)
        raise
    finally:
        _written.reset(token)
    if enclosing is not None:
        enclosing.extend(written)  # the enclosing block deletes them too if it fails after this one


def store_file(field: FieldFile, name: str, content: File[bytes]) -> None:
    """Write `content` to the storage of `field` under (a free variant of) `name`, set the field to it
    (the caller saves the row), and have it deleted if the enclosing atomic_with_files() fails."""
    written = _written.get()
    if written is None:
        raise RuntimeError("store_file runs inside atomic_with_files(), with the row it belongs to")
    field.save(name, content, save=False)
    written.append((field.storage, str(field.name)))


def _delete(written: list[tuple[Storage, str]]) -> None:
    for storage, name in written:
        try:
            storage.delete(name)
        except OSError:  # the exception that rolled the transaction back is the one to raise
            logger.exception("could not delete %s after its transaction rolled back", name)


def orphan_files(*, written_before: datetime, storage: Storage | None = None) -> list[str]:
    """The files in UPLOAD_FOLDERS that no row refers to and that were written before `written_before`
    (give it a time older than any transaction, so a file whose row is not committed yet is spared)."""
    storage = storage or default_storage
    referenced = {
        *Payment.objects.values_list("voucher", flat=True),
        *LedgerEntry.objects.exclude(voucher="").values_list("voucher", flat=True),
        *AssetChange.objects.exclude(voucher="").values_list("voucher", flat=True),
        *AssetPhoto.objects.values_list("image", flat=True),
        *Contract.objects.exclude(document="").values_list("document", flat=True),
    }
    return [
        name
        for folder in UPLOAD_FOLDERS
        for name in _walk(storage, folder)
        if name not in referenced and storage.get_modified_time(name) < written_before
    ]


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    if not storage.exists(folder):
        return
    folders, files = storage.listdir(folder)
    for file in sorted(files):
        yield f"{folder}/{file}"
    for sub in sorted(folders):
        yield from _walk(storage, f"{folder}/{sub}")
