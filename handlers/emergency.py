"""The emergency path: SOS button, /darurat, and any message routed to `emergency` (also with the NLU down).

Order matters: (1) the reply with the local emergency number, the Indonesian mission and KP2MI, and a
location button - from the in-memory knowledge base, before any case work; (2) the emergency case (or, when the
worker already has an open case or a report in progress, that one becomes an emergency); (3) the officers are
alerted at once in the group and by direct message to every on-duty officer; (4) the worker is told officers know.
The worker's profile is read with a short timeout: if the database is slow or down, the reply still goes out.

Consent: an emergency case is stored even when the worker declined storage at onboarding - they asked for
help, and a person's life comes first (vital interest). Only what they sent for help is stored.
"""
from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select
from telegram import KeyboardButton, ReplyKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.cases import intake as intakes
from bot.cases import service
from bot.workers import service as workers
from bot.workers.models import Worker
from handlers.case_delivery import chat_lock, message_kind, notify_officers_pending
from handlers.common import reply, services
from handlers.texts import esc, t

log = logging.getLogger(__name__)

PROFILE_TIMEOUT = 1.0  # seconds; the emergency reply never waits longer than this for the database


def location_keyboard(lang: str) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(t("share_location", lang), request_location=True)], [KeyboardButton(t("menu_sos", lang))],
         [KeyboardButton(t("menu_info", lang)), KeyboardButton(t("menu_help", lang))]],
        resize_keyboard=True, is_persistent=True,
    )


async def send_emergency_reply(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str,
                               country: str | None) -> None:
    """Local emergency number, the Indonesian mission for the worker's country, KP2MI, and a location button."""
    svc = services(context)
    try:
        contacts = svc.kb.render_contacts(country, lang) if svc.kb is not None else ""
    except Exception:  # never let a content problem block the emergency reply
        log.exception("rendering emergency contacts failed")
        contacts = svc.kb.render_contacts(None, lang) if svc.kb is not None else ""
    text = "\n\n".join(p for p in (t("emergency_intro", lang), esc(contacts), t("emergency_outro", lang)) if p)
    if svc.urgent_bot is not None:
        try:  # not queued behind bulk traffic
            await reply(update, text, reply_markup=location_keyboard(lang), parse_mode=ParseMode.HTML,
                        bot=svc.urgent_bot)
            return
        except TelegramError as err:  # e.g. RetryAfter: the rate-limited bot waits and retries as Telegram asks
            log.warning("unqueued emergency reply failed (%s); sending through the rate limiter", type(err).__name__)
    await reply(update, text, reply_markup=location_keyboard(lang), parse_mode=ParseMode.HTML)


async def quick_profile(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[str, str | None]:
    """(language, country) from the profile, or a safe default when the database does not answer in time."""
    svc = services(context)
    user = update.effective_user
    fallback = ("en" if (user and (user.language_code or "").startswith("en")) else "id", None)
    if user is None:
        return fallback

    async def read() -> tuple[str, str | None]:
        async with svc.db.transaction() as session:
            worker = await session.scalar(select(Worker).where(Worker.telegram_user_id == user.id))
            if worker is None:
                return fallback
            return worker.language, worker.country if worker.consent else None

    try:
        return await asyncio.wait_for(read(), PROFILE_TIMEOUT)
    except Exception as err:
        log.warning("emergency reply without the profile (%s)", err.__class__.__name__)
        return fallback


def _trigger_text(update: Update) -> str | None:
    """The worker's own words that raised the alarm (not a button press on a bot message)."""
    message = update.message
    if message is None:
        return None
    return message.text or message.caption


async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str | None = None,
                 country: str | None = None, *, category: str | None = None, trigger: str = "message") -> None:
    """The whole emergency path. trigger: message | button | command | suggestion | intake."""
    svc = services(context)
    if lang is None:
        lang, country = await quick_profile(update, context)
    await send_emergency_reply(update, context, lang, country)
    try:
        case_id, reference, created = await record_emergency(update, context, category=category, trigger=trigger)
    except Exception:
        log.exception("could not store an emergency case")
        await reply(update, t("emergency_case_failed", lang), parse_mode=ParseMode.HTML)
        return
    try:
        await notify_officers_pending(svc, svc.urgent_bot or context.bot, case_id=case_id)
    except Exception:  # the sweep sends it; the case and its alerts are stored
        log.exception("sending the emergency alert failed; the sweep will retry")
    await reply(update, t("emergency_case_opened" if created else "emergency_relayed", lang, ref=reference),
                parse_mode=ParseMode.HTML)


async def record_emergency(update: Update, context: ContextTypes.DEFAULT_TYPE, *, category: str | None = None,
                           trigger: str = "message") -> tuple[int, str, bool]:
    """Store the emergency: (case id, reference, whether a new case was opened).

    A report in progress is sent at once as an emergency; an open case becomes an emergency and gets this
    message; otherwise a new emergency case is opened with the worker's words."""
    svc = services(context)
    user, chat = update.effective_user, update.effective_chat
    text = _trigger_text(update)
    message = update.message
    async with chat_lock(chat.id):
        now = svc.clock.now()
        async with svc.db.transaction() as session:
            worker, _ = await workers.get_or_create(session, user.id, chat.id, now)
            draft = await intakes.get_intake(session, worker.id, lock=True)
            if draft is not None and draft.step != intakes.CONSENT:
                draft.severity = "emergency"
                if text and trigger != "intake" and text != t("menu_sos", worker.language):
                    try:
                        intakes.answer_text(draft, text, now)  # the alarm message is part of the report
                    except intakes.IntakeError:
                        pass
                submitted = await intakes.submit(session, draft, worker, now, svc.settings, user.first_name)
                case = submitted.case
                await service.add_event(session, case, "escalation", now, "worker", by="worker", trigger=trigger)
                return case.id, case.reference, True
            if draft is not None:
                await intakes.discard(session, worker.id)  # no consent to the report; the emergency goes on
            case = await service.handoff_case(session, worker.id)
            if case is not None:
                await service.raise_to_emergency(session, case, now, svc.settings)
                if message is not None:
                    await service.record_worker_message(
                        session, case, service.IncomingMessage(chat.id, message.message_id, message_kind(message),
                                                               text), now, svc.settings)
                return case.id, case.reference, False
            if trigger in ("button", "command") or not text or text == t("menu_sos", worker.language):
                summary = "🆘 Pekerja menekan tombol DARURAT / SOS."
            else:
                summary = text
            details = {"trigger": trigger}
            if user.first_name:
                details["name"] = user.first_name[:60]
            case = await service.open_case(
                session, worker_id=worker.id, category=category or "other", severity="emergency",
                summary=summary, source="emergency", now=now, actor="worker", settings=svc.settings,
                details=details)
            return case.id, case.reference, True

