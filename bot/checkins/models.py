"""Check-in tables: one schedule row per worker, one check-in row per (worker, due slot).

A check-in moves through these statuses; every step is time-stamped:

    due ──(sweep marks it sent, then sends)──> sent ──(reply window passes)──> reminded ──(escalation)──> missed
     │                                          │                               │
     │                                          └──────── answered (ok | help) <┘  (a late answer after
     │                                                                              "missed" is recorded too)
     ├──> unreachable  (Telegram said the worker blocked the bot)
     ├──> failed       (Telegram refused the message for another reason)
     └──> cancelled    (paused, check-ins turned off, or going home before it was sent)

A row is marked `sent` *before* the message goes to Telegram, so a (worker, slot) is sent at most once even if the
process dies mid-send; a row marked sent whose message never left is covered by the reminder and escalation.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UTCDateTime
from bot.workers.models import Worker

DUE = "due"
SENT = "sent"
REMINDED = "reminded"
ANSWERED = "answered"
MISSED = "missed"
UNREACHABLE = "unreachable"
FAILED = "failed"
CANCELLED = "cancelled"
STATUSES = (DUE, SENT, REMINDED, ANSWERED, MISSED, UNREACHABLE, FAILED, CANCELLED)
# Waiting for the worker's answer: an answer, the Aman button or a case/emergency route closes these.
AWAITING_ANSWER = (SENT, REMINDED)

ANSWER_OK = "ok"
ANSWER_HELP = "help"


class CheckinSchedule(Base):
    """When a worker is asked next, and the settings that time was computed from.

    `frequency`, `local_time`, `country` and `city` are copies of the worker's settings at the last computation;
    when the worker's row differs (changed in /profil, say), the sweep recomputes `next_due_at`.
    `next_due_at` is NULL while check-ins are off, the worker is unreachable, or they went home.
    """

    __tablename__ = "checkin_schedule"

    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    frequency: Mapped[str] = mapped_column(String(20))
    local_time: Mapped[str | None] = mapped_column(String(5), nullable=True)
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    city: Mapped[str | None] = mapped_column(String(100), nullable=True)
    timezone: Mapped[str] = mapped_column(String(64))
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # went home
    consecutive_misses: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Checkin(Base):
    """One "Apakah Anda aman?" for one worker and one due slot (unique: sent at most once)."""

    __tablename__ = "checkin"
    __table_args__ = (
        UniqueConstraint("worker_id", "due_at", name="uq_checkin_worker_slot"),
        # The sweeps' queue: due / sent / reminded rows whose next step is due, oldest first.
        Index("ix_checkin_status_next_action", "status", "next_action_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)  # the slot (UTC)
    status: Mapped[str] = mapped_column(String(16))
    # When the sweep should look at this row next: send (due), remind (sent), escalate (reminded).
    next_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # A sweeper's lease on a due row: another sweeper takes it over only after claim_expires_at.
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None after sent: unconfirmed
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answer: Mapped[str | None] = mapped_column(String(8), nullable=True)  # ok | help
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The welfare case this check-in raised (bot.cases), if any.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("protection_case.id", ondelete="SET NULL"),
                                                nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # send attempts that Telegram did not take


# Workers seen recently are the ones whose settings may have changed: the sweep re-reads those by this index.
Index("ix_worker_last_seen_at", Worker.__table__.c.last_seen_at)
