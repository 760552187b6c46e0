"""The case lifecycle, its timeline, the relay bookkeeping and the alert queue. Knows nothing of Telegram.

Every function takes the session of the caller's unit of work and the clock's `now`; nothing here commits.
Officer alerts and worker notices are queued as `Alert` rows in the same transaction as the change that causes
them, and sent afterwards by the sender (handlers/case_delivery.py) or, after a restart, by the sweep: a change
and its alert are stored together or not at all, and each alert has a unique key, so none is sent twice.

Status: new -> claimed <-> waiting_worker -> resolved -> closed; a resolved or closed case can be reopened.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable, Sequence

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.models import (
    CATEGORIES, OPEN_STATUSES, OUTCOMES, SEVERITIES, SEVERITY_RANK, SOURCES, Alert, Case, CaseEvent, CaseSequence,
    OfficerPrompt, RelayMessage,
)
from bot.config import Settings, SlaSettings
from bot.workers.models import Officer, Worker

log = logging.getLogger(__name__)

OFFICER_ROLES = ("officer", "supervisor", "admin")
SUPERVISOR_ROLES = ("supervisor", "admin")
LEASE = timedelta(seconds=60)  # a sender that died mid-send releases its work after this
MAX_ATTEMPTS = 8
SUMMARY_LIMIT = 1000
TEXT_LIMIT = 4000  # words kept in a timeline event
MESSAGE_LIMIT = 4096  # a relayed officer message is kept whole (Telegram's own limit)
REFERENCE_PREFIX = "PMI"


class CaseError(Exception):
    """A case action that is not allowed now. `code` is stable (handlers map it to a polite text)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


# --- helpers ---------------------------------------------------------------------------------------------------

def actor_of(officer_id: int | None) -> str:
    return f"officer:{officer_id}" if officer_id is not None else "system"


def format_reference(year: int, number: int) -> str:
    return f"{REFERENCE_PREFIX}-{year}-{number:06d}"


def parse_reference(text: str) -> str | None:
    """`PMI-2026-000123`, `pmi 2026 123` or `PMI-2026-123` -> the canonical reference, else None."""
    import re

    match = re.search(r"\bPMI[\s\-_]?(\d{4})[\s\-_]?(\d{1,6})\b", text or "", re.IGNORECASE)
    if not match:
        return None
    return format_reference(int(match[1]), int(match[2]))


def _clip(text: str | None, limit: int) -> str:
    return (text or "").strip()[:limit]


def _sla(settings: Settings | SlaSettings | None) -> SlaSettings:
    if isinstance(settings, SlaSettings):
        return settings
    if isinstance(settings, Settings):
        return settings.sla
    return SlaSettings()


def first_response_minutes(severity: str, sla: SlaSettings) -> int:
    return {"emergency": sla.emergency_claim_minutes, "high": sla.high_first_response_minutes}.get(
        severity, sla.normal_first_response_minutes)


async def next_reference(session: AsyncSession, year: int) -> str:
    """The next reference number of `year`, counted in the database (safe with several bot processes)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    await session.execute(insert(CaseSequence).values(year=year, last_number=0).on_conflict_do_nothing())
    number = await session.scalar(
        update(CaseSequence).where(CaseSequence.year == year)
        .values(last_number=CaseSequence.last_number + 1).returning(CaseSequence.last_number)
    )
    return format_reference(year, int(number))


async def add_event(session: AsyncSession, case: Case, kind: str, now: datetime, actor: str = "system",
                    **data: Any) -> CaseEvent:
    event = CaseEvent(case_id=case.id, at=now, actor=actor, kind=kind, data=data)
    session.add(event)
    await session.flush()
    return event


async def queue_alert(session: AsyncSession, case: Case, *, key: str, kind: str, audience: str, now: datetime,
                      chat_id: int | None = None, payload: dict[str, Any] | None = None,
                      delay: timedelta = timedelta(0)) -> Alert | None:
    """Queue one alert unless one with this key exists. audience: group | officer | worker."""
    if await session.scalar(select(Alert.id).where(Alert.key == key)) is not None:
        return None
    alert = Alert(case_id=case.id, key=key, kind=kind, audience=audience, chat_id=chat_id, payload=payload or {},
                  status="pending", attempts=0, next_attempt_at=now + delay, created_at=now)
    session.add(alert)
    await session.flush()
    return alert


async def on_duty_officers(session: AsyncSession) -> list[Officer]:
    rows = await session.scalars(select(Officer).where(Officer.on_duty.is_(True)).order_by(Officer.telegram_user_id))
    return list(rows)


async def supervisor_ids(session: AsyncSession, bootstrap_admins: Iterable[int] = ()) -> list[int]:
    """Supervisors to alert (on duty first; all of them if none is on duty); bootstrap admins if none exists."""
    rows = list(await session.scalars(select(Officer).where(Officer.role == "supervisor")))
    on_duty = [o.telegram_user_id for o in rows if o.on_duty]
    ids = on_duty or [o.telegram_user_id for o in rows]
    if not ids:
        ids = sorted(bootstrap_admins)
    return sorted(set(ids))


async def _queue_new_case_alerts(session: AsyncSession, case: Case, now: datetime) -> None:
    """The card in the officers' group, and for emergencies a direct message to every on-duty officer."""
    await queue_alert(session, case, key=f"case:{case.id}:card", kind="card", audience="group", now=now)
    if case.severity == "emergency":
        for officer in await on_duty_officers(session):
            await queue_alert(session, case, key=f"case:{case.id}:new:dm:{officer.telegram_user_id}",
                              kind="new_case_dm", audience="officer", chat_id=officer.telegram_user_id, now=now)


