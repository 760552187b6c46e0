"""Admins keep the knowledge base current from Telegram: /kb list, show, edit, disable, enable, history,
rollback, reload. Every change is versioned (who, when, old and new value) and takes effect for the next worker.

Editing is stateless: `/kb edit <id>` answers with a prompt message; the admin *replies* to that prompt with the new
text, and the entry id is read back from the prompt. Nothing waits in memory, so a restart loses nothing.
"""
from __future__ import annotations

import asyncio
import logging
import re

from telegram import ForceReply, Message, Update
from telegram.ext import ContextTypes, filters

from bot.workers.service import role_of
from handlers.common import reply, services
from handlers.texts import esc
from knowledge_base import overrides as kb_overrides

log = logging.getLogger(__name__)

EDIT_PROMPT = re.compile(r"^✏️ EDIT ([a-z0-9_]+) \((id|en)\)")
USAGE = ("<b>Knowledge base (admin)</b>\n"
         "/kb list [kategori] - daftar entri / list entries\n"
         "/kb show &lt;id&gt; - lihat entri / show an entry\n"
         "/kb edit &lt;id&gt; [en] - ubah jawaban / edit the answer\n"
         "/kb disable &lt;id&gt; · /kb enable &lt;id&gt; - matikan / nyalakan\n"
         "/kb history &lt;id&gt; - riwayat perubahan / change history\n"
         "/kb rollback &lt;nomor&gt; - batalkan perubahan / undo a change\n"
         "/kb reload - baca ulang file dan latih ulang NLU / reload files and retrain NLU")


async def _is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    svc = services(context)
    async with svc.db.transaction() as session:
        role = await role_of(session, update.effective_user.id, svc.settings.admin_ids)
    return role == "admin"


async def kb_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not await _is_admin(update, context):
        log.warning("refused /kb from a non-admin")
        await reply(update, "Perintah ini khusus admin. / This command is for admins only.")
        return
    args = context.args or []
    action = args[0].lower() if args else ""
    handler = {"list": _list, "show": _show, "edit": _edit_prompt, "disable": _toggle, "enable": _toggle,
               "history": _history, "rollback": _rollback, "reload": _reload}.get(action)
    if handler is None:
        await reply(update, USAGE)
        return
    await handler(update, context, args)


