"""Log hygiene: logs never contain message text, phone numbers or full Telegram ids by default.

The first rule is in the code: handlers log routes, kinds, codes and case references, never what a worker
wrote (tests/privacy/test_log_hygiene.py drives messages through the bot and checks every record). The
database engine is created with `hide_parameters`, so an SQL error in a traceback does not print stored values.

This module is the second line: `RedactingFilter`, installed on the program's log handlers (bot/__main__.py),
masks what still looks like an id or a phone number - in the message, its arguments and any traceback - to its
last three digits ("…321"). `mask_id()` is for code that wants to name a user in a log line on purpose.
"""
from __future__ import annotations

import logging
import re

# A Telegram id: six or more digits (a group id has a leading minus), not part of a word or a reference number
# such as PMI-2026-000123.
_ID = re.compile(r"(?<![\w\-])-?\d{6,}(?![\w])")
# A phone number: digits with spaces, dashes, dots or brackets, optionally starting with +; at least 8 digits.
_PHONE = re.compile(r"(?<![\w\-+])\+?\(?\d[\d ().\-]{6,}\d(?![\w])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_IP = re.compile(r"\d{1,3}(\.\d{1,3}){3}")


def mask_id(value: int | str | None) -> str:
    """An id as it may appear in a log: its last three digits."""
    if value is None:
        return "-"
    digits = re.sub(r"\D", "", str(value))
    return "…" + digits[-3:]


def _phone(match: re.Match) -> str:
    text = match.group(0)
    digits = re.sub(r"\D", "", text)
    if len(digits) < 8 or _DATE.match(text) or _IP.fullmatch(text):
        return text
    return "…" + digits[-3:]


def redact(text: str) -> str:
    """`text` with phone numbers and long ids masked to their last three digits."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    return _ID.sub(lambda m: "…" + m.group(0)[-3:], _PHONE.sub(_phone, text))


class RedactingFilter(logging.Filter):
    """Masks ids and phone numbers in every record that passes (message, arguments and traceback)."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install(logger: logging.Logger | None = None) -> RedactingFilter:
    """Put the filter on every handler of `logger` (default: the root logger). Returns the filter."""
    logger = logger or logging.getLogger()
    flt = RedactingFilter()
    for handler in logger.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(flt)
    return flt
