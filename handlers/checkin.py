"""Safety check-ins in the chat: the Aman / Butuh bantuan buttons, /checkin for the worker, /checkins for officers.

Button data:
  ck:ok:<checkin id>, ck:help:<checkin id>      answers to a check-in or its reminder
  cks:menu | cks:on | cks:freq[:<frequency>] | cks:time[:<HHMM>] | cks:pause[:<days>] | cks:resume |
  cks:home[:yes|:no]
/checkin takes words too: `/checkin jeda 7`, `/checkin jam 09:30`, `/checkin lanjut`, `/checkin mati`,
`/checkin pulang` (and the English pause / time / resume / off / home).
"""
from __future__ import annotations

import logging
import re
from datetime import datetime

from telegram import Update
from telegram.ext import (
    Application, ChatMemberHandler, CommandHandler, ContextTypes, filters,
)

from bot.checkins import schedule as sched
from bot.checkins import service as checkins
from bot.checkins.models import ANSWER_HELP, ANSWER_OK
from bot.checkins.sender import Outgoing
from bot.checkins.service import ControlError, Outbound, Policy
from bot.config import FREQUENCIES
from bot.workers import service as workers
from bot.workers.models import Worker
from handlers.common import WorkerButtonHandler, inline, main_keyboard, reply, services
from handlers.texts import FREQUENCY_LABELS, t

log = logging.getLogger(__name__)

PAUSE_CHOICES = (3, 7, 14, 30)
DAYS = {"id": ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"),
        "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
MONTHS = {"id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
          "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")}


def _policy(context) -> Policy:
    return Policy.from_settings(services(context).settings)


def local_when(moment: datetime | None, zone_name: str, lang: str) -> str:
    """"Sel 6 Jan 10:07" in the worker's own time zone."""
    if moment is None:
        return "-"
    local = moment.astimezone(sched.zone(zone_name))
    lang = lang if lang in DAYS else "id"
    return f"{DAYS[lang][local.weekday()]} {local.day} {MONTHS[lang][local.month - 1]} {local:%H:%M}"


# --- the message the sweep sends ------------------------------------------------------------------------------

def answer_keyboard(checkin_id: int, lang: str):
    return inline([[(t("ck_btn_safe", lang), f"ck:ok:{checkin_id}"),
                    (t("ck_btn_help", lang), f"ck:help:{checkin_id}")]])


def render_outbound(item: Outbound) -> Outgoing:
    """The check-in question or its reminder, in the worker's language, with the two answer buttons."""
    key = "ck_question" if item.kind == "checkin" else "ck_reminder"
    return Outgoing(key=item.checkin_id, chat_id=item.chat_id, text=t(key, item.language),
                    reply_markup=answer_keyboard(item.checkin_id, item.language))


# --- answers --------------------------------------------------------------------------------------------------

async def _notify_late(session, case_ids, answer: str, now) -> None:
    """A check-in that was escalated got its answer after all: note it on the welfare case."""
    if not case_ids:
        return
    from bot.cases import service as cases

    text = ("Pekerja menjawab cek keamanan: Aman. / The worker answered the check-in: safe." if answer == ANSWER_OK
            else "Pekerja menjawab cek keamanan: butuh bantuan. / The worker answered the check-in: needs help.")
    for case_id in sorted(set(case_ids)):
        case = await cases.get_case(session, case_id)
        if case is not None:
            await cases.add_event(session, case, "note", now, "system", text=text, checkin_answer=answer)


async def pending_for(context: ContextTypes.DEFAULT_TYPE, worker_id: int) -> bool:
    """Whether the worker has a check-in waiting for an answer (the router reads free text with this)."""
    svc = services(context)
    async with svc.db.transaction() as session:
        return await checkins.pending_checkin(session, worker_id, svc.clock.now()) is not None


async def record(context: ContextTypes.DEFAULT_TYPE, worker_id: int, answer: str,
                 checkin_id: int | None = None) -> checkins.Answer:
    svc = services(context)
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        result = await checkins.record_answer(session, worker_id, answer, now, checkin_id)
        await _notify_late(session, result.late_case_ids, answer, now)
    return result


async def answer_ok_text(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str) -> None:
    """Free text routed checkin_ok ("aman", "sy baik2 aja"): record it if a check-in waits, and thank them."""
    svc = services(context)
    async with svc.db.transaction() as session:
        worker, _ = await workers.get_or_create(session, update.effective_user.id, update.effective_chat.id,
                                                svc.clock.now())
        worker_id = worker.id
    result = await record(context, worker_id, ANSWER_OK)
    await _remove_buttons(context, update.effective_chat.id, result.message_ids)
    text = t("ck_late_thanks", lang) if result.late_case_ids else t("checkin_ok", lang)
    await reply(update, text, reply_markup=main_keyboard(lang))