async def _list(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    svc = services(context)
    base, overrides = svc.kb.base, svc.kb.overrides
    wanted = args[1] if len(args) > 1 else None
    lines = []
    for entry in base.entries:
        if wanted and entry.category != wanted:
            continue
        flags = []
        if overrides.get(entry.id, {}).get("enabled") == "no":
            flags.append("OFF")
        if {"answer_id", "answer_en"} & set(overrides.get(entry.id, {})):
            flags.append("edited")
        mark = f" [{', '.join(flags)}]" if flags else ""
        lines.append(f"• <code>{esc(entry.id)}</code> ({esc(entry.category)}){mark} - {esc(entry.title.id)}")
    await reply(update, f"<b>{len(lines)} entri</b>\n" + "\n".join(lines) if lines else "Tidak ada entri.")


def _entry_or_none(svc, args: list[str]):
    return svc.kb.base.entry(args[1]) if len(args) > 1 else None


async def _show(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    svc = services(context)
    entry = _entry_or_none(svc, args)
    if entry is None:
        await reply(update, "Entri tidak ditemukan. Lihat /kb list. / Entry not found.")
        return
    edits = svc.kb.overrides.get(entry.id, {})
    answer_id = edits.get("answer_id", entry.answer.id)
    answer_en = edits.get("answer_en", entry.answer.en)
    sources = "\n".join(f"- {esc(s.url)} ({esc(s.date)})" for s in entry.sources)
    status = "OFF (disabled)" if edits.get("enabled") == "no" else "ON"
    text = (f"<b>{esc(entry.id)}</b> · {esc(entry.category)} · {status}\n<b>{esc(entry.title.id)}</b>\n\n"
            f"<b>ID:</b>\n{esc(answer_id)}\n\n<b>EN:</b>\n{esc(answer_en)}\n\n"
            f"<b>Sumber / sources</b> (diperiksa {entry.last_verified}):\n{sources}")
    await reply(update, text)


async def _edit_prompt(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    svc = services(context)
    entry = _entry_or_none(svc, args)
    if entry is None:
        await reply(update, "Entri tidak ditemukan. Lihat /kb list. / Entry not found.")
        return
    lang = "en" if len(args) > 2 and args[2].lower() == "en" else "id"
    current = svc.kb.overrides.get(entry.id, {}).get(f"answer_{lang}",
                                                     entry.answer.en if lang == "en" else entry.answer.id)
    await reply(update, f"✏️ EDIT {entry.id} ({lang})\n"
                        f"Balas (reply) pesan ini dengan jawaban baru. / Reply to this message with the new answer.\n"
                        f"Jawaban sekarang / current answer:\n\n{esc(current)}",
                reply_markup=ForceReply(selective=True, input_field_placeholder="Jawaban baru / new answer"))


class EditReply(filters.MessageFilter):
    """A private message that replies to one of the bot's edit prompts."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return bool(replied and replied.from_user and replied.from_user.is_bot and replied.text
                    and EDIT_PROMPT.match(replied.text) and message.text)


async def on_edit_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if not await _is_admin(update, context):
        log.warning("refused a knowledge-base edit from a non-admin")
        await reply(update, "Perintah ini khusus admin. / This command is for admins only.")
        return
    entry_id, lang = EDIT_PROMPT.match(message.reply_to_message.text).groups()
    await _change(update, context, entry_id, f"answer_{lang}", message.text)


async def _toggle(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    if len(args) < 2:
        await reply(update, USAGE)
        return
    await _change(update, context, args[1], "enabled", "no" if args[0].lower() == "disable" else "yes")


async def _change(update: Update, context: ContextTypes.DEFAULT_TYPE, entry_id: str, field: str, value: str,
                  rollback_of: int | None = None) -> None:
    svc = services(context)
    user = update.effective_user
    try:
        async with svc.db.transaction() as session:
            if rollback_of is not None:
                change = await kb_overrides.rollback(session, svc.kb.base, rollback_of, user.id,
                                                     user.full_name or "", svc.clock.now())
            else:
                change = await kb_overrides.record_change(session, svc.kb.base, entry_id, field, value, user.id,
                                                          user.full_name or "", svc.clock.now())
            current = await kb_overrides.load_overrides(session)
    except kb_overrides.EditError as err:
        await reply(update, f"❌ {esc(err)}")
        return
    svc.kb.apply(current)
    log.info("knowledge-base change #%s: %s.%s by admin", change.id, change.entry_id, change.field)
    await reply(update, f"✅ Perubahan #{change.id} tersimpan: <code>{esc(change.entry_id)}</code> "
                        f"{esc(change.field)}. Berlaku untuk pesan berikutnya.\n"
                        f"Change #{change.id} saved; it applies from the next message. Undo: /kb rollback {change.id}")


async def _history(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    svc = services(context)
    if _entry_or_none(svc, args) is None:
        await reply(update, "Entri tidak ditemukan. / Entry not found.")
        return
    async with svc.db.transaction() as session:
        rows = await kb_overrides.history(session, args[1])
    if not rows:
        await reply(update, "Belum ada perubahan. / No changes yet.")
        return
    lines = [f"#{r.id} {r.at:%Y-%m-%d %H:%M} UTC · {esc(r.field)} · {esc(r.actor_name or r.actor_id)}"
             + (f" (rollback #{r.rollback_of})" if r.rollback_of else "")
             + f"\n   {esc((r.new_value or '')[:120])}" for r in rows]
    await reply(update, "\n".join(lines))


async def _rollback(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    if len(args) < 2 or not args[1].lstrip("#").isdigit():
        await reply(update, "Pakai: /kb rollback &lt;nomor perubahan&gt;")
        return
    await _change(update, context, "", "", "", rollback_of=int(args[1].lstrip("#")))


async def _reload(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """Re-read the YAML files (e.g. after `python -m knowledge_base import`); retrain NLU in the background."""
    svc = services(context)
    try:
        svc.kb.reload()
    except Exception as err:  # invalid content: keep serving the old one and say why
        await reply(update, f"❌ File tidak valid, konten lama tetap dipakai. / Invalid files, old content kept.\n"
                            f"{esc(str(err)[:1500])}")
        return
    await reply(update, f"✅ {len(svc.kb.kb.entries)} entri dimuat. NLU dilatih ulang di latar belakang; "
                        f"pertanyaan baru dikenali setelah selesai.\n"
                        f"Loaded; the NLU retrains in the background and new questions work when it is done.")
    context.application.create_task(_retrain(update, context), name="nlu-retrain")


async def _retrain(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    from nlu.manage import ensure_model, swap_model

    svc = services(context)
    try:
        model = await asyncio.to_thread(ensure_model, lambda _msg: None)
        await asyncio.to_thread(swap_model, svc.settings.nlu.url, model)
    except Exception as err:
        log.error("background NLU retraining failed: %s", err)
        await reply(update, f"❌ Latih ulang NLU gagal / NLU retraining failed: {esc(str(err)[:500])}")
        return
    await reply(update, f"✅ Model NLU baru aktif / new NLU model active: {esc(model.name)}")
