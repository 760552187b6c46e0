"""Helpers every handler uses: the services, the worker's language, keyboards and safe sending."""
from __future__ import annotations

import html
import re
from typing import Sequence

from telegram.constants import ParseMode
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, Message, ReplyKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.services import Services
from handlers.texts import t

TELEGRAM_LIMIT = 4096
SPLIT_AT = 3900  # leave room for a continuation mark


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]


class WorkerButtonHandler(CallbackQueryHandler):
    """A worker's button (profile, check-in, report, FAQ): it only works in the worker's private chat with the bot.
    The same data pressed anywhere else (forged in the officers' group) is left to the stale-button refusal, so
    it can never attach a group to a worker's record."""

    def check_update(self, update: object):
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None or chat.type != "private":
            return None
        return super().check_update(update)


def main_keyboard(lang: str) -> ReplyKeyboardMarkup:
    """The keyboard under the typing field: the SOS button is always one tap away."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(t("menu_sos", lang))], [KeyboardButton(t("menu_info", lang)), KeyboardButton(t("menu_help", lang))]],
        resize_keyboard=True, is_persistent=True,
    )


def inline(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows])


def split_message(text: str, limit: int = SPLIT_AT) -> list[str]:
    """Cut a long Telegram-HTML text at paragraph, then line, then word boundaries so each part fits one message.

    A cut never falls inside a tag or an entity (``&amp;``), and a tag still open at a cut (``<b>``, ``<i>``) is
    closed at the end of its part and opened again at the start of the next, so each part is valid HTML alone.
    Parts without visible text are left out."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut_point(rest, limit)
        head, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        still_open = _open_tags(head)
        if still_open:
            head += "".join(f"</{name}>" for name, _ in reversed(still_open))
            rest = "".join(tag for _, tag in still_open) + rest
        if _visible(head).strip():
            parts.append(head)
    if _visible(rest).strip():
        parts.append(rest)
    return parts


_MARKUP = re.compile(r"<[^<>]*>|&#?[0-9A-Za-z]+;")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^<>]*>")


def _cut_point(text: str, limit: int) -> int:
    """Where to cut `text` (longer than `limit`): the last paragraph, line or word break in its second half,
    else `limit` itself, moved off any tag or entity it would split. Always past the tags that open the text
    (those reopened from the previous part), so every cut makes progress."""
    spans: list[tuple[int, int]] = []
    floor = 0
    for match in _MARKUP.finditer(text):
        start, end = match.span()
        if start == floor and text[start] == "<":
            floor = end
        elif start > max(limit, floor + 1):
            break
        spans.append((start, end))

    def inside(position: int) -> tuple[int, int] | None:
        return next(((start, end) for start, end in spans if start < position < end), None)

    low = max(limit // 2, floor + 1)
    for separator in ("\n\n", "\n", " "):
        cut = text.rfind(separator, 0, limit)
        while cut >= low and inside(cut):
            cut = text.rfind(separator, 0, cut)
        if cut >= low:
            return cut
    cut = max(limit, floor + 1)
    span = inside(cut)
    if span is not None:
        cut = span[0] if span[0] > floor else span[1]
    return cut


def _open_tags(html_text: str) -> list[tuple[str, str]]:
    """(name, opening tag) of every tag still open at the end of `html_text`, outermost first."""
    stack: list[tuple[str, str]] = []
    for match in _TAG.finditer(html_text):
        name = match[2].lower()
        if not match[1]:
            stack.append((name, match[0]))
        elif any(open_name == name for open_name, _ in stack):
            while stack and stack.pop()[0] != name:
                pass
    return stack


def _visible(html_text: str) -> str:
    return html.unescape(_TAG.sub("", html_text))


async def reply(update: Update, text: str, reply_markup=None, bot=None, **kwargs) -> Message | None:
    """Send `text` (HTML) to the update's chat, split when long; buttons go on the last part.
    `bot`: send through this bot object instead of the update's (the emergency path's unqueued one)."""
    chat = update.effective_chat
    if chat is None:
        return None
    kwargs.setdefault("parse_mode", ParseMode.HTML)
    parts = split_message(text)
    last = None
    for index, part in enumerate(parts):
        markup = reply_markup if index == len(parts) - 1 else None
        if bot is not None:
            last = await bot.send_message(chat.id, part, reply_markup=markup, **kwargs)
        else:
            last = await chat.send_message(part, reply_markup=markup, **kwargs)
    return last


def language_keyboard() -> InlineKeyboardMarkup:
    return inline([[("🇮🇩 Bahasa Indonesia", "lang:id"), ("🇬🇧 English", "lang:en")]])
