"""What a voucher (凭证: a payment's original voucher, a receipt's 收据 or 票据) may be: an image, re-encoded
by core.uploads, or a PDF scan, rewritten by pypdf. The kind is read from the content (a PDF starts with
`%PDF-`), never from the file's name or declared type; a file over TERRITORIAL_VOUCHER_MAX_MB is refused
before it is read.

A PDF is stored as pypdf writes it again from what it parsed: bytes after the end of the document (an
HTML or script tail), objects nothing refers to and earlier revisions are left behind. Every object of
the rewritten file is then checked, and a file with active content — JavaScript, launch, form-submit or
import actions, embedded files, XFA forms, rich media — is refused, as is an encrypted one (it cannot be
checked)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.uploads import clean_image

PDF_MAGIC = b"%PDF-"
PDF_CONTENT_TYPE = "application/pdf"
# Keys that carry or point at code or other files, wherever they appear.
ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/EmbeddedFiles", "/XFA", "/RichMedia"})
# Action types (an action dictionary's /S) that run code, start programs, send data out or load it in.
ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/RichMediaExecute"}
)
# Object types that are files inside the file.
ACTIVE_TYPES = frozenset({"/EmbeddedFile", "/Filespec"})


@dataclass(frozen=True)
class Scan:
    """A checked voucher file: the bytes to store, their content type and file extension."""

    data: bytes
    content_type: str
    extension: str

    @property
    def content(self) -> ContentFile[bytes]:
        """A fresh file object over the bytes, for FileField.save()."""
        return ContentFile(self.data)


def max_voucher_bytes() -> int:
    return int(settings.TERRITORIAL_VOUCHER_MAX_MB) * 1024 * 1024


def is_pdf_name(name: str) -> bool:
    """Whether a stored file is a PDF (stored files are named by the extension their check gave them)."""
    return name.lower().endswith(".pdf")


def clean_scan(upload: UploadedFile, *, field: str, label: str) -> Scan:
    """The upload as it will be stored: a JPEG, PNG or WebP image re-encoded without metadata, or a PDF
    rewritten and checked for active content; DomainError `too_large`, `invalid_type`,
    `pdf_encrypted` or `pdf_active_content` (on `field`) otherwise."""
    if (upload.size or 0) > max_voucher_bytes():
        raise DomainError(
            "too_large",
            _("%(label)s不能超过 %(mb)s MB。") % {"label": label, "mb": settings.TERRITORIAL_VOUCHER_MAX_MB},
            field=field,
        )
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC:
        return Scan(_clean_pdf(upload.read(), field=field, label=label), PDF_CONTENT_TYPE, "pdf")
    try:
        image = clean_image(upload, field=field, label=label)
    except DomainError as error:
        if error.code != "invalid_type":
            raise
        raise DomainError(
            "invalid_type",
            _("%(label)s须为 JPEG、PNG、WebP 图片或 PDF 文件。") % {"label": label},
            field=field,
        ) from error
    return Scan(image.data, image.content_type, image.extension)


def _clean_pdf(data: bytes, *, field: str, label: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    broken = DomainError(
        "invalid_type", _("%(label)s不是可以打开的 PDF 文件。") % {"label": label}, field=field
    )
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DomainError(
                "pdf_encrypted",
                _("%(label)s是加密的 PDF，无法检查，请上传未加密的文件。") % {"label": label},
                field=field,
            )
        if not reader.pages:
            raise broken
        out = io.BytesIO()
        PdfWriter(clone_from=reader).write(out)
        rewritten = out.getvalue()
        if any(_is_active(obj) for obj in _objects(PdfReader(io.BytesIO(rewritten)))):
            raise DomainError(
                "pdf_active_content",
                _("%(label)s含有脚本、启动程序或内嵌文件等活动内容，不予接收。") % {"label": label},
                field=field,
            )
    except DomainError:
        raise
    except Exception as exc:  # a damaged file fails in pypdf in many ways; each means "cannot be opened"
        raise broken from exc
    return rewritten


def _objects(reader: Any) -> Iterator[Any]:
    """Every object of the file: the trailer, each indirect object in the cross-reference table and
    each one packed in an object stream."""
    from pypdf.generic import IndirectObject

    yield reader.trailer
    for generation, numbers in reader.xref.items():
        for number in numbers:
            yield reader.get_object(IndirectObject(number, generation, reader))
    for number in reader.xref_objStm:
        yield reader.get_object(IndirectObject(number, 0, reader))


def _is_active(obj: Any) -> bool:
    """Whether `obj` or anything written inside it (not behind a reference: those are objects of their
    own, checked on their own) is active content."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    stack = [obj]
    while stack:
        current = stack.pop()
        if isinstance(current, IndirectObject):
            continue
        if isinstance(current, DictionaryObject):
            if ACTIVE_KEYS & set(current) or str(current.get("/Type", "")) in ACTIVE_TYPES:
                return True
            if str(current.get("/S", "")) in ACTIVE_ACTIONS:
                return True
            stack.extend(current.values())
        elif isinstance(current, ArrayObject):
            stack.extend(current)
    return False
