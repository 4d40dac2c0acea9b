"""The enforcement pages have English (enforcement/locale): the public matters page by the language cookie,
an officer's case page by Accept-Language; Chinese stays the default."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from enforcement.actions import do_open_case
from enforcement.tests.test_case_flow import ORDINARY, at

pytestmark = pytest.mark.django_db


def test_public_matters_page_in_english_by_cookie(people: dict[str, Any]) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/public/enforcement/").content.decode()
    assert "<h1>Advance publication of administrative enforcement</h1>" in html
    assert "Published administrative penalty decisions" in html and "Remedies" in html
    assert "administrative reconsideration within sixty days" in html
    assert "行政执法事前公示" not in html


def test_public_matters_page_stays_chinese_by_default(people: dict[str, Any]) -> None:
    html = Client().get("/public/enforcement/").content.decode()
    assert "<h1>行政执法事前公示</h1>" in html and "Remedies" not in html


def test_case_page_in_english(people: dict[str, Any]) -> None:
    with time_machine.travel(at(3, 2), tick=False):
        case = do_open_case(dict(ORDINARY), actor=people["hq_officer2"], now=at(3, 2))
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(people["hq_officer2"])
        html = client.get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert "Full-process record" in html and "(not filed)" in html
    assert "Filing number" in html and "Facts of the violation" in html
