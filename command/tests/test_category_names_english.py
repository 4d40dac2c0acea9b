"""The command centre's map and screen rows name an event's category in the session's language (the
English name in an English session, the Chinese name by default)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from accounts.models import User
from command.map_api import feature
from command.screen import _row
from grid.tests import test_pages_support as support
from grid.tests.test_pages_support import report

pytestmark = pytest.mark.django_db
page_people = support.page_people  # fixture


def test_map_and_screen_rows_name_the_category_in_the_session_language(
    page_people: dict[str, User],
) -> None:
    event = report(page_people)
    with translation.override("en"):
        assert feature(event)["properties"]["category"] == "Exposed rubbish"
        assert _row(event, "new", None)["category"] == "Exposed rubbish"
    with translation.override(settings.LANGUAGE_CODE):  # the default, Chinese
        assert feature(event)["properties"]["category"] == "暴露垃圾"
        assert _row(event, "new", None)["category"] == "暴露垃圾"
