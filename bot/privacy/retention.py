"""The retention purge: what the bot stops keeping after a while. Run by the scheduler (bot/scheduler.py).

- Message words of resolved and closed cases older than `privacy.message_retention_days`: the officer text of
  relayed messages, and the words in the timeline's message events (worker messages, captions, edits, officer
  replies). The events stay, marked `text_removed`, so a case's history keeps its shape. Open cases keep all.
- Processed update ids older than DEDUP_KEEP (Telegram redelivers within hours).
- Answered and cancelled check-ins older than the retention period.

Everything goes in small batches, each in its own short transaction, so no run holds a long lock on SQLite or
PostgreSQL; a run stops when a batch comes back short, and the next run carries on.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, update

from bot.cases.models import Case, CaseEvent, RelayMessage
from bot.checkins.models import ANSWERED, CANCELLED, Checkin
from bot.privacy.deletion import TEXT_REMOVED
from bot.storage import Database
from bot.storage.dedup import ProcessedUpdate

log = logging.getLogger(__name__)

BATCH = 500
DEDUP_KEEP = timedelta(days=3)
CLOSED_STATUSES = ("resolved", "closed")
MESSAGE_EVENTS = ("message_in", "message_out", "message_edited", "evidence")
TEXT_KEYS = ("text", "caption")
PURGED_CHECKINS = (ANSWERED, CANCELLED)


@dataclass
class RetentionReport:
    relay_texts: int = 0
    event_texts: int = 0
    processed_updates: int = 0
    checkins: int = 0

    @property
    def anything(self) -> bool:
        return bool(self.relay_texts or self.event_texts or self.processed_updates or self.checkins)


def _closed_cases():
    return select(Case.id).where(Case.status.in_(CLOSED_STATUSES)).scalar_subquery()


def without_text(data: dict[str, Any] | None) -> dict[str, Any]:
    kept = {k: v for k, v in (data or {}).items() if k not in TEXT_KEYS}
    kept[TEXT_REMOVED] = True
    return kept


async def purge_relay_texts(db: Database, cutoff: datetime, batch: int = BATCH) -> int:
    """Relayed messages of resolved/closed cases sent before `cutoff` lose their stored text."""
    total = 0
    while True:
        async with db.transaction() as session:
            ids = list(await session.scalars(
                select(RelayMessage.id).where(RelayMessage.text.is_not(None), RelayMessage.created_at < cutoff,
                                              RelayMessage.case_id.in_(_closed_cases()))
                .order_by(RelayMessage.id).limit(batch)))
            if ids:
                await session.execute(update(RelayMessage).where(RelayMessage.id.in_(ids)).values(text=None)
                                      .execution_options(synchronize_session=False))
        total += len(ids)
        if len(ids) < batch:
            return total


async def purge_event_texts(db: Database, cutoff: datetime, batch: int = BATCH) -> int:
    """Message events of resolved/closed cases from before `cutoff` lose their words.

    case_event is append-only for the application (an ORM before_update listener refuses changes); the
    retention purge is a deliberate exception, so it rewrites `data` with a Core UPDATE on the table, which that
    listener does not see. Only the text keys go; kind, time and actor stay.
    """
    table = CaseEvent.__table__
    has_text = CaseEvent.data["text"].as_string().is_not(None) | CaseEvent.data["caption"].as_string().is_not(None)
    total = 0
    while True:
        async with db.transaction() as session:
            rows = (await session.execute(
                select(CaseEvent.id, CaseEvent.data)
                .where(CaseEvent.kind.in_(MESSAGE_EVENTS), CaseEvent.at < cutoff, has_text,
                       CaseEvent.case_id.in_(_closed_cases()))
                .order_by(CaseEvent.id).limit(batch))).all()
            if rows:
                await session.execute(
                    update(table).where(table.c.id == bindparam("event_id")).values(data=bindparam("new_data")),
                    [{"event_id": event_id, "new_data": without_text(data)} for event_id, data in rows])
        total += len(rows)
        if len(rows) < batch:
            return total


async def _delete_in_batches(db: Database, column, condition, batch: int) -> int:
    """Delete the rows of `column`'s table that meet `condition`, `batch` rows per short transaction."""
    total = 0
    while True:
        async with db.transaction() as session:
            ids = list(await session.scalars(select(column).where(condition).order_by(column).limit(batch)))
            if ids:
                await session.execute(delete(column.table).where(column.in_(ids))
                                      .execution_options(synchronize_session=False))
        total += len(ids)
        if len(ids) < batch:
            return total


async def purge_processed_updates(db: Database, cutoff: datetime, batch: int = BATCH) -> int:
    """Forget update ids received before `cutoff` (the de-duplication table stays small)."""
    return await _delete_in_batches(db, ProcessedUpdate.update_id, ProcessedUpdate.received_at < cutoff, batch)


async def purge_checkins(db: Database, cutoff: datetime, batch: int = BATCH) -> int:
    """Answered and cancelled check-ins due before `cutoff` (missed ones stay: officers may look back)."""
    return await _delete_in_batches(db, Checkin.id, Checkin.status.in_(PURGED_CHECKINS) & (Checkin.due_at < cutoff),
                                    batch)


async def run_retention(db: Database, now: datetime, retention_days: int, batch: int = BATCH) -> RetentionReport:
    """One retention pass at `now` (the clock's time)."""
    cutoff = now - timedelta(days=retention_days)
    report = RetentionReport(
        relay_texts=await purge_relay_texts(db, cutoff, batch),
        event_texts=await purge_event_texts(db, cutoff, batch),
        processed_updates=await purge_processed_updates(db, now - DEDUP_KEEP, batch),
        checkins=await purge_checkins(db, cutoff, batch),
    )
    if report.anything:
        log.info("retention: %d relayed texts, %d timeline texts, %d update ids, %d check-ins removed",
                 report.relay_texts, report.event_texts, report.processed_updates, report.checkins)
    return report


async def retention_job(services) -> RetentionReport:
    """What the scheduler runs (hourly): the retention pass with the configured period and the bot's clock."""
    return await run_retention(services.db, services.clock.now(), services.settings.message_retention_days)
