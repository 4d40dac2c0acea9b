"""The ratings pages have English (ratings/locale): the public rating page by the language cookie, the staff
statistics page by Accept-Language; Chinese stays the default."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def test_public_rating_page_in_english_by_cookie() -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/ratings/rate/").content.decode()
    assert "Rate our service (service rating)" in html
    assert "Get an SMS code" in html and "获取短信验证码" not in html


def test_public_rating_page_stays_chinese_by_default() -> None:
    html = Client().get("/ratings/rate/").content.decode()
    assert "办事评价（好差评）" in html and "Rate our service" not in html


def test_staff_figures_page_in_english(people: dict[str, Any], frozen: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(people["hq_leader"])
    html = client.get("/ratings/figures/").content.decode()
    assert "<h1>Service rating statistics</h1>" in html
    assert "On-time rectification rate" in html and "Very satisfied" in html
