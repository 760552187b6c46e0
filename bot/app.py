"""Build the python-telegram-bot Application: handlers, commands, de-duplication, errors.

The same Application serves Telegram, the local console chat and the tests; only `base_url` differs.
"""
from __future__ import annotations

import asyncio
import logging

from telegram import BotCommand, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter, Application, ApplicationBuilder, ApplicationHandlerStop, CallbackQueryHandler, CommandHandler,
    ExtBot,
    ContextTypes, MessageHandler, TypeHandler, filters,
)

from bot.services import Services
from bot.flood import FloodGuard
from bot.storage.dedup import first_time_seen
from handlers import admin_kb, cases, checkin, onboarding, privacy, worker_chat
from handlers.common import WorkerButtonHandler, main_keyboard, reply
from handlers.texts import t
from nlu.safety import danger_match

log = logging.getLogger(__name__)

WORKER_COMMANDS = {
    "id": [("start", "Mulai / daftar"), ("darurat", "Bantuan darurat"), ("info", "Info dan tanya jawab"),
           ("profil", "Lihat dan ubah profil"), ("bahasa", "Ganti bahasa"), ("help", "Apa yang bisa dibantu"),
           ("checkin", "Cek keamanan rutin"), ("status", "Laporan saya"), ("hapus", "Hapus data saya")],
    "en": [("start", "Start / sign up"), ("darurat", "Emergency help"), ("info", "Information and FAQ"),
           ("profil", "See and change your profile"), ("bahasa", "Change language"), ("help", "What I can do"),
           ("checkin", "Safety check-ins"), ("status", "My reports"), ("delete", "Delete my data")],
}


URGENT_DB_WAIT = 1.0  # seconds an emergency waits for de-duplication before it is handled anyway


def _is_emergency(text: str) -> bool:
    """The SOS button, /darurat and danger words: never rate-limited, never kept waiting by the database."""
    return text in (t("menu_sos", "id"), t("menu_sos", "en")) or text.startswith(("/darurat", "/sos")) or bool(
        text and danger_match(text))


def _served(update: Update, services: Services) -> bool:
    """Private chats and the configured officers' group; every other group and every channel is not served."""
    chat = update.effective_chat
    group = services.settings.officer_group_chat_id
    return chat is None or chat.type == "private" or (group is not None and chat.id == group)


async def _gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any group but the officers' group, and every channel, gets no reply and nothing is stored; a group that
    adds the bot is left at once. A button pressed there goes on to its handler, which refuses it with a notice
    only the presser sees (no handler writes for such a chat, and _dedup stores nothing for it)."""
    svc: Services = context.application.bot_data["services"]
    if _served(update, svc) or update.callback_query is not None:
        return
    chat = update.effective_chat
    member = update.my_chat_member
    if member is not None and chat.type in ("group", "supergroup") and \
            member.new_chat_member.status in ("member", "administrator", "restricted"):
        log.warning("the bot was added to a group that is not the officers' group; leaving it")
        try:
            await context.bot.leave_chat(chat.id)
        except TelegramError as err:
            log.info("could not leave the group: %s", err.__class__.__name__)
    else:
        log.info("ignored an update from a %s that is not configured", chat.type)
    raise ApplicationHandlerStop


def _forget(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("late update de-duplication failed (%s)", task.exception().__class__.__name__)


async def _dedup(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Drop an update Telegram delivered before (restart, webhook retry): act on each exactly once.
    An emergency waits at most URGENT_DB_WAIT for this: answered twice is better than answered late."""
    svc: Services = context.application.bot_data["services"]
    if not _served(update, svc):
        return  # a button pressed in a chat that is not served: only refused, so nothing to remember
    check = asyncio.ensure_future(first_time_seen(svc.db, update.update_id, svc.clock.now()))
    message = update.message
    if message is not None and _is_emergency(message.text or message.caption or ""):
        done, _ = await asyncio.wait({check}, timeout=URGENT_DB_WAIT)
        if not done:
            check.add_done_callback(_forget)
            log.warning("update de-duplication is slow; handling emergency update %s without it", update.update_id)
            return
    try:
        seen_first = await check
    except Exception as err:  # database trouble: handle it anyway - an SOS must never be dropped here
        log.warning("update de-duplication unavailable (%s); handling update %s anyway",
                    err.__class__.__name__, update.update_id)
        return
    if not seen_first:
        log.info("dropped duplicate update %s", update.update_id)
        raise ApplicationHandlerStop


