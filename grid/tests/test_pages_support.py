"""Helpers of the grid page tests (imported by the test_pages_* modules; no tests here): personas with the
reference data, a fixed clock for the pages (time_machine), logged-in clients and a tiny real PNG."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person

LOCAL = ZoneInfo("Asia/Shanghai")
HQ_GRID = "320507003201001"  # 黄桥 grid 1: lon 120.55–120.56, lat 31.40–31.41
HQ_POINT = (120.555, 31.405)
WT_POINT = (120.655, 31.405)
URBAN = "320507003-urban"  # 黄桥街道城市管理办公室 (routing of events 01 in 黄桥)
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=LOCAL)  # a Monday, working hours


def png_bytes(width: int = 4, height: int = 4, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real (tiny) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    raw = row * height
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


@pytest.fixture
def page_people(personas: dict[str, Any], settings: Any, tmp_path: Path) -> Iterator[dict[str, User]]:
    """The personas plus the reference data, a village grid head `hq_head`, media in a temp dir and the
    clock frozen at NOW (the pages read the clock)."""
    from grid.standards.actions import do_seed_reference

    settings.MEDIA_ROOT = tmp_path / "media"
    do_seed_reference(actor=personas["system"], now=NOW)
    village = OrgUnit.objects.get(code="320507003201-vc")
    hq_head = make_person("hq_head", unit=village, role=Role.GRID_HEAD, territory_code="320507003201")
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield {**personas, "hq_head": hq_head}
    cache.clear()


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def report(people: dict[str, User], who: str | None = "hq_grid", **kwargs: Any) -> Any:
    """An event of 暴露垃圾 (0102) in the middle of 黄桥 grid 1, through the action."""
    from grid.events.report import do_report_event

    values: dict[str, Any] = {
        "channel": {"hq_grid": "patrol", None: "resident_web"}.get(who, "hotline"),
        "category_code": "0102",
        "description": "路口绿化带旁有成堆的生活垃圾",
        "lon": HQ_POINT[0],
        "lat": HQ_POINT[1],
    }
    values.update(kwargs)
    return do_report_event(actor=people[who] if who else None, now=NOW, **values)


def act(event: Any, action: str, people: dict[str, User], who: str, **kwargs: Any) -> Any:
    from grid.events.steps import do_event_action

    return do_event_action(event, action, actor=people[who], now=NOW, **kwargs)
