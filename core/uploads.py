"""Uploaded images are decoded and re-encoded with Pillow before they are stored: whatever rode along in
the file (EXIF with GPS and device, a comment, HTML after the image data) is left behind, and a file that
does not decode as the image it claims to be is refused."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import DomainError

# Pillow's format name → (content type, extension). Only these are accepted.
IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
# A decompression bomb (a tiny file that decodes to gigapixels) is refused before it is decoded.
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    extension: str

    @property
    def content(self) -> ContentFile[bytes]:
        """A fresh file object over the bytes, for FileField.save()."""
        return ContentFile(self.data)


def clean_image(upload: UploadedFile, *, field: str, label: str = "图片") -> CleanImage:
    """The upload decoded and re-encoded in its own format (JPEG, PNG or WebP), EXIF orientation applied
    and every metadata block dropped; DomainError(`invalid_type`) if it is not such an image."""
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            kind = probe.format or ""
            if kind not in IMAGE_FORMATS:
                raise _refuse(field, label)
            if probe.width * probe.height > MAX_PIXELS:
                raise DomainError("too_large", f"{label}像素过大。Image too large.", field=field)
            probe.load()  # decodes every byte of image data: a truncated or forged file fails here
            image = ImageOps.exif_transpose(probe)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise _refuse(field, label) from exc
    finally:
        upload.seek(0)
    out = io.BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    elif kind == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=88)
    content_type, extension = IMAGE_FORMATS[kind]
    return CleanImage(out.getvalue(), content_type, extension)


def _refuse(field: str, label: str) -> DomainError:
    return DomainError(
        "invalid_type", f"{label}不是有效的 JPEG、PNG 或 WebP 图片。Not a valid image.", field=field
    )
