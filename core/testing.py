"""Test helpers shared by the apps: small real images (uploads are decoded, so fake bytes no longer pass)."""

from __future__ import annotations

import io

from PIL import Image


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
