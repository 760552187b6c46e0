"""The officers' side in Telegram: case-card buttons, the relay from the case thread to the worker, notes,
/kasus, /alihkan, /petugas and /piket.

Only the officers' group from config (settings.officer_group_chat_id) and officers' private chats are served;
every other group is ignored. Every button and command checks the user's role and the case's state; forged or
stale button data is refused with a polite notice and a log line without personal data.
Button data: cs:<claim|note|esc|done|back|reopen>:<case id>, cs:out:<case id>:<outcome>.
Officers work in Indonesian, so the texts here are Indonesian.
"""
from __future__ import annotations

import asyncio
import logging
import re

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes, filters

from bot.cases import officers as officer_service
from bot.cases import service
from bot.cases.models import OPEN_STATUSES, Case
from bot.workers.models import Officer, Worker
from bot.workers.service import role_of
from handlers import case_render as render
from handlers.case_delivery import (
    delivered_copy, message_kind, notify_officers_pending, refresh_case_messages, send_html,
)
from handlers.common import reply, services, split_message
from handlers.texts import esc, t

log = logging.getLogger(__name__)

BUTTON = re.compile(r"^cs:(claim|note|esc|done|out|back|reopen):(\d{1,12})(?::([a-z_]{1,20}))?$")
REFUSALS = {
    "not_officer": "Maaf, tombol ini hanya untuk petugas Sahabat PMI.",
    "not_allowed": "Maaf, peran Anda tidak boleh melakukan ini.",
    "already_claimed": "Kasus ini sudah diambil petugas lain.",
    "already_yours": "Kasus ini sudah Anda pegang.",
    "wrong_state": "Status kasus sudah berubah; tombol ini tidak berlaku lagi.",
    "not_found": "Tombol ini tidak berlaku.",
    "forged": "Tombol ini tidak berlaku.",
    "wrong_chat": "Tombol ini tidak berlaku di sini.",
    "bad_value": "Tombol ini tidak berlaku.",
    "not_officer_target": "Orang itu belum terdaftar sebagai petugas.",
}
DONE_TOAST = {"claim": "✅ Kasus diambil. Balas di utas kasus untuk menulis ke pekerja.",
              "esc": "⬆️ Supervisor sudah diberi tahu.", "out": "✅ Kasus ditandai selesai. Pekerja ditanya "
              "apakah masalahnya sudah selesai.", "reopen": "🔄 Kasus dibuka lagi."}
HELP = ("<b>Perintah petugas</b>\n"
        "/kasus - kasus terbuka (paling gawat dan paling lama di atas)\n"
        "/kasus PMI-2026-000123 - kartu dan riwayat satu kasus\n"
        "/catatan teks - catatan internal (di utas kasus, atau balas pesan kasus)\n"
        "/alihkan PMI-2026-000123 user_id - alihkan kasus (supervisor)\n"
        "/piket on|off - terima atau hentikan pesan darurat langsung\n"
        "/petugas - daftar petugas (admin: /petugas tambah id officer|supervisor|admin nama, /petugas hapus id)")


def group_filter(group_chat_id: int | None):
    """The officers' group, and nothing else."""
    if group_chat_id is None:
        return filters.UpdateFilter(lambda update: False)
    return filters.Chat(chat_id=group_chat_id) & filters.ChatType.GROUPS


def officer_chats(group_chat_id: int | None):
    """Where officer commands work: their private chat with the bot, and the officers' group."""
    return filters.ChatType.PRIVATE | group_filter(group_chat_id)


async def _role_and_name(context: ContextTypes.DEFAULT_TYPE, user) -> str | None:
    """The user's role; also fills in an officer's display name the first time they act."""
    svc = services(context)
    async with svc.db.transaction() as session:
        role = await role_of(session, user.id, svc.settings.admin_ids)
        officer = await session.get(Officer, user.id) if role else None
        if officer is not None and not officer.name and user.first_name:
            officer.name = user.full_name[:100]
    return role


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Answer in the same place: the private chat, or the same topic / as a reply in the officers' group."""
    message = update.effective_message
    chat = update.effective_chat
    if chat.type == "private" or message is None:
        await reply(update, text, parse_mode=ParseMode.HTML)
        return
    thread_id = message.message_thread_id if message.is_topic_message else None
    await send_html(context.bot, chat.id, text, thread_id=thread_id, reply_to=message.message_id)


