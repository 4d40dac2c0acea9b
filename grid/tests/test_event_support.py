"""Shared fixtures and helpers of the grid-event tests (imported by the test_event_* modules; it holds no
tests itself). Times are local (Asia/Shanghai) so deadlines read like a calendar."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from core.testing import image_bytes

LOCAL = ZoneInfo("Asia/Shanghai")
HQ_GRID = "320507003201001"  # 黄桥测试村第1网格: lon 120.55–120.56, lat 31.40–31.41
HQ_GRID_2 = "320507003201002"  # lon 120.56–120.57
WT_GRID = "320507105201001"  # 渭塘: lon 120.65–120.66
HQ_POINT = (120.555, 31.405)
HQ_POINT_2 = (120.565, 31.405)
WT_POINT = (120.655, 31.405)
URBAN = "320507003-urban"  # 黄桥街道城市管理办公室: hq_agency, hq_agency_colleague (routing of events 01)
SQUAD = "320507003-squad1"  # hq_officer
VILLAGE_UNIT = "320507003201-vc"  # hq_grid (grid worker), hq_head (grid head)

JPEG = image_bytes("JPEG")
PNG = image_bytes("PNG")
WEBP = image_bytes("WEBP")


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL)


def photo(
    content: bytes = JPEG, name: str = "photo.jpg", content_type: str = "image/jpeg"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def people(personas: dict[str, Any], media: Path) -> Iterator[dict[str, User]]:
    """The personas, the reference data (categories, standard v1, responsibility lists) and a village
    grid head `hq_head`. The cache (public rate limit) starts empty."""
    from grid.standards.actions import do_seed_reference

    do_seed_reference(actor=personas["system"], now=at(3, 1))
    village = OrgUnit.objects.get(code=VILLAGE_UNIT)
    hq_head = make_person("hq_head", unit=village, role=Role.GRID_HEAD, territory_code="320507003201")
    cache.clear()
    yield {**personas, "hq_head": hq_head}
    cache.clear()


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def report(
    people: dict[str, User], *, who: str | None = "hq_grid", now: datetime | None = None, **kwargs: Any
) -> Any:
    """A report of 暴露垃圾 (0102) at the middle of 黄桥 grid 1, by `who` (None: anonymous resident)."""
    from grid.events.report import do_report_event

    values: dict[str, Any] = {
        "channel": "patrol"
        if who in ("hq_grid", "hq_head")
        else ("resident_web" if who is None else "hotline"),
        "category_code": "0102",
        "description": "路口绿化带旁有成堆的生活垃圾",
        "lon": HQ_POINT[0],
        "lat": HQ_POINT[1],
    }
    values.update(kwargs)
    return do_report_event(actor=people[who] if who else None, now=now or at(3, 2, 9), **values)


def act(event: Any, action: str, people: dict[str, User], who: str, now: datetime, **kwargs: Any) -> Any:
    from grid.events.steps import do_event_action

    return do_event_action(event, action, actor=people[who], now=now, **kwargs)