async def _flood(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask a worker who sends very many messages to slow down; emergencies always pass."""
    message = update.effective_message
    user = update.effective_user
    if user is None or message is None or update.effective_chat is None or update.effective_chat.type != "private":
        return
    if _is_emergency(message.text or message.caption or ""):
        return
    svc: Services = context.application.bot_data["services"]
    guard: FloodGuard = context.application.bot_data.setdefault("flood", FloodGuard(svc.settings.flood_per_minute))
    now = svc.clock.now()
    if guard.allow(user.id, now):
        return
    log.warning("flood limit reached by a worker; message not processed")
    if guard.should_warn(user.id, now):
        await update.effective_chat.send_message(t("flood", "id") + "\n\n" + t("flood", "en"))
    raise ApplicationHandlerStop


async def _unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, t("unknown_command", "id") + "\n" + t("unknown_command", "en"), reply_markup=main_keyboard("id"))


async def _edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message is read like a new one: the worker corrected what they meant. A message already relayed
    to the officers is edited there instead (handlers/case_worker.py)."""
    from handlers import case_worker

    if await case_worker.on_edit(update, context):
        return
    await worker_chat.on_text(update, context)


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log once, and ask the worker to send again: a failed update is not retried by itself. Telegram's flood
    limit (after the rate limiter's own retries) and a blocked bot get no note, which could not arrive."""
    error = context.error
    if isinstance(error, (RetryAfter, TimedOut, NetworkError, Forbidden)) and not isinstance(error, BadRequest):
        log.warning("Telegram error: %s", error.__class__.__name__)
    else:  # BadRequest (a NetworkError in PTB) means the bot sent something wrong: a bug, with its traceback
        log.error("handler failed: %s", error.__class__.__name__, exc_info=error)
    if isinstance(error, (RetryAfter, Forbidden)):
        return
    if isinstance(update, Update) and update.effective_chat and update.effective_chat.type == "private":
        try:
            await update.effective_chat.send_message(t("error_retry", "id") + "\n\n" + t("error_retry", "en"))
        except Exception:  # the chat may be unreachable; the error is already logged
            log.debug("could not send the retry note", exc_info=True)


async def register_commands(application: Application) -> None:
    """setMyCommands in both languages (the menu Telegram shows next to the typing field)."""
    for lang, commands in WORKER_COMMANDS.items():
        await application.bot.set_my_commands(
            [BotCommand(c, d) for c, d in commands], language_code=None if lang == "id" else lang,
        )


def build_application(services: Services, token: str, base_url: str | None = None,
                      rate_limit: bool = True, request_timeout: float | None = None) -> Application:
    """request_timeout: seconds a Bot API call may take (PTB's defaults when None)."""
    builder = ApplicationBuilder().token(token).concurrent_updates(True)
    if request_timeout is not None:
        builder = builder.connect_timeout(request_timeout).read_timeout(request_timeout) \
            .write_timeout(request_timeout)
    if base_url:
        builder = builder.base_url(base_url).base_file_url(base_url.replace("/bot", "/file/bot"))
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(overall_max_rate=services.settings.global_per_second,
                                                      max_retries=2))
    application = builder.build()
    application.bot_data["services"] = services
    services.bot = application.bot  # the scheduler's sweeps (bot/checkins/sweep.py) send through it
    # Emergencies skip the shared queue: a second bot object on the same HTTP connection pool (opened and closed
    # with the application's bot) without the rate limiter. They are few, so Telegram's own limit is not reached.
    services.urgent_bot = ExtBot(token=token, base_url=application.bot.base_url.removesuffix(token),
                                 base_file_url=application.bot.base_file_url.removesuffix(token),
                                 request=application.bot.request) if rate_limit else application.bot
    register_handlers(application)
    return application


def register_handlers(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(TypeHandler(Update, _gate), group=-3)
    application.add_handler(TypeHandler(Update, _dedup), group=-2)
    application.add_handler(TypeHandler(Update, _flood), group=-1)
    application.add_handler(CommandHandler("start", onboarding.start, filters=private))
    application.add_handler(CommandHandler("bahasa", onboarding.language_command, filters=private))
    application.add_handler(CommandHandler(["profil", "profile"], onboarding.profile_command, filters=private))
    application.add_handler(CommandHandler(["help", "bantuan"], worker_chat.help_command, filters=private))
    application.add_handler(CommandHandler(["darurat", "sos"], worker_chat.emergency_command, filters=private))
    application.add_handler(CommandHandler("info", worker_chat.info_command, filters=private))
    application.add_handler(CommandHandler("kb", admin_kb.kb_command, filters=private))
    application.add_handler(MessageHandler(private & admin_kb.EditReply(), admin_kb.on_edit_reply))
    application.add_handler(WorkerButtonHandler(
        onboarding.on_button, pattern=r"^(lang|consent|country|city|sector|freq|edit):"))
    application.add_handler(WorkerButtonHandler(worker_chat.on_suggestion, pattern=r"^(sug|faq):"))
    application.add_handler(WorkerButtonHandler(worker_chat.on_info_button, pattern=r"^info:"))
    application.add_handler(WorkerButtonHandler(worker_chat.on_human, pattern=r"^human$"))
    checkin.register(application)  # /checkin, /checkins, the Aman / Butuh bantuan buttons, blocked-bot updates
    cases.register(application)  # reports, /status, case buttons, the officers' group and commands
    privacy.register(application)  # /hapus, /delete and their confirmation buttons
    application.add_handler(CallbackQueryHandler(_stale_button))
    application.add_handler(MessageHandler(private & filters.COMMAND, _unknown_command))
    application.add_handler(MessageHandler(private & filters.UpdateType.EDITED_MESSAGE & filters.TEXT, _edited))
    application.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE & filters.TEXT, worker_chat.on_text))
    application.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE & ~filters.TEXT, worker_chat.on_media))
    application.add_error_handler(_on_error)


async def _stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Button data that no handler knows: forged or from an old version. Refuse politely; change nothing."""
    query = update.callback_query
    log.warning("refused unknown button data from user")
    await query.answer(t("stale_button", "id"), show_alert=False)
