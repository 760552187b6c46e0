"""The services one bot process uses, built once at start and handed to handlers through bot_data."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.storage import Database
from nlu.router import Router


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    router: Router
    kb: Any  # knowledge_base.KnowledgeBase (Any keeps this module free of the loader's import cost)
    nlu_client: Any = None
    bot: Any = None  # telegram.Bot, set by build_application; the scheduler's sweeps send through it
    # The same connection without the rate limiter: emergency numbers and emergency alerts never wait behind
    # check-in rounds and onboarding peaks in the shared queue (measured in bench/load_test.py).
    urgent_bot: Any = None

    async def close(self) -> None:
        if self.nlu_client is not None:
            await self.nlu_client.close()
        await self.db.close()
