"""The end-to-end harness: the real Application polling the local Bot API server over loopback HTTP."""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.app import build_application, register_commands
from bot.clock import FakeClock
from bot.config import Settings
from bot.local_bot_api import ChatPlayer, LocalBotApi
from bot.services import Services
from bot.storage import Database
from nlu.client import CircuitBreaker, NluClient
from nlu.router import Router


@dataclass
class BotHarness:
    db: Database
    settings: Settings
    clock: FakeClock
    kb: object
    nlu_url: str
    api: LocalBotApi = field(default_factory=LocalBotApi)
    nlu_timeout: float = 5.0
    request_timeout: float | None = None  # Bot API call timeout (PTB's defaults when None)

    async def start(self) -> None:
        await self.api.start()
        # The breaker counts time on the test's clock: advancing it lets a recovered NLU server be asked again.
        breaker = CircuitBreaker(self.settings.nlu.breaker_failures, self.settings.nlu.breaker_reset_seconds,
                                 monotonic=lambda: self.clock.now().timestamp())
        self.nlu = NluClient(self.nlu_url, timeout=self.nlu_timeout, breaker=breaker)
        self.router = Router(self.nlu.parse, self.settings.nlu.confidence_threshold, self.settings.nlu.suggestions,
                             self.kb.search, self.kb.entry)
        self.services = Services(settings=self.settings, db=self.db, clock=self.clock, router=self.router,
                                 kb=self.kb, nlu_client=self.nlu)
        self.application = build_application(self.services, self.api.token, self.api.base_url,
                                             request_timeout=self.request_timeout)
        await self.application.initialize()
        await self.application.start()
        await register_commands(self.application)
        await self.application.updater.start_polling(poll_interval=0.0, timeout=1)

    async def stop(self) -> None:
        await self.application.updater.stop()
        await self.application.stop()
        await self.application.shutdown()
        await self.nlu.close()
        await self.api.stop()

    def worker(self, user_id: int = 1001, first_name: str = "Siti") -> ChatPlayer:
        return self.api.chat(user_id, first_name)

    async def onboard(self, player: ChatPlayer, country: str = "Taiwan", city: str = "Taichung") -> None:
        """Walk a worker through /start with consent, the given country and city, domestic work, daily check-ins."""
        player.send("/start")
        await player.expect("Pilih bahasa")
        player.press("Bahasa Indonesia")
        await player.expect("Apakah Anda setuju")
        player.press("Setuju")
        await player.expect("negara mana")
        player.press(country)
        await player.expect("kota mana")
        player.send(city)
        await player.expect("pekerjaan Anda")
        player.press("Rumah tangga")
        await player.expect("tanya kabar")
        player.press("Setiap hari")
        await player.expect("Profil Anda tersimpan")
