"""Logs carry no personal data: the console handler's filter masks phones, ID numbers and labelled names in
messages, their arguments and exception text."""

from __future__ import annotations

import logging

from django.conf import settings

from core.log_filters import MaskPersonalData

PHONE, ID_NUMBER = "13912345678", "11010519491231002X"


def record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("zhili", logging.WARNING, __file__, 1, msg, args, exc_info)


def test_message_arguments_and_exception_text_are_masked() -> None:
    try:
        raise ValueError(f"bad holder {ID_NUMBER}")
    except ValueError as caught:
        entry = record("report from %s, 姓名：张三丰, 身份证 %s", PHONE, ID_NUMBER, exc=caught)
    assert MaskPersonalData().filter(entry) is True
    text = logging.Formatter().format(entry)
    assert PHONE not in text and ID_NUMBER not in text and "张三丰" not in text
    assert "139****5678" in text and "ValueError" in text


def test_the_console_handler_masks_what_django_logs() -> None:
    handler = logging.getLogger().handlers[0]
    assert any(isinstance(f, MaskPersonalData) for f in handler.filters), settings.LOGGING["handlers"]
    entry = record("Not Found: /nowhere/?phone=%s", PHONE)
    for f in handler.filters:
        f.filter(entry)  # type: ignore[union-attr]
    assert entry.getMessage() == "Not Found: /nowhere/?phone=139****5678"


def test_a_malformed_format_string_is_left_alone() -> None:
    entry = record("%d items", "not a number")
    assert MaskPersonalData().filter(entry) is True
    assert entry.msg == "%d items"