async def record_help_route(context: ContextTypes.DEFAULT_TYPE, worker_id: int) -> None:
    """Free text routed case/emergency while a check-in waits: the answer is "needs help" (the route's own
    path - intake or emergency - runs as usual)."""
    await record(context, worker_id, ANSWER_HELP)


async def _remove_buttons(context, chat_id: int, message_ids) -> None:
    for message_id in message_ids:
        try:
            await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
        except Exception:  # too old or already edited: the answer is recorded, that is what matters
            log.debug("could not remove check-in buttons", exc_info=True)


async def on_answer_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ck:ok:<id> / ck:help:<id>: the worker pressed Aman or Butuh bantuan."""
    query = update.callback_query
    svc = services(context)
    match = re.fullmatch(r"ck:(ok|help):(\d{1,18})", query.data or "")
    async with svc.db.transaction() as session:
        worker, _ = await workers.get_or_create(session, query.from_user.id, update.effective_chat.id,
                                                svc.clock.now())
        worker_id, lang = worker.id, worker.language
        country = worker.country if worker.consent else None
    if match is None:
        log.warning("refused forged check-in button data")
        await query.answer(t("stale_button", lang))
        return
    answer = ANSWER_OK if match[1] == "ok" else ANSWER_HELP
    result = await record(context, worker_id, answer, int(match[2]))
    if result.checkin_id is None:
        log.warning("refused a check-in button for another worker's check-in")
        await query.answer(t("stale_button", lang))
        return
    await query.answer()
    try:
        await query.edit_message_reply_markup(None)
    except Exception:
        log.debug("could not remove the pressed check-in buttons", exc_info=True)
    others = [m for m in result.message_ids if query.message is None or m != query.message.message_id]
    await _remove_buttons(context, update.effective_chat.id, others)
    if answer == ANSWER_OK:
        if result.already:
            await reply(update, t("ck_already", lang), reply_markup=main_keyboard(lang))
        else:
            key = "ck_late_thanks" if result.late_case_ids else "checkin_ok"
            await reply(update, t(key, lang), reply_markup=main_keyboard(lang))
        return
    await start_help(update, context, lang, country)


async def start_help(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str, country: str | None) -> None:
    """"Butuh bantuan": start the guided report (handlers/case_intake.py), as if they had reported a problem.
    Should they stop half-way, the sweep still opens a welfare case (service.follow_up_help)."""
    from handlers import case_intake

    await reply(update, t("ck_help_start", lang))
    await case_intake.start(update, context, "other", lang, country)


# --- /checkin: see and change ---------------------------------------------------------------------------------

def _settings_keyboard(view: checkins.View, lang: str):
    if view.frequency == "off":
        return inline([[(t("ck_btn_turn_on", lang), "cks:on")]])
    pause_or_resume = (t("ck_btn_resume", lang), "cks:resume") if view.paused_until else (t("ck_btn_pause", lang),
                                                                                           "cks:pause")
    return inline([[(t("ck_btn_frequency", lang), "cks:freq"), (t("ck_btn_time", lang), "cks:time")],
                   [pause_or_resume, (t("ck_btn_home", lang), "cks:home")]])


def _settings_text(view: checkins.View, lang: str) -> str:
    if view.ended and view.frequency == "off":
        state = t("ck_state_ended", lang)
    elif view.frequency == "off":
        state = t("ck_state_off", lang)
    elif view.paused_until:
        state = t("ck_state_paused", lang, when=local_when(view.paused_until, view.timezone, lang))
    else:
        state = t("ck_state_next", lang, when=local_when(view.next_due_at, view.timezone, lang))
    return t("ck_settings", lang, frequency=FREQUENCY_LABELS[view.frequency][lang], time=view.local_time,
             zone=view.timezone, state=state)


async def checkin_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/checkin [jeda N | jam HH:MM | lanjut | mati | pulang]: show the schedule, or change it in words."""
    svc = services(context)
    words = [w.lower() for w in (context.args or [])]
    text, markup = None, None
    async with svc.db.transaction() as session:
        worker, _ = await workers.get_or_create(session, update.effective_user.id, update.effective_chat.id,
                                                svc.clock.now())
        lang = worker.language
        if not worker.consent:
            text = t("ck_needs_consent", lang)
        elif not words:
            text, markup = await _show(session, worker, svc)
        else:
            text, markup = await _apply_words(session, worker, words, svc)
    await reply(update, text, reply_markup=markup or main_keyboard(lang))


