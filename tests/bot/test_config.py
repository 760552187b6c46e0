"""Configuration: defaults load, environment wins, and every bad value is one readable line."""
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ROOT, ConfigError, load_settings, normalise_database_url


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yml"
    path.write_text(text)
    return path


def test_shipped_config_loads_with_documented_defaults():
    settings = load_settings(ROOT / "config.yml", env={})
    assert settings.languages == ("id", "en")
    assert settings.nlu.url == "http://127.0.0.1:5005"
    assert settings.checkin.quiet_hours_start.hour == 21
    assert settings.database_url == f"sqlite+aiosqlite:///{ROOT}/var/sahabat.db"
    assert settings.telegram_token is None


def test_environment_overrides_file():
    settings = load_settings(ROOT / "config.yml", env={
        "DATABASE_URL": "postgresql://u@db:5432/prod", "ADMIN_IDS": "11, 12", "OFFICER_GROUP_CHAT_ID": "-100123",
        "TELEGRAM_BOT_TOKEN": "123456:ABCdefGHIjklMNOp", "NLU_URL": "http://nlu:5005/",
    })
    assert settings.database_url == "postgresql+asyncpg://u@db:5432/prod"
    assert settings.admin_ids == {11, 12}
    assert settings.officer_group_chat_id == -100123
    assert settings.telegram_token == "123456:ABCdefGHIjklMNOp"
    assert settings.nlu.url == "http://nlu:5005"


@pytest.mark.parametrize("text, env, words", [
    ("checkin:\n  default_time: '25:00'\n", {}, "checkin.default_time"),
    ("checkin:\n  default_frequency: hourly\n", {}, "checkin.default_frequency"),
    ("nlu:\n  confidence_threshold: 3\n", {}, "nlu.confidence_threshold"),
    ("nlu:\n  url: localhost\n", {}, "nlu.url"),
    ("sla:\n  emergency_claim_minutes: 0\n", {}, "sla.emergency_claim_minutes"),
    ("languages: [id, fr]\n", {}, "languages"),
    ("checkin: [1, 2]\n", {}, "'checkin'"),
    ("a: [unclosed\n", {}, "not valid YAML at line"),
    ("", {"ADMIN_IDS": "12,abc"}, "ADMIN_IDS"),
    ("", {"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN"),
    ("", {"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
    ("", {"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ("checkin:\n  reply_window_minutes: 300\n  escalation_minutes: 200\n", {}, "escalation_minutes"),
])
def test_bad_values_name_the_setting(tmp_path, text, env, words):
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, text), env=env)
    message = str(err.value)
    assert words in message
    assert "\n" not in message


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.yml", env={})


def test_sqlite_relative_path_is_inside_the_project():
    assert normalise_database_url("sqlite:///var/x.db") == f"sqlite+aiosqlite:///{ROOT}/var/x.db"
    assert normalise_database_url("sqlite:////abs/x.db") == "sqlite+aiosqlite:////abs/x.db"


def test_program_prints_one_line_not_a_traceback(tmp_path):
    config = write(tmp_path, "nlu:\n  timeout_seconds: lots\n")
    result = subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, capture_output=True, text=True,
                            env={"SAHABAT_CONFIG": str(config), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["config error: nlu.timeout_seconds must be a number, not 'lots'"]
    assert "Traceback" not in result.stderr
