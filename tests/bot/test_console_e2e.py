"""The console chat (`make run` without a Telegram token) drives the real Application, NLU model and database.

The test types into the console as a person would: a line, then it waits for the bot's printed answer before the
next line. The database is a file, so a second console session can be started on it, as `make run` does.
"""
from __future__ import annotations

import asyncio
import dataclasses
import queue
import re
import threading

import pytest

from bot.__main__ import build_services
from bot.app import build_application
from bot.config import NluSettings, Settings
from bot.console import run_console

pytestmark = [pytest.mark.e2e, pytest.mark.nlu]


class Keyboard:
    """stdin for the console: readline blocks until the test types a line (None = end of input)."""

    def __init__(self) -> None:
        self._lines: queue.Queue[str | None] = queue.Queue()

    def type(self, line: str | None) -> None:
        self._lines.put(None if line is None else line + "\n")

    def readline(self) -> str:
        line = self._lines.get(timeout=120)
        return "" if line is None else line


class Screen:
    """stdout for the console: everything printed, and a way to wait for some text after a point."""

    def __init__(self) -> None:
        self.text = ""
        self._lock = threading.Lock()

    def write(self, chunk: str) -> int:
        with self._lock:
            self.text += chunk
        return len(chunk)

    def flush(self) -> None:
        pass

    def mark(self) -> int:
        return len(self.text)

    async def wait_for(self, needle: str, since: int, timeout: float = 30.0) -> str:
        deadline = asyncio.get_running_loop().time() + timeout
        while needle not in self.text[since:]:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"console never printed {needle!r}; printed:\n{self.text[since:]}")
            await asyncio.sleep(0.05)
        return self.text[since:]

    def button(self, label: str, since: int) -> str:
        """The number the console shows for the newest inline button whose label contains `label`."""
        numbers = re.findall(r"\[(\d+)\] ([^\n]*)", self.text[since:])
        for number, shown in reversed(numbers):
            if label in shown:
                return number
        raise AssertionError(f"no button {label!r} in:\n{self.text[since:]}")


class ConsoleSession:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.keyboard, self.screen = Keyboard(), Screen()

    async def __aenter__(self) -> "ConsoleSession":
        self.services = await build_services(self.settings)
        build = lambda base_url, token: build_application(self.services, token, base_url)  # noqa: E731
        self.task = asyncio.create_task(run_console(build, self.keyboard, self.screen))
        await self.screen.wait_for("console chat", 0)
        return self

    async def __aexit__(self, *exc) -> None:
        self.keyboard.type(None)
        await asyncio.wait_for(self.task, 30)
        await self.services.close()

    async def say(self, line: str, expect: str) -> str:
        since = self.screen.mark()
        self.keyboard.type(line)
        return await self.screen.wait_for(expect, since)

    async def press(self, label: str, expect: str) -> str:
        since = self.screen.mark()
        self.keyboard.type(self.screen.button(label, self.screen.text.rfind("🤖")))
        return await self.screen.wait_for(expect, since)


@pytest.fixture
def console_settings(tmp_path, rasa_url) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'console.db'}",
                    nlu=dataclasses.replace(NluSettings(), url=rasa_url))


async def test_console_chat_routes_through_the_real_model_and_a_second_session_is_heard(console_settings):
    async with ConsoleSession(console_settings) as console:
        await console.say("/start", "Pilih bahasa")
        await console.press("Bahasa Indonesia", "Apakah Anda setuju")
        await console.press("Setuju", "negara mana")
        await console.press("Taiwan", "kota mana")
        await console.say("Taichung", "pekerjaan Anda")
        await console.press("Rumah tangga", "tanya kabar")
        await console.press("Setiap hari", "Profil Anda tersimpan")
        # an FAQ question in chat spelling: the model and the knowledge base give Taiwan's mission
        answer = await console.say("nomor kdei brp", "+886")
        assert "Sumber" in answer or "sumber" in answer
        # a problem report: the model's case intent starts a report
        await console.say("gaji saya sudah 3 bulan tidak dibayar majikan", "tentang gaji?")

    # `make run` again on the same database: update ids must not repeat, or the bot would drop the messages as
    # duplicates. The report begun in the first session is still open and asks for its buttons.
    async with ConsoleSession(console_settings) as again:
        await again.say("halo", "Tolong jawab dengan tombol")
        await again.press("Benar", "Anda menulis: gaji saya sudah 3 bulan")
