"""Every indicator has an English name and definition, and `description` follows the session's language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from accounts.models import User
from command.indicators import REGISTRY

HAN = re.compile(r"[\u3400-\u9fff]")


@pytest.mark.parametrize("code", sorted(REGISTRY))
def test_every_indicator_has_english(code: str) -> None:
    indicator = REGISTRY[code]
    assert indicator.en.strip() and not HAN.search(indicator.en)
    assert indicator.definition_en.strip() and not HAN.search(indicator.definition_en)
    assert indicator.definition.strip() and HAN.search(indicator.definition)  # the Chinese is kept


def test_description_follows_the_language() -> None:
    accepted = REGISTRY["accepted"]
    with translation.override("en"):
        assert accepted.description == accepted.definition_en
        assert accepted.description.startswith("Events reported in the period and accepted")
        assert accepted.name == "Accepted reports"
    with translation.override("zh-hans"):
        assert accepted.description == accepted.definition
        assert accepted.description == "期内上报且被受理（立案或自行处置，不含作废、重复件）的事件数。"
        assert accepted.name == "受理数"


@pytest.mark.django_db
def test_items_page_speaks_the_session_language(personas: dict[str, User], settings: Any) -> None:
    client = Client()
    client.force_login(personas["hq_leader"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/command/items/", {"indicator": "accepted"}).content.decode()
    assert "Accepted reports" in html and REGISTRY["accepted"].definition_en in html
    assert "受理数 ·" not in html and REGISTRY["accepted"].definition not in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get("/command/items/", {"indicator": "accepted"}).content.decode()
    assert "受理数" in html and REGISTRY["accepted"].definition in html
