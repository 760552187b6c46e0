"""Emergency benchmark: how fast does an SOS reach the officers, and an officer's reply reach the worker?

Runs the real Application (handlers, services, database, sender) against the local Bot API server on loopback,
exactly as the end-to-end tests do, and measures wall-clock time with the real clock:

  contacts   worker's emergency message -> the worker receives the emergency numbers (the first reply)
  group      worker's emergency message -> the case card is in the officers' group
  dm         worker's emergency message -> the direct alert reached an on-duty officer
  relay      officer's reply in the case thread -> the worker receives it

Sequential runs measure one emergency at a time; the burst fires --burst emergencies at the same moment.
The NLU server is not needed: the danger lexicon recognises the message first (as when Rasa is down).

    .venv/bot/bin/python -m bench.emergency_bench      # as in production: Telegram rate limiter on, runs paced
                                                       # within a group's 20 messages a minute (about 4 minutes)
    .venv/bot/bin/python -m bench.emergency_bench --no-rate-limit --runs 200 --interval 0 --burst 50 \
        --burst-pause 0                                # the pipeline alone, back to back
    ... --database-url postgresql://postgres@127.0.0.1:5432/bench   # on PostgreSQL (an empty database)
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable

from bot.local_bot_api import LocalBotApi, Sent

GROUP = -100500
OFFICER, SUPERVISOR = 501, 502
TARGET_P95 = 2.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Watch:
    """Resolves waiters when the fake Telegram records a matching call."""

    def __init__(self, api: LocalBotApi) -> None:
        self._waiters: list[tuple[Callable[[Sent], bool], asyncio.Future]] = []
        api.on_sent(self._seen)

    def _seen(self, sent: Sent) -> None:
        now = time.perf_counter()
        for check, future in list(self._waiters):
            if not future.done() and check(sent):
                future.set_result((now, sent))
                self._waiters.remove((check, future))

    def wait_for(self, check: Callable[[Sent], bool]) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self._waiters.append((check, future))
        return future


@dataclass
class Results:
    contacts: list[float] = field(default_factory=list)
    group: list[float] = field(default_factory=list)
    dm: list[float] = field(default_factory=list)
    relay: list[float] = field(default_factory=list)
    burst_group: list[float] = field(default_factory=list)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[index]


def summary(name: str, values: list[float]) -> dict:
    if not values:
        return {"metric": name, "n": 0}
    return {"metric": name, "n": len(values), "median_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(_pct(values, 0.95) * 1000, 1), "max_ms": round(max(values) * 1000, 1)}


async def _setup(args):
    from bot.app import build_application
    from bot.cases import officers
    from bot.clock import Clock
    from bot.config import Settings, normalise_database_url
    from bot.services import Services
    from bot.storage import Database
    from knowledge_base.service import KnowledgeService
    from nlu.client import CircuitBreaker, NluClient
    from nlu.router import Router

    tmp = tempfile.mkdtemp(prefix="sahabat-bench-")
    url = normalise_database_url(args.database_url) if args.database_url else f"sqlite+aiosqlite:///{tmp}/bench.db"
    db = Database(url)
    await db.migrate()
    settings = Settings(officer_group_chat_id=GROUP, admin_ids=frozenset({900}))
    kb = KnowledgeService.load()
    api = LocalBotApi()
    await api.start()
    nlu = NluClient(args.nlu_url or f"http://127.0.0.1:{_free_port()}", timeout=2.0, breaker=CircuitBreaker(3, 30))
    router = Router(nlu.parse, settings.nlu.confidence_threshold, settings.nlu.suggestions, kb.search)
    services = Services(settings=settings, db=db, clock=Clock(), router=router, kb=kb, nlu_client=nlu)
    application = build_application(services, api.token, api.base_url, rate_limit=not args.no_rate_limit)
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    async with db.transaction() as session:
        for user_id, role in ((OFFICER, "officer"), (SUPERVISOR, "supervisor")):
            if await session.get(officers.Officer, user_id) is None:
                await officers.add_officer(session, user_id, role, services.clock.now(), f"Petugas {user_id}")
    return api, application, services, nlu


async def _make_worker(services, user_id: int) -> None:
    """A worker who onboarded (consent, Taiwan), so the emergency reply carries the country's numbers."""
    from bot.workers import service as workers

    async with services.db.transaction() as session:
        worker, _ = await workers.get_or_create(session, user_id, user_id, services.clock.now())
        worker.consent, worker.country, worker.city, worker.onboarded = True, "TW", "Taipei", True


