"""core.uploads: images decoded and re-encoded; metadata dropped; disguised files refused."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.errors import DomainError
from core.testing import image_bytes
from core.uploads import clean_image


def upload(content: bytes, name: str = "p.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_gps_and_device_are_stripped_from_a_phone_photo() -> None:
    original = image_bytes("JPEG", exif_gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get(0x0110) == "Zhili Phone X"
    clean = clean_image(upload(original), field="photos")
    reopened = Image.open(io.BytesIO(clean.data))
    assert clean.content_type == "image/jpeg" and clean.extension == "jpg"
    assert dict(reopened.getexif()) == {} and b"Zhili Phone" not in clean.data
    assert reopened.size == (8, 6)


@pytest.mark.parametrize("kind", ["PNG", "WEBP"])
def test_png_and_webp_stay_in_their_format(kind: str) -> None:
    clean = clean_image(upload(image_bytes(kind), "p.x", "image/x"), field="photos")
    assert Image.open(io.BytesIO(clean.data)).format == kind


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>",  # a PNG header followed by HTML
        b"\xff\xd8\xff\xe0" + b"\x00" * 64,  # a JPEG header and nothing decodable
        image_bytes("PNG")[:40],  # truncated
        b"GIF89a" + b"\x00" * 40,
        image_bytes("BMP"),  # decodes, but not a format we keep
    ],
)
def test_files_that_are_not_clean_images_are_refused(content: bytes) -> None:
    with pytest.raises(DomainError) as refused:
        clean_image(upload(content), field="photos")
    assert refused.value.code == "invalid_type" and refused.value.field == "photos"


def test_html_appended_after_a_real_image_is_dropped() -> None:
    clean = clean_image(upload(image_bytes("PNG") + b"<html><script>alert(1)</script>"), field="photos")
    assert b"<script>" not in clean.data
