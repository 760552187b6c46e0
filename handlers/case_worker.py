"""The worker's side of a case: the handoff relay, /status, reference look-ups, "is it solved?", edits.

Handoff: while a worker has an open case, their messages are copied into the case's thread for the officers
instead of going to the NLU. Danger is still checked on every message: the lexicon first (instant, no server),
then the full router after the message is relayed; an emergency gets the emergency reply and raises the case.
Button data: cw:yes:<case id> / cw:no:<case id> (solved?), cw:wd:<case id> (cancel a report just made).
"""
from __future__ import annotations

import logging
import re
from datetime import timedelta

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.cases import service
from bot.cases.models import OPEN_STATUSES, Case
from bot.workers import service as workers
from bot.workers.models import Worker
from handlers import case_intake, emergency
from handlers.case_delivery import (
    chat_lock, delivered_copy, message_kind, notify_officers_pending, refresh_case_messages,
)
from handlers.case_render import WIB, category_label, status_label
from handlers.common import main_keyboard, reply, services
from handlers.texts import CASE_OUTCOME_LABELS, t
from nlu.router import RouteContext
from nlu.safety import danger_match

log = logging.getLogger(__name__)

ACK_EVERY = timedelta(minutes=30)  # "sent to the officers" at most this often while nobody has claimed the case
BUTTON = re.compile(r"^cw:(yes|no|wd):(\d{1,12})$")
STATUS_ICON = {"new": "🕐", "claimed": "👤", "waiting_worker": "💬", "resolved": "✅", "closed": "🔒"}


# --- interception from worker_chat ------------------------------------------------------------------------------

async def intercept_text(update: Update, context: ContextTypes.DEFAULT_TYPE, worker_id: int, lang: str,
                         country: str | None) -> bool:
    """Called for every free text before routing: a report in progress, an open case, a reference number."""
    if await case_intake.on_text(update, context, worker_id):
        return True
    if await relay_to_officers(update, context, worker_id, lang, country):
        return True
    reference = service.parse_reference(update.effective_message.text or "")
    if reference:
        await show_case(update, context, worker_id, reference)
        return True
    return False


async def intercept_media(update: Update, context: ContextTypes.DEFAULT_TYPE, worker_id: int, lang: str,
                          country: str | None) -> bool:
    """Photos, voice notes, documents, location: evidence for a report in progress, or relayed to the case."""
    if await case_intake.on_media(update, context, worker_id):
        return True
    return await relay_to_officers(update, context, worker_id, lang, country)


async def relay_to_officers(update: Update, context: ContextTypes.DEFAULT_TYPE, worker_id: int, lang: str,
                            country: str | None) -> bool:
    """Copy the worker's message into their open case's thread. False when they have no open case."""
    svc = services(context)
    message = update.effective_message
    text = message.text or message.caption
    if text and danger_match(text):
        async with svc.db.transaction() as session:
            has_case = await service.handoff_case(session, worker_id) is not None
        if has_case:
            await emergency.handle(update, context, lang, country, trigger="message")
            return True
        return False
    async with chat_lock(update.effective_chat.id):
        now = svc.clock.now()
        async with svc.db.transaction() as session:
            case = None
            replied = message.reply_to_message
            if replied is not None:
                worker = await session.get(Worker, worker_id)
                candidate = await service.case_of_worker_message(session, worker, replied.message_id)
                if candidate is not None and candidate.status in OPEN_STATUSES:
                    case = candidate
            case = case or await service.handoff_case(session, worker_id)
            if case is None:
                return False
            await service.record_worker_message(
                session, case, service.IncomingMessage(message.chat_id, message.message_id, message_kind(message),
                                                       text), now, svc.settings)
            ack = case.status == "new" and await service.mark_worker_ack(session, case.id, now, ACK_EVERY)
            case_id, reference = case.id, case.reference
        await notify_officers_pending(svc, context.bot, case_id=case_id)
    if ack:
        await reply(update, t("relay_ack", lang, ref=reference), parse_mode=ParseMode.HTML)
    if message.text:
        # The model's emergency intent counts too (recall first); the lexicon was checked above.
        try:
            result = await svc.router.route(message.text, RouteContext(open_case=True))
        except Exception:
            log.exception("routing a relayed message failed")
            return True
        if result.route == "emergency":
            await emergency.handle(update, context, lang, country, trigger="message")
    return True


# --- /status and reference numbers ------------------------------------------------------------------------------