# --- opening ---------------------------------------------------------------------------------------------------

async def open_case(session: AsyncSession, *, worker_id: int, category: str, severity: str, summary: str,
                    source: str, now: datetime, actor: str = "system", settings: Settings | SlaSettings | None = None,
                    details: dict[str, Any] | None = None, share_consent: bool | None = None,
                    contact_ok: bool | None = None) -> Case:
    """Open a case: reference number, SLA deadlines, the "created" event and the queued officer alerts.

    source: worker | emergency | checkin | officer. severity: emergency | high | normal.
    Pass `settings` (the bot's Settings or its SlaSettings) so the deadlines follow config.yml; without it the
    defaults of SlaSettings apply. The caller commits; then handlers/case_delivery.notify_officers_pending sends
    the alerts at once (the sweep sends them anyway, also after a restart).
    """
    if category not in CATEGORIES:
        raise CaseError("bad_value", f"unknown category {category!r}")
    if severity not in SEVERITIES:
        raise CaseError("bad_value", f"unknown severity {severity!r}")
    if source not in SOURCES:
        raise CaseError("bad_value", f"unknown source {source!r}")
    worker = await session.get(Worker, worker_id)
    if worker is None:
        raise CaseError("not_found", "worker")
    sla = _sla(settings)
    due = now + timedelta(minutes=first_response_minutes(severity, sla))
    case = Case(
        reference=await next_reference(session, now.year), worker_id=worker_id, category=category,
        severity=severity, status="new", source=source, summary=_clip(summary, SUMMARY_LIMIT),
        details=dict(details or {}), share_consent=share_consent, contact_ok=contact_ok,
        created_at=now, updated_at=now, last_activity_at=now, first_response_due_at=due,
        escalation_level=0, next_escalation_at=due,
    )
    session.add(case)
    await session.flush()
    await add_event(session, case, "created", now, actor, category=category, severity=severity, source=source)
    await _queue_new_case_alerts(session, case, now)
    return case


# --- reading ---------------------------------------------------------------------------------------------------

async def get_case(session: AsyncSession, case_id: int, *, lock: bool = False) -> Case | None:
    query = select(Case).where(Case.id == case_id)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def case_by_reference(session: AsyncSession, reference: str) -> Case | None:
    return await session.scalar(select(Case).where(Case.reference == reference))


async def open_cases(session: AsyncSession, limit: int = 50) -> list[Case]:
    """Open cases, most severe first, then oldest first."""
    rows = list(await session.scalars(select(Case).where(Case.status.in_(OPEN_STATUSES))))
    rows.sort(key=lambda c: (SEVERITY_RANK.get(c.severity, 9), c.created_at))
    return rows[:limit]


async def cases_of_worker(session: AsyncSession, worker_id: int, limit: int = 10) -> list[Case]:
    rows = await session.scalars(select(Case).where(Case.worker_id == worker_id)
                                 .order_by(Case.created_at.desc(), Case.id.desc()).limit(limit))
    return list(rows)


