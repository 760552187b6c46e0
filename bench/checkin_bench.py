"""Check-in benchmark: how fast a sweep claims and records due check-ins, memory, and the real send rate.

Fills a database with N workers whose check-in is due now (a spread of destination time zones), then:

  claim     the sweep's database path for each batch: claim due slots (SELECT ... FOR UPDATE SKIP LOCKED on
            PostgreSQL) into check-in rows and move the schedules on, mark them sent, record the message ids.
            Rate = check-ins claimed and recorded per second (median of --repeat runs of --sample each; the
            rows each run takes are fresh). With --sweepers 2, two processes' worth of sweepers (two engines)
            share the same due rows, as two bot replicas would.
  reconcile one full comparison of every worker with their schedule (the sweep does it at start and hourly).
  memory    peak resident memory of the process during the claim runs, and its growth over the start.
  send      the real sweep (claim, mark sent, send, record) for --send-seconds against the local Bot API server
            through python-telegram-bot with the production rate limiter: messages per second measured at the
            server, against the configured limit (sending.global_per_second).
  round     how long a daily round of --round-workers takes at the configured rate and at Telegram's ~30/s.

    .venv/bot/bin/python -m bench.checkin_bench --workers 100000
    .venv/bot/bin/python -m bench.checkin_bench --workers 1000000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/bench_checkins
The PostgreSQL database is wiped first (use a database of its own). Results go to stdout as JSON.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import text

from bot.checkins import schedule as sched
from bot.checkins import service
from bot.checkins.models import CheckinSchedule
from bot.checkins.service import Policy, SendOutcome
from bot.clock import FakeClock
from bot.config import Settings, load_settings, normalise_database_url
from bot.storage import Database
from bot.workers.models import Worker

# Destination mix roughly like 2024 placements (knowledge/pmi_facts.md): zones change the schedule arithmetic.
COUNTRIES = [("HK", 0.27), ("TW", 0.27), ("MY", 0.15), ("JP", 0.08), ("SG", 0.03), ("KR", 0.05), ("SA", 0.05),
             ("TR", 0.02), ("AE", 0.03), ("XX", 0.05)]
TELEGRAM_LIMIT = 30.0
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=timezone.utc)  # a Monday, 14:00 in Taipei and Hong Kong


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PeakRss:
    """Samples the resident memory every 50 ms while running."""

    def __init__(self) -> None:
        self.peak = rss_mb()
        self._task: asyncio.Task | None = None

    async def _watch(self) -> None:
        while True:
            self.peak = max(self.peak, rss_mb())
            await asyncio.sleep(0.05)

    def __enter__(self) -> "PeakRss":
        self._task = asyncio.get_running_loop().create_task(self._watch())
        return self

    def __exit__(self, *exc) -> None:
        self.peak = max(self.peak, rss_mb())
        if self._task:
            self._task.cancel()


# --- filling the database -------------------------------------------------------------------------------------

def _worker_rows(n: int, seen: datetime):
    rng = random.Random(42)
    codes, weights = zip(*COUNTRIES)
    for i in range(1, n + 1):
        country = rng.choices(codes, weights)[0]
        hour = rng.choice((7, 8, 9, 10, 12, 15, 18, 20))
        yield {"id": i, "telegram_user_id": 10_000_000 + i, "chat_id": 10_000_000 + i, "language": "id",
               "consent": True, "consent_version": 1, "consent_at": seen, "country": country, "city": None,
               "checkin_frequency": "daily", "checkin_time": f"{hour:02d}:00", "onboarded": True,
               "status": "active", "created_at": seen, "last_seen_at": seen}


def _schedule_rows(workers, now: datetime):
    rng = random.Random(workers[0]["id"])
    for w in workers:
        yield {"worker_id": w["id"], "frequency": "daily", "local_time": w["checkin_time"], "country": w["country"],
               "city": None, "timezone": sched.timezone_for(w["country"], None),
               "next_due_at": now - timedelta(seconds=rng.randint(0, 3600)), "consecutive_misses": 0,
               "updated_at": now}


async def fill(db: Database, n: int, now: datetime, chunk: int = 50_000) -> float:
    """N workers with check-ins on, each with a slot due now, written in chunks (the process stays small, so the
    memory measured later is the sweep's). Returns seconds taken."""
    import itertools

    started = time.perf_counter()
    seen = now - timedelta(days=30)  # not "recently seen": the sweep's per-sweep settings pass skips them
    workers = _worker_rows(n, seen)
    while True:
        part = list(itertools.islice(workers, chunk))
        if not part:
            break
        schedules = list(_schedule_rows(part, now))
        if db.is_postgres:
            async with db.engine.connect() as connection:
                raw = (await connection.get_raw_connection()).driver_connection
                for table, rows in (("worker", part), ("checkin_schedule", schedules)):
                    columns = list(rows[0])
                    await raw.copy_records_to_table(table, records=[tuple(r[c] for c in columns) for r in rows],
                                                    columns=columns)
        else:
            async with db.transaction() as session:
                await session.execute(Worker.__table__.insert(), part)
                await session.execute(CheckinSchedule.__table__.insert(), schedules)
    if db.is_postgres:
        async with db.engine.connect() as connection:
            raw = (await connection.get_raw_connection()).driver_connection
            await raw.execute("select setval(pg_get_serial_sequence('worker', 'id'), $1)", n)
            for statement in ("vacuum analyze worker", "vacuum analyze checkin_schedule", "analyze checkin"):
                await raw.execute(statement)
    else:
        async with db.engine.begin() as connection:
            await connection.execute(text("analyze"))
    return time.perf_counter() - started


async def reset(url: str) -> None:
    if url.startswith("postgresql"):
        from bot.storage.wipe import wipe_postgres

        await wipe_postgres(url)


# --- measurements ---------------------------------------------------------------------------------------------

async def claim_and_record(db: Database, policy: Policy, now: datetime, owner: str, count: int,
                           batch: int) -> tuple[int, list[float]]:
    """The sweep's database work for `count` check-ins, without Telegram. Returns (done, per-batch seconds)."""
    done, timings, message_id = 0, [], 0
    while done < count:
        started = time.perf_counter()
        claimed = await service.claim_due(db, policy, now, owner, min(batch, count - done))
        if not claimed:
            break
        ids = [c.checkin_id for c in claimed]
        marked = set()
        for start in range(0, len(ids), 250):  # the sweep marks about a second of sending at a time
            marked |= await service.mark_sent(db, ids[start:start + 250], owner, now, policy)
        outcome = SendOutcome()
        for checkin_id in ids:
            message_id += 1
            if checkin_id in marked:
                outcome.delivered[checkin_id] = message_id
        await service.record_checkins_sent(db, outcome, owner, now, policy)
        timings.append(time.perf_counter() - started)
        done += len(claimed)
    return done, timings


async def measure_claims(url: str, db: Database, policy: Policy, now: datetime, sample: int, batch: int,
                         repeat: int, sweepers: int) -> dict:
    rates, per_batch = [], []
    extra = [Database(url) for _ in range(sweepers - 1)]
    cpu_started, total = time.process_time(), 0
    try:
        with PeakRss() as memory:
            for run in range(repeat):
                started = time.perf_counter()
                share = sample // sweepers
                results = await asyncio.gather(*(
                    claim_and_record(d, policy, now, f"bench-{run}-{i}", share, batch)
                    for i, d in enumerate([db, *extra])))
                elapsed = time.perf_counter() - started
                done = sum(r[0] for r in results)
                total += done
                rates.append(done / elapsed)
                per_batch += [batch / t for r in results for t in r[1][:-1] if t > 0]
    finally:
        for d in extra:
            await d.close()
    async with db.transaction() as session:
        rows = await session.scalar(text("select count(*) from checkin"))
        doubles = await session.scalar(text(
            "select count(*) from (select worker_id, due_at from checkin group by 1, 2 having count(*) > 1) x"))
    cpu = time.process_time() - cpu_started
    return {"rate_per_s_median": round(statistics.median(rates)), "rates_per_s": [round(r) for r in rates],
            # CPU of this (bot) process per check-in, which machine load does not inflate much; the database
            # server's own work comes on top
            "bot_cpu_us_per_checkin": round(cpu / total * 1e6) if total else None,
            "batch_rate_per_s_median": round(statistics.median(per_batch)) if per_batch else None,
            "claimed_rows": rows, "duplicate_slots": doubles, "peak_rss_mb": round(memory.peak, 1)}


async def measure_reconcile(db: Database, policy: Policy, now: datetime) -> dict:
    started = time.perf_counter()
    fixed = await service.reconcile(db, policy, None, now)
    return {"seconds": round(time.perf_counter() - started, 2), "fixed": fixed}


async def measure_send(db: Database, settings: Settings, now: datetime, seconds: float) -> dict:
    """The real sweep against the local Bot API server, through PTB and its rate limiter, for `seconds`."""
    from telegram.ext import AIORateLimiter, ExtBot

    from bot.checkins.sweep import CheckinSweeper
    from bot.local_bot_api import LocalBotApi
    from bot.services import Services

    api = LocalBotApi()
    await api.start()
    arrivals: list[float] = []
    api.on_sent(lambda sent: arrivals.append(time.perf_counter()) if sent.method == "sendMessage" else None)
    limiter = AIORateLimiter(overall_max_rate=settings.global_per_second, max_retries=2)
    bot = ExtBot(api.token, base_url=api.base_url, rate_limiter=limiter)
    await bot.initialize()
    budget_settings = replace(settings, checkin=replace(settings.checkin, sweep_seconds=max(1, int(seconds))))
    services = Services(settings=budget_settings, db=db, clock=FakeClock(now), router=None, kb=None)
    services.bot = bot
    sweeper = CheckinSweeper(services)
    sweeper._last_reconcile = now  # measured on its own above
    started = time.perf_counter()
    try:
        report = await sweeper.run()
    finally:
        elapsed = time.perf_counter() - started
        await bot.shutdown()
        await api.stop()
    sent = len(arrivals)
    span = (arrivals[-1] - arrivals[0]) if sent > 1 else elapsed
    per_second = [sum(1 for t in arrivals if s <= t < s + 1) for s in
                  [arrivals[0] + k for k in range(int(span))]] if sent > 1 else []
    return {"limit_per_s": settings.global_per_second, "sent": sent, "seconds": round(elapsed, 2),
            "rate_per_s": round((sent - 1) / span, 2) if sent > 1 else 0.0,
            "max_in_any_second": max((sum(1 for t in arrivals if a <= t < a + 1) for a in arrivals), default=0),
            "per_second_median": statistics.median(per_second) if per_second else None,
            "outcomes": report.checkins}


def round_hours(workers: int, rate: float) -> float:
    return round(workers / rate / 3600, 2)


async def run(args) -> dict:
    url = normalise_database_url(args.database_url) if args.database_url else \
        f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp(prefix='checkin-bench-')) / 'bench.db'}"
    settings = load_settings(env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"})
    policy = Policy.from_settings(settings)
    await reset(url)
    db = Database(url)
    result: dict = {"workers": args.workers, "database": "postgresql" if url.startswith("postgresql") else "sqlite",
                    "batch": args.batch, "sweepers": args.sweepers}
    try:
        rss_start = rss_mb()
        await db.migrate()
        result["fill_seconds"] = round(await fill(db, args.workers, NOW), 1)
        result["rss_after_fill_mb"] = round(rss_mb(), 1)
        sample = args.sample or min(100_000, args.workers * 3 // 10)
        result["sample"] = sample
        result["claim"] = await measure_claims(url, db, policy, NOW, sample, args.batch, args.repeat, args.sweepers)
        result["claim"]["rss_growth_mb"] = round(result["claim"]["peak_rss_mb"] - result["rss_after_fill_mb"], 1)
        result["reconcile"] = await measure_reconcile(db, policy, NOW)
        if args.send_seconds > 0:
            result["send"] = await measure_send(db, settings, NOW, args.send_seconds)
        rate = settings.global_per_second
        measured = (result.get("send") or {}).get("rate_per_s") or rate
        result["round"] = {
            "workers": args.round_workers,
            "hours_at_configured_limit": round_hours(args.round_workers, rate),
            "hours_at_sweep_duty": round_hours(args.round_workers, rate * 0.9),
            "hours_at_measured_rate": round_hours(args.round_workers, measured),
            "hours_at_telegram_limit": round_hours(args.round_workers, TELEGRAM_LIMIT),
        }
        result["rss_start_mb"] = round(rss_start, 1)
    finally:
        await db.close()
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.checkin_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (wiped first); default: a SQLite file")
    parser.add_argument("--batch", type=int, default=1000, help="check-ins claimed per transaction")
    parser.add_argument("--sample", type=int, default=0, help="check-ins per claim run (default 30%% of workers, "
                                                               "at most 100,000)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sweepers", type=int, default=1, help="concurrent sweepers (separate engines)")
    parser.add_argument("--send-seconds", type=float, default=20.0, help="0 skips the send measurement")
    parser.add_argument("--round-workers", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("bot.checkins").setLevel(logging.WARNING)
    result = asyncio.run(run(args))
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
