"""Case tables.

Everything a case needs to survive a restart lives here: the case itself, its append-only timeline, the mapping
of every relayed message (worker chat <-> officers' group, both ways), the officer alerts and worker notices
waiting to be sent (each with a unique key, so a retry or a second sweep never sends twice), the intake drafts
and the officers' pending prompts.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UTCDateTime

CATEGORIES = ("wages", "documents", "working_conditions", "abuse", "recruitment", "health", "repatriation",
              "legal_status", "trafficking", "other")
SEVERITIES = ("emergency", "high", "normal")
SEVERITY_RANK = {"emergency": 0, "high": 1, "normal": 2}
SOURCES = ("worker", "emergency", "checkin", "officer")
# new -> claimed <-> waiting_worker -> resolved -> closed; resolved/closed -> (reopen) -> claimed | new
STATUSES = ("new", "claimed", "waiting_worker", "resolved", "closed")
OPEN_STATUSES = ("new", "claimed", "waiting_worker")
OUTCOMES = ("solved", "referred", "unreachable", "withdrawn", "other")


class Case(Base):
    """One protection case. `reference` is what the worker and officers quote (PMI-2026-000123)."""

    __tablename__ = "protection_case"
    __table_args__ = (
        Index("ix_protection_case_worker_status", "worker_id", "status"),
        Index("ix_protection_case_card", "group_chat_id", "card_message_id"),
        Index("ix_protection_case_thread", "group_chat_id", "thread_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), index=True)
    source: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text, default="")
    # Intake answers: what happened, since when, where, employer, safe now ... (plain values, shown to officers).
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Consent to share this case with KBRI/KJRI or KP2MI (None = not asked). Nothing is shared without True.
    share_consent: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # May officers write to the worker in this chat (None = not asked).
    contact_ok: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    assignee_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # SLA: by when an officer must take the case (emergency: claim), and when a handled case needs a follow-up.
    first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    follow_up_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    next_escalation_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    # Where the case lives in the officers' group: the card, and the forum topic when the group has topics.
    group_chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    card_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    thread_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_worker_ack_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CaseSequence(Base):
    """The last reference number given out in a year (PMI-<year>-<number>)."""

    __tablename__ = "case_sequence"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class CaseEvent(Base):
    """One line of a case's timeline. Append-only: rows are never changed (enforced below)."""

    __tablename__ = "case_event"
    __table_args__ = (Index("ix_case_event_case_at", "case_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("protection_case.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    # "worker", "system", or "officer:<telegram user id>"
    actor: Mapped[str] = mapped_column(String(40))
    # created, claimed, message_in, message_out, message_edited, note, status_changed, severity_changed,
    # escalation, reassigned, resolved, reopened, closed, evidence, delivery_failed, worker_blocked_bot
    kind: Mapped[str] = mapped_column(String(30))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


@event.listens_for(CaseEvent, "before_update")
def _timeline_is_append_only(mapper, connection, target) -> None:  # pragma: no cover - a programming error
    raise RuntimeError("case_event rows are append-only; add a new event instead")


class RelayMessage(Base):
    """A message relayed between a worker's chat and the officers' side, and its copy, both ways.

    direction "in": worker -> officers (source = worker chat); "out": officer -> worker (source = group/officer).
    A row is written before the copy is sent (status pending), so a restart re-sends what was not delivered.
    """

    __tablename__ = "relay_message"
    __table_args__ = (
        UniqueConstraint("direction", "source_chat_id", "source_message_id", name="uq_relay_source"),
        Index("ix_relay_dest", "dest_chat_id", "dest_message_id"),
        Index("ix_relay_case_status", "case_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("protection_case.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(20))  # text, photo, document, voice, video, location, ...
    source_chat_id: Mapped[int] = mapped_column(BigInteger)
    source_message_id: Mapped[int] = mapped_column(BigInteger)
    dest_chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    dest_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # Officer text is sent with a header (so the worker sees who writes); kept to re-send after a restart.
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    author_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Alert(Base):
    """A message about a case waiting to be sent: officer alerts, SLA reminders, worker notices.

    `key` is unique: queuing the same alert twice (two sweeps, a restart, a retried update) keeps one row, and
    a row is sent at most once. audience: group (the officers' group, resolved at send time), officer (a direct
    message to `chat_id`), worker (the worker's chat).
    """

    __tablename__ = "case_alert"
    __table_args__ = (
        Index("ix_case_alert_due", "status", "next_attempt_at"),
        Index("ix_case_alert_sent", "sent_chat_id", "sent_message_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("protection_case.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    audience: Mapped[str] = mapped_column(String(10))
    chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sent_chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sent_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class CaseIntake(Base):
    """A report in progress: the step the worker is on and what they said so far (one per worker)."""

    __tablename__ = "case_intake"

    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    category: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10))
    step: Mapped[str] = mapped_column(String(20))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Evidence sent during the intake: [{"message_id": 12, "kind": "photo"}], copied to officers on submit.
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OfficerPrompt(Base):
    """A question the bot asked an officer in a chat ("reply with your note"); the reply is matched here."""

    __tablename__ = "officer_prompt"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    case_id: Mapped[int] = mapped_column(ForeignKey("protection_case.id", ondelete="CASCADE"))
    officer_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))  # note
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
