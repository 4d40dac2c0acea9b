"""Fixtures of the Open311 tests: a fixed clock, the small territory with the personas, the seeded
categories and service definitions, a client key, and helpers to read XML and JSON answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import time_machine
from django.test import Client

# A fixed key of a client agreed with the district (do_issue_api_key's `key`), as a partner's would be.
CLIENT_KEY = "test-open311-client-key"
# 2026-03-02 10:00 in Xiangcheng (a Monday, inside working hours).
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
HUANGQIAO_GRID = "320507003201001"
# A point inside grid 320507003201001 (lon 120.55–120.56, lat 31.40–31.41).
LON, LAT = "120.555", "31.405"


@pytest.fixture
def now() -> Iterator[datetime]:
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reference(personas: dict[str, Any], now: datetime) -> dict[str, int]:
    from core.testing import replayed
    from grid.standards.actions import do_seed_reference

    return replayed(("grid.reference", now), lambda: do_seed_reference(actor=personas["system"], now=now))


@pytest.fixture
def definitions(reference: dict[str, int], personas: dict[str, Any], now: datetime) -> dict[str, int]:
    from core.testing import replayed
    from open311.actions import do_seed_service_definitions

    return replayed(
        ("open311.definitions", now),
        lambda: do_seed_service_definitions(actor=personas["system"], now=now),
    )


@pytest.fixture
def client_key(definitions: dict[str, int], personas: dict[str, Any], now: datetime) -> str:
    from open311.actions import do_issue_api_key

    do_issue_api_key(name="测试客户端", actor=personas["system"], now=now, key=CLIENT_KEY)
    return CLIENT_KEY


@pytest.fixture
def client() -> Client:
    return Client()


def xml_of(response: Any) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)  # noqa: S314  (our own response)


def json_of(response: Any) -> Any:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return json.loads(response.content)


def spec_error(response: Any, fmt: str) -> tuple[int, str]:
    """(code, description) of a GeoReport error document, checking its shape."""
    if fmt == "xml":
        root = xml_of(response)
        assert root.tag == "errors"
        errors = root.findall("error")
        assert len(errors) == 1
        code = errors[0].findtext("code")
        description = errors[0].findtext("description")
        assert code is not None and description
        return int(code), description
    body = json_of(response)
    assert isinstance(body, list) and len(body) == 1
    assert set(body[0]) == {"code", "description"}
    return int(body[0]["code"]), str(body[0]["description"])


def report(client: Client, fmt: str = "json", **params: Any) -> Any:
    """POST requests.{fmt} with sensible defaults (the client key, a point in 黄桥, 暴露垃圾)."""
    data = {
        "api_key": CLIENT_KEY,
        "service_code": "E0102",
        "lat": LAT,
        "long": LON,
        "description": "路口有一堆暴露垃圾",
        "attribute[URGENCY]": "normal",
    }
    data.update(params)
    return client.post(f"/open311/v2/requests.{fmt}", {k: v for k, v in data.items() if v is not None})
