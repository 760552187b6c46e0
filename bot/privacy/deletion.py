"""/hapus: a worker deletes their data. Knows nothing of Telegram; the caller commits.

What goes:
- the profile: country, city, job, check-in preferences, consent record, the step the bot was waiting for;
- the worker's Telegram user and chat id (the row keeps only its number, language and creation date);
- check-in schedule and every check-in row; a report in progress (intake draft with its answers and evidence);
- the case notices addressed to the worker (they record the worker's chat);
- every message text of their cases: the relay mapping (which holds chat and message ids, and officers'
  texts), the words in the timeline (worker messages, edits, captions, officer replies and notes), the case
  story and intake answers. The report lists the Telegram copies of the conversation, so the edge can delete
  the ones Telegram still allows (messages younger than 48 hours).

What stays, for statistics: each case row with its reference, category, severity, source, status, dates,
outcome, consent flags and officer assignment, and the timeline's kinds, times and non-text facts.

The worker row is kept as an anonymised tombstone rather than deleted, so cases keep a valid `worker_id`
(ON DELETE CASCADE would otherwise remove the cases too) on SQLite and PostgreSQL alike, with no schema change.
Its `telegram_user_id` becomes minus its own row id: never a Telegram user id (those are positive), and unique
as the column requires. Someone who writes again from that account is a new worker and starts from onboarding.

Open and resolved cases are closed (open ones with outcome "withdrawn") and the officers' group is told on each,
through the case alert outbox (restart-safe, sent once).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases import service as cases
from bot.cases.models import OPEN_STATUSES, Alert, Case, CaseEvent, CaseIntake, RelayMessage
from bot.checkins.models import Checkin, CheckinSchedule
from bot.workers.models import Worker

DELETED = "deleted"
NOTICE_KIND = "worker_deleted_data"
ANONYMISED_EVENT = "anonymised"
TEXT_REMOVED = "text_removed"

# Timeline facts that are enumerations, counts, flags or officer ids - never the worker's words or identity.
SAFE_EVENT_KEYS = frozenset({
    "category", "severity", "source", "by_reply", "previous", "assignee", "checkin_reason", "checkin_answer",
    "outcome", "confirmed_by_worker", "by", "severity_before", "level", "minutes_waiting", "trigger", "before",
    "after", "message_kind", "direction", "what", "quiet_hours", "reason_code", TEXT_REMOVED,
})
# Intake/case details that are answers from a fixed list (buttons), counts or flags; free text is never kept.
SAFE_DETAIL_KEYS = frozenset({
    "since", "safe_now", "evidence", "trigger", "stopped_at", "storage_consent", "reason", "missed_in_a_row",
})
SHORT = 40  # a kept string longer than this is not an enumeration: dropped


def _safe_value(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float)) or (isinstance(value, str) and len(value) <= SHORT)


def anonymised_event_data(data: dict[str, Any] | None) -> dict[str, Any]:
    """The timeline facts worth keeping for statistics; marks that something was removed."""
    data = dict(data or {})
    kept = {k: v for k, v in data.items() if k in SAFE_EVENT_KEYS and _safe_value(v)}
    if len(kept) != len(data):
        kept[TEXT_REMOVED] = True
    return kept


def anonymised_details(details: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (details or {}).items() if k in SAFE_DETAIL_KEYS and _safe_value(v)}


@dataclass(frozen=True)
class StoredData:
    """What the bot holds about a worker, told before they confirm the deletion."""

    profile: bool
    checkins_on: bool
    reports: int
    open_reports: int

    @property
    def anything(self) -> bool:
        return self.profile or self.checkins_on or self.reports > 0


@dataclass
class DeletionReport:
    worker_id: int
    deleted: bool = False  # False: there was no such worker, or the data was deleted before
    cases: list[int] = field(default_factory=list)  # anonymised
    closed: list[str] = field(default_factory=list)  # references of open/resolved cases closed now
    notified: list[int] = field(default_factory=list)  # cases whose officers were told (alert queued)
    texts_removed: int = 0  # timeline events and relayed messages whose words were removed
    checkins_removed: int = 0
    # Copies the bot made of the conversation (worker -> officers' group, officer -> worker chat) as
    # (chat id, message id): the edge deletes those Telegram still lets it delete.
    copies: list[tuple[int, int]] = field(default_factory=list)


async def find_worker(session: AsyncSession, telegram_user_id: int) -> Worker | None:
    """The worker writing from this Telegram account (a deleted worker's row no longer matches any account)."""
    return await session.scalar(select(Worker).where(Worker.telegram_user_id == telegram_user_id))


async def stored_data(session: AsyncSession, worker_id: int) -> StoredData:
    worker = await session.get(Worker, worker_id)
    if worker is None or worker.status == DELETED:
        return StoredData(False, False, 0, 0)
    rows = (await session.execute(select(Case.status, func.count()).where(Case.worker_id == worker_id)
                                  .group_by(Case.status))).all()
    reports = sum(n for _, n in rows)
    open_reports = sum(n for status, n in rows if status in OPEN_STATUSES + ("resolved",))
    draft = await session.get(CaseIntake, worker_id)
    profile = bool(worker.consent is not None or worker.country or worker.city or worker.sector or draft)
    return StoredData(profile=profile, checkins_on=worker.checkin_frequency != "off", reports=reports,
                      open_reports=open_reports)


async def delete_worker_data(session: AsyncSession, worker_id: int, now: datetime) -> DeletionReport:
    """Delete what the bot holds about the worker and anonymise their cases, in the caller's transaction."""
    report = DeletionReport(worker_id=worker_id)
    worker = await session.scalar(select(Worker).where(Worker.id == worker_id).with_for_update())
    if worker is None or worker.status == DELETED:
        return report
    # Check-in rows before the schedule row: the order the check-in sweeps lock them in (no deadlock).
    result = await session.execute(delete(Checkin).where(Checkin.worker_id == worker_id)
                                   .execution_options(synchronize_session=False))
    report.checkins_removed = result.rowcount or 0
    await session.execute(delete(CheckinSchedule).where(CheckinSchedule.worker_id == worker_id)
                          .execution_options(synchronize_session=False))
    await session.execute(delete(CaseIntake).where(CaseIntake.worker_id == worker_id)
                          .execution_options(synchronize_session=False))

    rows = list(await session.scalars(select(Case).where(Case.worker_id == worker_id).order_by(Case.id)
                                      .with_for_update()))
    ids = [case.id for case in rows]
    if ids:
        report.copies = [(chat, message) for chat, message in (await session.execute(
            select(RelayMessage.dest_chat_id, RelayMessage.dest_message_id)
            .where(RelayMessage.case_id.in_(ids), RelayMessage.dest_message_id.is_not(None))
            .order_by(RelayMessage.id))).all() if chat is not None]
        report.texts_removed = await _erase_case_texts(session, ids)
        # Notices to the worker go (a sent one records the worker's chat id); its copies are deleted with the rest.
        report.copies += [(chat, message) for chat, message in (await session.execute(
            select(Alert.sent_chat_id, Alert.sent_message_id)
            .where(Alert.case_id.in_(ids), Alert.audience == "worker", Alert.sent_message_id.is_not(None))
            .order_by(Alert.id))).all() if chat is not None]
        await session.execute(delete(Alert).where(Alert.case_id.in_(ids), Alert.audience == "worker")
                              .execution_options(synchronize_session=False))
        # Nothing more goes out about them: reminders and unsent cards are dropped.
        await session.execute(update(Alert).where(Alert.case_id.in_(ids), Alert.status == "pending")
                              .values(status="skipped", lease_until=None, last_error="worker deleted their data")
                              .execution_options(synchronize_session=False))
    for case in rows:
        active = case.status in OPEN_STATUSES + ("resolved",)
        _anonymise_case(case, now)
        if active:
            if case.status in OPEN_STATUSES:
                case.outcome = "withdrawn"
            case.status = "closed"
            case.closed_at = now
            await cases.add_event(session, case, "closed", now, "system", outcome=case.outcome,
                                  reason_code=NOTICE_KIND)
            await cases.queue_alert(session, case, key=f"case:{case.id}:g:{NOTICE_KIND}", kind=NOTICE_KIND,
                                    audience="group", now=now)
            report.closed.append(case.reference)
            report.notified.append(case.id)
        await cases.add_event(session, case, ANONYMISED_EVENT, now, "system")
        report.cases.append(case.id)
    _erase_worker(worker, now)
    await session.flush()
    report.deleted = True
    return report


def _anonymise_case(case: Case, now: datetime) -> None:
    case.summary = ""
    case.details = anonymised_details(case.details)
    case.next_escalation_at = None
    case.follow_up_due_at = None
    case.updated_at = now


def _erase_worker(worker: Worker, now: datetime) -> None:
    worker.telegram_user_id = -worker.id  # a tombstone, never a Telegram id (see the module docstring)
    worker.chat_id = 0
    worker.consent = None
    worker.consent_version = None
    worker.consent_at = None
    worker.country = worker.country_other = worker.city = worker.sector = None
    worker.checkin_frequency = "off"
    worker.checkin_time = None
    worker.awaiting = None
    worker.onboarded = False
    worker.status = DELETED
    worker.last_seen_at = now  # for a deleted worker: when the data was deleted


async def _erase_case_texts(session: AsyncSession, case_ids: list[int]) -> int:
    """Remove the words of the cases' messages: relay rows go entirely, timeline events keep only safe facts.

    case_event is append-only for the application (an ORM before_update listener refuses changes), because
    the timeline must not be rewritten by accident. Erasing a worker's words at their request is the one
    deliberate exception, so it is done with Core statements on the table, which bypass that ORM listener;
    nothing else about the events (kind, time, actor) changes.
    """
    result = await session.execute(delete(RelayMessage).where(RelayMessage.case_id.in_(case_ids))
                                   .execution_options(synchronize_session=False))
    removed = result.rowcount or 0
    events = (await session.execute(select(CaseEvent.id, CaseEvent.data)
                                    .where(CaseEvent.case_id.in_(case_ids)))).all()
    changes = []
    for event_id, data in events:
        new = anonymised_event_data(data)
        if new != (data or {}):
            changes.append({"event_id": event_id, "new_data": new})
    if changes:
        table = CaseEvent.__table__
        await session.execute(update(table).where(table.c.id == bindparam("event_id"))
                              .values(data=bindparam("new_data")), changes)
    return removed + len(changes)
