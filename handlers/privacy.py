"""/hapus (/delete): a worker deletes their data, after a confirmation. The work is in bot/privacy/deletion.py.

Button data: priv:yes:<worker id> and priv:no:<worker id>. A press counts only from the worker that row belongs
to, in their private chat; anything else (forged, another user's, an old button after a deletion) is refused
politely and changes nothing. Everything is said in Indonesian first, then English.
"""
from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot.privacy import deletion
from handlers.case_delivery import chat_lock, notify_officers_pending, refresh_case_messages
from handlers.common import inline, main_keyboard, reply, services
from handlers.texts import Raw, t

log = logging.getLogger(__name__)

BUTTON = re.compile(r"priv:(yes|no):(\d{1,12})")


def both(key: str, **values: object) -> str:
    """A text in Indonesian, then in English."""
    return t(key, "id", **values) + "\n\n" + t(key, "en", **values)


def confirm_text(data: deletion.StoredData) -> str:
    parts = []
    for lang in ("id", "en"):
        extra = ""
        if data.open_reports:
            extra += t("priv_confirm_open", lang, n=data.open_reports)
        if data.reports:
            extra += t("priv_confirm_reports", lang, n=data.reports)
        parts.append(t("priv_confirm", lang, reports=Raw(extra)))
    return "\n\n".join(parts)


def done_text(report: deletion.DeletionReport) -> str:
    parts = []
    for lang in ("id", "en"):
        extra = t("priv_done_reports", lang, n=len(report.cases)) if report.cases else ""
        parts.append(t("priv_done", lang, reports=Raw(extra)))
    return "\n\n".join(parts)


async def delete_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/hapus, /delete: say what would be deleted and ask to confirm. Creates no worker record."""
    svc = services(context)
    async with svc.db.transaction() as session:
        worker = await deletion.find_worker(session, update.effective_user.id)
        data = await deletion.stored_data(session, worker.id) if worker is not None else None
        worker_id = worker.id if worker is not None else None
    if worker_id is None:
        await reply(update, both("priv_nothing"), reply_markup=main_keyboard("id"))
        return
    await reply(update, confirm_text(data), reply_markup=inline([
        [(t("priv_yes"), f"priv:yes:{worker_id}")], [(t("priv_no"), f"priv:no:{worker_id}")]]))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    svc = services(context)
    chat = update.effective_chat
    match = BUTTON.fullmatch(query.data or "")
    if match is None or chat is None or chat.type != "private":
        log.warning("refused privacy button: forged data or not a private chat")
        await query.answer(t("stale_button", "id"))
        return
    action, worker_id = match[1], int(match[2])
    report = None
    async with chat_lock(chat.id):
        async with svc.db.transaction() as session:
            worker = await deletion.find_worker(session, query.from_user.id)
            if worker is None or worker.id != worker_id:
                outcome = "refused"
            elif action == "no":
                outcome = "cancelled"
            else:
                report = await deletion.delete_worker_data(session, worker.id, svc.clock.now())
                outcome = "deleted" if report.deleted else "refused"
    if outcome == "refused":
        log.warning("refused privacy button: not the worker's own confirmation")
        await query.answer(t("stale_button", "id"))
        return
    await query.answer()
    try:
        await query.edit_message_reply_markup(None)
    except TelegramError:
        log.debug("could not remove the confirmation buttons", exc_info=True)
    if outcome == "cancelled":
        await reply(update, both("priv_cancelled"), reply_markup=main_keyboard("id"))
        return
    log.info("a worker deleted their data: %d cases anonymised, %d closed", len(report.cases), len(report.closed))
    await reply(update, done_text(report), reply_markup=main_keyboard("id"), parse_mode=ParseMode.HTML)
    await _after_deletion(svc, context.bot, report)


async def _after_deletion(svc, bot, report: deletion.DeletionReport) -> None:
    """Tell the officers now (the case sweep would, a little later), show the cards without the worker's words,
    and delete the bot's copies of the conversation that Telegram still lets it delete. Best effort: the
    database is already clean, and the alerts stay queued if sending fails."""
    for case_id in report.notified:
        try:
            await notify_officers_pending(svc, bot, case_id=case_id)
        except Exception:
            log.exception("sending the data-deleted notice failed; the case sweep retries it")
    for case_id in report.cases:
        try:
            await refresh_case_messages(svc, bot, case_id)
        except Exception:
            log.exception("updating an anonymised case card failed")
    for chat_id, message_id in report.copies:
        try:
            await bot.delete_message(chat_id, message_id)
        except TelegramError as err:  # older than 48 hours, or already gone
            log.info("could not delete a relayed copy: %s", err.__class__.__name__)


def register(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(["hapus", "delete"], delete_command, filters=private))
    application.add_handler(CallbackQueryHandler(on_button, pattern=r"^priv:"))
