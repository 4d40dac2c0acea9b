"""English sessions see the process in English: state names, action buttons and time-left phrases come from
the definitions' `en` names and the catalogue (workflow.english, workflow.clock), not the Chinese titles —
on the dispatch queue, the event page and the work inbox. Chinese sessions keep the Chinese titles."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.models import User
from grid.tests import test_pages_support as support
from grid.tests.test_pages_support import client_for, report
from workflow.english import english_names

pytestmark = pytest.mark.django_db
page_people = support.page_people  # fixture
People = dict[str, User]
HAN = re.compile(r"[\u3400-\u9fff]")


def _english(user: User) -> Client:
    client = client_for(user)
    client.cookies["django_language"] = "en"
    return client


def _texts(html: str, pattern: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(pattern, html, re.S)]


def test_every_state_and_action_of_the_main_processes_has_an_english_name() -> None:
    from workflow.definitions import load_all

    for _path, definition in load_all():
        if definition.name not in ("grid_event", "approval_application", "sample_complaint"):
            continue
        for kind, names in (("states", definition.states), ("actions", definition.actions)):
            missing = [n for n in names if (definition.name, kind, n) not in english_names()]
            assert missing == [], (definition.name, kind, missing)
            for name in names:
                assert not HAN.search(english_names()[(definition.name, kind, name)])


def test_dispatch_queue_in_english(page_people: People) -> None:
    report(page_people)
    html = _english(page_people["dispatcher"]).get("/grid/dispatch/").content.decode()
    states = _texts(html, r'<span class="state [^"]*"[^>]*>(.*?)</span>')
    assert states == ["Reported (awaiting review)"]
    assert "working hours left" in html and "剩余" not in html and "工作小时" not in html


def test_event_page_actions_in_english(page_people: People) -> None:
    event = report(page_people)
    html = _english(page_people["dispatcher"]).get(f"/grid/events/{event.pk}/").content.decode()
    summaries = _texts(html, r"<summary>(.*?)</summary>")
    buttons = _texts(html, r"<button[^>]*data-act=[^>]*>(.*?)</button>")
    assert {"File", "Void", "Reclassify", "Mark as duplicate"} <= set(summaries)
    assert all(not HAN.search(text) for text in summaries + buttons), summaries + buttons


def test_work_inbox_in_english_and_chinese(page_people: People) -> None:
    event = report(page_people)
    assert event.work_item is not None
    english = _english(page_people["dispatcher"]).get("/work/?scope=all").content.decode()
    chinese = client_for(page_people["dispatcher"]).get("/work/?scope=all").content.decode()
    assert "Reported (awaiting review)" in english and "信息收集（待受理）" not in english
    assert "信息收集（待受理）" in chinese and "Reported (awaiting review)" not in chinese
