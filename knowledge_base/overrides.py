"""Admins' edits made in Telegram: an append-only, versioned change log over the reviewed YAML content.

The YAML files stay the reviewed base. An admin's edit (an answer text, disabling or enabling an entry) is one row
in `kb_change` with who, when, the old and the new value; the newest row per (entry, field) is what workers see.
Rolling back writes a new row that restores a change's old value, so history is never rewritten.
"""
from __future__ import annotations

import dataclasses
import re
from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text as SqlText, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UTCDateTime
from knowledge_base.model import KnowledgeBase, Text

FIELDS = ("answer_id", "answer_en", "enabled")
# Five or more digits in a row (spaces and dashes allowed between them): a phone number typed into an answer.
# Numbers must come from the sourced profiles through placeholders, never from an edit.
PHONE_LIKE = re.compile(r"(?:\+?\d[\s-]?){5,}")
MAX_ANSWER_CHARS = 3000  # the validator's limit for answers in YAML


class KbChange(Base):
    __tablename__ = "kb_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(80), index=True)
    field: Mapped[str] = mapped_column(String(20))
    old_value: Mapped[str | None] = mapped_column(SqlText, nullable=True)
    new_value: Mapped[str] = mapped_column(SqlText)
    actor_id: Mapped[int] = mapped_column(BigInteger)
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    rollback_of: Mapped[int | None] = mapped_column(Integer, nullable=True)


class EditError(ValueError):
    """An edit that cannot be applied; the message is shown to the admin."""


Overrides = dict[str, dict[str, str]]


async def load_overrides(session: AsyncSession) -> Overrides:
    """The newest value of every edited (entry, field)."""
    rows = (await session.scalars(select(KbChange).order_by(KbChange.id))).all()
    overrides: Overrides = {}
    for row in rows:
        overrides.setdefault(row.entry_id, {})[row.field] = row.new_value
    return overrides


def effective_value(base: KnowledgeBase, overrides: Overrides, entry_id: str, field: str) -> str:
    if field in overrides.get(entry_id, {}):
        return overrides[entry_id][field]
    entry = base.entry(entry_id)
    if field == "enabled":
        return "yes"
    return entry.answer.id if field == "answer_id" else entry.answer.en


async def record_change(session: AsyncSession, base: KnowledgeBase, entry_id: str, field: str, value: str,
                        actor_id: int, actor_name: str, now: datetime, rollback_of: int | None = None) -> KbChange:
    if base.entry(entry_id) is None:
        raise EditError(f"tidak ada entri '{entry_id}' / no entry '{entry_id}'")
    if field not in FIELDS:
        raise EditError(f"unknown field {field}")
    value = value.strip()
    if field == "enabled" and value not in ("yes", "no"):
        raise EditError("enabled must be yes or no")
    if field != "enabled":
        if not value:
            raise EditError("jawaban kosong / the answer is empty")
        if len(value) > MAX_ANSWER_CHARS:
            raise EditError(f"jawaban terlalu panjang ({len(value)} > {MAX_ANSWER_CHARS} huruf) / answer too long")
        if PHONE_LIKE.search(value):
            raise EditError("jangan tulis nomor telepon di jawaban: nomor diambil dari profil negara yang ada "
                            "sumbernya (pakai {mission_hotline}, {kp2mi_hotline} ...) / do not type phone numbers "
                            "into answers; use the placeholders so every number has a source")
    overrides = await load_overrides(session)
    old = effective_value(base, overrides, entry_id, field)
    change = KbChange(entry_id=entry_id, field=field, old_value=old, new_value=value, actor_id=actor_id,
                      actor_name=actor_name[:100], at=now, rollback_of=rollback_of)
    session.add(change)
    await session.flush()
    return change


async def rollback(session: AsyncSession, base: KnowledgeBase, change_id: int, actor_id: int, actor_name: str,
                   now: datetime) -> KbChange:
    change = await session.get(KbChange, change_id)
    if change is None:
        raise EditError(f"tidak ada perubahan #{change_id} / no change #{change_id}")
    return await record_change(session, base, change.entry_id, change.field, change.old_value or "", actor_id,
                               actor_name, now, rollback_of=change.id)


async def history(session: AsyncSession, entry_id: str, limit: int = 20) -> list[KbChange]:
    rows = await session.scalars(select(KbChange).where(KbChange.entry_id == entry_id)
                                 .order_by(KbChange.id.desc()).limit(limit))
    return list(rows)


def apply_overrides(base: KnowledgeBase, overrides: Overrides) -> KnowledgeBase:
    """A new KnowledgeBase with edited answers and without disabled entries."""
    if not overrides:
        return base
    entries = []
    for entry in base.entries:
        edit = overrides.get(entry.id, {})
        if edit.get("enabled") == "no":
            continue
        if "answer_id" in edit or "answer_en" in edit:
            entry = dataclasses.replace(entry, answer=Text(edit.get("answer_id", entry.answer.id),
                                                           edit.get("answer_en", entry.answer.en)))
        entries.append(entry)
    return KnowledgeBase(tuple(entries), base.countries, base.national)