def _in_officer_place(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    chat = update.effective_chat
    if chat is None:
        return False
    return chat.type == "private" or chat.id == services(context).settings.officer_group_chat_id


# --- buttons on the case card ------------------------------------------------------------------------------------

async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    svc = services(context)
    match = BUTTON.match(query.data or "")
    action = match[1] if match else "unknown"

    async def refuse(reason: str) -> None:
        log.warning("refused case button action=%s reason=%s", action, reason)
        await query.answer(REFUSALS.get(reason, REFUSALS["forged"]), show_alert=True)

    if match is None:
        await refuse("forged")
        return
    if not _in_officer_place(update, context) or (action == "note" and update.effective_chat.type == "private"):
        await refuse("wrong_chat")  # notes are written in the group, where the prompt's reply is read
        return
    role = await _role_and_name(context, query.from_user)
    if role is None:
        await refuse("not_officer")
        return
    case_id, arg = int(match[2]), match[3]
    user_id = query.from_user.id
    now = svc.clock.now()
    reference = ""
    try:
        async with svc.db.transaction() as session:
            if action == "claim":
                case = await service.claim_case(session, case_id, user_id, role, now, svc.settings)
            elif action == "esc":
                case = await service.escalate_case(session, case_id, user_id, role, now, svc.settings.admin_ids)
            elif action == "out":
                case = await service.resolve_case(session, case_id, user_id, role, arg or "", now)
            elif action == "reopen":
                case = await service.reopen_case(session, case_id, now, officer_id=user_id, role=role,
                                                 settings=svc.settings)
            else:  # note, done, back: only read, after the same checks
                service.require_role(role)
                case = await service.get_case(session, case_id)
                if case is None:
                    raise service.CaseError("not_found")
                if action == "done" and case.status not in OPEN_STATUSES:
                    raise service.CaseError("wrong_state", case.status)
            reference = case.reference
            worker = await session.get(Worker, case.worker_id)
            view = render.CaseView.of(case, worker)
            if action == "note":
                thread_id = query.message.message_thread_id if query.message and \
                    getattr(query.message, "is_topic_message", False) else None
    except service.CaseError as err:
        await refuse(err.code)
        return
    await query.answer(DONE_TOAST.get(action))
    if action == "note":
        prompt = await send_html(
            context.bot, update.effective_chat.id,
            f"📝 Tulis catatan untuk {esc(reference)}: <b>balas (reply) pesan ini</b>. Catatan hanya untuk petugas, "
            f"tidak dikirim ke pekerja.", thread_id=thread_id,
            reply_to=None if thread_id else (query.message.message_id if query.message else None))
        async with svc.db.transaction() as session:
            await service.remember_prompt(session, prompt.chat_id, prompt.message_id, case_id, user_id, "note", now)
        return
    if action in ("done", "back"):
        markup = render.outcome_markup(view) if action == "done" else render.card_markup(
            view, private=update.effective_chat.type == "private")
        try:
            await query.edit_message_reply_markup(markup)
        except Exception:
            log.debug("could not change the card buttons", exc_info=True)
        return
    await notify_officers_pending(svc, context.bot, case_id=case_id)
    await refresh_case_messages(svc, context.bot, case_id)


# --- messages in the officers' group --------------------------------------------------------------------------------

async def _case_of_group_message(session, message: Message) -> tuple[Case | None, object | None]:
    """(case, note prompt) a group message belongs to: a reply to a note prompt, a message in a case topic,
    or a reply to a case's card or relayed message."""
    replied = message.reply_to_message
    if replied is not None:
        prompt = await service.prompt_of(session, message.chat_id, replied.message_id)
        if prompt is not None:
            return await session.get(Case, prompt.case_id), prompt
    if message.is_topic_message and message.message_thread_id:
        case = await service.case_of_thread(session, message.chat_id, message.message_thread_id)
        if case is not None:
            return case, None
    if replied is not None:
        return await service.case_of_officer_message(session, message.chat_id, replied.message_id), None
    return None, None


MAPPING_WAIT = 3.0  # seconds


async def _wait_for_mapping(context: ContextTypes.DEFAULT_TYPE, message: Message) -> None:
    """A reply to a message the bot sent a moment ago can arrive before the bot has stored which case that
    message belongs to. Wait briefly for it instead of treating the reply as talk between officers."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return
    svc = services(context)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + MAPPING_WAIT
    while loop.time() < deadline:
        async with svc.db.transaction() as session:
            case, _ = await _case_of_group_message(session, message)
        if case is not None:
            return
        await asyncio.sleep(0.05)


async def on_group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An officer writes in a case's thread (topic, or a reply to the card or a relayed message): the message
    goes to the worker. Messages of non-officers and talk outside case threads are ignored."""
    svc = services(context)
    message = update.effective_message
    user = message.from_user if message else None
    if message is None or user is None or user.is_bot:
        return
    role = await _role_and_name(context, user)
    if role is None:
        log.info("ignored a message in the officers' group from someone who is not an officer")
        return
    notice = None
    relayed_case = None
    refresh = False
    await _wait_for_mapping(context, message)
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        case, prompt = await _case_of_group_message(session, message)
        if case is None:
            return
        if prompt is not None:
            text = message.text or message.caption or ""
            if text.strip():
                await service.add_note(session, case.id, user.id, role, text, now)
                notice = f"📝 Catatan untuk {esc(case.reference)} disimpan (tidak dikirim ke pekerja)."
        elif case.status not in OPEN_STATUSES:
            notice = (f"⚠️ Kasus {esc(case.reference)} sudah {esc(render.STATUS_OFFICER[case.status].split(' ')[1])}"
                      f"; pesan ini <b>tidak</b> dikirim ke pekerja. Tekan 🔄 Buka lagi di kartu kasus dulu.")
        else:
            was_new = case.status == "new"
            try:
                await service.record_officer_message(
                    session, case, user.id, role,
                    service.IncomingMessage(message.chat_id, message.message_id, message_kind(message),
                                            message.text or message.caption), now, svc.settings)
            except service.CaseError as err:
                notice = REFUSALS.get(err.code, REFUSALS["forged"])
            else:
                relayed_case = case.id
                refresh = was_new
    if notice:
        await answer(update, context, notice)
    if relayed_case is not None:
        await notify_officers_pending(svc, context.bot, case_id=relayed_case)
        if refresh:
            await refresh_case_messages(svc, context.bot, relayed_case)


async def on_group_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An officer edited a message already relayed to the worker: edit the worker's copy too."""
    svc = services(context)
    message = update.edited_message
    if message is None or message.from_user is None:
        return
    if await _role_and_name(context, message.from_user) is None:
        log.info("ignored an edit in the officers' group from someone who is not (or no longer) an officer")
        return
    async with svc.db.transaction() as session:
        relay = await service.relay_of_source(session, "out", message.chat_id, message.message_id)
        if relay is None:
            return
        case = await service.record_edit(session, relay, message.text or message.caption or "", svc.clock.now(),
                                         service.actor_of(message.from_user.id))
        worker = await session.get(Worker, case.worker_id) if case else None
        relay_id = relay.id
        lang = worker.language if worker else "id"
        reference = case.reference if case else ""
    target = await delivered_copy(svc, relay_id)
    if target is None:
        return  # not delivered yet: the pending copy is sent with the new text
    header = t("officer_header", lang, ref=reference)
    try:
        if message.text is not None:
            await context.bot.edit_message_text(split_message(header + "\n\n" + esc(message.text))[0],
                                                chat_id=target[0], message_id=target[1], parse_mode=ParseMode.HTML)
        elif message.caption is not None:
            await context.bot.edit_message_caption(chat_id=target[0], message_id=target[1],
                                                   caption=(header + "\n\n" + esc(message.caption))[:1024],
                                                   parse_mode=ParseMode.HTML)
    except Exception as err:
        log.info("could not edit the worker's copy: %s", err.__class__.__name__)


# --- commands ------------------------------------------------------------------------------------------------------

async def _officer_or_refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    role = await _role_and_name(context, update.effective_user)
    if role is None:
        if update.effective_chat.type == "private":
            await answer(update, context, t("only_officers", "id"))
        return None
    return role


async def cases_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/kasus: open cases by severity then age. /kasus <ref>: one case's card and timeline."""
    if await _officer_or_refuse(update, context) is None:
        return
    svc = services(context)
    now = svc.clock.now()
    argument = " ".join(context.args or [])
    if argument:
        reference = service.parse_reference(argument)
        async with svc.db.transaction() as session:
            case = await service.case_by_reference(session, reference) if reference else None
            if case is None:
                text = "Kasus itu tidak ditemukan. Contoh: /kasus PMI-2026-000123"
            else:
                worker = await session.get(Worker, case.worker_id)
                names = {o.telegram_user_id: o.name or f"petugas {o.telegram_user_id}"
                         for o in await officer_service.list_officers(session)}
                view = render.CaseView.of(case, worker, names.get(case.assignee_id) if case.assignee_id else None)
                events = await service.timeline(session, case.id)
                text = render.card_text(view, svc.kb) + "\n\n<b>Riwayat</b>\n" + "\n".join(
                    _event_line(e, names) for e in events)
        await answer(update, context, text)
        return
    async with svc.db.transaction() as session:
        cases = await service.open_cases(session, limit=50)
        names = {o.telegram_user_id: o.name or f"petugas {o.telegram_user_id}"
                 for o in await officer_service.list_officers(session)}
        lines = [f"<b>Kasus terbuka ({len(cases)})</b>"]
        for case in cases:
            worker = await session.get(Worker, case.worker_id)
            who = names.get(case.assignee_id, f"petugas {case.assignee_id}") if case.assignee_id else "belum diambil"
            place = render.country_name(worker.country, worker.country_other, svc.kb) if worker else None
            lines.append(f"{render.SEVERITY_ICON.get(case.severity, '')} <b>{esc(case.reference)}</b> · "
                         f"{esc(render.category_label(case.category))} · {esc(who)} · "
                         f"{render.fmt_age(now, case.created_at)}" + (f" · {esc(place)}" if place else ""))
    if len(lines) == 1:
        lines.append("Tidak ada kasus terbuka. 👍")
    await answer(update, context, "\n".join(lines))


def _event_line(event, names: dict[int, str]) -> str:
    actor = event.actor
    if actor.startswith("officer:"):
        officer_id = int(actor.split(":", 1)[1])
        actor = names.get(officer_id, f"petugas {officer_id}")
    elif actor == "worker":
        actor = "pekerja"
    elif actor == "system":
        actor = "sistem"
    label = render.EVENT_LABELS.get(event.kind, event.kind)
    data = event.data or {}
    extra = ""
    if data.get("text"):
        snippet = data["text"][:200] + ("…" if len(data["text"]) > 200 else "")
        extra = f": “{esc(snippet)}”"
    elif data.get("message_kind") and data["message_kind"] != "text":
        extra = f": [{esc(data['message_kind'])}]"
    elif data.get("outcome"):
        extra = f": {esc(render.OUTCOMES_OFFICER.get(data['outcome'], data['outcome']))}"
    elif data.get("level"):
        extra = f": peringatan ke-{int(data['level'])}"
    elif data.get("after"):
        extra = f": {esc(data.get('before'))} → {esc(data['after'])}"
    return f"{render.fmt_time(event.at)[:-4]} · {esc(actor)} · {esc(label)}{extra}"


async def note_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/catatan <text> in a case topic or as a reply to a case message; /catatan <ref> <text> anywhere."""
    role = await _officer_or_refuse(update, context)
    if role is None:
        return
    svc = services(context)
    message = update.effective_message
    words = list(context.args or [])
    reference = service.parse_reference(words[0]) if words else None
    if reference:
        words = words[1:]
    text = " ".join(words).strip()
    if not text:
        await answer(update, context, "Tulis catatannya setelah perintah, contoh: /catatan sudah telepon agen")
        return
    async with svc.db.transaction() as session:
        if reference:
            case = await service.case_by_reference(session, reference)
        elif update.effective_chat.type != "private":
            case, _ = await _case_of_group_message(session, message)
        else:
            case = None
        if case is None:
            result = "Kasusnya tidak ketemu. Tulis di utas kasus, balas pesan kasus, atau: /catatan PMI-2026-000123 teks"
        else:
            await service.add_note(session, case.id, update.effective_user.id, role, text, svc.clock.now())
            result = f"📝 Catatan untuk {esc(case.reference)} disimpan (tidak dikirim ke pekerja)."
    await answer(update, context, result)


async def reassign_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/alihkan <ref> <officer user id> (supervisor, admin)."""
    role = await _officer_or_refuse(update, context)
    if role is None:
        return
    svc = services(context)
    args = context.args or []
    reference = service.parse_reference(args[0]) if args else None
    if not reference or len(args) < 2 or not args[1].isdigit():
        await answer(update, context, "Contoh: /alihkan PMI-2026-000123 123456789")
        return
    try:
        async with svc.db.transaction() as session:
            case = await service.case_by_reference(session, reference)
            if case is None:
                raise service.CaseError("not_found")
            await service.reassign_case(session, case.id, int(args[1]), update.effective_user.id, role,
                                        svc.clock.now(), svc.settings)
            case_id = case.id
    except service.CaseError as err:
        log.warning("refused reassign: %s", err.code)
        await answer(update, context, REFUSALS.get("not_officer_target" if err.code == "not_officer" else err.code,
                                                   REFUSALS["forged"]))
        return
    await answer(update, context, f"📌 {esc(reference)} dialihkan.")
    await notify_officers_pending(svc, context.bot, case_id=case_id)
    await refresh_case_messages(svc, context.bot, case_id)


async def officers_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/petugas (list), /petugas tambah <id> <officer|supervisor|admin> [nama], /petugas hapus <id> (admins)."""
    role = await _officer_or_refuse(update, context)
    if role is None:
        return
    svc = services(context)
    args = context.args or []
    if args and args[0].lower() in ("tambah", "add", "hapus", "remove", "del"):
        if role != "admin":
            log.warning("refused officer management: not an admin")
            await answer(update, context, "Maaf, hanya admin yang bisa mengubah daftar petugas.")
            return
        if len(args) < 2 or not args[1].isdigit():
            await answer(update, context, "Contoh: /petugas tambah 123456789 officer Budi   ·   /petugas hapus 123456789")
            return
        user_id = int(args[1])
        try:
            async with svc.db.transaction() as session:
                if args[0].lower() in ("tambah", "add"):
                    new_role = (args[2].lower() if len(args) > 2 else "officer")
                    officer = await officer_service.add_officer(session, user_id, new_role, svc.clock.now(),
                                                                " ".join(args[3:]))
                    result = f"✅ {user_id} sekarang {esc(officer.role)}."
                else:
                    removed = await officer_service.remove_officer(session, user_id, svc.settings.admin_ids)
                    result = f"✅ {user_id} dihapus dari petugas." if removed else f"{user_id} bukan petugas."
        except service.CaseError as err:
            result = ("Admin dari konfigurasi tidak bisa dihapus di sini (ubah ADMIN_IDS)."
                      if err.code == "bootstrap_admin" else
                      "Peran harus officer, supervisor atau admin; id harus angka user Telegram.")
        await answer(update, context, result)
        return
    async with svc.db.transaction() as session:
        rows = await officer_service.list_officers(session)
        lines = ["<b>Petugas</b>"]
        for officer in rows:
            duty = "🟢 piket" if officer.on_duty else "⚪ tidak piket"
            lines.append(f"{officer.telegram_user_id} · {esc(officer.name or '-')} · {esc(officer.role)} · {duty}")
        for admin in sorted(svc.settings.admin_ids):
            if admin not in {o.telegram_user_id for o in rows}:
                lines.append(f"{admin} · admin (dari konfigurasi)")
    lines.append("")
    lines.append(HELP)
    await answer(update, context, "\n".join(lines))


async def duty_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/piket on|off: receive (or stop) direct emergency alerts."""
    if await _officer_or_refuse(update, context) is None:
        return
    svc = services(context)
    args = [a.lower() for a in context.args or []]
    async with svc.db.transaction() as session:
        officer = await session.get(Officer, update.effective_user.id)
        if officer is None:
            result = "Anda admin dari konfigurasi. Tambahkan diri Anda: /petugas tambah &lt;id Anda&gt; admin"
        elif not args:
            result = "Anda sedang " + ("piket 🟢" if officer.on_duty else "tidak piket ⚪") + ". /piket on atau /piket off"
        elif args[0] in ("on", "ya", "mulai"):
            await officer_service.set_on_duty(session, officer.telegram_user_id, True)
            result = "🟢 Anda piket: pesan darurat dikirim langsung ke Anda."
        elif args[0] in ("off", "tidak", "selesai"):
            await officer_service.set_on_duty(session, officer.telegram_user_id, False)
            result = "⚪ Anda tidak piket: pesan darurat langsung tidak dikirim ke Anda."
        else:
            result = "/piket on atau /piket off"
    await answer(update, context, result)
