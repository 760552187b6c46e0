"""Faults, end to end through the real Application and the fake Telegram Bot API (issue 7, part 5).

The NLU server down (connection refused) or slow (answers after the client's timeout); the database locked for a
moment, locked for longer than the bot waits, or its connections killed (PostgreSQL); Telegram answering with
RetryAfter, Forbidden, BadRequest, or too slowly. In each case the worker gets an answer or a clear "coba lagi",
an emergency still gets its numbers, the failure is logged once, nothing crashes, and service resumes by itself.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from dataclasses import replace

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.cases.models import Case
from bot.storage import Database
from handlers.texts import t
from tests.conftest import free_port
from tests.harness import BotHarness

NLU_DOWN = "sistem pemahaman pesan sedang gangguan"
RETRY = "coba kirim lagi pesan Anda"
HELP = "Sahabat PMI bisa membantu"
GREET = "Ada yang bisa saya bantu?"
DANGER = "tolong sy disekap agen gk boleh keluar"


class FakeRasa:
    """A stand-in for `rasa run --enable-api`: answers POST /model/parse with "greet", after `delay` seconds."""

    def __init__(self, port: int, delay: float = 0.0) -> None:
        self.port = port
        self.delay = delay
        self.calls: list[str] = []
        self._runner: web.AppRunner | None = None

    async def _parse(self, request: web.Request) -> web.Response:
        text = (await request.json())["text"]
        self.calls.append(text)
        await asyncio.sleep(self.delay)
        intent = {"name": "greet", "confidence": 0.97}
        return web.json_response({"text": text, "intent": intent, "intent_ranking": [intent], "entities": []})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/model/parse", self._parse)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.asynccontextmanager
async def running(db, settings, clock, kb, nlu_url: str, **options):
    harness = BotHarness(db=db, settings=settings, clock=clock, kb=kb, nlu_url=nlu_url, **options)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


@pytest.fixture
async def rasa():
    server = FakeRasa(free_port())
    yield server
    await server.stop()


def records(caplog, level: int, contains: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == level and contains in r.getMessage()]


# --- the NLU server --------------------------------------------------------------------------------------------------

async def _nlu_fault_then_recovery(bot, rasa: FakeRasa, caplog, max_wait: float) -> None:
    siti = bot.worker(3001, "Siti")
    await bot.onboard(siti, country="Taiwan", city="Taipei")
    loop = asyncio.get_running_loop()
    for question in ("brp biaya ke taiwan", "gmn cara perpanjang paspor", "boleh pindah majikan?"):
        started = loop.time()
        siti.send(question)
        reply = await siti.expect(NLU_DOWN)
        assert loop.time() - started < max_wait  # never waits for more than one NLU timeout
        assert "110" in reply.text and "+62 21 2924 4800" in reply.text  # Taiwan police, KP2MI: numbers first
        assert "/darurat" in reply.text
        labels = [label for label, _ in reply.buttons]
        assert t("talk_to_officer", "id") in labels and t("browse_info", "id") in labels
    assert bot.nlu.breaker.is_open
    assert len(records(caplog, logging.WARNING, "failed 3 times in a row")) == 1  # logged once, not per message

    # the danger lexicon needs no server: another worker in danger gets the emergency path at once
    ani = bot.worker(3002, "Ani")
    ani.send(DANGER)
    await ani.expect("dalam bahaya")
    await ani.expect("Petugas kami sudah diberi tahu")

    # the NLU server is fine again; the open breaker does not ask it until its reset time has passed
    rasa.delay = 0.0
    if rasa._runner is None:
        await rasa.start()
    asked = len(rasa.calls)
    siti.send("halo kak")
    await siti.expect(NLU_DOWN)
    assert len(rasa.calls) == asked
    bot.clock.advance(seconds=bot.settings.nlu.breaker_reset_seconds + 1)
    siti.send("halo kak")
    await siti.expect(GREET)
    assert rasa.calls[-1] == "halo kak"
    assert not bot.nlu.breaker.is_open
    assert len(records(caplog, logging.INFO, "NLU server answers again")) == 1


async def test_nlu_down_gives_numbers_and_menu_and_service_resumes_by_itself(db, settings, clock, kb, rasa, caplog):
    caplog.set_level(logging.INFO)
    async with running(db, settings, clock, kb, rasa.url, nlu_timeout=1.0) as bot:  # nothing listens yet
        await _nlu_fault_then_recovery(bot, rasa, caplog, max_wait=2.0)


async def test_nlu_slow_is_asked_once_per_message_and_service_resumes_by_itself(db, settings, clock, kb, rasa,
                                                                              caplog):
    caplog.set_level(logging.INFO)
    rasa.delay = 1.5
    await rasa.start()
    async with running(db, settings, clock, kb, rasa.url, nlu_timeout=0.3) as bot:
        # 0.3 s timeout, no retry of a timed-out call: well under the server's 1.5 s
        await _nlu_fault_then_recovery(bot, rasa, caplog, max_wait=1.2)
        assert rasa.calls[:3] == ["brp biaya ke taiwan", "gmn cara perpanjang paspor", "boleh pindah majikan?"]


# --- the database ----------------------------------------------------------------------------------------------------

@contextlib.asynccontextmanager
async def database_locked(db: Database):
    """Another connection holds the database's write lock (SQLite) or the tables' locks (PostgreSQL) until the
    block ends."""
    if db.is_postgres:
        import asyncpg

        connection = await asyncpg.connect(db.url.replace("postgresql+asyncpg://", "postgresql://"))
        transaction = connection.transaction()
        await transaction.start()
        await connection.execute("LOCK TABLE processed_update, worker, protection_case IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            await transaction.rollback()
            await connection.close()
        return
    path = db.url.split(":///", 1)[1]
    connection = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
    await asyncio.to_thread(connection.execute, "BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        await asyncio.to_thread(connection.execute, "ROLLBACK")
        connection.close()


async def test_database_locked_for_a_moment_waits_and_answers(bot_without_nlu, caplog):
    bot = bot_without_nlu
    siti = bot.worker(3101)
    siti.send("/help")
    await siti.expect(HELP)
    async with database_locked(bot.db):
        siti.send("/help")
        assert await siti.quiet(0.8) == []  # waiting for the lock, not failing
    await siti.expect(HELP)  # processed as soon as the lock is gone: nothing lost
    assert not records(caplog, logging.ERROR, "")
    assert not [s for s in bot.api.sent_to(siti.chat_id) if RETRY in s.text]


async def test_emergency_does_not_wait_for_a_locked_database(bot_without_nlu):
    bot = bot_without_nlu
    ani = bot.worker(3102)
    loop = asyncio.get_running_loop()
    async with database_locked(bot.db):
        started = loop.time()
        ani.send(DANGER)
        reply = await ani.expect("dalam bahaya", timeout=3.0)
        assert loop.time() - started < 3.0  # the de-duplication and profile waits are bounded (1 s each)
        assert "+62 21 2924 4800" in reply.text
    # when the lock is gone the emergency case is stored and the officers are told
    await ani.expect("Petugas kami sudah diberi tahu")
    async with bot.db.transaction() as session:
        case = await session.scalar(select(Case))
    assert case is not None and case.severity == "emergency"


async def test_database_locked_too_long_asks_to_retry_logs_once_and_recovers(db, settings, clock, kb, caplog):
    caplog.set_level(logging.WARNING)
    impatient = Database(db.url, lock_wait=0.3)  # the bot gives up on a lock after 0.3 s instead of 15 s
    try:
        async with running(impatient, settings, clock, kb, f"http://127.0.0.1:{free_port()}") as bot:
            siti = bot.worker(3103)
            siti.send("/help")
            await siti.expect(HELP)
            clock.advance(minutes=1)  # so handling it writes (the worker's last_seen_at)
            async with database_locked(db):
                siti.send("/help")
                note = await siti.expect(RETRY, timeout=5)
                assert "DARURAT" in note.text
                await asyncio.sleep(0.3)
            errors = records(caplog, logging.ERROR, "handler failed")
            assert len(errors) == 1, [r.getMessage() for r in errors]  # one failure, one error line
            siti.send("/help")  # the database is back: service resumes without a restart
            await siti.expect(HELP)
            assert len(records(caplog, logging.ERROR, "handler failed")) == 1
    finally:
        await impatient.close()


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL only (TEST_DATABASE_URL)")
async def test_killed_postgres_connections_are_replaced_without_the_worker_noticing(bot_without_nlu, caplog):
    import asyncpg

    bot = bot_without_nlu
    siti = bot.worker(3104)
    siti.send("/help")
    await siti.expect(HELP)
    connection = await asyncpg.connect(bot.db.url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        killed = await connection.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    finally:
        await connection.close()
    assert killed >= 1
    siti.send("/help")
    await siti.expect(HELP)
    assert not records(caplog, logging.ERROR, "")


# --- Telegram errors -------------------------------------------------------------------------------------------------

def send_calls(bot, chat_id: int) -> int:
    return sum(1 for method, params in bot.api.calls
               if method == "sendMessage" and str(params.get("chat_id")) == str(chat_id))


async def test_retry_after_is_waited_out_and_the_answer_arrives(bot_without_nlu, caplog):
    bot = bot_without_nlu
    siti = bot.worker(3201)
    bot.api.fail_next("sendMessage", status=429, retry_after=1, chat_id=siti.chat_id)
    siti.send("/help")
    await siti.expect(HELP, timeout=5)
    assert send_calls(bot, siti.chat_id) == 2  # refused once, sent again after the wait Telegram asked for
    assert not records(caplog, logging.ERROR, "")


async def test_retry_after_that_persists_is_logged_once_without_a_crash(bot_without_nlu, caplog):
    caplog.set_level(logging.WARNING)
    bot = bot_without_nlu
    siti = bot.worker(3202)
    bot.api.fail_next("sendMessage", status=429, retry_after=1, chat_id=siti.chat_id, times=3)
    siti.send("/help")
    await asyncio.sleep(3.5)  # the rate limiter's two retries, a second apart
    assert send_calls(bot, siti.chat_id) == 3  # no retry note into a chat that is flood-limited
    assert len(records(caplog, logging.WARNING, "Telegram error: RetryAfter")) == 1
    siti.send("/help")
    await siti.expect(HELP)


async def test_worker_who_blocked_the_bot_is_not_written_to_again(bot_without_nlu, caplog):
    caplog.set_level(logging.WARNING)
    bot = bot_without_nlu
    siti = bot.worker(3203)
    bot.api.blocked.add(siti.chat_id)
    siti.send("/help")
    await asyncio.sleep(0.8)
    assert send_calls(bot, siti.chat_id) == 1  # the answer was refused (403); no retry note after it
    assert len(records(caplog, logging.WARNING, "Telegram error: Forbidden")) == 1
    assert not records(caplog, logging.ERROR, "")
    bot.api.blocked.discard(siti.chat_id)  # unblocked: the next message is answered as usual
    siti.send("/help")
    await siti.expect(HELP)


async def test_bad_request_is_logged_once_and_the_worker_is_asked_to_retry(bot_without_nlu, caplog):
    caplog.set_level(logging.WARNING)
    bot = bot_without_nlu
    siti = bot.worker(3204)
    bot.api.fail_next("sendMessage", status=400, description="Bad Request: can't parse entities",
                      chat_id=siti.chat_id)
    siti.send("/help")
    await siti.expect(RETRY)
    assert len(records(caplog, logging.ERROR, "handler failed: BadRequest")) == 1
    siti.send("/help")
    await siti.expect(HELP)
    assert len(records(caplog, logging.ERROR, "")) == 1


async def test_send_timeout_is_logged_once_and_service_resumes(db, settings, clock, kb, caplog):
    caplog.set_level(logging.WARNING)
    async with running(db, settings, clock, kb, f"http://127.0.0.1:{free_port()}", request_timeout=0.5) as bot:
        siti = bot.worker(3205)
        bot.api.delay_next("sendMessage", 1.0, chat_id=siti.chat_id)
        siti.send("/help")
        # Telegram took the message but answered too late: the worker has the answer, and a note in case not
        texts = [(await siti.next(5)).text for _ in range(2)]
        assert any(HELP in text for text in texts) and any(RETRY in text for text in texts)
        assert len(records(caplog, logging.WARNING, "Telegram error: TimedOut")) == 1
        assert not records(caplog, logging.ERROR, "")
        siti.send("/help")
        await siti.expect(HELP)
        assert await siti.quiet(0.3) == []
