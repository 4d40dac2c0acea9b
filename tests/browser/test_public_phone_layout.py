"""The residents' pages on a 390×844 phone, as test_phone_layout holds the grid worker's: the report form
(as first shown and with its errors), the receipt and the tracking page of a closed report (its reply,
after-photo and rating form); the tracking page and the form again in English. On each: nothing scrolls
sideways, every button, field and button-like link is at least 44 px tall, and the consent tick box sits
beside its words, its whole line a target. The receipt's expectation reads once ("预计 … 前受理"), not
after a 预计 label."""

from __future__ import annotations

from typing import Any

import pytest

from grid.models import GridEvent
from grid.standards.actions import do_seed_reference
from grid.tests.test_pages_public_tracking import at, handled, step
from grid.tests.test_pages_support import png_bytes
from tests.browser.conftest import PageProblems, screenshot
from tests.browser.test_phone_layout import MEASURE, MIN_TARGET, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESIDENT_POSITION = {"longitude": 120.5552, "latitude": 31.4051}  # inside 黄桥 grid 1 (WGS-84)
REPORTED_AT = at(2, 10)  # 2 March 2026, a Monday: a working day


def _check(page: Any, name: str) -> dict[str, Any]:
    page.evaluate("() => window.scrollTo(0, 0)")  # the sticky header at the top of the full-page shot
    screenshot(page, f"phone-public-{name}", full_page=True)
    measured: dict[str, Any] = page.evaluate(MEASURE, MIN_TARGET)
    assert measured["scrollWidth"] <= PHONE["width"], (name, measured["scrollWidth"])
    assert measured["targets"] > 0
    assert measured["small"] == [], (name, measured["small"])
    return measured


def _consent(measured: dict[str, Any]) -> dict[str, Any]:
    [consent] = [c for c in measured["choices"] if c["name"].startswith("publish_consent=")]
    return consent


def test_resident_pages_fit_a_phone(live_server: Any, browser: Any, personas: dict[str, Any]) -> None:
    import time_machine

    base = live_server.url
    problems = PageProblems()
    context = browser.new_context(
        viewport=PHONE,
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        geolocation=RESIDENT_POSITION,
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems.attach(page)
    try:
        with time_machine.travel(REPORTED_AT, tick=False):
            do_seed_reference(actor=personas["system"], now=REPORTED_AT)
            page.goto(f"{base}/grid/report/")
            page.wait_for_selector("#public-map[data-map-ready='true']")
            consent = _consent(_check(page, "report"))
            assert consent["width"] < 40 and consent["beside"] and consent["target"] >= MIN_TARGET, consent

            page.click("[data-submit-public]")  # nothing filled in: the errors, each under its field
            page.wait_for_selector("[data-field-error='lon']")
            page.wait_for_selector("#public-map[data-map-ready='true']")
            consent = _consent(_check(page, "report-errors"))
            assert consent["beside"] and consent["target"] >= MIN_TARGET, consent

            page.select_option("#id_category", "event:0102")
            page.fill("#id_description", "小区门口垃圾两天没人收")
            page.set_input_files(
                "#id_photos", [{"name": "a.png", "mimeType": "image/png", "buffer": png_bytes(8, 8)}]
            )
            page.click("[data-geo-button]")
            page.wait_for_function("() => document.querySelector(\"input[name='lon']\").value !== ''")
            page.click("#field-publish_consent label")  # the words tick the box
            assert page.is_checked("#id_publish_consent")
            page.click("[data-submit-public]")
            page.wait_for_selector("[data-receipt]")
            _check(page, "receipt")
            receipt = page.inner_text("[data-receipt]").strip()
            main = page.inner_text("main")
            assert "预计 3月2日 12:00 前受理" in main and main.count("预计") == 1, main

        event = GridEvent.objects.get(receipt_number=receipt)
        assert event.publish_consent
        event = handled(personas, event)
        step(event, "verify_pass", personas, "dispatcher", at(3, 10))
        with time_machine.travel(at(3, 11), tick=False):
            page.goto(f"{base}/grid/track/{receipt}/")
            page.wait_for_function(
                "() => [...document.querySelectorAll('img[data-after-photo]')].every((i) => i.complete)"
            )
            assert "垃圾已清运完毕" in page.inner_text("[data-public-result]")
            _check(page, "status-closed")
            # English words are longer: the same pages must still fit.
            context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
            page.goto(f"{base}/grid/track/{receipt}/")
            assert "Closed" in page.inner_text("[data-public-status]")
            _check(page, "status-closed-en")
            page.goto(f"{base}/grid/report/")
            page.wait_for_selector("#public-map[data-map-ready='true']")
            consent = _consent(_check(page, "report-en"))
            assert consent["beside"] and consent["target"] >= MIN_TARGET, consent
        # The one refusal is the form sent empty (400 with its errors, and Chromium's console line of it).
        assert f"HTTP 400: {base}/grid/report/" in problems.errors
        assert [e for e in problems.errors if "400" not in e] == [], problems.errors
    finally:
        context.close()
