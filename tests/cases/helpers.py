"""Helpers for the case end-to-end tests: officers, the officers' group, stored cases, waiting for the bot."""
from __future__ import annotations

import asyncio
from typing import Any, Callable

from sqlalchemy import select

from bot.cases import officers
from bot.cases.models import Alert, Case, CaseEvent, RelayMessage
from bot.local_bot_api import ChatPlayer, Sent

GROUP = -100500


async def add_officer(bot, user_id: int, role: str = "officer", name: str = "Budi") -> None:
    async with bot.db.transaction() as session:
        await officers.add_officer(session, user_id, role, bot.clock.now(), name)


def in_group(bot, user_id: int = 501, name: str = "Budi", chat_id: int = GROUP) -> ChatPlayer:
    return bot.api.chat(user_id, name, chat_id=chat_id, chat_type="supergroup")


def live(bot, chat_id: int, message_id: int) -> dict[str, Any]:
    """The message as it is now in the fake Telegram (after edits), to press its current buttons."""
    return bot.api._messages[(chat_id, message_id)]


async def until(player: ChatPlayer, check: Callable[[Sent], bool], timeout: float = 10.0) -> Sent:
    """Read what the bot did in the player's chat until `check` holds."""
    seen = []
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            raise AssertionError(f"nothing matched; saw {seen!r}")
        try:
            sent = await player.next(remaining)
        except AssertionError:
            raise AssertionError(f"nothing matched; saw {seen!r}") from None
        seen.append((sent.method, sent.text[:120]))
        if check(sent):
            return sent


async def stored_case(bot, reference: str | None = None) -> Case | None:
    async with bot.db.transaction() as session:
        if reference is None:
            return await session.scalar(select(Case).order_by(Case.id.desc()))
        return await session.scalar(select(Case).where(Case.reference == reference))


async def case_count(bot) -> int:
    async with bot.db.transaction() as session:
        return len(list(await session.scalars(select(Case.id))))


async def timeline(bot, case_id: int) -> list[CaseEvent]:
    async with bot.db.transaction() as session:
        return list(await session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)
                                          .order_by(CaseEvent.at, CaseEvent.id)))


async def kinds(bot, case_id: int) -> list[str]:
    return [e.kind for e in await timeline(bot, case_id)]


async def relays(bot, case_id: int) -> list[RelayMessage]:
    async with bot.db.transaction() as session:
        return list(await session.scalars(select(RelayMessage).where(RelayMessage.case_id == case_id)
                                          .order_by(RelayMessage.id)))


async def case_alerts(bot, case_id: int) -> list[Alert]:
    async with bot.db.transaction() as session:
        return list(await session.scalars(select(Alert).where(Alert.case_id == case_id).order_by(Alert.id)))


def answers_to(bot, query: dict[str, Any]) -> list[Sent]:
    """The bot's answerCallbackQuery for a button press."""
    return [s for s in bot.api.sent if s.method == "answerCallbackQuery"
            and str(s.params.get("callback_query_id")) == str(query["id"])]


async def answered(bot, query: dict[str, Any], timeout: float = 10.0) -> Sent:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        found = answers_to(bot, query)
        if found:
            return found[0]
        await asyncio.sleep(0.02)
    raise AssertionError("the button press was not answered")


async def sweep(bot) -> None:
    """What the scheduler's case job does every few seconds: SLA sweep, then send what is due."""
    from handlers.case_delivery import run_case_jobs

    await run_case_jobs(bot.services, bot.application.bot)


async def restart(bot) -> None:
    """Stop the bot process and start a new one on the same database (everything in memory is gone)."""
    from handlers import case_delivery

    await bot.stop()
    case_delivery.forget_forum_cache()
    await bot.start()


async def eventually(check, timeout: float = 5.0):
    """Wait until the async `check()` returns something truthy (the bot commits right after it sends)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(0.05)