async def status_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/status: the worker's reports and where each stands."""
    svc = services(context)
    async with svc.db.transaction() as session:
        worker, _ = await workers.get_or_create(session, update.effective_user.id, update.effective_chat.id,
                                                svc.clock.now())
        lang = worker.language
        rows = [(c.reference, c.category, c.status, c.created_at) for c in
                await service.cases_of_worker(session, worker.id)]
    if not rows:
        text = t("status_none", lang)
    else:
        lines = [t("status_title", lang)]
        for reference, category, status, created in rows:
            lines.append(t("status_line", lang, icon=STATUS_ICON.get(status, "•"), ref=reference,
                           category=category_label(category, lang), status=status_label(status, lang),
                           date=created.astimezone(WIB).strftime("%d-%m-%Y")))
        lines.append("")
        lines.append(t("status_footer", lang))
        text = "\n".join(lines)
    await reply(update, text, reply_markup=main_keyboard(lang), parse_mode=ParseMode.HTML)


async def show_case(update: Update, context: ContextTypes.DEFAULT_TYPE, worker_id: int, reference: str) -> None:
    svc = services(context)
    async with svc.db.transaction() as session:
        worker = await session.get(Worker, worker_id)
        lang = worker.language
        case = await service.case_by_reference(session, reference)
        if case is None or case.worker_id != worker_id:
            text = t("case_not_found", lang)
        else:
            extra = ""
            if case.outcome:
                extra = CASE_OUTCOME_LABELS.get(case.outcome, CASE_OUTCOME_LABELS["other"])[lang]
            text = t("status_detail", lang, ref=case.reference, category=category_label(case.category, lang),
                     status=status_label(case.status, lang),
                     date=case.created_at.astimezone(WIB).strftime("%d-%m-%Y"), extra=extra)
    await reply(update, text, reply_markup=main_keyboard(lang), parse_mode=ParseMode.HTML)


# --- "is it solved?" and "cancel the report" -------------------------------------------------------------------

async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    svc = services(context)
    match = BUTTON.match(query.data or "")
    outcome = "stale"
    reference = ""
    async with chat_lock(update.effective_chat.id):
        now = svc.clock.now()
        async with svc.db.transaction() as session:
            worker, _ = await workers.get_or_create(session, query.from_user.id, update.effective_chat.id, now)
            lang = worker.language
            case = await session.get(Case, int(match[2])) if match else None
            if case is None or case.worker_id != worker.id:
                log.warning("refused worker case button: not the worker's case")
            else:
                reference = case.reference
                try:
                    if match[1] == "yes":
                        await service.close_case(session, case.id, now)
                        outcome = "closed"
                    elif match[1] == "no":
                        await service.reopen_case(session, case.id, now, by_worker=True, settings=svc.settings)
                        outcome = "reopened"
                    else:
                        await service.withdraw_case(session, case.id, worker.id, now)
                        outcome = "withdrawn"
                except service.CaseError as err:
                    log.info("refused worker case button: %s", err.code)
            case_id = case.id if case is not None else None
    await query.answer(t("stale_button", lang) if outcome == "stale" else None)
    if outcome == "stale":
        return
    try:
        await query.edit_message_reply_markup(None)
    except Exception:
        log.debug("could not remove the answered buttons", exc_info=True)
    key = {"closed": "case_closed_thanks", "reopened": "case_reopened_by_worker", "withdrawn": "case_withdrawn"}
    await reply(update, t(key[outcome], lang, ref=reference), reply_markup=main_keyboard(lang),
                parse_mode=ParseMode.HTML)
    await notify_officers_pending(svc, context.bot, case_id=case_id)
    await refresh_case_messages(svc, context.bot, case_id)


# --- edits -------------------------------------------------------------------------------------------------------

async def on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """A worker edited a message that was relayed to the officers: edit the copy too. False if not relayed."""
    svc = services(context)
    message = update.edited_message
    if message is None:
        return False
    async with svc.db.transaction() as session:
        relay = await service.relay_of_source(session, "in", message.chat_id, message.message_id)
        if relay is None:
            return False
        new_text = message.text or message.caption or ""
        await service.record_edit(session, relay, new_text, svc.clock.now(), "worker")
        relay_id = relay.id
    target = await delivered_copy(svc, relay_id)  # not delivered yet: the copy will carry the new words
    if target is not None:
        try:
            if message.text is not None:
                await context.bot.edit_message_text(message.text, chat_id=target[0], message_id=target[1],
                                                    entities=message.entities)
            elif message.caption is not None:
                await context.bot.edit_message_caption(chat_id=target[0], message_id=target[1],
                                                       caption=message.caption,
                                                       caption_entities=message.caption_entities)
        except Exception as err:  # too old to edit, or the copy was deleted: the timeline has the new text
            log.info("could not edit a relayed copy: %s", err.__class__.__name__)
    return True
