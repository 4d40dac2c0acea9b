"""Personal data never reaches the logs: every record passes `MaskPersonalData` (settings.LOGGING), which
masks identity-card and bank-card numbers, phone numbers, labelled names and house numbers in the message
and in an exception's text with the publication path's scrubber (core.publication.scrub). A request path
with `?phone=13912345678` in it is logged as `?phone=139****5678`."""

from __future__ import annotations

import logging

from core.publication import scrub


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed format string: leave it for logging to report
            return True
        record.msg, record.args = scrub(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True
