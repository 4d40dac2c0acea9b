"""The approvals pages have English (approvals/locale): the public catalogue by the language cookie, the
window-intake page by Accept-Language; Chinese stays the default."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from approvals.testing import LICENCE_CODE

from .conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def test_public_catalogue_in_english_by_cookie(setup: dict[str, Any]) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/approvals/").content.decode()
    assert "<h1>Catalogue of government service items" in html
    assert "Track an application" in html
    assert "政务服务事项目录" not in html
    steward = Client()
    steward.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    steward.force_login(setup["steward"])
    assert "Download the catalogue template" in steward.get("/approvals/").content.decode()


def test_public_catalogue_stays_chinese_by_default(setup: dict[str, Any]) -> None:
    html = Client().get("/approvals/").content.decode()
    assert "政务服务事项目录" in html and "Catalogue of government service items" not in html


def test_window_intake_in_english(setup: dict[str, Any]) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(setup["hq_clerk"])
    html = client.get(f"/approvals/window/?item={LICENCE_CODE}").content.decode()
    assert "<h1>One-window intake" in html
    assert "Request all corrections at once" in html and "Applicant type" in html
