"""The evaluation pages have English (evaluation/locale): the ranking page by the language cookie and the
late-publication list by Accept-Language; Chinese stays the default."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from evaluation.actions import do_compute_points
from evaluation.testing import build_hand_example, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(people: dict[str, Any]) -> None:
    build_hand_example(people)
    do_compute_points("2026-11", actor=people["leader"], now=local(28, 12))


def _login(user: Any, language: str | None = None) -> Client:
    client = Client(headers={"accept-language": language} if language else None)
    client.force_login(user)
    return client


def test_ranking_page_in_english_by_cookie(computed: None, personas: dict[str, Any]) -> None:
    client = _login(personas["dispatcher"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/evaluation/", {"period": "2026-11"}).content.decode()
    assert "<h1>Enforcement case evaluation points · 2026-11</h1>" in html
    assert "Steps on time" in html and "Evaluation period" in html and "Computed at " in html
    assert "执法案件评价积分" not in html


def test_ranking_page_stays_chinese_by_default(computed: None, personas: dict[str, Any]) -> None:
    html = _login(personas["dispatcher"]).get("/evaluation/", {"period": "2026-11"}).content.decode()
    assert "<h1>执法案件评价积分 · 2026-11</h1>" in html and "Steps on time" not in html


def test_late_publications_in_english(people: dict[str, Any], personas: dict[str, Any]) -> None:
    client = _login(personas["dispatcher"], language="en")
    html = client.get("/evaluation/publications/late/").content.decode()
    assert "Supervision of administrative penalty decision publication" in html
    assert "Nothing overdue." in html