async def handoff_case(session: AsyncSession, worker_id: int) -> Case | None:
    """The worker's open case their messages go to (most severe, then most recently active), or None."""
    rows = list(await session.scalars(select(Case).where(Case.worker_id == worker_id,
                                                         Case.status.in_(OPEN_STATUSES))))
    if not rows:
        return None
    rows.sort(key=lambda c: (SEVERITY_RANK.get(c.severity, 9), -c.last_activity_at.timestamp(), -c.id))
    return rows[0]


async def open_emergency_case(session: AsyncSession, worker_id: int) -> Case | None:
    return await session.scalar(select(Case).where(Case.worker_id == worker_id, Case.severity == "emergency",
                                                   Case.status.in_(OPEN_STATUSES)).order_by(Case.id.desc()))


async def timeline(session: AsyncSession, case_id: int) -> list[CaseEvent]:
    rows = await session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)
                                 .order_by(CaseEvent.at, CaseEvent.id))
    return list(rows)


async def case_of_officer_message(session: AsyncSession, chat_id: int, message_id: int) -> Case | None:
    """The case a message in the officers' chats belongs to: its card, a relayed message, or a case alert."""
    case = await session.scalar(select(Case).where(Case.group_chat_id == chat_id, Case.card_message_id == message_id))
    if case is not None:
        return case
    relay = await session.scalar(select(RelayMessage).where(
        or_(and_(RelayMessage.dest_chat_id == chat_id, RelayMessage.dest_message_id == message_id),
            and_(RelayMessage.direction == "out", RelayMessage.source_chat_id == chat_id,
                 RelayMessage.source_message_id == message_id))))
    if relay is not None:
        return await session.get(Case, relay.case_id)
    alert = await session.scalar(select(Alert).where(Alert.sent_chat_id == chat_id,
                                                     Alert.sent_message_id == message_id))
    if alert is not None:
        return await session.get(Case, alert.case_id)
    return None


async def case_of_thread(session: AsyncSession, chat_id: int, thread_id: int) -> Case | None:
    return await session.scalar(select(Case).where(Case.group_chat_id == chat_id, Case.thread_id == thread_id))


async def case_of_worker_message(session: AsyncSession, worker: Worker, message_id: int) -> Case | None:
    """The case of a message in the worker's chat that the bot sent (an officer's reply) or relayed."""
    relay = await session.scalar(select(RelayMessage).where(
        or_(and_(RelayMessage.direction == "out", RelayMessage.dest_chat_id == worker.chat_id,
                 RelayMessage.dest_message_id == message_id),
            and_(RelayMessage.direction == "in", RelayMessage.source_chat_id == worker.chat_id,
                 RelayMessage.source_message_id == message_id))))
    if relay is None:
        return None
    case = await session.get(Case, relay.case_id)
    return case if case is not None and case.worker_id == worker.id else None


# --- officer actions -------------------------------------------------------------------------------------------

def require_role(role: str | None, allowed: Sequence[str] = OFFICER_ROLES) -> None:
    if role not in allowed:
        raise CaseError("not_allowed", f"role {role!r}")


def _touch(case: Case, now: datetime, sla: SlaSettings | None = None) -> None:
    case.updated_at = now
    case.last_activity_at = now
    if case.status in ("claimed", "waiting_worker"):
        case.follow_up_due_at = now + timedelta(hours=(sla or SlaSettings()).follow_up_hours)


async def _notify_worker(session: AsyncSession, case: Case, kind: str, event: CaseEvent, now: datetime,
                         **payload: Any) -> None:
    await queue_alert(session, case, key=f"case:{case.id}:w:{kind}:{event.id}", kind=kind, audience="worker",
                      now=now, payload=payload)


async def _notify_group(session: AsyncSession, case: Case, kind: str, event: CaseEvent, now: datetime,
                        **payload: Any) -> None:
    await queue_alert(session, case, key=f"case:{case.id}:g:{kind}:{event.id}", kind=kind, audience="group",
                      now=now, payload=payload)


