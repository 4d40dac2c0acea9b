"""Test helpers shared by the apps: small real images (uploads are decoded, so fake bytes no longer
pass), and the queries one request makes from cold process caches."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from core import refcache


def image_bytes(kind: str = "JPEG", *, size: tuple[int, int] = (8, 6), exif_gps: bool = False) -> bytes:
    """A tiny image in Pillow format `kind` (JPEG, PNG, WEBP); with exif_gps, a GPS block and a camera
    model in its EXIF, as a phone writes them."""
    image = Image.new("RGB", size, (120, 160, 200))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x0110] = "Zhili Phone X"  # Model
        exif[0x8825] = {1: "N", 2: (31.0, 24.0, 18.0), 3: "E", 4: (120.0, 33.0, 18.0)}  # GPSInfo
        image.save(out, kind, exif=exif.tobytes())
    else:
        image.save(out, kind)
    return out.getvalue()


def queries_of(call: Callable[[], Any]) -> tuple[list[str], Any]:
    """(the SQL of each query `call` made, its result), starting with empty reference caches (each
    measured request fills the reference caches itself, so two requests over different numbers of rows
    compare like for like)."""
    refcache.clear_all()
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return [q["sql"] for q in captured.captured_queries], result
