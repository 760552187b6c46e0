"""Helpers for the check-in tests: workers, a virtual clock for the sender, a scriptable fake Telegram."""
from __future__ import annotations

import asyncio
import itertools
import warnings
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.checkins.models import Checkin, CheckinSchedule
from bot.checkins.sender import BulkSender, Outgoing
from bot.checkins.sweep import CheckinSweeper
from bot.config import Settings
from bot.services import Services
from bot.workers import service as workers
from bot.workers.models import Worker


def with_checkin(settings: Settings, **changes: Any) -> Settings:
    return replace(settings, checkin=replace(settings.checkin, **changes))


async def make_worker(db, now: datetime, telegram_id: int, *, country: str | None = "TW", city: str | None = None,
                      frequency: str = "daily", at: str | None = "10:00", language: str = "id",
                      schedule_from: datetime | None = None, kb=None, settings: Settings | None = None) -> int:
    """A consenting, onboarded worker. With `schedule_from`, their schedule is computed as of that moment
    (as if they had signed up then), so a test can start with today's slot already due."""
    async with db.transaction() as session:
        worker, _ = await workers.get_or_create(session, telegram_id, telegram_id, now)
        workers.record_consent(worker, True, 1, now)
        workers.set_language(worker, language)
        if country:
            workers.set_country(worker, country)
        workers.set_city(worker, city)
        workers.set_checkin_frequency(worker, frequency, at or "10:00")
        worker.checkin_time = at
        worker.onboarded = True
        if schedule_from is not None:
            from bot.checkins import service

            await session.flush()
            await service.sync_worker(session, worker, service.Policy.from_settings(settings or Settings()), kb,
                                      schedule_from)
        return worker.id


async def rows(db, model=Checkin, *where) -> list:
    async with db.transaction() as session:
        return list((await session.scalars(select(model).where(*where).order_by(model.__table__.c[
            "id" if model is Checkin else "worker_id"]))).all())


async def count(db, *where) -> int:
    async with db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(Checkin).where(*where))


async def schedule_of(db, worker_id: int) -> CheckinSchedule | None:
    async with db.transaction() as session:
        return await session.get(CheckinSchedule, worker_id)


async def worker_of(db, worker_id: int) -> Worker:
    async with db.transaction() as session:
        return await session.get(Worker, worker_id)


class VirtualTime:
    """Seconds that pass only when the sender sleeps: rates are checked without waiting."""

    def __init__(self) -> None:
        self.t = 1000.0

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)  # what was started before the sleep runs now, at the current time
        self.t += max(0.0, seconds)
        await asyncio.sleep(0)


@dataclass
class FakeTelegram:
    """A transport for the bulk sender that records what was delivered and fails as told."""

    delivered: list[Outgoing] = field(default_factory=list)
    blocked_chats: set[int] = field(default_factory=set)
    missing_chats: set[int] = field(default_factory=set)
    bad_chats: set[int] = field(default_factory=set)
    timeout_chats: set[int] = field(default_factory=set)
    retry_after: list[int] = field(default_factory=list)  # the next calls answer 429 with these waits
    down: bool = False
    hang_after: int | None = None  # calls after this many deliveries never return (a process that froze)
    calls: int = 0
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _never: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, message: Outgoing) -> int:
        self.calls += 1
        await asyncio.sleep(0)
        if self.hang_after is not None and len(self.delivered) >= self.hang_after:
            await self._never.wait()
        if self.down:
            raise NetworkError("connection refused")
        if self.retry_after:
            with warnings.catch_warnings():  # PTB 22.x warns about its own retry_after type in __init__
                warnings.simplefilter("ignore")
                error = RetryAfter(timedelta(seconds=self.retry_after.pop(0)))
            raise error
        if message.chat_id in self.blocked_chats:
            raise Forbidden("Forbidden: bot was blocked by the user")
        if message.chat_id in self.missing_chats:
            raise BadRequest("Bad Request: chat not found")
        if message.chat_id in self.bad_chats:
            raise BadRequest("Bad Request: can't parse entities")
        if message.chat_id in self.timeout_chats:
            raise TimedOut("Timed out")
        self.delivered.append(message)
        return next(self._ids)

    def to(self, chat_id: int) -> list[Outgoing]:
        return [m for m in self.delivered if m.chat_id == chat_id]

    def per_chat(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for m in self.delivered:
            out[m.chat_id] = out.get(m.chat_id, 0) + 1
        return out


def sweeper(db, settings, clock, kb=None, telegram: FakeTelegram | None = None, owner: str | None = None,
            vtime: VirtualTime | None = None, notify=None) -> tuple[CheckinSweeper, FakeTelegram]:
    telegram = telegram or FakeTelegram()
    vtime = vtime or VirtualTime()
    services = Services(settings=settings, db=db, clock=clock, router=None, kb=kb)
    sender = BulkSender(telegram, settings.global_per_second, settings.per_chat_per_second, now=vtime.now,
                        sleep=vtime.sleep, stop_grace=0.01)

    async def no_notify(case_ids):
        return None

    return CheckinSweeper(services, owner=owner, sender=sender, notify=notify or no_notify), telegram
