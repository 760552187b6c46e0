"""Shared fixtures: database (SQLite, or PostgreSQL with TEST_DATABASE_URL), the real Rasa server, and the bot
running against the local Bot API server."""
from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config import Settings, normalise_database_url
from bot.storage import Database
from bot.storage.wipe import wipe_postgres

ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "db" in names:
            item.add_marker(pytest.mark.storage)
        if "bot" in names:
            item.add_marker(pytest.mark.e2e)
        if "rasa_url" in names:
            item.add_marker(pytest.mark.nlu)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings() -> Settings:
    return Settings(officer_group_chat_id=-100500, admin_ids=frozenset({900}))


@pytest.fixture
async def db(tmp_path) -> Database:
    """A migrated, empty database: a fresh SQLite file, or the PostgreSQL of TEST_DATABASE_URL wiped clean."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = normalise_database_url(url)
        await wipe_postgres(url)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    database = Database(url)
    await database.migrate()
    yield database
    await database.close()


@pytest.fixture(scope="session")
def kb_content():
    from knowledge_base.loader import load

    return load()


@pytest.fixture
def kb(kb_content):
    """A fresh service per test over the shipped content, so one test's admin edits never leak into another."""
    from knowledge_base.service import KnowledgeService

    return KnowledgeService(kb_content)


@pytest.fixture(scope="session")
def rasa_url():
    """The real Rasa server with the project's model (trained once and cached by `make test`)."""
    from nlu.manage import RasaServer, ensure_model

    server = RasaServer(ensure_model(), port=free_port())
    with server:
        yield server.url


@pytest.fixture
async def bot(db, settings, clock, kb, rasa_url):
    """The bot, wired to the real Rasa server, running against the local Bot API server."""
    from tests.harness import BotHarness

    harness = BotHarness(db=db, settings=settings, clock=clock, kb=kb, nlu_url=rasa_url)
    await harness.start()
    yield harness
    await harness.stop()


@pytest.fixture
async def bot_without_nlu(db, settings, clock, kb):
    """The bot with its NLU server unreachable (a closed port), as when the Rasa process has crashed."""
    from tests.harness import BotHarness

    harness = BotHarness(db=db, settings=settings, clock=clock, kb=kb, nlu_url=f"http://127.0.0.1:{free_port()}")
    await harness.start()
    yield harness
    await harness.stop()