async def _show(session, worker: Worker, svc):
    view = await checkins.view(session, worker, Policy.from_settings(svc.settings), svc.kb, svc.clock.now())
    lang = worker.language
    return _settings_text(view, lang), _settings_keyboard(view, lang)


async def _apply_words(session, worker: Worker, words: list[str], svc):
    lang = worker.language
    action, rest = words[0], words[1:]
    if action in ("jeda", "pause", "cuti") and rest and rest[0].isdigit():
        return await _apply(session, worker, "pause", rest[0], svc)
    if action in ("jam", "time", "waktu") and rest:
        return await _apply(session, worker, "time", rest[0].replace(".", ":").replace(":", ""), svc)
    if re.fullmatch(r"\d{1,2}[:.]\d{2}", action):
        return await _apply(session, worker, "time", action.replace(".", ":").replace(":", ""), svc)
    if action in ("lanjut", "lanjutkan", "resume", "mulai"):
        return await _apply(session, worker, "resume", "", svc)
    if action in ("mati", "off", "stop", "berhenti"):
        return await _apply(session, worker, "freq", "off", svc)
    if action in ("pulang", "home"):
        return await _apply(session, worker, "home", "", svc)
    return t("ck_not_understood", lang), None


async def on_settings_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    svc = services(context)
    _, _, rest = (query.data or "").partition(":")
    kind, _, value = rest.partition(":")
    async with svc.db.transaction() as session:
        worker, _ = await workers.get_or_create(session, query.from_user.id, update.effective_chat.id,
                                                svc.clock.now())
        lang = worker.language
        if not worker.consent:
            text, markup = t("ck_needs_consent", lang), None
        else:
            text, markup = await _apply(session, worker, kind, value, svc)
    await query.answer()
    try:
        await query.edit_message_reply_markup(None)
    except Exception:
        log.debug("could not remove the old settings buttons", exc_info=True)
    await reply(update, text, reply_markup=markup or main_keyboard(lang))


async def _apply(session, worker: Worker, kind: str, value: str, svc):
    """One change (from a button or from words). Returns (text, keyboard)."""
    lang = worker.language
    policy = Policy.from_settings(svc.settings)
    now = svc.clock.now()
    kb = svc.kb
    try:
        if kind == "menu":
            return await _show(session, worker, svc)
        if kind == "on":  # turn on with the default frequency from config.yml; "How often" changes it
            default = svc.settings.checkin.default_frequency
            await checkins.set_frequency(session, worker, default if default != "off" else "daily", policy, kb, now)
            return await _show(session, worker, svc)
        if kind == "freq" and not value:
            return t("ck_choose_frequency", lang), inline([[(FREQUENCY_LABELS[f][lang], f"cks:freq:{f}")]
                                                           for f in FREQUENCIES])
        if kind == "freq":
            schedule = await checkins.set_frequency(session, worker, value, policy, kb, now)
            if value == "off":
                return t("ck_turned_off", lang), None
            return t("ck_saved", lang, when=local_when(schedule.next_due_at if schedule else None,
                                                      schedule.timezone if schedule else sched.FALLBACK_TIMEZONE,
                                                      lang)), None
        if kind == "time" and not value:
            zone = sched.timezone_for(worker.country, worker.city, kb)
            times = checkins.allowed_times(policy)
            rows = [[(hhmm, f"cks:time:{hhmm.replace(':', '')}") for hhmm in times[i:i + 4]]
                    for i in range(0, len(times), 4)]
            return t("ck_choose_time", lang, zone=zone), inline(rows)
        if kind == "time":
            if not re.fullmatch(r"\d{3,4}", value):
                raise ControlError(f"bad time {value!r}")
            hhmm = f"{int(value[:-2]):02d}:{value[-2:]}"
            if sched.parse_hhmm(hhmm, None) is None:
                raise ControlError(f"bad time {value!r}")
            if policy.quiet.contains(sched.parse_hhmm(hhmm, None)):
                return t("ck_time_quiet", lang, start=policy.quiet.start.strftime("%H:%M"),
                         end=policy.quiet.end.strftime("%H:%M")), None
            schedule = await checkins.set_time(session, worker, hhmm, policy, kb, now)
            if schedule is None or schedule.next_due_at is None:
                return await _show(session, worker, svc)  # saved; check-ins are off, so say so
            return t("ck_saved", lang, when=local_when(schedule.next_due_at, schedule.timezone, lang)), None
        if kind == "pause" and not value:
            return t("ck_choose_pause", lang), inline([[(t("ck_days", lang, n=n), f"cks:pause:{n}")
                                                        for n in PAUSE_CHOICES]])
        if kind == "pause":
            if not value.isdigit() or not 1 <= int(value) <= checkins.MAX_PAUSE_DAYS:
                return t("ck_pause_range", lang, max=checkins.MAX_PAUSE_DAYS), None
            schedule = await checkins.pause(session, worker, int(value), policy, kb, now)
            return t("ck_paused", lang, when=local_when(schedule.paused_until, schedule.timezone, lang)), None
        if kind == "resume":
            schedule = await checkins.resume(session, worker, policy, kb, now)
            return t("ck_resumed", lang, when=local_when(schedule.next_due_at, schedule.timezone, lang)), None
        if kind == "home" and not value:
            return t("ck_home_confirm", lang), inline([[(t("ck_home_yes", lang), "cks:home:yes")],
                                                       [(t("ck_home_no", lang), "cks:home:no")]])
        if kind == "home" and value == "yes":
            await checkins.go_home(session, worker, policy, kb, now)
            return t("ck_home_done", lang), None
        if kind == "home" and value == "no":
            return t("ck_home_cancelled", lang), None
    except ControlError as err:
        log.info("check-in change refused: %s", err)
        if worker.checkin_frequency == "off":
            return await _show(session, worker, svc)
        return t("stale_button", lang), None
    log.warning("refused unknown check-in settings data %r", kind)
    return t("stale_button", lang), None


