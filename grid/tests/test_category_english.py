"""Category names in English: every class of the seed has an English name, `display_name` follows the
session's language, the seed fills empty English names, the standard import takes them from optional
columns, and the pages of an English session (dispatch queue, resident report and tracking) show them.
Chinese stays the default."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from accounts.models import User
from core.spreadsheets import SpreadsheetImportError
from grid.models import Category
from grid.standards.actions import do_seed_reference
from grid.standards.imports import HEADERS, OPTIONAL_HEADERS, do_import_standard
from grid.tests import test_pages_support as support
from grid.tests.test_categories_import import GOOD, xlsx
from grid.tests.test_pages_support import client_for, report
from tests.test_portal import visible_text

pytestmark = pytest.mark.django_db
page_people = support.page_people  # fixture
People = dict[str, User]
HAN = re.compile(r"[\u3400-\u9fff]")


def _event_class(code: str) -> Category:
    return Category.objects.get(kind="event", code=code)


def test_every_seeded_class_has_an_english_name(reference: dict[str, int]) -> None:
    classes = list(Category.objects.all())
    assert len(classes) > 60
    for category in classes:
        assert category.name_en.strip(), (category.kind, category.code, category.name)
        assert not HAN.search(category.name_en), (category.code, category.name_en)
    assert _event_class("0101").name_en == "Illegal construction"
    assert _event_class("0102").name_en == "Exposed rubbish"
    assert _event_class("0104").name_en == "Dirty road"
    assert Category.objects.get(kind="component", code="0106").name_en == "Fire hydrant"


def test_display_name_follows_the_language(reference: dict[str, int]) -> None:
    rubbish = _event_class("0102")
    with translation.override(settings.LANGUAGE_CODE):
        assert rubbish.display_name == "暴露垃圾"  # Chinese is the default
    with translation.override("en"):
        assert rubbish.display_name == "Exposed rubbish"
        assert str(rubbish) == "Event 0102 Exposed rubbish"
        # A class without an English name keeps its Chinese name.
        assert Category(kind="event", code="0199", name="新小类").display_name == "新小类"
    with translation.override("zh-hans"):
        assert rubbish.display_name == "暴露垃圾"
        assert str(rubbish) == "事件 0102 暴露垃圾"


def test_seeding_again_fills_empty_english_names_and_keeps_edited_ones(
    reference: dict[str, int], personas: dict[str, Any], now: Any
) -> None:
    Category.objects.filter(kind="event", code__in=["01", "0104"]).update(name_en="")
    edited = _event_class("0102")
    edited.name_en = "Uncollected rubbish"
    edited.save()
    do_seed_reference(actor=personas["system"], now=now)
    assert _event_class("01").name_en == "City appearance and environment"
    assert _event_class("0104").name_en == "Dirty road"
    assert _event_class("0102").name_en == "Uncollected rubbish"  # an administrator's edit stays


def test_import_reads_the_optional_english_name_columns(
    reference: dict[str, int], personas: dict[str, Any], now: Any
) -> None:
    row = [*GOOD, "City environment", "Rubbish left in the open"]
    do_import_standard(xlsx([row], header=[*HEADERS, *OPTIONAL_HEADERS]), actor=personas["system"], now=now)
    assert _event_class("01").name_en == "City environment"
    assert _event_class("0102").name_en == "Rubbish left in the open"
    # Empty cells keep the English names.
    blank = [*GOOD, "", ""]
    do_import_standard(xlsx([blank], header=[*HEADERS, *OPTIONAL_HEADERS]), actor=personas["system"], now=now)
    assert _event_class("0102").name_en == "Rubbish left in the open"


def test_import_without_english_columns_keeps_the_english_names(
    reference: dict[str, int], personas: dict[str, Any], now: Any
) -> None:
    version = do_import_standard(xlsx([GOOD]), actor=personas["system"], now=now)
    assert version.active and version.rows.count() == 1
    assert _event_class("01").name_en == "City appearance and environment"
    assert _event_class("0102").name_en == "Exposed rubbish"


def test_import_refuses_two_english_names_for_one_class(personas: dict[str, Any], now: Any) -> None:
    first = [*GOOD, "City environment", "Exposed rubbish"]
    second = [*GOOD[:5], "另一立案条件", *GOOD[6:], "City environment", "Litter"]
    with pytest.raises(SpreadsheetImportError) as refused:
        do_import_standard(
            xlsx([first, second], header=[*HEADERS, *OPTIONAL_HEADERS]), actor=personas["system"], now=now
        )
    assert [(p.row, p.column) for p in refused.value.problems] == [(3, "小类英文名称")]


def _english(user: User | None) -> Client:
    client = client_for(user)
    client.cookies["django_language"] = "en"
    return client


def _category_cells(html: str) -> list[str]:
    """The dispatch queue's category column (the third cell of each event row)."""
    rows = re.findall(r"<tr data-event=[^>]*>(.*?)</tr>", html, re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[2] for row in rows]
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def test_dispatch_queue_shows_english_category_names(page_people: People) -> None:
    report(page_people)
    html = _english(page_people["dispatcher"]).get("/grid/dispatch/").content.decode()
    assert _category_cells(html) == ["Exposed rubbish City appearance and environment"]
    # The filter's major classes too.
    assert "Event · 01 City appearance and environment" in html
    assert "Component · 01 Public utilities" in html
    text = visible_text(html)
    for name in ("暴露垃圾", "市容环境", "公用设施", "街面秩序"):
        assert name not in text


def test_dispatch_queue_in_chinese_is_unchanged(page_people: People) -> None:
    report(page_people)
    html = client_for(page_people["dispatcher"]).get("/grid/dispatch/").content.decode()
    assert _category_cells(html) == ["暴露垃圾 市容环境"]
    assert "事件 · 01 市容环境" in html
    assert "Exposed rubbish" not in html and "City appearance" not in html


def test_resident_report_page_offers_english_category_names(page_people: People) -> None:
    html = _english(None).get("/grid/report/").content.decode()
    options = re.findall(r'<option value="(?:event|component):\d{4}"[^>]*>(.*?)</option>', html)
    groups = re.findall(r'<optgroup label="([^"]*)"', html)
    # Every minor class but the standard's catch-all (the "I don't know" choice stands for it), no codes.
    assert len(options) == Category.objects.exclude(parent=None).count() - 1
    assert "Exposed rubbish" in options and "Dirty road" in options
    assert "City appearance and environment" in groups
    assert all(not HAN.search(text) for text in options + groups), [
        t for t in options + groups if HAN.search(t)
    ]
    # Accept-Language works the same.
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get("/grid/report/").content.decode()
    assert ">Exposed rubbish<" in html and "暴露垃圾" not in html


def test_resident_report_page_in_chinese_is_unchanged(page_people: People) -> None:
    html = Client().get("/grid/report/").content.decode()
    assert ">暴露垃圾<" in html and '<optgroup label="市容环境"' in html
    assert "Exposed rubbish" not in html


def test_tracking_page_names_the_category_in_the_session_language(page_people: People) -> None:
    event = report(page_people, who=None)
    url = f"/grid/track/{event.receipt_number}/"
    english = _english(None).get(url).content.decode()
    assert "Exposed rubbish" in english and "暴露垃圾" not in visible_text(english)
    chinese = Client().get(url).content.decode()
    assert "暴露垃圾" in chinese and "Exposed rubbish" not in chinese
