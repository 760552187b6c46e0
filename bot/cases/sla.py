"""SLA sweeps over the database: unclaimed cases escalate, quiet cases remind their officer, long-resolved cases
close. Only database work; the alerts they queue are sent by the sender (handlers/case_delivery.py).

Each step is idempotent: an escalation raises the case's level and queues alerts keyed by that level in one
transaction, so running the sweep twice, on two machines, or after a restart never alerts twice.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.cases import service
from bot.cases.models import Case
from bot.config import Settings
from bot.storage import Database

log = logging.getLogger(__name__)

AUTO_CLOSE_AFTER = timedelta(days=7)  # a resolved case the worker never confirmed closes after this
BATCH = 100


@dataclass
class SweepReport:
    escalated: list[str] = field(default_factory=list)  # references
    reminded: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)


async def escalate_unclaimed(db: Database, settings: Settings, now: datetime) -> list[str]:
    """Cases nobody took in time: the group is told again, supervisors get a direct message (emergencies at
    once, others from the second reminder), and the reminder repeats every SLA interval until someone claims."""
    done: list[str] = []
    async with db.transaction() as session:
        rows = list(await session.scalars(
            select(Case).where(Case.status == "new", Case.next_escalation_at.is_not(None),
                               Case.next_escalation_at <= now)
            .order_by(Case.next_escalation_at).limit(BATCH).with_for_update(skip_locked=True)))
        for case in rows:
            level = case.escalation_level + 1
            interval = timedelta(minutes=service.first_response_minutes(case.severity, settings.sla))
            case.escalation_level = level
            case.next_escalation_at = now + interval
            event = await service.add_event(session, case, "escalation", now, "system", by="sla", level=level,
                                            minutes_waiting=int((now - case.created_at).total_seconds() // 60))
            await service.queue_alert(session, case, key=f"case:{case.id}:sla:{level}:group", kind="sla_unclaimed",
                                      audience="group", now=now, payload={"level": level, "event": event.id})
            if case.severity == "emergency" or level >= 2:
                for supervisor in await service.supervisor_ids(session, settings.admin_ids):
                    await service.queue_alert(session, case, key=f"case:{case.id}:sla:{level}:dm:{supervisor}",
                                              kind="sla_unclaimed_dm", audience="officer", chat_id=supervisor,
                                              now=now, payload={"level": level})
            done.append(case.reference)
    return done


async def remind_follow_ups(db: Database, settings: Settings, now: datetime) -> list[str]:
    """Handled cases without activity for sla.follow_up_hours: the assigned officer gets a reminder."""
    done: list[str] = []
    async with db.transaction() as session:
        rows = list(await session.scalars(
            select(Case).where(Case.status.in_(("claimed", "waiting_worker")), Case.follow_up_due_at.is_not(None),
                               Case.follow_up_due_at <= now)
            .order_by(Case.follow_up_due_at).limit(BATCH).with_for_update(skip_locked=True)))
        for case in rows:
            case.follow_up_due_at = now + timedelta(hours=settings.sla.follow_up_hours)
            event = await service.add_event(session, case, "follow_up_due", now, "system",
                                            quiet_hours=int((now - case.last_activity_at).total_seconds() // 3600))
            if case.assignee_id is not None:
                await service.queue_alert(session, case, key=f"case:{case.id}:follow:{event.id}:dm",
                                          kind="follow_up_dm", audience="officer", chat_id=case.assignee_id, now=now)
            await service.queue_alert(session, case, key=f"case:{case.id}:follow:{event.id}:group",
                                      kind="follow_up", audience="group", now=now)
            done.append(case.reference)
    return done


async def close_stale_resolved(db: Database, now: datetime) -> list[str]:
    done: list[str] = []
    async with db.transaction() as session:
        ids = list(await session.scalars(
            select(Case.id).where(Case.status == "resolved", Case.resolved_at <= now - AUTO_CLOSE_AFTER)
            .limit(BATCH)))
        for case_id in ids:
            case = await service.close_case(session, case_id, now, by_worker=False, actor="system")
            done.append(case.reference)
    return done


async def sweep(db: Database, settings: Settings, now: datetime) -> SweepReport:
    """One pass of every SLA rule. Safe to run as often as wanted, from any number of processes."""
    report = SweepReport()
    report.escalated = await escalate_unclaimed(db, settings, now)
    report.reminded = await remind_follow_ups(db, settings, now)
    report.closed = await close_stale_resolved(db, now)
    if report.escalated or report.reminded or report.closed:
        log.info("case sweep: %d escalated, %d reminded, %d closed",
                 len(report.escalated), len(report.reminded), len(report.closed))
    return report