async def claim_case(session: AsyncSession, case_id: int, officer_id: int, role: str | None, now: datetime,
                     settings: Settings | SlaSettings | None = None) -> Case:
    require_role(role)
    case = await get_case(session, case_id, lock=True)
    if case is None:
        raise CaseError("not_found")
    if case.assignee_id == officer_id and case.status in OPEN_STATUSES:
        raise CaseError("already_yours")
    if case.status != "new":
        raise CaseError("already_claimed" if case.status in OPEN_STATUSES else "wrong_state", case.status)
    case.status = "claimed"
    case.assignee_id = officer_id
    case.claimed_at = case.claimed_at or now
    case.first_response_at = case.first_response_at or now
    case.next_escalation_at = None
    _touch(case, now, _sla(settings))
    event = await add_event(session, case, "claimed", now, actor_of(officer_id))
    await _notify_worker(session, case, "claimed", event, now)
    return case


async def reassign_case(session: AsyncSession, case_id: int, to_officer_id: int, by_officer_id: int,
                        role: str | None, now: datetime, settings: Settings | SlaSettings | None = None) -> Case:
    """A supervisor gives a case to another officer (who must be an officer)."""
    require_role(role, SUPERVISOR_ROLES)
    case = await get_case(session, case_id, lock=True)
    if case is None:
        raise CaseError("not_found")
    if case.status not in OPEN_STATUSES:
        raise CaseError("wrong_state", case.status)
    target = await session.get(Officer, to_officer_id)
    if target is None:
        raise CaseError("not_officer")
    previous = case.assignee_id
    case.assignee_id = to_officer_id
    if case.status == "new":
        case.status = "claimed"
        case.claimed_at = case.claimed_at or now
        case.next_escalation_at = None
    _touch(case, now, _sla(settings))
    event = await add_event(session, case, "reassigned", now, actor_of(by_officer_id), previous=previous,
                            assignee=to_officer_id)
    await queue_alert(session, case, key=f"case:{case.id}:assigned:{event.id}", kind="assigned_dm",
                      audience="officer", chat_id=to_officer_id, now=now)
    return case


async def add_note(session: AsyncSession, case_id: int, officer_id: int, role: str | None, text: str,
                   now: datetime) -> Case:
    require_role(role)
    text = _clip(text, TEXT_LIMIT)
    if not text:
        raise CaseError("bad_value", "empty note")
    case = await get_case(session, case_id, lock=True)
    if case is None:
        raise CaseError("not_found")
    case.updated_at = now
    await add_event(session, case, "note", now, actor_of(officer_id), text=text)
    return case


async def resolve_case(session: AsyncSession, case_id: int, officer_id: int, role: str | None, outcome: str,
                       now: datetime, note: str | None = None) -> Case:
    require_role(role)
    if outcome not in OUTCOMES or outcome == "withdrawn":
        raise CaseError("bad_value", f"outcome {outcome!r}")
    case = await get_case(session, case_id, lock=True)
    if case is None:
        raise CaseError("not_found")
    if case.status not in OPEN_STATUSES:
        raise CaseError("wrong_state", case.status)
    previous = case.status
    case.status = "resolved"
    case.outcome = outcome
    case.assignee_id = case.assignee_id or officer_id
    case.resolved_at = now
    case.first_response_at = case.first_response_at or now
    case.next_escalation_at = None
    case.follow_up_due_at = None
    case.updated_at = case.last_activity_at = now
    event = await add_event(session, case, "resolved", now, actor_of(officer_id), outcome=outcome,
                            previous=previous, **({"note": _clip(note, TEXT_LIMIT)} if note else {}))
    await _notify_worker(session, case, "ask_solved", event, now, outcome=outcome)
    return case


async def reopen_case(session: AsyncSession, case_id: int, now: datetime, *, officer_id: int | None = None,
                      role: str | None = None, by_worker: bool = False,
                      settings: Settings | SlaSettings | None = None) -> Case:
    """Reopen a resolved or closed case: back to its officer, or to the queue when it had none. A case whose
    worker deleted their data (bot/privacy) stays closed: it is only statistics now."""
    if not by_worker:
        require_role(role)
    case = await get_case(session, case_id, lock=True)
    if case is None:
        raise CaseError("not_found")
    if case.status not in ("resolved", "closed"):
        raise CaseError("wrong_state", case.status)
    worker = await session.get(Worker, case.worker_id)
    if worker is None or worker.status == "deleted":
        raise CaseError("wrong_state", "worker deleted their data")
    sla = _sla(settings)
    case.outcome = None
    case.resolved_at = case.closed_at = None
    if case.assignee_id is not None:
        case.status = "claimed"
        case.next_escalation_at = None
    else:
        case.status = "new"
        case.first_response_due_at = now + timedelta(minutes=first_response_minutes(case.severity, sla))
        case.escalation_level = 0
        case.next_escalation_at = case.first_response_due_at
    _touch(case, now, sla)
    event = await add_event(session, case, "reopened", now, "worker" if by_worker else actor_of(officer_id))
    if by_worker:
        await _notify_group(session, case, "worker_reopened", event, now)
        if case.assignee_id is not None:
            await queue_alert(session, case, key=f"case:{case.id}:reopen:dm:{event.id}", kind="reopened_dm",
                              audience="officer", chat_id=case.assignee_id, now=now)
    else:
        await _notify_worker(session, case, "reopened", event, now)
    return case