# --- officers -------------------------------------------------------------------------------------------------

async def officer_summary_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/checkins in the officers' group (or an officer's private chat): today's round at a glance."""
    svc = services(context)
    chat = update.effective_chat
    in_group = svc.settings.officer_group_chat_id is not None and chat.id == svc.settings.officer_group_chat_id
    async with svc.db.transaction() as session:
        role = await workers.role_of(session, update.effective_user.id, svc.settings.admin_ids)
        if role is None or (chat.type != "private" and not in_group):
            summary = None
        else:
            summary = await checkins.summary(session, svc.clock.now(), Policy.from_settings(svc.settings))
    if summary is None:
        if chat.type == "private" or in_group:
            await reply(update, t("ck_officers_only", "id"))
        return
    zone = svc.settings.checkin.officer_timezone
    day = local_when(summary.day_start, zone, "id").rsplit(" ", 1)[0]
    await reply(update, t("ck_officer_summary", "id", day=day, zone=zone, due=summary.due_today, sent=summary.sent,
                          ok=summary.answered_ok, help=summary.answered_help, waiting=summary.waiting,
                          missed=summary.missed, escalated=summary.escalated, unreachable=summary.unreachable,
                          to_send=summary.still_to_send, active=summary.active, paused=summary.paused))


# --- the worker blocked (or unblocked) the bot ----------------------------------------------------------------

async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Telegram says a private chat blocked the bot: the worker is unreachable, a welfare signal."""
    member = update.my_chat_member
    if member is None or member.chat.type != "private":
        return
    svc = services(context)
    from sqlalchemy import select

    from bot.checkins.welfare import case_opener

    now = svc.clock.now()
    status = member.new_chat_member.status
    case_id = None
    async with svc.db.transaction() as session:
        worker = await session.scalar(select(Worker).where(Worker.telegram_user_id == member.from_user.id))
        if worker is None:
            return
        if status in ("kicked", "left"):
            case_id = await checkins.worker_blocked(session, worker, Policy.from_settings(svc.settings), now,
                                                    case_opener(svc.settings))
        elif status == "member" and worker.status == "blocked_bot":
            worker.status = "active"
            await checkins.sync_worker(session, worker, Policy.from_settings(svc.settings), svc.kb, now)
    if case_id is not None:
        log.info("worker blocked the bot: welfare case %s", case_id)


def register(application: Application) -> None:
    """Add the check-in handlers (before the catch-all button handler)."""
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("checkin", checkin_command, filters=private))
    application.add_handler(CommandHandler("checkins", officer_summary_command))
    application.add_handler(WorkerButtonHandler(on_answer_button, pattern=r"^ck:"))
    application.add_handler(WorkerButtonHandler(on_settings_button, pattern=r"^cks:"))
    application.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER), group=1)
