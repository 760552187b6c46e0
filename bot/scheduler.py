"""APScheduler on the bot's event loop. Jobs are short sweeps over the database, never one job per worker,
so nothing scheduled lives only in memory and a restart loses nothing."""
from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.services import Services

log = logging.getLogger(__name__)

DEDUP_KEEP = timedelta(days=3)  # Telegram redelivers within hours; three days is ample


async def purge_processed_updates(services: Services) -> int:
    """Forget update ids older than DEDUP_KEEP so the de-duplication table stays small (in batches; the
    hourly retention job below does this too)."""
    from bot.privacy import retention

    return await retention.purge_processed_updates(services.db, services.clock.now() - DEDUP_KEEP)


def build_scheduler(services: Services) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                               "misfire_grace_time": 300})
    add_retention_job(scheduler, services)
    add_checkin_sweep(scheduler, services)
    add_case_sweep(scheduler, services)
    return scheduler


def add_checkin_sweep(scheduler: AsyncIOScheduler, services: Services):
    """The check-in sweep (bot/checkins/sweep.py): every checkin.sweep_seconds, first run at start so slots
    missed while the bot was down are caught up at once (once each: coalesced, one instance at a time)."""
    from datetime import datetime, timezone

    from bot.checkins.sweep import CheckinSweeper

    sweeper = CheckinSweeper(services)
    scheduler.add_job(sweeper.run, "interval", seconds=services.settings.checkin.sweep_seconds, id="checkin_sweep",
                      next_run_time=datetime.now(timezone.utc), coalesce=True, max_instances=1,
                      misfire_grace_time=max(60, services.settings.checkin.sweep_seconds * 2))
    return sweeper


CASE_SWEEP_SECONDS = 10  # SLA escalations and unsent case alerts/relays are looked at this often


async def case_jobs(services: Services) -> None:
    """Case SLA sweep (supervisor escalation, follow-up reminders) and delivery of whatever case alert or relayed
    message is still unsent (after a restart, a flood-limit pause or a network error)."""
    from handlers.case_delivery import run_case_jobs

    await run_case_jobs(services, getattr(services, "bot", None))


def add_case_sweep(scheduler: AsyncIOScheduler, services: Services) -> None:
    from datetime import datetime, timezone

    scheduler.add_job(case_jobs, "interval", seconds=CASE_SWEEP_SECONDS, args=[services], id="case_sweep",
                      next_run_time=datetime.now(timezone.utc), coalesce=True, max_instances=1,
                      misfire_grace_time=60)


RETENTION_EVERY = timedelta(hours=1)


def add_retention_job(scheduler: AsyncIOScheduler, services: Services) -> None:
    """The privacy retention purge (bot/privacy/retention.py): old message texts of finished cases, old update
    ids and old answered check-ins, in small batches; first run a minute after start, then hourly."""
    from datetime import datetime, timezone

    from bot.privacy.retention import retention_job

    scheduler.add_job(retention_job, "interval", seconds=RETENTION_EVERY.total_seconds(), args=[services],
                      id="privacy_retention", next_run_time=datetime.now(timezone.utc) + timedelta(minutes=1),
                      coalesce=True, max_instances=1, misfire_grace_time=600)