async def close_case(session: AsyncSession, case_id: int, now: datetime, *, by_worker: bool = True,
                     actor: str = "worker") -> Case:
    """The worker confirms the problem is solved (or the sweep closes a long-resolved case)."""
    case = await get_case(session, case_id, lock=True)
    if case is None:
        raise CaseError("not_found")
    if case.status != "resolved":
        raise CaseError("wrong_state", case.status)
    case.status = "closed"
    case.closed_at = now
    case.updated_at = now
    event = await add_event(session, case, "closed", now, actor, confirmed_by_worker=by_worker)
    if by_worker:
        await _notify_group(session, case, "worker_confirmed", event, now)
    return case


async def withdraw_case(session: AsyncSession, case_id: int, worker_id: int, now: datetime) -> Case:
    """The worker did not mean to report: the case closes, officers are told."""
    case = await get_case(session, case_id, lock=True)
    if case is None or case.worker_id != worker_id:
        raise CaseError("not_found")
    if case.status not in OPEN_STATUSES:
        raise CaseError("wrong_state", case.status)
    case.status = "closed"
    case.outcome = "withdrawn"
    case.closed_at = now
    case.next_escalation_at = None
    case.follow_up_due_at = None
    case.updated_at = now
    event = await add_event(session, case, "closed", now, "worker", outcome="withdrawn")
    await _notify_group(session, case, "worker_withdrew", event, now)
    return case


async def escalate_case(session: AsyncSession, case_id: int, officer_id: int, role: str | None, now: datetime,
                        bootstrap_admins: Iterable[int] = (), reason: str | None = None) -> Case:
    """An officer asks the supervisors to look at a case (direct message to each, and a note in the thread)."""
    require_role(role)
    case = await get_case(session, case_id, lock=True)
    if case is None:
        raise CaseError("not_found")
    if case.status not in OPEN_STATUSES:
        raise CaseError("wrong_state", case.status)
    previous = case.severity
    if case.severity == "normal":
        case.severity = "high"
    case.updated_at = now
    event = await add_event(session, case, "escalation", now, actor_of(officer_id), by="officer",
                            severity_before=previous, severity=case.severity,
                            **({"reason": _clip(reason, 500)} if reason else {}))
    await _notify_group(session, case, "escalated_by_officer", event, now, officer_id=officer_id)
    for supervisor in await supervisor_ids(session, bootstrap_admins):
        if supervisor != officer_id:
            await queue_alert(session, case, key=f"case:{case.id}:esc:{event.id}:dm:{supervisor}",
                              kind="escalation_dm", audience="officer", chat_id=supervisor, now=now,
                              payload={"officer_id": officer_id})
    return case


async def raise_to_emergency(session: AsyncSession, case: Case, now: datetime,
                             settings: Settings | SlaSettings | None = None, actor: str = "worker") -> bool:
    """A worker in an open case signals danger: the case becomes an emergency and officers are alerted at once.
    Returns False when it already was one."""
    if case.severity == "emergency":
        return False
    sla = _sla(settings)
    previous = case.severity
    case.severity = "emergency"
    case.updated_at = now
    event = await add_event(session, case, "severity_changed", now, actor, before=previous, after="emergency")
    await _notify_group(session, case, "now_emergency", event, now)
    if case.status == "new":
        case.first_response_due_at = min(case.first_response_due_at or now,
                                         now + timedelta(minutes=sla.emergency_claim_minutes))
        case.next_escalation_at = case.first_response_due_at
        for officer in await on_duty_officers(session):
            await queue_alert(session, case, key=f"case:{case.id}:sev:{event.id}:dm:{officer.telegram_user_id}",
                              kind="new_case_dm", audience="officer", chat_id=officer.telegram_user_id, now=now)
    elif case.assignee_id is not None:
        await queue_alert(session, case, key=f"case:{case.id}:sev:{event.id}:dm:{case.assignee_id}",
                          kind="new_case_dm", audience="officer", chat_id=case.assignee_id, now=now)
    return True


