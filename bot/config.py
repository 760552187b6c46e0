"""Settings: config.yml for documented application values, environment variables for secrets and deployment.

Everything is validated once at start. A bad value raises ConfigError with one readable sentence that names the
setting, so the operator sees a line, not a traceback.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any, Mapping

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config.yml"
FREQUENCIES = ("daily", "every_3_days", "weekly", "off")


class ConfigError(Exception):
    """A configuration problem, worded for the operator."""


@dataclass(frozen=True)
class CheckinSettings:
    default_frequency: str = "daily"
    default_time: time = time(10, 0)
    quiet_hours_start: time = time(21, 0)
    quiet_hours_end: time = time(7, 0)
    jitter_minutes: int = 20
    reply_window_minutes: int = 120
    escalation_minutes: int = 360
    sweep_seconds: int = 30
    # Consecutive missed check-ins before officers get a welfare case (1 = every missed check-in).
    escalate_after_missed: int = 1
    # A worker who blocked the bot while check-ins were on is a welfare signal: open a case for officers.
    unreachable_is_welfare_signal: bool = True
    # Check-ins claimed per database transaction by one sweep step.
    batch_size: int = 500
    # Time zone of the officers' "today" in the /checkins summary.
    officer_timezone: str = "Asia/Jakarta"


@dataclass(frozen=True)
class SlaSettings:
    emergency_claim_minutes: int = 5
    high_first_response_minutes: int = 60
    normal_first_response_minutes: int = 240
    follow_up_hours: int = 48


@dataclass(frozen=True)
class NluSettings:
    url: str = "http://127.0.0.1:5005"
    timeout_seconds: float = 2.0
    confidence_threshold: float = 0.5
    suggestions: int = 3
    breaker_failures: int = 3
    breaker_reset_seconds: float = 30.0


@dataclass(frozen=True)
class Settings:
    languages: tuple[str, ...] = ("id", "en")
    officer_group_chat_id: int | None = None
    admin_ids: frozenset[int] = frozenset()
    checkin: CheckinSettings = field(default_factory=CheckinSettings)
    sla: SlaSettings = field(default_factory=SlaSettings)
    nlu: NluSettings = field(default_factory=NluSettings)
    database_url: str = "sqlite+aiosqlite:///var/sahabat.db"
    telegram_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    global_per_second: float = 25.0
    per_chat_per_second: float = 1.0
    consent_version: int = 1
    # Raw message texts of resolved/closed cases are purged after this many days (bot/privacy/retention.py).
    message_retention_days: int = 180
    log_level: str = "INFO"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    health_port: int = 8080
    # Messages a worker may send per minute before the bot asks them to slow down (emergencies are never limited).
    flood_per_minute: int = 20


# --- small validators: each names the setting in its message -------------------------------------------------

def _section(raw: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = raw.get(name) or {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"'{name}' in config.yml must be a section of settings, not {value!r}")
    return value


def _int(value: Any, name: str, minimum: int | None = None) -> int:
    if isinstance(value, bool):
        raise ConfigError(f"{name} must be a whole number, not {value!r}")
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {number}")
    return number


def _float(value: Any, name: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number, not {value!r}") from None
    if not low <= number <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, not {number}")
    return number


def _time(value: Any, name: str) -> time:
    text = str(value).strip()
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ConfigError(f"{name} must be a time like \"10:00\", not {value!r}")
    return time(int(match[1]), int(match[2]))


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def _zone(value: Any, name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    text = str(value).strip()
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name} must be a time zone name like \"Asia/Jakarta\", not {value!r}") from None
    return text


def _url(value: Any, name: str) -> str:
    text = str(value).strip()
    if not re.match(r"^https?://[^\s/]+", text):
        raise ConfigError(f"{name} must be an http(s) address like http://127.0.0.1:5005, not {value!r}")
    return text.rstrip("/")


def _ids(value: Any, name: str) -> frozenset[int]:
    if value in (None, ""):
        return frozenset()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise ConfigError(f"{name} must be a list of Telegram user ids, not {value!r}")
    return frozenset(_int(item, name) for item in items if str(item).strip())


def _in_window(moment: time, start: time, end: time) -> bool:
    """True when `moment` is in [start, end); a window with start > end wraps past midnight."""
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


def normalise_database_url(url: str, root: Path = ROOT) -> str:
    """Accept the URL forms operators copy from elsewhere and return an async SQLAlchemy URL."""
    url = url.strip()
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///") or url.startswith("sqlite+aiosqlite:///"):
        path = url.split(":///", 1)[1]
        if path and path != ":memory:" and not path.startswith("/"):
            path = str(root / path)
        return "sqlite+aiosqlite:///" + path
    if url.startswith("postgresql+asyncpg://"):
        return url
    raise ConfigError(
        f"DATABASE_URL must start with sqlite:/// or postgresql:// (got {url.split(':', 1)[0]!r})"
    )


def load_settings(path: Path | str | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read config.yml and the environment; raise ConfigError on the first bad value."""
    env = os.environ if env is None else env
    path = Path(path or env.get("SAHABAT_CONFIG") or DEFAULT_CONFIG)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"config file {path} is not valid YAML{where}") from None
    if not isinstance(raw, Mapping):
        raise ConfigError(f"config file {path} must hold settings (key: value), not {type(raw).__name__}")

    languages = raw.get("languages", ["id", "en"])
    if not isinstance(languages, list) or not languages or any(l not in ("id", "en") for l in languages):
        raise ConfigError(f"languages must be a list of 'id' and/or 'en', not {languages!r}")

    officers = _section(raw, "officers")
    group = env.get("OFFICER_GROUP_CHAT_ID", officers.get("group_chat_id"))
    group_id = None if group in (None, "", "null") else _int(group, "OFFICER_GROUP_CHAT_ID / officers.group_chat_id")
    admins = _ids(env.get("ADMIN_IDS", officers.get("admin_ids")), "ADMIN_IDS / officers.admin_ids")

    c = _section(raw, "checkin")
    frequency = str(c.get("default_frequency", "daily"))
    if frequency not in FREQUENCIES:
        raise ConfigError(f"checkin.default_frequency must be one of {', '.join(FREQUENCIES)}, not {frequency!r}")
    checkin = CheckinSettings(
        default_frequency=frequency,
        default_time=_time(c.get("default_time", "10:00"), "checkin.default_time"),
        quiet_hours_start=_time(c.get("quiet_hours_start", "21:00"), "checkin.quiet_hours_start"),
        quiet_hours_end=_time(c.get("quiet_hours_end", "07:00"), "checkin.quiet_hours_end"),
        jitter_minutes=_int(c.get("jitter_minutes", 20), "checkin.jitter_minutes", 0),
        reply_window_minutes=_int(c.get("reply_window_minutes", 120), "checkin.reply_window_minutes", 1),
        escalation_minutes=_int(c.get("escalation_minutes", 360), "checkin.escalation_minutes", 1),
        sweep_seconds=_int(c.get("sweep_seconds", 30), "checkin.sweep_seconds", 1),
        escalate_after_missed=_int(c.get("escalate_after_missed", 1), "checkin.escalate_after_missed", 1),
        unreachable_is_welfare_signal=_bool(c.get("unreachable_is_welfare_signal", True),
                                            "checkin.unreachable_is_welfare_signal"),
        batch_size=_int(c.get("batch_size", 500), "checkin.batch_size", 1),
        officer_timezone=_zone(c.get("officer_timezone", "Asia/Jakarta"), "checkin.officer_timezone"),
    )
    if checkin.quiet_hours_start != checkin.quiet_hours_end and _in_window(
            checkin.default_time, checkin.quiet_hours_start, checkin.quiet_hours_end):
        raise ConfigError("checkin.default_time must be outside the quiet hours "
                          "(checkin.quiet_hours_start to checkin.quiet_hours_end)")
    if checkin.escalation_minutes <= checkin.reply_window_minutes:
        raise ConfigError("checkin.escalation_minutes must be longer than checkin.reply_window_minutes")

    s = _section(raw, "sla")
    sla = SlaSettings(
        emergency_claim_minutes=_int(s.get("emergency_claim_minutes", 5), "sla.emergency_claim_minutes", 1),
        high_first_response_minutes=_int(s.get("high_first_response_minutes", 60),
                                         "sla.high_first_response_minutes", 1),
        normal_first_response_minutes=_int(s.get("normal_first_response_minutes", 240),
                                           "sla.normal_first_response_minutes", 1),
        follow_up_hours=_int(s.get("follow_up_hours", 48), "sla.follow_up_hours", 1),
    )

    n = _section(raw, "nlu")
    nlu = NluSettings(
        url=_url(env.get("NLU_URL", n.get("url", "http://127.0.0.1:5005")), "NLU_URL / nlu.url"),
        timeout_seconds=_float(n.get("timeout_seconds", 2.0), "nlu.timeout_seconds", 0.05, 60),
        confidence_threshold=_float(n.get("confidence_threshold", 0.5), "nlu.confidence_threshold", 0.0, 1.0),
        suggestions=_int(n.get("suggestions", 3), "nlu.suggestions", 1),
        breaker_failures=_int(n.get("breaker_failures", 3), "nlu.breaker_failures", 1),
        breaker_reset_seconds=_float(n.get("breaker_reset_seconds", 30), "nlu.breaker_reset_seconds", 0.1, 3600),
    )

    database_url = normalise_database_url(
        env.get("DATABASE_URL") or _section(raw, "database").get("url", "sqlite+aiosqlite:///var/sahabat.db")
    )
    t = _section(raw, "telegram")
    token = (env.get("TELEGRAM_BOT_TOKEN") or "").strip() or None
    if token and not re.fullmatch(r"\d+:[A-Za-z0-9_-]{10,}", token):
        raise ConfigError("TELEGRAM_BOT_TOKEN does not look like a bot token (digits:letters, from @BotFather)")
    api_url = _url(env.get("TELEGRAM_API_URL") or t.get("api_url", "https://api.telegram.org/bot"),
                   "TELEGRAM_API_URL / telegram.api_url")
    send = _section(raw, "sending")
    level = env.get("LOG_LEVEL", "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level!r}")
    webhook = (env.get("WEBHOOK_URL") or "").strip() or None
    if webhook and not webhook.startswith("https://"):
        raise ConfigError("WEBHOOK_URL must be an https:// address that Telegram can reach")
    secret = (env.get("WEBHOOK_SECRET") or "").strip() or None
    if webhook and not secret:
        raise ConfigError("WEBHOOK_SECRET must be set with WEBHOOK_URL (1-256 characters A-Z a-z 0-9 _ -)")
    if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise ConfigError("WEBHOOK_SECRET may only use A-Z a-z 0-9 _ - (1-256 characters)")
    w = _section(raw, "webhook")
    flood = _section(raw, "flood")
    privacy = _section(raw, "privacy")
    return Settings(
        languages=tuple(languages),
        officer_group_chat_id=group_id,
        admin_ids=admins,
        checkin=checkin,
        sla=sla,
        nlu=nlu,
        database_url=database_url,
        telegram_token=token,
        telegram_api_url=api_url,
        global_per_second=_float(send.get("global_per_second", 25), "sending.global_per_second", 0.1, 30),
        per_chat_per_second=_float(send.get("per_chat_per_second", 1), "sending.per_chat_per_second", 0.01, 1),
        consent_version=_int(privacy.get("consent_version", 1), "privacy.consent_version", 1),
        message_retention_days=_int(privacy.get("message_retention_days", 180), "privacy.message_retention_days", 1),
        log_level=level,
        webhook_url=webhook,
        webhook_secret=secret,
        webhook_listen=str(env.get("WEBHOOK_LISTEN") or w.get("listen", "127.0.0.1")),
        webhook_port=_int(env.get("WEBHOOK_PORT") or w.get("port", 8443), "WEBHOOK_PORT / webhook.port", 1),
        health_port=_int(env.get("HEALTH_PORT") or w.get("health_port", 8080), "HEALTH_PORT / webhook.health_port", 1),
        flood_per_minute=_int(flood.get("messages_per_minute", 20), "flood.messages_per_minute", 1),
    )
