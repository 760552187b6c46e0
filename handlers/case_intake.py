"""The guided report (intake) in the worker's chat: one short question at a time, answers kept in the database.

Button data: ci:<step>:<value> (answers), ci:send (send now / send the checked report), ci:edit:<field> (from
the read-back), ci:consent:<yes|no>. A button that does not fit the current step is stale: refused politely,
and the current question is asked again. /batal stops the questions and sends what was given.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.cases import intake as intakes
from bot.cases.models import CATEGORIES
from bot.cases.service import first_response_minutes
from bot.workers import service as workers
from bot.workers.models import Worker
from handlers import emergency
from handlers.case_delivery import chat_lock, message_kind, notify_officers_pending
from handlers.case_render import category_label, wait_label
from handlers.common import inline, main_keyboard, reply, services
from handlers.onboarding import country_label
from handlers.texts import SINCE_LABELS, Raw, esc, t

log = logging.getLogger(__name__)

BUTTON = re.compile(r"^ci:(send|consent|cat|what|since|where|employer|safe|contact|share|edit)(?::([a-z_]{1,20}))?$")
EVIDENCE_KINDS = ("photo", "document", "voice", "video", "video_note", "audio", "location", "venue", "contact",
                  "animation")
QUOTE_LIMIT = 300


@dataclass(frozen=True)
class IntakeView:
    """The intake and what the questions need of the worker, detached from the session."""

    step: str
    category: str
    severity: str
    answers: dict[str, Any]
    evidence: int
    lang: str
    place: str | None
    country: str | None = None

    @classmethod
    def of(cls, draft, worker: Worker, kb) -> "IntakeView":
        place = None
        if worker.consent and worker.country:
            place = country_label(worker, worker.language, kb) + (f", {worker.city}" if worker.city else "")
        return cls(step=draft.step, category=draft.category, severity=draft.severity,
                   answers=dict(draft.answers or {}), evidence=len(draft.evidence or []), lang=worker.language,
                   place=place, country=worker.country if worker.consent else None)


# --- questions -------------------------------------------------------------------------------------------------

def _send_now_row(lang: str) -> list[tuple[str, str]]:
    return [(t("intake_send_now", lang), "ci:send")]


def question(view: IntakeView) -> tuple[str, Any]:
    """(HTML text, buttons) of the current step."""
    lang, step = view.lang, view.step
    skip = (t("skip", lang))
    if step == intakes.CONSENT:
        return t("intake_consent", lang), inline([[(t("intake_consent_yes", lang), "ci:consent:yes"),
                                                    (t("intake_consent_no", lang), "ci:consent:no")]])
    if step == intakes.CATEGORY and view.category == "other":
        rows = _category_rows(lang, exclude="other")
        return t("intake_category_other", lang), inline(rows + [[(t("intake_next", lang), "ci:cat:ok")],
                                                                _send_now_row(lang)])
    if step == intakes.CATEGORY:
        label = category_label(view.category, lang)
        return t("intake_category", lang, category=label), inline([
            [(t("intake_category_yes", lang), "ci:cat:ok"), (t("intake_category_change", lang), "ci:cat:change")],
            _send_now_row(lang)])
    if step == intakes.WHAT:
        source = view.answers.get("source_text")
        if source and not view.answers.get("what") and not view.answers.get("_editing"):
            quoted = source[:QUOTE_LIMIT] + ("…" if len(source) > QUOTE_LIMIT else "")
            return t("intake_what_more", lang, text=quoted), inline([[(t("intake_next", lang), "ci:what:skip")],
                                                                      _send_now_row(lang)])
        return t("intake_what", lang), inline([_send_now_row(lang)])
    if step == intakes.SINCE:
        choices = [(SINCE_LABELS[c][lang], f"ci:since:{c}") for c in intakes.SINCE_CHOICES]
        return t("intake_since", lang), inline([choices[:2], choices[2:], [(skip, "ci:since:skip")],
                                                _send_now_row(lang)])
    if step == intakes.WHERE:
        if view.place:
            return t("intake_where_profile", lang, place=view.place), inline([
                [(t("intake_category_yes", lang), "ci:where:ok"), (skip, "ci:where:skip")], _send_now_row(lang)])
        return t("intake_where", lang), inline([[(skip, "ci:where:skip")], _send_now_row(lang)])
    if step == intakes.EMPLOYER:
        return t("intake_employer", lang), inline([[(skip, "ci:employer:skip")], _send_now_row(lang)])
    if step == intakes.SAFE:
        return t("intake_safe", lang), inline([[(t("intake_safe_yes", lang), "ci:safe:yes"),
                                                (t("intake_safe_no", lang), "ci:safe:no")], _send_now_row(lang)])
    if step == intakes.CONTACT:
        return t("intake_contact", lang), inline([[(t("yes_allow", lang), "ci:contact:yes"),
                                                   (t("no_deny", lang), "ci:contact:no")], _send_now_row(lang)])
    if step == intakes.SHARE:
        return t("intake_share", lang), inline([[(t("yes_allow", lang), "ci:share:yes"),
                                                 (t("no_deny", lang), "ci:share:no")], _send_now_row(lang)])
    return t("intake_confirm", lang, summary=Raw(read_back(view))), inline([
        [(t("intake_send", lang), "ci:send")],
        [(t("intake_edit_what", lang), "ci:edit:what"), (t("intake_edit_since", lang), "ci:edit:since"),
         (t("intake_edit_where", lang), "ci:edit:where")],
        [(t("intake_edit_employer", lang), "ci:edit:employer"), (t("intake_edit_category", lang), "ci:edit:category"),
         (t("intake_edit_share", lang), "ci:edit:share")]])


def read_back(view: IntakeView) -> str:
    """The worker's answers in their words, escaped, for the confirmation step."""
    lang, a = view.lang, view.answers
    dash = "-"

    def yes_no(value):
        return t("word_yes", lang) if value is True else t("word_no", lang) if value is False else dash

    what = intakes.story(a) or dash
    since = SINCE_LABELS.get(a.get("since") or "", {}).get(lang) or a.get("since") or dash
    where = view.place if a.get("where") == "profile" else (a.get("where") or dash)
    return t("intake_summary", lang, category=category_label(view.category, lang), what=what[:1500], since=since,
             where=where or dash, employer=a.get("employer") or dash, safe=yes_no(a.get("safe_now")),
             contact=yes_no(a.get("contact_ok")), share=yes_no(a.get("share_consent")),
             evidence=Raw(t("word_files", lang, n=view.evidence)))


