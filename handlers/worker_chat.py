"""A worker's free text, menu buttons and help commands: route the text, render the route's reply.

Every path ends in a reply: an answer, suggestions, contacts or an officer option; never silence.
"""
from __future__ import annotations

import logging

from telegram import KeyboardButton, ReplyKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.workers import service as workers
from bot.workers.models import Worker
from handlers.common import inline, main_keyboard, reply, services
from handlers.onboarding import on_awaited_text
from handlers.texts import CATEGORY_LABELS, Raw, esc, t
from nlu.router import RouteContext, RouteResult, Suggestion

log = logging.getLogger(__name__)

MAX_TEXT = 4096


async def _worker(context: ContextTypes.DEFAULT_TYPE, update: Update) -> tuple[int, str, str | None, str | None]:
    """(worker id, language, country, awaiting) for the sender, creating the worker on first contact."""
    svc = services(context)
    async with svc.db.transaction() as session:
        worker, _ = await workers.get_or_create(session, update.effective_user.id, update.effective_chat.id,
                                                svc.clock.now())
        return worker.id, worker.language, worker.country if worker.consent else None, worker.awaiting


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text in a private chat."""
    svc = services(context)
    text = update.effective_message.text or ""
    worker_id, lang, country, awaiting = await _worker(context, update)
    if awaiting and not text.startswith("/"):
        if await on_awaited_text(update, context, worker_id, awaiting):
            return
    if not text.strip(" \u200b\u200c\u200d\u2060\ufeff\n\t"):
        await reply(update, t("empty_text", lang), reply_markup=main_keyboard(lang))
        return
    if text == t("menu_sos", lang):
        await send_emergency(update, context, lang, country)
        return
    if text == t("menu_info", lang):
        await info_command(update, context)
        return
    if text == t("menu_help", lang):
        await help_command(update, context)
        return
    result = await svc.router.route(text, RouteContext())
    log.info("route=%s intent=%s conf=%.2f reason=%s", result.route, result.intent, result.confidence, result.reason)
    await render_route(update, context, result, lang, country)


async def render_route(update: Update, context: ContextTypes.DEFAULT_TYPE, result: RouteResult, lang: str,
                       country: str | None) -> None:
    svc = services(context)
    if result.route == "emergency":
        await send_emergency(update, context, lang, country)
    elif result.route == "faq" and result.faq_id and svc.kb is not None and svc.kb.entry(result.faq_id):
        await send_faq(update, context, result.faq_id, lang, country)
    elif result.route == "case":
        await send_case_help(update, context, result.category or "other", lang, country)
    elif result.route == "checkin_ok":
        await reply(update, t("checkin_ok", lang), reply_markup=main_keyboard(lang))
    elif result.route == "chitchat":
        key = {"thanks": "chitchat_thanks", "goodbye": "chitchat_goodbye",
               "bot_capabilities": "chitchat_capabilities"}.get(result.intent or "", "chitchat_greet")
        text = t(key, lang, help=Raw(t("help", lang))) if key == "chitchat_capabilities" else t(key, lang)
        await reply(update, text, reply_markup=main_keyboard(lang))
    else:
        await send_fallback(update, context, result, lang)


async def send_emergency(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str, country: str | None) -> None:
    """The emergency reply: local emergency number, the Indonesian mission and KP2MI, and a location button."""
    svc = services(context)
    contacts = svc.kb.render_contacts(country, lang) if svc.kb is not None else ""
    text = "\n\n".join(p for p in (t("emergency_intro", lang), esc(contacts), t("emergency_outro", lang)) if p)
    location = ReplyKeyboardMarkup(
        [[KeyboardButton(t("share_location", lang), request_location=True)], [KeyboardButton(t("menu_sos", lang))],
         [KeyboardButton(t("menu_info", lang)), KeyboardButton(t("menu_help", lang))]],
        resize_keyboard=True, is_persistent=True,
    )
    await reply(update, text, reply_markup=location)


async def send_faq(update: Update, context: ContextTypes.DEFAULT_TYPE, faq_id: str, lang: str,
                   country: str | None) -> None:
    svc = services(context)
    answer = svc.kb.render_answer(faq_id, lang, country)
    text = esc(answer.text)
    if answer.source_line:
        text += "\n\n<i>" + esc(answer.source_line) + "</i>"
    rows = [[(title[:60], f"faq:{rid}")] for rid, title in answer.related[:3]]
    rows.append([(t("talk_to_officer", lang), "human"), (t("browse_info", lang), "info:")])
    await reply(update, text, reply_markup=inline(rows))


async def send_case_help(update: Update, context: ContextTypes.DEFAULT_TYPE, category: str, lang: str,
                         country: str | None) -> None:
    """A protection problem: say what we understood and who can act on it now."""
    svc = services(context)
    label = CATEGORY_LABELS.get(category, CATEGORY_LABELS["other"])[lang]
    contacts = svc.kb.render_contacts(country, lang) if svc.kb is not None else ""
    text = t("case_understood", lang, category=label) + "\n\n" + esc(contacts)
    await reply(update, text, reply_markup=main_keyboard(lang))


async def send_fallback(update: Update, context: ContextTypes.DEFAULT_TYPE, result: RouteResult, lang: str) -> None:
    svc = services(context)
    rows = [[(label[:60], f"sug:{s.key}")] for s in result.suggestions
            if (label := suggestion_label(svc.kb, s, lang))]
    rows.append([(t("talk_to_officer", lang), "human"), (t("browse_info", lang), "info:")])
    if result.reason == "nlu_down":
        intro = t("nlu_down", lang)
    else:
        intro = t("fallback", lang) if len(rows) > 1 else t("fallback_no_suggestions", lang)
    await reply(update, intro + "\n\n" + t("urgent_line", lang), reply_markup=inline(rows))


def suggestion_label(kb, suggestion: Suggestion, lang: str) -> str | None:
    key = suggestion.key
    if key.startswith("case_"):
        category = key[5:]
        if category in CATEGORY_LABELS:
            return ("Lapor masalah " if lang == "id" else "Report a problem: ") + CATEGORY_LABELS[category][lang]
        return None
    if key in ("emergency",):
        return t("menu_sos", lang)
    if key in ("ask_human", "checkin_help"):
        return None  # the officer button is always there
    if key == "checkin_ok":
        return None
    entry = kb.entry(key) if kb is not None else None
    if entry is None:
        return None
    return entry.title.get(lang) or entry.title.get("id")


async def on_suggestion(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A suggestion or FAQ button: sug:<faq id | intent>, faq:<id>."""
    query = update.callback_query
    svc = services(context)
    await query.answer()
    _, lang, country, _ = await _worker(context, update)
    kind, _, key = (query.data or "").partition(":")
    if key.startswith("case_") and key[5:] in CATEGORY_LABELS:
        await send_case_help(update, context, key[5:], lang, country)
    elif key == "emergency":
        await send_emergency(update, context, lang, country)
    elif svc.kb is not None and svc.kb.entry(key) is not None:
        await send_faq(update, context, key, lang, country)
    else:
        log.warning("refused unknown %s button data", kind)
        await reply(update, t("stale_button", lang), reply_markup=main_keyboard(lang))


