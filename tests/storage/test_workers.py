"""Worker storage: one row per Telegram user, consent rules, aware UTC datetimes, update de-duplication."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.storage.dedup import ProcessedUpdate, first_time_seen
from bot.workers import service as workers
from bot.workers.models import Worker


async def test_get_or_create_is_idempotent_and_times_are_utc(db, clock):
    async with db.transaction() as session:
        worker, created = await workers.get_or_create(session, 42, 42, clock.now())
        assert created
    clock.advance(hours=2)
    async with db.transaction() as session:
        worker, created = await workers.get_or_create(session, 42, 42, clock.now())
        assert not created
    async with db.transaction() as session:
        rows = (await session.scalars(select(Worker))).all()
    assert len(rows) == 1
    assert rows[0].last_seen_at == clock.now()
    assert rows[0].created_at == clock.now() - timedelta(hours=2)
    assert rows[0].created_at.tzinfo is not None


async def test_profile_needs_consent_and_declining_wipes_it(db, clock):
    async with db.transaction() as session:
        worker, _ = await workers.get_or_create(session, 7, 7, clock.now())
        with pytest.raises(workers.ProfileError):
            workers.set_country(worker, "HK")
        workers.record_consent(worker, True, 1, clock.now())
        workers.set_country(worker, "HK")
        workers.set_city(worker, "  Kowloon\u200b ")
        workers.set_sector(worker, "domestic")
        workers.set_checkin_frequency(worker, "daily", "10:00")
    async with db.transaction() as session:
        worker = await session.scalar(select(Worker).where(Worker.telegram_user_id == 7))
        assert (worker.country, worker.city, worker.sector, worker.checkin_time) == ("HK", "Kowloon", "domestic", "10:00")
        workers.record_consent(worker, False, 1, clock.now())
    async with db.transaction() as session:
        worker = await session.scalar(select(Worker).where(Worker.telegram_user_id == 7))
        assert (worker.country, worker.city, worker.sector, worker.checkin_frequency) == (None, None, None, "off")
        assert worker.consent is False


@pytest.mark.parametrize("call, value", [
    (workers.set_sector, "astronaut"), (workers.set_language, "fr"), (workers.set_country, "H1"),
])
async def test_forged_values_are_refused(db, clock, call, value):
    async with db.transaction() as session:
        worker, _ = await workers.get_or_create(session, 8, 8, clock.now())
        workers.record_consent(worker, True, 1, clock.now())
        with pytest.raises(workers.ProfileError):
            call(worker, value)


async def test_update_ids_are_processed_once(db, clock):
    assert await first_time_seen(db, 555, clock.now())
    assert not await first_time_seen(db, 555, clock.now())
    assert await first_time_seen(db, 556, clock.now())
    async with db.transaction() as session:
        assert len((await session.scalars(select(ProcessedUpdate))).all()) == 2


async def test_purge_forgets_old_update_ids(db, clock, settings):
    from bot.scheduler import purge_processed_updates
    from bot.services import Services

    await first_time_seen(db, 1, clock.now())
    clock.advance(days=4)
    await first_time_seen(db, 2, clock.now())
    services = Services(settings=settings, db=db, clock=clock, router=None, kb=None)
    assert await purge_processed_updates(services) == 1