def _category_rows(lang: str, exclude: str | None = None) -> list[list[tuple[str, str]]]:
    buttons = [(category_label(c, lang), f"ci:cat:{c}") for c in CATEGORIES if c != exclude]
    return [buttons[i:i + 2] for i in range(0, len(buttons), 2)]


def _category_picker(lang: str):
    return inline(_category_rows(lang))


async def _ask(update: Update, view: IntakeView) -> None:
    text, markup = question(view)
    await reply(update, text, reply_markup=markup, parse_mode=ParseMode.HTML)


# --- entry points --------------------------------------------------------------------------------------------

async def start(update: Update, context: ContextTypes.DEFAULT_TYPE, category: str, lang: str,
                country: str | None) -> None:
    """A message routed to `case` (or a "report a problem" button): begin the report, or continue the one open."""
    svc = services(context)
    message = update.message
    source_text = message.text if message is not None and message.text and not message.text.startswith("/") \
        else None
    async with chat_lock(update.effective_chat.id):
        async with svc.db.transaction() as session:
            worker, _ = await workers.get_or_create(session, update.effective_user.id, update.effective_chat.id,
                                                    svc.clock.now())
            draft, _is_new = await intakes.start(session, worker, category, svc.clock.now(), source_text)
            view = IntakeView.of(draft, worker, svc.kb)
    await _ask(update, view)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE, worker_id: int) -> bool:
    """A worker's text while a report is in progress. False when there is none."""
    svc = services(context)
    text = update.effective_message.text or ""
    danger = False
    async with chat_lock(update.effective_chat.id):
        async with svc.db.transaction() as session:
            draft = await intakes.get_intake(session, worker_id, lock=True)
            if draft is None:
                return False
            worker = await session.get(Worker, worker_id)
            note = None
            if draft.step == intakes.CONSENT:
                note = t("intake_consent_first", worker.language)
            else:
                before = draft.step
                intakes.answer_text(draft, text, svc.clock.now())
                if draft.step == before and before not in intakes.TEXT_STEPS:
                    note = t("intake_choose_button", worker.language)
                danger = draft.severity == "emergency"
            view = IntakeView.of(draft, worker, svc.kb)
    if danger:  # "tidak aman" typed at the safety question
        await emergency.handle(update, context, view.lang, view.country, category=view.category, trigger="intake")
        return True
    if note:
        await reply(update, note, parse_mode=ParseMode.HTML)
    await _ask(update, view)
    return True


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE, worker_id: int) -> bool:
    """Photos, documents, voice notes, location during a report: attached as evidence."""
    svc = services(context)
    message = update.effective_message
    kind = message_kind(message)
    async with chat_lock(update.effective_chat.id):
        async with svc.db.transaction() as session:
            draft = await intakes.get_intake(session, worker_id, lock=True)
            if draft is None:
                return False
            worker = await session.get(Worker, worker_id)
            lang = worker.language
            if draft.step == intakes.CONSENT:
                accepted, full = False, False
            else:
                accepted = kind in EVIDENCE_KINDS and intakes.add_evidence(draft, message.message_id, kind,
                                                                         svc.clock.now())
                full = kind in EVIDENCE_KINDS and not accepted
                if message.caption and accepted:
                    extra = list((draft.answers or {}).get("extra") or [])
                    extra.append(message.caption[:intakes.ANSWER_LIMIT])
                    answers = dict(draft.answers or {})
                    answers["extra"] = extra[-10:]
                    draft.answers = answers
            view = IntakeView.of(draft, worker, svc.kb)
    if view.step == intakes.CONSENT:
        await reply(update, t("intake_consent_first", lang), parse_mode=ParseMode.HTML)
        await _ask(update, view)
    elif accepted:
        await reply(update, t("intake_evidence_ok", lang, count=view.evidence), parse_mode=ParseMode.HTML)
    elif full:
        await reply(update, t("intake_evidence_full", lang), parse_mode=ParseMode.HTML)
    else:  # a sticker or the like: not evidence; repeat the question
        await _ask(update, view)
    return True


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ci:* buttons."""
    query = update.callback_query
    svc = services(context)
    match = BUTTON.match(query.data or "")
    action, value = (match[1], match[2]) if match else (None, None)
    result: str = "ask"
    async with chat_lock(update.effective_chat.id):
        async with svc.db.transaction() as session:
            worker, _ = await workers.get_or_create(session, query.from_user.id, update.effective_chat.id,
                                                    svc.clock.now())
            lang = worker.language
            draft = await intakes.get_intake(session, worker.id, lock=True)
            view = IntakeView.of(draft, worker, svc.kb) if draft is not None else None
            if draft is None or action is None:
                result = "stale"
            else:
                try:
                    result = _apply(draft, action, value, svc.clock.now())
                except intakes.IntakeError as err:
                    log.info("refused intake button: %s", err)
                    result = "stale"
                if result == "declined":
                    await intakes.discard(session, worker.id)
                view = IntakeView.of(draft, worker, svc.kb)
    await query.answer(t("stale_button", lang) if result == "stale" else None)
    if result != "stale":
        try:
            await query.edit_message_reply_markup(None)  # an answered question cannot be pressed twice
        except Exception:
            log.debug("could not remove the answered buttons", exc_info=True)
    if result == "stale":
        if view is None:
            await reply(update, t("stale_button", lang), reply_markup=main_keyboard(lang))
        else:
            await _ask(update, view)
    elif result == "declined":
        await _send_contacts(update, context, "intake_consent_declined", lang)
    elif result == "pick":
        await reply(update, t("intake_pick_category", lang), reply_markup=_category_picker(lang),
                    parse_mode=ParseMode.HTML)
    elif result == "send":
        await submit(update, context, stopped=view.step != intakes.CONFIRM)
    elif result == "emergency":
        await emergency.handle(update, context, lang, view.country, category=view.category, trigger="intake")
    else:
        await _ask(update, view)


def _apply(draft, action: str, value: str | None, now) -> str:
    """Apply a button to the intake: ask | pick | send | declined | emergency."""
    if action == "send":
        if draft.step == intakes.CONSENT:
            raise intakes.IntakeError("send before consent")
        return "send"
    if action == "consent":
        if value not in ("yes", "no"):
            raise intakes.IntakeError("bad consent")
        intakes.give_consent(draft, value == "yes", now)
        return "ask" if value == "yes" else "declined"
    if action == "cat":
        if value == "ok":
            intakes.confirm_category(draft, now)
        elif value == "change":
            if draft.step not in (intakes.CATEGORY,):
                raise intakes.IntakeError("change category at wrong step")
            return "pick"
        else:
            if draft.step != intakes.CATEGORY:
                raise intakes.IntakeError("category button at wrong step")
            intakes.set_category(draft, value or "", now)
        return "ask"
    if action == "edit":
        intakes.edit(draft, {"category": intakes.CATEGORY}.get(value or "", value or ""), now)
        return "ask"
    intakes.answer_choice(draft, action, value or "", now)
    if action == "safe" and value == "no":
        return "emergency"
    return "ask"


async def _send_contacts(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str, lang: str) -> None:
    svc = services(context)
    country = None
    contacts = svc.kb.render_contacts(country, lang) if svc.kb is not None else ""
    await reply(update, t(key, lang) + "\n\n" + esc(contacts), reply_markup=main_keyboard(lang),
                parse_mode=ParseMode.HTML)


async def submit(update: Update, context: ContextTypes.DEFAULT_TYPE, stopped: bool = False) -> bool:
    """Open the case with what the worker gave, tell them the reference and what happens next, alert officers."""
    svc = services(context)
    user = update.effective_user
    async with chat_lock(update.effective_chat.id):
        async with svc.db.transaction() as session:
            worker, _ = await workers.get_or_create(session, user.id, update.effective_chat.id, svc.clock.now())
            lang = worker.language
            draft = await intakes.get_intake(session, worker.id, lock=True)
            had_draft = draft is not None
            if draft is None or draft.step == intakes.CONSENT:
                if draft is not None:
                    await intakes.discard(session, worker.id)  # no consent: nothing is kept
                done = None
            else:
                try:
                    done = await intakes.submit(session, draft, worker, svc.clock.now(), svc.settings,
                                                user.first_name)
                except Exception:
                    log.exception("opening a case from an intake failed")
                    done = False
            if done:
                case_id, reference, severity = done.case.id, done.case.reference, done.case.severity
    if done is None:
        if had_draft:
            await _send_contacts(update, context, "intake_cancelled", lang)
        else:
            await reply(update, t("no_intake", lang), reply_markup=main_keyboard(lang), parse_mode=ParseMode.HTML)
        return False
    if done is False:
        await reply(update, t("case_open_failed", lang), parse_mode=ParseMode.HTML)
        return False
    wait = wait_label(first_response_minutes(severity, svc.settings.sla), lang)
    text = t("case_opened", lang, ref=reference, wait=wait)
    markup = None
    if stopped:
        text += "\n\n" + t("case_opened_partial", lang)
        markup = inline([[(t("case_withdraw", lang), f"cw:wd:{case_id}")]])
    await reply(update, text, reply_markup=markup or main_keyboard(lang), parse_mode=ParseMode.HTML)
    try:
        await notify_officers_pending(svc, context.bot, case_id=case_id)
    except Exception:
        log.exception("sending the new case card failed; the sweep will retry")
    return True


async def cancel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/batal: stop the questions. What was given is still sent (with a button to cancel the report)."""
    await submit(update, context, stopped=True)
