"""Nothing sent twice, nothing lost: a restart in the middle of a round (graceful and hard), and two sweepers
on one database - SQLite here, and PostgreSQL with SELECT ... FOR UPDATE SKIP LOCKED."""
import asyncio
import os
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from bot.checkins import service
from bot.checkins.models import DUE, REMINDED, SENT, CheckinSchedule
from bot.config import normalise_database_url
from bot.storage import Database
from tests.checkins.support import FakeTelegram, make_worker, rows, sweeper, with_checkin

UTC = timezone.utc
MONDAY = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)
DUE_TIME = MONDAY + timedelta(hours=2, minutes=30)  # 10:30 in Taipei: every Taipei worker's Monday slot is due


async def round_of(db, clock, settings, kb, n, first_id=10_000):
    clock.set(MONDAY)
    for i in range(n):
        await make_worker(db, clock.now(), first_id + i, country="TW", schedule_from=MONDAY, kb=kb,
                          settings=settings)
    clock.set(DUE_TIME)
    return [first_id + i for i in range(n)]


def questions(*telegrams):
    """chat id -> how many check-in questions (not reminders) it received, across processes."""
    out: dict[int, int] = {}
    for telegram in telegrams:
        for message in telegram.delivered:
            if message.text.startswith("👋"):
                out[message.chat_id] = out.get(message.chat_id, 0) + 1
    return out


async def wait_until(condition, limit=2000):
    for _ in range(limit):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("condition not reached")


async def test_graceful_restart_mid_round(db, clock, settings, kb):
    chats = await round_of(db, clock, settings, kb, 60)
    first, telegram_a = sweeper(db, settings, clock, kb, FakeTelegram(hang_after=30), owner="process-a")
    task = asyncio.create_task(first.run())
    await wait_until(lambda: telegram_a.calls >= 34)  # 30 delivered, a few stuck in flight
    task.cancel()  # Ctrl-C / SIGTERM: the scheduler stops the running sweep
    with pytest.raises(asyncio.CancelledError):
        await task
    unknown = {c.id for c in await rows(db) if c.status == SENT and c.message_id is None}
    assert 0 < len(unknown) <= 8  # only requests that were in flight are in doubt
    # the new process: its own engine, its own sweeper; the old leases were released on the way out
    db2 = Database(db.url)
    try:
        second, telegram_b = sweeper(db2, settings, clock, kb, owner="process-b")
        clock.advance(seconds=30)
        await second.run()
        got = questions(telegram_a, telegram_b)
        assert max(got.values()) == 1 and set(got) <= set(chats)  # nothing twice
        checkins = await rows(db2)
        assert sorted(c.worker_id for c in checkins) == sorted({c.worker_id for c in checkins})  # one per slot
        assert len(checkins) == 60 and {c.status for c in checkins} == {SENT}  # nothing lost
        assert len(got) == 60 - len(unknown)
        # the ones in doubt are covered by the reminder
        clock.advance(minutes=settings.checkin.reply_window_minutes + 1)
        await second.run()
        reminded = {c.id for c in await rows(db2) if c.status == REMINDED}
        assert reminded == {c.id for c in checkins}
        assert questions(telegram_a, telegram_b) == got
    finally:
        await db2.close()


async def test_hard_crash_mid_round(db, clock, settings, kb):
    """The first process freezes mid-send and never cleans up; the next one takes over after the lease."""
    chats = await round_of(db, clock, settings, kb, 60)
    frozen, telegram_a = sweeper(db, settings, clock, kb, FakeTelegram(hang_after=30), owner="process-a")
    task = asyncio.create_task(frozen.run())
    await wait_until(lambda: telegram_a.calls >= 38)
    statuses = [c.status for c in await rows(db)]
    marked_sent, still_due = statuses.count(SENT), statuses.count(DUE)
    assert marked_sent == 50 and still_due == 10  # two chunks of 25 marked sent before sending; 10 only claimed
    db2 = Database(db.url)
    try:
        second, telegram_b = sweeper(db2, settings, clock, kb, owner="process-b")
        clock.advance(seconds=60)  # lease still running: the new process must not take the claimed ones yet
        await second.run()
        assert telegram_b.delivered == []
        clock.advance(minutes=service.LEASE.total_seconds() / 60)
        await second.run()
        got = questions(telegram_a, telegram_b)
        assert max(got.values()) == 1 and len(got) == 40  # 30 + the 10 unsent claims, nobody twice
        checkins = await rows(db2)
        assert len(checkins) == 60 and {c.status for c in checkins} == {SENT}
        # the 20 marked sent by the frozen process but never confirmed get the reminder: no one is forgotten
        clock.advance(minutes=settings.checkin.reply_window_minutes + 1)
        await second.run()
        reminders = {m.chat_id for m in telegram_b.delivered if m.text.startswith("⏰")}
        assert set(chats) - set(got) <= reminders
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await db2.close()
    # the frozen process's late clean-up changes nothing that was already handled
    assert max(questions(telegram_a, telegram_b).values()) == 1


