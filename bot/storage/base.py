"""SQLAlchemy 2 (async) base classes and the Database handle.

SQLite is the embedded default (WAL mode and a busy timeout, so a briefly locked file waits instead of failing);
PostgreSQL is the production engine (the same wait as its lock timeout: a lock held longer fails the unit of work
instead of hanging it). Datetimes are stored in UTC and always come back timezone-aware.
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import AsyncIterator

from sqlalchemy import DateTime, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

LOCK_WAIT_SECONDS = 15.0  # how long a unit of work waits for a locked database before it fails


class Base(DeclarativeBase):
    """Declarative base of every table; Alembic compares its metadata with the migrations."""


class UTCDateTime(TypeDecorator):
    """A datetime stored as UTC and returned aware, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use the clock's aware UTC time")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _make_engine(url: str, lock_wait: float = LOCK_WAIT_SECONDS, **kwargs) -> AsyncEngine:
    # Errors and logs show SQL without its values: a traceback must not print what a worker wrote.
    kwargs.setdefault("hide_parameters", True)
    lock_wait_ms = int(lock_wait * 1000)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": lock_wait}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={lock_wait_ms}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10,
                               connect_args={"server_settings": {"lock_timeout": str(lock_wait_ms)}}, **kwargs)


class Database:
    """Owns the engine. `transaction()` is the one session a unit of work (an update, a sweep batch) uses."""

    def __init__(self, url: str, lock_wait: float = LOCK_WAIT_SECONDS) -> None:
        self.url = url
        if url.startswith("sqlite"):
            path = url.split(":///", 1)[1]
            if path and path != ":memory:":
                from pathlib import Path

                Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.engine = _make_engine(url, lock_wait)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on any error."""
        async with self.sessions() as session:
            async with session.begin():
                yield session

    async def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (runs at every start; a no-op when current)."""
        from bot.storage.migrate import upgrade

        await upgrade(self.engine)

    async def close(self) -> None:
        await self.engine.dispose()
