"""APScheduler on the bot's event loop. Jobs are short sweeps over the database, never one job per worker,
so nothing scheduled lives only in memory and a restart loses nothing."""
from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import delete

from bot.services import Services
from bot.storage.dedup import ProcessedUpdate

log = logging.getLogger(__name__)

DEDUP_KEEP = timedelta(days=3)  # Telegram redelivers within hours; three days is ample


async def purge_processed_updates(services: Services) -> int:
    """Forget update ids older than DEDUP_KEEP so the de-duplication table stays small."""
    cutoff = services.clock.now() - DEDUP_KEEP
    async with services.db.transaction() as session:
        result = await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.received_at < cutoff))
    return result.rowcount or 0


def build_scheduler(services: Services) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                               "misfire_grace_time": 300})
    scheduler.add_job(purge_processed_updates, "interval", hours=1, args=[services], id="purge_processed_updates")
    return scheduler
