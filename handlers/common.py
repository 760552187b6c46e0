"""Helpers every handler uses: the services, the worker's language, keyboards and safe sending."""
from __future__ import annotations

from typing import Sequence

from telegram.constants import ParseMode
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, Message, ReplyKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.services import Services
from handlers.texts import t

TELEGRAM_LIMIT = 4096
SPLIT_AT = 3900  # leave room for a continuation mark


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]


def main_keyboard(lang: str) -> ReplyKeyboardMarkup:
    """The keyboard under the typing field: the SOS button is always one tap away."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(t("menu_sos", lang))], [KeyboardButton(t("menu_info", lang)), KeyboardButton(t("menu_help", lang))]],
        resize_keyboard=True, is_persistent=True,
    )


def inline(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows])


def split_message(text: str, limit: int = SPLIT_AT) -> list[str]:
    """Cut a long text at paragraph, then line, then word boundaries so each part fits one Telegram message."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n\n", 0, limit)
        if cut < limit // 2:
            cut = rest.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


async def reply(update: Update, text: str, reply_markup=None, **kwargs) -> Message | None:
    """Send `text` (HTML) to the update's chat, split when long; buttons go on the last part."""
    chat = update.effective_chat
    if chat is None:
        return None
    kwargs.setdefault("parse_mode", ParseMode.HTML)
    parts = split_message(text)
    last = None
    for index, part in enumerate(parts):
        markup = reply_markup if index == len(parts) - 1 else None
        last = await chat.send_message(part, reply_markup=markup, **kwargs)
    return last


def language_keyboard() -> InlineKeyboardMarkup:
    return inline([[("🇮🇩 Bahasa Indonesia", "lang:id"), ("🇬🇧 English", "lang:en")]])