async def on_human(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    _, lang, country, _ = await _worker(context, update)
    await send_case_help(update, context, "other", lang, country)


async def emergency_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/darurat and the SOS button: contacts at once, no questions first."""
    _, lang, country, _ = await _worker(context, update)
    await send_emergency(update, context, lang, country)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    _, lang, _, _ = await _worker(context, update)
    await reply(update, t("help", lang) + "\n\n" + t("urgent_line", lang), reply_markup=main_keyboard(lang))


async def info_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/info: browse the knowledge base by category, without typing."""
    svc = services(context)
    _, lang, _, _ = await _worker(context, update)
    if svc.kb is None:
        await reply(update, t("fallback_no_suggestions", lang), reply_markup=main_keyboard(lang))
        return
    rows = [[(label, f"info:{key}")] for key, label in svc.kb.category_labels(lang)]
    await reply(update, t("info_intro", lang), reply_markup=inline(rows))


async def on_info_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """info:<category> lists that category's entries; info: (empty) lists the categories."""
    query = update.callback_query
    svc = services(context)
    await query.answer()
    _, lang, _, _ = await _worker(context, update)
    category = (query.data or "").partition(":")[2]
    if not category:
        await info_command(update, context)
        return
    entries = svc.kb.entries_in(category) if svc.kb is not None else []
    if not entries:
        await reply(update, t("stale_button", lang), reply_markup=main_keyboard(lang))
        return
    rows = [[(e.title.get(lang)[:60], f"faq:{e.id}")] for e in entries]
    rows.append([("⬅️ " + t("browse_info", lang), "info:")])
    await reply(update, t("info_category", lang), reply_markup=inline(rows))


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, voice notes, photos and the like: say kindly what the bot can read."""
    message = update.effective_message
    _, lang, country, _ = await _worker(context, update)
    if message.location is not None:
        await reply(update, t("location_received", lang), reply_markup=main_keyboard(lang))
        return
    if message.caption:
        # A photo with words: route the words; the picture is evidence for an officer.
        result = await services(context).router.route(message.caption, RouteContext())
        await render_route(update, context, result, lang, country)
        return
    kinds = {"voice": ("pesan suara", "voice messages"), "sticker": ("stiker", "stickers"),
             "photo": ("foto", "photos"), "video": ("video", "videos"), "document": ("dokumen", "documents"),
             "video_note": ("video", "videos"), "audio": ("audio", "audio"), "contact": ("kontak", "contacts"),
             "poll": ("polling", "polls"), "animation": ("GIF", "GIFs")}
    kind = next((v for k, v in kinds.items() if getattr(message, k, None)), ("pesan ini", "this message"))
    await reply(update, t("unsupported_media", lang, kind=kind[0] if lang == "id" else kind[1]),
                reply_markup=main_keyboard(lang))
