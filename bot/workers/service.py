"""Worker profile operations. Knows nothing of Telegram: the handlers translate updates into these calls."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import FREQUENCIES
from bot.workers.models import Officer, Worker

# Main destinations offered as buttons (2024 placements, knowledge/pmi_facts.md section 4.1); others by free text.
MAIN_DESTINATIONS: tuple[tuple[str, str], ...] = (
    ("HK", "Hong Kong"), ("TW", "Taiwan"), ("MY", "Malaysia"), ("JP", "Jepang"),
    ("SG", "Singapura"), ("KR", "Korea Selatan"), ("SA", "Arab Saudi"),
)
OTHER_COUNTRY = "XX"
SECTORS: tuple[str, ...] = (
    "domestic", "caregiver", "manufacturing", "plantation", "construction", "fishing", "hospitality", "other",
)
LANGUAGES = ("id", "en")


class ProfileError(ValueError):
    """A value that cannot go into a profile (forged button data, too long a text)."""


@dataclass(frozen=True)
class WorkerView:
    """What handlers need of a worker, detached from the session."""

    id: int
    telegram_user_id: int
    chat_id: int
    language: str
    consent: bool | None
    country: str | None
    country_other: str | None
    city: str | None
    sector: str | None
    checkin_frequency: str
    awaiting: str | None
    onboarded: bool
    is_new: bool = False

    @classmethod
    def of(cls, worker: Worker, is_new: bool = False) -> "WorkerView":
        return cls(
            id=worker.id, telegram_user_id=worker.telegram_user_id, chat_id=worker.chat_id,
            language=worker.language, consent=worker.consent, country=worker.country,
            country_other=worker.country_other, city=worker.city, sector=worker.sector,
            checkin_frequency=worker.checkin_frequency, awaiting=worker.awaiting, onboarded=worker.onboarded,
            is_new=is_new,
        )


async def get_or_create(session: AsyncSession, telegram_user_id: int, chat_id: int, now: datetime) -> tuple[Worker, bool]:
    worker = await session.scalar(select(Worker).where(Worker.telegram_user_id == telegram_user_id))
    if worker is not None:
        worker.last_seen_at = now
        worker.chat_id = chat_id
        if worker.status == "blocked_bot":
            worker.status = "active"
        return worker, False
    worker = Worker(
        telegram_user_id=telegram_user_id, chat_id=chat_id, language="id", created_at=now, last_seen_at=now,
        checkin_frequency="off", onboarded=False, status="active",
    )
    session.add(worker)
    await session.flush()
    return worker, True


def set_language(worker: Worker, language: str) -> None:
    if language not in LANGUAGES:
        raise ProfileError(f"unknown language {language!r}")
    worker.language = language


def record_consent(worker: Worker, agreed: bool, version: int, now: datetime) -> None:
    """Agreeing stores the version and time; declining also wipes what the profile held."""
    worker.consent = agreed
    worker.consent_version = version
    worker.consent_at = now
    if not agreed:
        worker.country = worker.country_other = worker.city = worker.sector = None
        worker.checkin_frequency = "off"
        worker.awaiting = None


def _require_consent(worker: Worker) -> None:
    if not worker.consent:
        raise ProfileError("profile data needs consent first")


def set_country(worker: Worker, code: str, other_text: str | None = None) -> None:
    _require_consent(worker)
    code = code.upper()
    if not (len(code) == 2 and code.isalpha()):
        raise ProfileError(f"bad country code {code!r}")
    worker.country = code
    worker.country_other = clean_text(other_text, 100) if code == OTHER_COUNTRY else None


def set_city(worker: Worker, city: str | None) -> None:
    _require_consent(worker)
    worker.city = clean_text(city, 100) if city else None


def set_sector(worker: Worker, sector: str | None) -> None:
    _require_consent(worker)
    if sector is not None and sector not in SECTORS:
        raise ProfileError(f"unknown sector {sector!r}")
    worker.sector = sector


def set_checkin_frequency(worker: Worker, frequency: str, default_time: str) -> None:
    _require_consent(worker)
    if frequency not in FREQUENCIES:
        raise ProfileError(f"unknown frequency {frequency!r}")
    worker.checkin_frequency = frequency
    if frequency != "off" and not worker.checkin_time:
        worker.checkin_time = default_time


def clean_text(text: str | None, limit: int) -> str | None:
    """Strip control and zero-width characters and cut to the column's length."""
    if text is None:
        return None
    cleaned = "".join(ch for ch in text if ch.isprintable() and ch not in "\u200b\u200c\u200d\u2060\ufeff").strip()
    return cleaned[:limit] or None


async def role_of(session: AsyncSession, telegram_user_id: int, bootstrap_admins: frozenset[int]) -> str | None:
    """officer | supervisor | admin, or None for everybody else."""
    if telegram_user_id in bootstrap_admins:
        return "admin"
    officer = await session.get(Officer, telegram_user_id)
    return officer.role if officer else None
