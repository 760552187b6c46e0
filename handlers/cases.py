"""Registration of the protection-case handlers (worker side, intake, officers). Called from bot/app.py before
the catch-all handlers, so case buttons and commands are matched first."""
from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from handlers import case_intake, case_worker, officer
from handlers.common import WorkerButtonHandler


async def _edited_caption(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A worker changed the caption of a photo or document already sent to the officers."""
    await case_worker.on_edit(update, context)


def register(application: Application) -> None:
    settings = application.bot_data["services"].settings
    private = filters.ChatType.PRIVATE
    group = officer.group_filter(settings.officer_group_chat_id)
    officer_chats = officer.officer_chats(settings.officer_group_chat_id)
    # worker
    application.add_handler(CommandHandler(["status", "laporan"], case_worker.status_command, filters=private))
    application.add_handler(CommandHandler(["batal", "cancel"], case_intake.cancel_command, filters=private))
    application.add_handler(WorkerButtonHandler(case_intake.on_button, pattern=r"^ci:"))
    application.add_handler(WorkerButtonHandler(case_worker.on_button, pattern=r"^cw:"))
    application.add_handler(MessageHandler(private & filters.UpdateType.EDITED_MESSAGE & filters.CAPTION,
                                           _edited_caption))
    # officers: commands in their private chat or the officers' group; other groups are ignored entirely
    application.add_handler(CommandHandler(["kasus", "cases"], officer.cases_command, filters=officer_chats))
    application.add_handler(CommandHandler(["catatan", "note"], officer.note_command, filters=officer_chats))
    application.add_handler(CommandHandler(["alihkan", "reassign"], officer.reassign_command, filters=officer_chats))
    application.add_handler(CommandHandler(["petugas", "officers"], officer.officers_command, filters=officer_chats))
    application.add_handler(CommandHandler(["piket", "duty"], officer.duty_command, filters=officer_chats))
    application.add_handler(CallbackQueryHandler(officer.on_button, pattern=r"^cs:"))
    application.add_handler(MessageHandler(group & filters.UpdateType.MESSAGE & ~filters.COMMAND
                                           & ~filters.StatusUpdate.ALL, officer.on_group_message))
    application.add_handler(MessageHandler(group & filters.UpdateType.EDITED_MESSAGE, officer.on_group_edit))
