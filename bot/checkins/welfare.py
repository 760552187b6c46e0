"""Welfare cases from check-ins: silence after the reminder, or a worker who cannot be reached any more.

The case itself belongs to bot.cases (reference number, timeline, officer alerts queued in the same
transaction). This module only decides what the officers need to read: the worker's last activity and profile,
and the check-in's own timestamps. A worker who already has an open case gets a note on that case (and a
follow-up alert in the officers' group) instead of a second case.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins import schedule as sched
from bot.checkins.models import Checkin, CheckinSchedule
from bot.config import Settings
from bot.workers.models import Worker

CATEGORY = "other"
SEVERITY = "high"
SOURCE = "checkin"

REASONS = {
    "missed": "Tidak menjawab cek keamanan, juga setelah pengingat. / No answer to the safety check-in, "
              "also after the reminder.",
    "unreachable": "Tidak bisa dihubungi: pekerja memblokir bot atau akunnya hilang. / Cannot be reached: "
                   "the worker blocked the bot or the account is gone.",
    "help": "Menjawab cek keamanan dengan \"Butuh bantuan\", tetapi belum melapor apa masalahnya. / Answered the "
            "check-in with \"I need help\" but has not said what the problem is.",
}


def _when(moment: datetime | None, tz_name: str) -> str:
    if moment is None:
        return "-"
    local = moment.astimezone(sched.zone(tz_name))
    return f"{moment:%Y-%m-%d %H:%M} UTC ({local:%d %b %H:%M} {tz_name})"


def details_of(worker: Worker, checkin: Checkin | None, schedule: CheckinSchedule | None, reason: str,
               misses: int) -> dict[str, Any]:
    tz_name = schedule.timezone if schedule else sched.FALLBACK_TIMEZONE
    details: dict[str, Any] = {
        "reason": reason,
        "last_activity": _when(worker.last_seen_at, tz_name),
        "country": worker.country_other or worker.country or "-",
        "city": worker.city or "-",
        "sector": worker.sector or "-",
        "language": worker.language,
        "checkin_schedule": f"{worker.checkin_frequency} {worker.checkin_time or ''} ({tz_name})".strip(),
        "missed_in_a_row": misses,
    }
    if checkin is not None:
        details.update(checkin_id=checkin.id, checkin_due=_when(checkin.due_at, tz_name),
                       checkin_sent=_when(checkin.sent_at, tz_name),
                       checkin_reminded=_when(checkin.reminded_at, tz_name),
                       delivered=checkin.message_id is not None)
    return details


def summary_of(details: dict[str, Any], reason: str) -> str:
    lines = [REASONS[reason],
             f"Terakhir aktif / last activity: {details['last_activity']}",
             f"Negara / country: {details['country']}, kota / city: {details['city']}, "
             f"pekerjaan / job: {details['sector']}",
             f"Jadwal cek / check-ins: {details['checkin_schedule']}"]
    if "checkin_sent" in details:
        lines.append(f"Dikirim / sent: {details['checkin_sent']}; pengingat / reminder: {details['checkin_reminded']}")
    if details.get("missed_in_a_row", 0) > 1:
        lines.append(f"Terlewat berturut-turut / missed in a row: {details['missed_in_a_row']}")
    return "\n".join(lines)


def case_opener(settings: Settings | None = None):
    """An `open_case(session, worker, checkin, schedule, reason, now) -> case id` for the check-in service."""

    async def open_welfare_case(session: AsyncSession, worker: Worker, checkin: Checkin | None,
                                schedule: CheckinSchedule | None, reason: str, now: datetime) -> int:
        from bot.cases import service as cases
        from bot.cases.models import OPEN_STATUSES, Case

        misses = schedule.consecutive_misses if schedule is not None else 0
        details = details_of(worker, checkin, schedule, reason, misses)
        summary = summary_of(details, reason)
        # A worker with an open case (an officer is on it already) gets no second case: the signal becomes a
        # note on that case - a check-in case first, else their newest - and the officers' group is told.
        existing = await session.scalar(
            select(Case).where(Case.worker_id == worker.id, Case.status.in_(OPEN_STATUSES))
            .order_by((Case.source == SOURCE).desc(), Case.created_at.desc()).limit(1))
        if existing is not None:
            event = await cases.add_event(session, existing, "note", now, "system", text=summary,
                                          checkin_reason=reason)
            await cases.queue_alert(session, existing, key=f"case:{existing.id}:checkin:{reason}:{event.id}",
                                    kind="follow_up", audience="group", now=now)
            return existing.id
        case = await cases.open_case(session, worker_id=worker.id, category=CATEGORY, severity=SEVERITY,
                                     summary=summary, source=SOURCE, now=now, actor="system", settings=settings,
                                     details=details)
        return case.id

    return open_welfare_case
