"""A worker's free text, menu buttons and help commands: route the text, render the route's reply.

Every path ends in a reply: an answer, suggestions, contacts or an officer option; never silence.
"""
from __future__ import annotations

import logging

from telegram import KeyboardButton, ReplyKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.workers import service as workers
from bot.workers.models import Worker
from handlers import case_intake, case_worker, emergency
from handlers import checkin as checkin_handlers
from handlers.common import inline, main_keyboard, reply, services
from handlers.onboarding import on_awaited_text
from handlers.texts import CATEGORY_LABELS, Raw, esc, t
from nlu.router import RouteContext, RouteResult, Suggestion
from nlu.safety import danger_match

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
    if text in (t("menu_sos", "id"), t("menu_sos", "en")) or danger_match(text):
        # Danger first: the contacts go out before anything else, even with the database or the NLU down.
        await emergency.handle(update, context, trigger="message" if danger_match(text) else "button")
        return
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
    if await case_worker.intercept_text(update, context, worker_id, lang, country):
        return  # a report in progress, a case being handled (relayed to the officers), or a reference number
    pending = await checkin_handlers.pending_for(context, worker_id)
    result = await svc.router.route(text, RouteContext(pending_checkin=pending))
    log.info("route=%s intent=%s conf=%.2f reason=%s", result.route, result.intent, result.confidence, result.reason)
    if pending and result.route in ("case", "emergency"):
        await checkin_handlers.record_help_route(context, worker_id)  # the check-in's answer: needs help
    await render_route(update, context, result, lang, country)


async def render_route(update: Update, context: ContextTypes.DEFAULT_TYPE, result: RouteResult, lang: str,
                       country: str | None) -> None:
    svc = services(context)
    if result.route == "emergency":
        await emergency.handle(update, context, lang, country, category=result.category, trigger="message")
    elif result.route == "faq" and result.faq_id and svc.kb is not None and svc.kb.entry(result.faq_id):
        await send_faq(update, context, result.faq_id, lang, country)
    elif result.route == "case":
        await send_case_help(update, context, result.category or "other", lang, country)
    elif result.route == "checkin_ok":
        await checkin_handlers.answer_ok_text(update, context, lang)  # records the pending check-in, thanks
    elif result.route == "chitchat":
        key = {"thanks": "chitchat_thanks", "goodbye": "chitchat_goodbye",
               "bot_capabilities": "chitchat_capabilities"}.get(result.intent or "", "chitchat_greet")
        text = t(key, lang, help=Raw(t("help", lang))) if key == "chitchat_capabilities" else t(key, lang)
        await reply(update, text, reply_markup=main_keyboard(lang))
    else:
        await send_fallback(update, context, result, lang, country)


async def send_emergency(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str, country: str | None) -> None:
    """The emergency path (handlers/emergency.py): contacts and a location button first, then the emergency
    case and the officers' alert."""
    await emergency.handle(update, context, lang, country, trigger="message" if update.message else "suggestion")


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
    """A protection problem: the guided report (handlers/case_intake.py) that ends in a case for the officers."""
    await case_intake.start(update, context, category, lang, country)


async def send_fallback(update: Update, context: ContextTypes.DEFAULT_TYPE, result: RouteResult, lang: str,
                        country: str | None = None) -> None:
    svc = services(context)
    rows = [[(label[:60], f"sug:{s.key}")] for s in result.suggestions
            if (label := suggestion_label(svc.kb, s, lang))]
    rows.append([(t("talk_to_officer", lang), "human"), (t("browse_info", lang), "info:")])
    if result.reason == "nlu_down":
        # The message could not be read: whatever it was about, the emergency numbers come with the answer.
        intro = t("nlu_down", lang)
        if svc.kb is not None:
            intro += "\n\n" + esc(svc.kb.render_contacts(country, lang))
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
    """/darurat and the SOS button: contacts at once, no questions first (the profile is read with a timeout)."""
    await emergency.handle(update, context, trigger="command")


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
    worker_id, lang, country, _ = await _worker(context, update)
    if await case_worker.intercept_media(update, context, worker_id, lang, country):
        return  # evidence for a report in progress, or relayed to the officers of an open case
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