async def one_emergency(api: LocalBotApi, watch: Watch, services, user_id: int, results: Results | None,
                        reply: bool = True) -> None:
    await _make_worker(services, user_id)
    worker = api.chat(user_id, f"Pekerja {user_id}")
    officer = api.chat(OFFICER, "Budi", chat_id=GROUP, chat_type="supergroup")
    marker = f"#{user_id}"
    contacts = watch.wait_for(lambda s: s.chat_id == user_id and s.method == "sendMessage" and "110" in s.text)
    card = watch.wait_for(lambda s: s.chat_id == GROUP and s.method == "sendMessage" and marker in s.text)
    dm = watch.wait_for(lambda s: s.chat_id == OFFICER and s.method == "sendMessage" and marker in s.text)
    start = time.perf_counter()
    worker.send(f"tolong saya dipukul majikan {marker}")
    (t_contacts, _), (t_card, card_sent), (t_dm, _) = await asyncio.wait_for(
        asyncio.gather(contacts, card, dm), 30)
    if results is not None:
        results.contacts.append(t_contacts - start)
        results.group.append(t_card - start)
        results.dm.append(t_dm - start)
    if not reply:
        return
    answer = f"Kami segera bantu {marker}"
    relayed = watch.wait_for(lambda s: s.chat_id == user_id and s.method == "sendMessage" and answer in s.text)
    start = time.perf_counter()
    officer.send(answer, reply_to=api._messages[(GROUP, card_sent.message["message_id"])])
    t_relay, _ = await asyncio.wait_for(relayed, 30)
    if results is not None:
        results.relay.append(t_relay - start)


async def burst(api: LocalBotApi, watch: Watch, services, first_user: int, size: int, results: Results) -> None:
    """`size` workers press SOS at the same moment: how long until every card is in the group?"""
    for index in range(size):
        await _make_worker(services, first_user + index)
    waits, starts = [], []
    for index in range(size):
        user_id = first_user + index
        marker = f"#{user_id}"
        waits.append(watch.wait_for(lambda s, m=marker: s.chat_id == GROUP and s.method == "sendMessage"
                                    and m in s.text))
    start = time.perf_counter()
    for index in range(size):
        user_id = first_user + index
        api.chat(user_id, f"Pekerja {user_id}").send(f"tolong saya dikurung majikan #{user_id}")
        starts.append(start)
    for (t_card, _) in await asyncio.wait_for(asyncio.gather(*waits), 120):
        results.burst_group.append(t_card - start)


async def main_async(args) -> dict:
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("httpx").setLevel(logging.ERROR)
    api, application, services, nlu = await _setup(args)
    watch = Watch(api)
    results = Results()
    try:
        for index in range(args.warmup):
            await one_emergency(api, watch, services, 20_000 + index, None)
            if args.interval:
                await asyncio.sleep(args.interval)
        for index in range(args.runs):
            await one_emergency(api, watch, services, 30_000 + index, results)
            if args.interval:
                await asyncio.sleep(args.interval)
        if args.burst:
            await asyncio.sleep(args.burst_pause)
            await burst(api, watch, services, 40_000, args.burst, results)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        await nlu.close()
        await services.db.close()
        await api.stop()
    rows = [summary("emergency message -> emergency numbers to the worker", results.contacts),
            summary("emergency message -> case card in the officers' group", results.group),
            summary("emergency message -> direct alert to an on-duty officer", results.dm),
            summary("officer reply in the thread -> worker receives it", results.relay),
            summary(f"burst of {args.burst} SOS at once -> every card in the group", results.burst_group)]
    return {"database": services.db.engine.dialect.name, "rate_limiter": not args.no_rate_limit,
            "runs": args.runs, "rows": rows,
            "target_met": bool(results.group) and _pct(results.group, 0.95) < TARGET_P95
            and _pct(results.dm, 0.95) < TARGET_P95}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.emergency_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--burst", type=int, default=10, help="emergencies fired at once after the runs (0 = none)")
    parser.add_argument("--burst-pause", type=float, default=60.0,
                        help="seconds to wait before the burst (60 lets Telegram's per-group budget refill)")
    parser.add_argument("--interval", type=float, default=6.2,
                        help="pause between runs; 6.2 s keeps the 2 group messages a run needs within Telegram's 20 a minute")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file in a temp folder")
    parser.add_argument("--nlu-url", default=None, help="a running Rasa server (default: none, as when it is down)")
    parser.add_argument("--no-rate-limit", action="store_true",
                        help="turn off the Telegram rate limiter (AIORateLimiter) the bot normally runs with")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    report = asyncio.run(main_async(args))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"database={report['database']} rate_limiter={report['rate_limiter']} runs={report['runs']}")
        print("| measurement | n | median ms | p95 ms | max ms |")
        print("|---|---|---|---|---|")
        for row in report["rows"]:
            if row["n"]:
                print(f"| {row['metric']} | {row['n']} | {row['median_ms']} | {row['p95_ms']} | {row['max_ms']} |")
        print(f"target p95 < {TARGET_P95:.0f} s for the officer alert: {'met' if report['target_met'] else 'NOT met'}")
    return 0 if report["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