# --- relayed messages ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IncomingMessage:
    """A message as the relay needs it: where it is, what kind, and its words (text or caption)."""

    chat_id: int
    message_id: int
    kind: str
    text: str | None = None


async def record_worker_message(session: AsyncSession, case: Case, message: IncomingMessage, now: datetime,
                                settings: Settings | SlaSettings | None = None,
                                event_kind: str = "message_in") -> RelayMessage | None:
    """A worker's message for the officers: timeline event and a pending copy into the case thread.
    Returns None when this message was recorded before (a redelivered update)."""
    existing = await session.scalar(select(RelayMessage.id).where(
        RelayMessage.direction == "in", RelayMessage.source_chat_id == message.chat_id,
        RelayMessage.source_message_id == message.message_id))
    if existing is not None:
        return None
    relay = RelayMessage(case_id=case.id, direction="in", kind=message.kind, source_chat_id=message.chat_id,
                         source_message_id=message.message_id, status="pending", attempts=0,
                         next_attempt_at=now, created_at=now)
    session.add(relay)
    if case.status == "waiting_worker":
        case.status = "claimed"
    _touch(case, now, _sla(settings))
    data: dict[str, Any] = {"message_kind": message.kind}
    if message.text:
        data["text"] = _clip(message.text, TEXT_LIMIT)
    await add_event(session, case, event_kind, now, "worker", **data)
    return relay


async def record_officer_message(session: AsyncSession, case: Case, officer_id: int, role: str | None,
                                 message: IncomingMessage, now: datetime,
                                 settings: Settings | SlaSettings | None = None) -> RelayMessage | None:
    """An officer's reply for the worker: auto-claims a new case, records the event, queues the copy."""
    require_role(role)
    if case.status not in OPEN_STATUSES:
        raise CaseError("wrong_state", case.status)
    existing = await session.scalar(select(RelayMessage.id).where(
        RelayMessage.direction == "out", RelayMessage.source_chat_id == message.chat_id,
        RelayMessage.source_message_id == message.message_id))
    if existing is not None:
        return None
    worker = await session.get(Worker, case.worker_id)
    if case.status == "new":
        case.assignee_id = officer_id
        case.claimed_at = now
        case.next_escalation_at = None
        await add_event(session, case, "claimed", now, actor_of(officer_id), by_reply=True)
    case.first_response_at = case.first_response_at or now
    case.status = "waiting_worker"
    _touch(case, now, _sla(settings))
    relay = RelayMessage(case_id=case.id, direction="out", kind=message.kind, source_chat_id=message.chat_id,
                         source_message_id=message.message_id, dest_chat_id=worker.chat_id if worker else None,
                         text=(message.text or "")[:MESSAGE_LIMIT] or None, author_id=officer_id, status="pending",
                         attempts=0, next_attempt_at=now, created_at=now)
    session.add(relay)
    data: dict[str, Any] = {"message_kind": message.kind}
    if message.text:
        data["text"] = _clip(message.text, TEXT_LIMIT)
    await add_event(session, case, "message_out", now, actor_of(officer_id), **data)
    await session.flush()
    return relay


async def relay_of_source(session: AsyncSession, direction: str, chat_id: int, message_id: int) -> RelayMessage | None:
    return await session.scalar(select(RelayMessage).where(
        RelayMessage.direction == direction, RelayMessage.source_chat_id == chat_id,
        RelayMessage.source_message_id == message_id))


async def record_edit(session: AsyncSession, relay: RelayMessage, new_text: str, now: datetime,
                      actor: str) -> Case | None:
    case = await session.get(Case, relay.case_id)
    if case is None:
        return None
    if relay.direction == "out":
        relay.text = (new_text or "")[:MESSAGE_LIMIT]
    case.updated_at = now
    await add_event(session, case, "message_edited", now, actor, direction=relay.direction,
                    text=_clip(new_text, TEXT_LIMIT))
    return case


# --- delivery bookkeeping (the sender in handlers/case_delivery.py uses these) -----------------------------------

def _due(model, now: datetime):
    return or_(and_(model.status == "pending", model.next_attempt_at <= now),
               and_(model.status == "sending", model.lease_until < now))


