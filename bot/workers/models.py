"""Worker and officer tables."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UTCDateTime


class Worker(Base):
    """A worker who wrote to the bot in a private chat. Personal fields are nullable: every step can be skipped."""

    __tablename__ = "worker"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(2), default="id")
    # None = not asked yet, True = agreed, False = declined (nothing personal is stored then).
    consent: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    consent_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)  # ISO 3166 alpha-2, "XX" = other
    country_other: Mapped[str | None] = mapped_column(String(100), nullable=True)
    city: Mapped[str | None] = mapped_column(String(100), nullable=True)
    sector: Mapped[str | None] = mapped_column(String(30), nullable=True)
    checkin_frequency: Mapped[str] = mapped_column(String(20), default="off")
    checkin_time: Mapped[str | None] = mapped_column(String(5), nullable=True)  # "HH:MM" local time
    # What free text the bot is waiting for from this worker (e.g. "city"); None = route the text normally.
    awaiting: Mapped[str | None] = mapped_column(String(40), nullable=True)
    onboarded: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | blocked_bot | deleted
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Officer(Base):
    """A case officer, supervisor or admin (bootstrap admins come from config)."""

    __tablename__ = "officer"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(20))  # officer | supervisor | admin
    on_duty: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
