"""do_rate_by_sms: a reply "1–5 + comment" rates the latest open stage of the phone's application."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from core.errors import DomainError, NotFound
from ratings.actions import do_rate_by_sms, parse_sms_reply
from ratings.tests.factories import PHONE, make_application

pytestmark = pytest.mark.django_db


def test_parse() -> None:
    assert parse_sms_reply(" 5") == (5, "")
    assert parse_sms_reply("2，等太久了") == (2, "等太久了")
    for text in ("", "好", "6", "0"):
        with pytest.raises(DomainError):
            parse_sms_reply(text)


def test_sms_reply_rates_completion_first(people: dict[str, Any], item: Any, now: datetime) -> None:
    older = make_application(
        centre=people["hq_centre"], clerk=people["hq_clerk"], item=item, now=now - timedelta(days=3)
    )
    latest = make_application(centre=people["hq_centre"], clerk=people["hq_clerk"], item=item, now=now)
    first, created = do_rate_by_sms(phone=f"+86 {PHONE}", text="4 挺好", now=now)
    assert created and (first.application, first.stage, first.channel) == (latest, "completed", "sms")
    assert first.scores == {} and first.comment == "挺好"
    second, _ = do_rate_by_sms(phone=PHONE, text="1", now=now)
    assert (second.application, second.stage) == (latest, "accepted")
    assert second.rectification is not None and second.comment == "短信评价"
    third, _ = do_rate_by_sms(phone=PHONE, text="5", now=now)
    assert (third.application, third.stage) == (older, "completed")


def test_sms_reply_without_open_stage(people: dict[str, Any], item: Any, now: datetime) -> None:
    make_application(
        centre=people["hq_centre"], clerk=people["hq_clerk"], item=item, now=now - timedelta(days=40)
    )
    with pytest.raises(NotFound) as error:
        do_rate_by_sms(phone=PHONE, text="5", now=now)
    assert error.value.field == "phone"
    with pytest.raises(DomainError) as bad:
        do_rate_by_sms(phone="123", text="5", now=now)
    assert bad.value.field == "phone"