async def test_two_sweepers_share_a_round_without_double_sends(db, clock, settings, kb):
    settings = with_checkin(settings, batch_size=10)
    await round_of(db, clock, settings, kb, 200)
    db2 = Database(db.url)
    try:
        one, telegram_1 = sweeper(db, settings, clock, kb, owner="sweeper-1")
        two, telegram_2 = sweeper(db2, settings, clock, kb, owner="sweeper-2")
        await asyncio.gather(one.run(), two.run())
        got = questions(telegram_1, telegram_2)
        assert len(got) == 200 and max(got.values()) == 1
        checkins = await rows(db)
        assert len(checkins) == 200 and {c.status for c in checkins} == {SENT}
        # reminders too: each once
        clock.advance(minutes=settings.checkin.reply_window_minutes + 1)
        await asyncio.gather(one.run(), two.run())
        reminders = [m.chat_id for t in (telegram_1, telegram_2) for m in t.delivered if m.text.startswith("⏰")]
        assert sorted(reminders) == sorted(set(reminders)) and len(reminders) == 200
    finally:
        await db2.close()


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://", "postgresql+asyncpg://")) else None


postgres_only = pytest.mark.skipif(
    _postgres_url() is None,
    reason="needs PostgreSQL (SELECT ... FOR UPDATE SKIP LOCKED): set TEST_DATABASE_URL=postgresql://...")


@postgres_only
async def test_two_sweepers_on_postgresql_split_the_work(db, clock, settings, kb):
    settings = with_checkin(settings, batch_size=5)
    await round_of(db, clock, settings, kb, 300)
    db2 = Database(normalise_database_url(_postgres_url()))
    try:
        one, telegram_1 = sweeper(db, settings, clock, kb, owner="sweeper-1")
        two, telegram_2 = sweeper(db2, settings, clock, kb, owner="sweeper-2")
        await asyncio.gather(one.run(), two.run())
        got = questions(telegram_1, telegram_2)
        assert len(got) == 300 and max(got.values()) == 1
        assert telegram_1.delivered and telegram_2.delivered  # both really worked on the round
        async with db.transaction() as session:
            owners = dict((await session.execute(
                text("select claimed_by, count(*) from checkin group by claimed_by"))).all())
        assert set(owners) == {"sweeper-1", "sweeper-2"} and sum(owners.values()) == 300
    finally:
        await db2.close()


@postgres_only
async def test_claim_skips_rows_another_sweeper_holds(db, clock, settings, kb):
    await round_of(db, clock, settings, kb, 20)
    policy = service.Policy.from_settings(settings)
    db2 = Database(normalise_database_url(_postgres_url()))
    try:
        async with db.transaction() as holder:
            locked = (await holder.scalars(
                select(CheckinSchedule.worker_id).order_by(CheckinSchedule.next_due_at).limit(8)
                .with_for_update())).all()
            # the other sweeper does not wait for these rows: it takes the rest (a hang here = no SKIP LOCKED)
            claimed = await asyncio.wait_for(service.claim_due(db2, policy, clock.now(), "other", 100, kb), 60)
            assert len(claimed) == 12 and not {c.worker_id for c in claimed} & set(locked)
        claimed = await service.claim_due(db, policy, clock.now(), "first", 100, kb)
        assert {c.worker_id for c in claimed} == set(locked)
    finally:
        await db2.close()
