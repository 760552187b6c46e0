"""The retention purge: old message words of finished cases, old update ids and old answered check-ins go, in
batches, by the clock's time; open cases and recent messages keep everything (SQLite and PostgreSQL)."""
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import select

from bot.cases import officers, service
from bot.cases.models import CaseEvent, RelayMessage
from bot.cases.service import IncomingMessage
from bot.checkins.models import ANSWERED, CANCELLED, MISSED, Checkin
from bot.config import Settings
from bot.privacy import retention
from bot.storage.dedup import ProcessedUpdate
from tests.privacy.helpers import GROUP, OFFICER, make_worker


async def _case_with_messages(session, worker, now, settings, words: str, finish: bool):
    case = await service.open_case(session, worker_id=worker.id, category="wages", severity="normal",
                                   summary=f"laporan {words}", source="worker", now=now, actor="worker",
                                   settings=settings)
    for number in range(3):
        await service.record_worker_message(
            session, case, IncomingMessage(worker.chat_id, hash((words, number)) % 10**6, "text",
                                           f"{words} pesan {number}"), now, settings)
    await service.record_officer_message(session, case, OFFICER, "officer",
                                         IncomingMessage(GROUP, hash(words) % 10**6, "text", f"{words} balasan"),
                                         now, settings)
    if finish:
        await service.resolve_case(session, case.id, OFFICER, "officer", "solved", now)
    return case.id


async def _texts(db, case_id):
    async with db.transaction() as session:
        events = list(await session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id,
                                                                    CaseEvent.kind.like("message_%"))))
        relays = list(await session.scalars(select(RelayMessage).where(RelayMessage.case_id == case_id,
                                                                       RelayMessage.direction == "out")))
    return [e.data.get("text") for e in events], [r.text for r in relays], events


async def test_old_texts_of_finished_cases_are_purged_in_batches(db, clock, settings):
    start = clock.now()
    async with db.transaction() as session:
        await officers.add_officer(session, OFFICER, "officer", start, "Budi")
        worker = await make_worker(session, 1001, start, settings)
        old_done = await _case_with_messages(session, worker, start, settings, "lama selesai", finish=True)
        old_open = await _case_with_messages(session, worker, start, settings, "lama terbuka", finish=False)
    clock.advance(days=100)
    async with db.transaction() as session:
        recent_done = await _case_with_messages(session, worker, clock.now(), settings, "baru selesai", finish=True)
    clock.advance(days=81)  # the first messages are 181 days old, the recent ones 81

    report = await retention.run_retention(db, clock.now(), 180, batch=2)  # several batches
    assert (report.event_texts, report.relay_texts) == (4, 1)

    words, relay_texts, events = await _texts(db, old_done)
    assert words == [None] * 4 and relay_texts == [None]
    assert all(e.data.get("text_removed") is True and e.data.get("message_kind") == "text" for e in events)
    words, relay_texts, _ = await _texts(db, old_open)
    assert words == [f"lama terbuka pesan {n}" for n in range(3)] + ["lama terbuka balasan"]
    assert relay_texts == ["lama terbuka balasan"]
    words, relay_texts, _ = await _texts(db, recent_done)
    assert "baru selesai pesan 0" in words and relay_texts == ["baru selesai balasan"]
    async with db.transaction() as session:  # the case itself stays
        case = await service.get_case(session, old_done)
        assert case.summary == "laporan lama selesai" and case.status == "resolved"

    again = await retention.run_retention(db, clock.now(), 180, batch=2)
    assert not again.anything


async def test_update_ids_and_answered_checkins_are_forgotten(db, clock, settings):
    now = clock.now()
    async with db.transaction() as session:
        worker = await make_worker(session, 1001, now, settings)
        for update_id, age in ((1, 5), (2, 4), (3, 1)):
            session.add(ProcessedUpdate(update_id=update_id, received_at=now - timedelta(days=age)))
        for status, age in ((ANSWERED, 200), (CANCELLED, 190), (MISSED, 201), (ANSWERED, 20)):
            session.add(Checkin(worker_id=worker.id, due_at=now - timedelta(days=age), status=status,
                                created_at=now - timedelta(days=age), attempts=0))
    report = await retention.run_retention(db, now, 180, batch=1)
    assert (report.processed_updates, report.checkins) == (2, 2)
    async with db.transaction() as session:
        assert list(await session.scalars(select(ProcessedUpdate.update_id))) == [3]
        left = [(c.status, (now - c.due_at).days) for c in await session.scalars(select(Checkin)
                                                                                  .order_by(Checkin.due_at))]
    assert left == [(MISSED, 201), (ANSWERED, 20)]


async def test_the_job_uses_the_configured_period_and_the_clock(db, clock, settings):
    from dataclasses import replace

    start = clock.now()
    async with db.transaction() as session:
        await officers.add_officer(session, OFFICER, "officer", start, "Budi")
        worker = await make_worker(session, 1001, start, settings)
        case_id = await _case_with_messages(session, worker, start, settings, "kata", finish=True)
    services = SimpleNamespace(db=db, clock=clock, settings=replace(settings, message_retention_days=10))
    clock.advance(days=9)
    assert not (await retention.retention_job(services)).anything
    clock.advance(days=2)
    assert (await retention.retention_job(services)).event_texts == 4
    words, _, _ = await _texts(db, case_id)
    assert words == [None] * 4


def test_the_scheduler_runs_the_retention_job():
    from bot.clock import FakeClock
    from bot.scheduler import build_scheduler
    from bot.services import Services

    scheduler = build_scheduler(Services(settings=Settings(), db=None, clock=FakeClock(), router=None, kb=None))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert "privacy_retention" in jobs
    assert jobs["privacy_retention"].func is retention.retention_job
