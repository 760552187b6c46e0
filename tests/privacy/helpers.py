"""Helpers for the privacy tests: a worker with everything the bot can hold about them, and a full dump."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.cases import officers, service
from bot.cases.models import CaseIntake, RelayMessage
from bot.cases.service import IncomingMessage
from bot.checkins import service as checkins
from bot.checkins.models import ANSWERED, Checkin
from bot.config import Settings
from bot.storage.models import Base
from bot.workers import service as workers

USER = 987654321  # the worker's Telegram user and chat id
OTHER = 555000111
OFFICER = 501
GROUP = -100500
# Everything the worker said or that identifies them; none of it may survive the deletion.
SECRETS = ("Taichung", "0812-3456-7890", "memukul", "Agen Maju", "Siti Aminah", "paspor saya ditahan",
           "jalan Zhongshan", "catatan rahasia", "cerita dalam draf", str(USER))


@dataclass
class Seeded:
    worker_id: int
    open_case: int
    open_ref: str
    closed_case: int
    other_worker: int
    other_case: int


async def make_worker(session, user_id: int, now: datetime, settings: Settings, city: str = "Taichung"):
    worker, _ = await workers.get_or_create(session, user_id, user_id, now)
    workers.record_consent(worker, True, 1, now)
    workers.set_country(worker, "TW")
    workers.set_city(worker, city)
    workers.set_sector(worker, "domestic")
    workers.set_checkin_frequency(worker, "daily", "10:00")
    worker.onboarded = True
    await session.flush()
    await checkins.sync_worker(session, worker, checkins.Policy.from_settings(settings), None, now)
    return worker


async def seed(db, clock, settings: Settings) -> Seeded:
    """Siti: a profile, check-ins (one answered), a report in progress, an open case with messages both ways,
    an edit, a note and delivered copies, and an older closed case. Ani: another worker with a case."""
    now = clock.now()
    async with db.transaction() as session:
        await officers.add_officer(session, OFFICER, "officer", now, "Budi")
        siti = await make_worker(session, USER, now, settings)
        ani = await make_worker(session, OTHER, now, settings, city="Taipei")
        session.add(Checkin(worker_id=siti.id, due_at=now - timedelta(days=1), status=ANSWERED, answer="ok",
                            created_at=now - timedelta(days=1), answered_at=now - timedelta(days=1), attempts=0))
        session.add(CaseIntake(worker_id=siti.id, category="wages", severity="normal", step="since",
                               answers={"source_text": "cerita dalam draf", "storage_consent": "profile"},
                               evidence=[{"message_id": 77, "kind": "photo"}], started_at=now, updated_at=now))

        closed = await service.open_case(
            session, worker_id=siti.id, category="wages", severity="normal", summary="gaji, Agen Maju",
            source="worker", now=now - timedelta(days=30), actor="worker", settings=settings,
            details={"what": "gaji", "employer": "Agen Maju", "since": "month"})
        await service.record_worker_message(session, closed, IncomingMessage(USER, 5, "text", "paspor saya ditahan"),
                                            now - timedelta(days=30), settings)
        await service.resolve_case(session, closed.id, OFFICER, "officer", "solved", now - timedelta(days=29))
        await service.close_case(session, closed.id, now - timedelta(days=28))

        case = await service.open_case(
            session, worker_id=siti.id, category="abuse", severity="high",
            summary="majikan memukul saya di jalan Zhongshan, Taichung", source="worker", now=now, actor="worker",
            settings=settings, details={"what": "majikan memukul saya", "employer": "Agen Maju", "since": "week",
                                        "where": "jalan Zhongshan", "safe_now": False, "name": "Siti Aminah",
                                        "evidence": 1, "storage_consent": "profile"},
            share_consent=True, contact_ok=True)
        relay_in = await service.record_worker_message(
            session, case, IncomingMessage(USER, 10, "text", "tolong, nomor saya 0812-3456-7890"), now, settings)
        await session.flush()
        service.mark_sent(relay_in, now, GROUP, 900)
        relay_out = await service.record_officer_message(
            session, case, OFFICER, "officer", IncomingMessage(GROUP, 901, "text", "Halo Siti Aminah, sabar ya"),
            now, settings)
        service.mark_sent(relay_out, now, USER, 11)
        notice = await service.queue_alert(session, case, key="test:worker-notice", kind="claimed",
                                           audience="worker", now=now)
        service.mark_sent(notice, now, USER, 13)
        await service.record_edit(session, relay_in, "tolong, majikan memukul, 0812-3456-7890", now, "worker")
        await service.record_worker_message(session, case, IncomingMessage(USER, 12, "photo", "paspor saya ditahan"),
                                            now, settings)
        await service.add_note(session, case.id, OFFICER, "officer", "catatan rahasia: jalan Zhongshan no 5", now)

        other = await service.open_case(session, worker_id=ani.id, category="wages", severity="normal",
                                        summary="gaji Ani belum dibayar", source="worker", now=now, actor="worker",
                                        settings=settings)
        await service.record_worker_message(session, other, IncomingMessage(OTHER, 3, "text", "tolong bantu Ani"),
                                            now, settings)
        return Seeded(siti.id, case.id, case.reference, closed.id, ani.id, other.id)


async def dump(db) -> str:
    """Every row of every table, as text."""
    lines = []
    async with db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                lines.append(f"{table.name}: {tuple(row)!r}")
    return "\n".join(lines)


async def relays_of(db, case_id: int) -> list[RelayMessage]:
    async with db.transaction() as session:
        return list(await session.scalars(select(RelayMessage).where(RelayMessage.case_id == case_id)))