async def _take_due(session: AsyncSession, model, now: datetime, case_id: int | None, limit: int) -> list:
    """Lease due rows of an outbox table to this sender (FOR UPDATE SKIP LOCKED on PostgreSQL: several senders
    never collide)."""
    query = select(model).where(_due(model, now)).order_by(model.id).limit(limit).with_for_update(skip_locked=True)
    if case_id is not None:
        query = query.where(model.case_id == case_id)
    rows = list(await session.scalars(query))
    for row in rows:
        row.status = "sending"
        row.lease_until = now + LEASE
        row.attempts += 1
    return rows


async def take_due_alerts(session: AsyncSession, now: datetime, *, case_id: int | None = None,
                          limit: int = 50) -> list[Alert]:
    return await _take_due(session, Alert, now, case_id, limit)


async def take_due_relays(session: AsyncSession, now: datetime, *, case_id: int | None = None,
                          limit: int = 50) -> list[RelayMessage]:
    return await _take_due(session, RelayMessage, now, case_id, limit)


def mark_sent(item: Alert | RelayMessage, now: datetime, chat_id: int | None, message_id: int | None) -> None:
    item.status = "sent"
    item.sent_at = now
    item.lease_until = None
    item.last_error = None
    if isinstance(item, Alert):
        item.sent_chat_id = chat_id
        item.sent_message_id = message_id
    else:
        item.dest_chat_id = chat_id
        item.dest_message_id = message_id


def mark_retry(item: Alert | RelayMessage, now: datetime, delay: timedelta, error: str,
               count_attempt: bool = True) -> None:
    """Try again after `delay`; after MAX_ATTEMPTS real failures the item is marked failed."""
    if not count_attempt:
        item.attempts = max(0, item.attempts - 1)
    item.last_error = error[:200]
    item.lease_until = None
    if item.attempts >= MAX_ATTEMPTS:
        item.status = "failed"
        return
    item.status = "pending"
    item.next_attempt_at = now + delay


def mark_failed(item: Alert | RelayMessage, error: str, status: str = "failed") -> None:
    item.status = status
    item.lease_until = None
    item.last_error = error[:200]


async def note_delivery_failure(session: AsyncSession, case: Case, now: datetime, what: str, error: str) -> None:
    await add_event(session, case, "delivery_failed", now, "system", what=what, error=error[:200])


async def mark_worker_blocked(session: AsyncSession, worker_id: int, now: datetime) -> list[Case]:
    """The worker blocked the bot: remember it, note it on each open case and tell the officers there."""
    worker = await session.get(Worker, worker_id)
    if worker is None:
        return []
    already = worker.status == "blocked_bot"
    worker.status = "blocked_bot"
    cases = list(await session.scalars(select(Case).where(Case.worker_id == worker_id,
                                                          Case.status.in_(OPEN_STATUSES + ("resolved",)))))
    if already:
        return cases
    for case in cases:
        event = await add_event(session, case, "worker_blocked_bot", now, "system")
        await _notify_group(session, case, "worker_blocked", event, now)
        if case.assignee_id is not None:
            await queue_alert(session, case, key=f"case:{case.id}:blocked:dm:{event.id}", kind="worker_blocked_dm",
                              audience="officer", chat_id=case.assignee_id, now=now)
    return cases


async def mark_worker_ack(session: AsyncSession, case_id: int, now: datetime, every: timedelta) -> bool:
    """True when the worker should be told "sent to the officers" now (at most once per `every`)."""
    case = await get_case(session, case_id, lock=True)
    if case is None:
        return False
    if case.last_worker_ack_at is not None and now - case.last_worker_ack_at < every:
        return False
    case.last_worker_ack_at = now
    return True


# --- officer prompts -------------------------------------------------------------------------------------------

async def remember_prompt(session: AsyncSession, chat_id: int, message_id: int, case_id: int, officer_id: int,
                          kind: str, now: datetime) -> None:
    session.add(OfficerPrompt(chat_id=chat_id, message_id=message_id, case_id=case_id, officer_id=officer_id,
                              kind=kind, created_at=now))


async def prompt_of(session: AsyncSession, chat_id: int, message_id: int) -> OfficerPrompt | None:
    return await session.get(OfficerPrompt, (chat_id, message_id))


async def counts_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(Case.status, func.count()).group_by(Case.status))
    return {status: count for status, count in rows}
