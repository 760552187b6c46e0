"""privacy.message_retention_days in config.yml, and the log filter that masks ids and phone numbers."""
import logging
from pathlib import Path

import pytest

from bot.config import ROOT, ConfigError, load_settings
from bot.privacy.logs import RedactingFilter, install, mask_id, redact


def test_retention_period_has_a_documented_default():
    assert load_settings(ROOT / "config.yml", env={}).message_retention_days == 180


def test_retention_period_can_be_set(tmp_path: Path):
    path = tmp_path / "config.yml"
    path.write_text("privacy:\n  message_retention_days: 30\n")
    assert load_settings(path, env={}).message_retention_days == 30


@pytest.mark.parametrize("value", ["0", "-5", "abc", "true"])
def test_a_bad_retention_period_is_one_readable_line(tmp_path: Path, value):
    path = tmp_path / "config.yml"
    path.write_text(f"privacy:\n  message_retention_days: {value}\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path, env={})
    assert "privacy.message_retention_days" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("text, masked", [
    ("user 987654321 wrote", "user …321 wrote"),
    ("group -1001234567890 refused", "group …890 refused"),
    ("call +62 812-3456-7890 now", "call …890 now"),
    ("nomor 0812 3456 7890", "nomor …890"),
    ("konsulat (852) 2890 4555", "konsulat …555"),
])
def test_ids_and_phone_numbers_are_masked(text, masked):
    assert redact(text) == masked


@pytest.mark.parametrize("text", [
    "case PMI-2026-000123 alert sent", "at 2026-01-05 03:00", "listening on 127.0.0.1:8443",
    "route=faq intent=faq_wages conf=0.83", "dropped duplicate update 4242", "retry in 30s",
])
def test_useful_numbers_are_kept(text):
    assert redact(text) == text


def test_mask_id():
    assert mask_id(987654321) == "…321" and mask_id(None) == "-"


def test_the_filter_masks_arguments_and_tracebacks():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "worker %s failed", (987654321,), None)
    try:
        raise ValueError("bad number +62 812 3456 7890")
    except ValueError as err:
        record.exc_info = (type(err), err, err.__traceback__)
    assert RedactingFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert "987654321" not in formatted and "3456 7890" not in formatted
    assert "worker …321 failed" in formatted and "bad number …890" in formatted


def test_install_puts_the_filter_on_every_handler_once():
    logger = logging.getLogger("tests.privacy.install")
    handler = logging.StreamHandler()
    logger.addHandler(handler)
    try:
        install(logger)
        install(logger)
        assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
    finally:
        logger.removeHandler(handler)
