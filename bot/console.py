"""The local console chat: type as a worker, read the bot's replies, with no Telegram account.

It starts the in-memory Bot API server on loopback and runs the real Application against it, so every message
goes through the same handlers, NLU, database and scheduler as in production.
Type text to chat; a number presses that inline button; k1, k2 ... press the keyboard buttons; /quit leaves.
"""
from __future__ import annotations

import asyncio
import re
import sys
import time
from typing import TextIO

from bot.app import register_commands
from bot.local_bot_api import LocalBotApi, Sent

CONSOLE_USER_ID = 7_000_001


def render(sent: Sent) -> str:
    """Telegram HTML to plain terminal text, with buttons numbered."""
    if sent.method in ("answerCallbackQuery",):
        text = sent.params.get("text")
        return f"  (notice) {text}" if text else ""
    if sent.method in ("deleteMessage", "editMessageReplyMarkup"):
        return ""
    body = sent.text
    lines = ["", "🤖 " + body.replace("\n", "\n   ")]
    for index, (label, _) in enumerate(sent.buttons, 1):
        lines.append(f"   [{index}] {label}")
    if sent.keyboard:
        lines.append("   keyboard: " + "  ".join(f"k{i}={label}" for i, label in enumerate(sent.keyboard, 1)))
    return "\n".join(lines)


async def run_console(build, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    """`build(base_url, token)` returns the Application to run against the local API."""
    # Update ids must never repeat across console sessions: the bot drops an update id it has processed before
    # (de-duplication in the database), so each session starts its ids from the current time in milliseconds.
    api = LocalBotApi(first_update_id=int(time.time() * 1000))
    await api.start()
    application = build(api.base_url, api.token)
    me = api.chat(CONSOLE_USER_ID, "Anda")
    keyboard: list[str] = []

    def show(sent: Sent) -> None:
        nonlocal keyboard
        if sent.chat_id not in (None, me.chat_id):
            return
        if sent.keyboard:
            keyboard = sent.keyboard
        text = render(sent)
        if text:
            print(text, file=stdout, flush=True)

    api.on_sent(show)
    print("Sahabat PMI - console chat. You are a worker. Type /start to begin, a number to press a button, "
          "k1.. for keyboard buttons, /quit to leave.", file=stdout, flush=True)
    loop = asyncio.get_running_loop()
    async with application:
        await application.start()
        await register_commands(application)
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            while True:
                line = await loop.run_in_executor(None, stdin.readline)
                if not line or line.strip() in ("/quit", "/exit"):
                    break
                line = line.rstrip("\n")
                if not line.strip():
                    continue
                try:
                    if line.strip().isdigit():
                        message = me._newest_with_buttons()
                        buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
                        me.press(buttons[int(line.strip()) - 1]["callback_data"], message=message,
                                 raw_data=buttons[int(line.strip()) - 1]["callback_data"])
                    elif re.fullmatch(r"k\d+", line.strip()) and keyboard:
                        label = keyboard[int(line.strip()[1:]) - 1]
                        if "lokasi" in label.lower() or "location" in label.lower():
                            me.send_media("location")
                        else:
                            me.send(label)
                    else:
                        me.send(line)
                except (AssertionError, IndexError):
                    print("   (no such button)", file=stdout, flush=True)
                await asyncio.sleep(0)
        finally:
            await application.updater.stop()
            await application.stop()
            await api.stop()
