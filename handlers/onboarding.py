"""Worker onboarding and profile: /start, /bahasa, /profil and their buttons.

Steps: language -> consent -> country -> city -> job -> check-ins. Every step can be skipped and changed later.
The step the worker is on lives in the database (worker.awaiting), not in memory, so a restart loses nothing.
Button data: lang:<id|en>, consent:<yes|no>, country:<ISO|XX|skip>, city:skip, sector:<key|skip>,
freq:<frequency>, edit:<field>.
"""
from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.config import FREQUENCIES
from bot.workers import service as workers
from bot.workers.models import Worker
from bot.workers.service import MAIN_DESTINATIONS, OTHER_COUNTRY, SECTORS, ProfileError
from handlers.common import inline, language_keyboard, main_keyboard, reply, services
from handlers.texts import FREQUENCY_LABELS, SECTOR_LABELS, esc, t

log = logging.getLogger(__name__)


# --- keyboards -----------------------------------------------------------------------------------------------

def consent_keyboard(lang: str):
    return inline([[(t("consent_yes", lang), "consent:yes"), (t("consent_no", lang), "consent:no")]])


def country_keyboard(lang: str):
    buttons = [(name, f"country:{code}") for code, name in MAIN_DESTINATIONS]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([(t("country_other", lang), f"country:{OTHER_COUNTRY}"), (t("skip", lang), "country:skip")])
    return inline(rows)


def sector_keyboard(lang: str):
    buttons = [(SECTOR_LABELS[s][lang], f"sector:{s}") for s in SECTORS]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([(t("skip", lang), "sector:skip")])
    return inline(rows)


def frequency_keyboard(lang: str):
    return inline([[(FREQUENCY_LABELS[f][lang], f"freq:{f}")] for f in FREQUENCIES])


def profile_keyboard(lang: str):
    return inline([[(t("edit_country", lang), "edit:country"), (t("edit_city", lang), "edit:city")],
                   [(t("edit_sector", lang), "edit:sector"), (t("edit_checkin", lang), "edit:checkin")],
                   [("🌐 Bahasa / Language", "edit:language")]])


def country_label(worker: Worker, lang: str, kb) -> str:
    if not worker.country:
        return t("not_set", lang)
    if worker.country == OTHER_COUNTRY:
        return worker.country_other or t("country_other", lang)
    profile = kb.country(worker.country) if kb is not None else None
    if profile is not None:
        return profile.name.get(lang) or profile.name.get("id")
    return dict(MAIN_DESTINATIONS).get(worker.country, worker.country)


# --- commands ------------------------------------------------------------------------------------------------

async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: welcome and language choice (also for returning workers: it restarts the profile steps)."""
    svc = services(context)
    user = update.effective_user
    async with svc.db.transaction() as session:
        worker, _ = await workers.get_or_create(session, user.id, update.effective_chat.id, svc.clock.now())
        worker.awaiting = None
        lang = worker.language
    await reply(update, t("urgent_line", lang), reply_markup=main_keyboard(lang))
    await reply(update, t("welcome", lang, name=user.first_name or ""), reply_markup=language_keyboard())


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/bahasa: change the language."""
    await reply(update, t("choose_language"), reply_markup=language_keyboard())


async def profile_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/profil: show the profile with buttons to change each part."""
    svc = services(context)
    async with svc.db.transaction() as session:
        worker, _ = await workers.get_or_create(session, update.effective_user.id, update.effective_chat.id,
                                                svc.clock.now())
        text, markup = _profile_view(worker, svc.kb)
    await reply(update, text, reply_markup=markup)


def _profile_view(worker: Worker, kb):
    lang = worker.language
    if not worker.consent:
        return t("profile_no_consent", lang), None
    text = t("profile", lang,
             country=country_label(worker, lang, kb),
             city=worker.city or t("not_set", lang),
             sector=SECTOR_LABELS[worker.sector][lang] if worker.sector else t("not_set", lang),
             checkin=FREQUENCY_LABELS[worker.checkin_frequency][lang])
    return text, profile_keyboard(lang)


# --- buttons -------------------------------------------------------------------------------------------------

async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """All onboarding/profile buttons. Unknown or forged data is refused politely and changes nothing."""
    query = update.callback_query
    svc = services(context)
    kind, _, value = (query.data or "").partition(":")
    next_text, next_markup, toast = None, None, None
    async with svc.db.transaction() as session:
        worker, _ = await workers.get_or_create(session, query.from_user.id, update.effective_chat.id,
                                                svc.clock.now())
        try:
            next_text, next_markup, toast = _apply(worker, kind, value, svc)
        except ProfileError as err:
            log.warning("refused button %r from a worker: %s", kind, err)
            next_text, next_markup, toast = None, None, t("stale_button", worker.language)
        lang = worker.language
    await query.answer(toast)
    if next_text:
        # Remove the pressed keyboard so an old step cannot be pressed twice by mistake.
        try:
            await query.edit_message_reply_markup(None)
        except Exception:  # the message may be too old to edit; the reply below matters more
            log.debug("could not remove old keyboard", exc_info=True)
        await reply(update, next_text, reply_markup=next_markup)
    elif toast and toast == t("stale_button", lang):
        await reply(update, toast, reply_markup=main_keyboard(lang))


def _apply(worker: Worker, kind: str, value: str, svc) -> tuple[str | None, object, str | None]:
    """Apply one button to the worker; return (next text, next keyboard, short toast)."""
    settings = svc.settings
    if kind == "lang":
        workers.set_language(worker, value)
        lang = worker.language
        if worker.consent is None or not worker.onboarded:
            return t("consent", lang), consent_keyboard(lang), t("language_set", lang)
        return t("language_set", lang), main_keyboard(lang), None
    lang = worker.language
    if kind == "consent":
        if value not in ("yes", "no"):
            raise ProfileError(f"bad consent value {value!r}")
        workers.record_consent(worker, value == "yes", settings.consent_version, svc.clock.now())
        if value == "no":
            return t("consent_declined", lang), main_keyboard(lang), None
        return t("ask_country", lang), country_keyboard(lang), t("saved", lang)
    if kind == "edit":
        return _edit(worker, value)
    if kind == "country":
        if value == "skip":
            return _after_country(worker)
        if value == OTHER_COUNTRY:
            workers.set_country(worker, OTHER_COUNTRY)
            worker.awaiting = "country_text"
            return t("ask_country_text", lang), None, None
        if value not in {code for code, _ in MAIN_DESTINATIONS}:
            raise ProfileError(f"country {value!r} is not offered as a button")
        workers.set_country(worker, value)
        return _after_country(worker)
    if kind == "city" and value == "skip":
        worker.awaiting = None
        return _after_city(worker)
    if kind == "sector":
        workers.set_sector(worker, None if value == "skip" else value)
        return _after_sector(worker)
    if kind == "freq":
        workers.set_checkin_frequency(worker, value, settings.checkin.default_time.strftime("%H:%M"))
        return _finish(worker)
    raise ProfileError(f"unknown button {kind!r}")


def _edit(worker: Worker, field: str):
    lang = worker.language
    if field == "language":
        return t("choose_language"), language_keyboard(), None
    if not worker.consent:
        return t("consent", lang), consent_keyboard(lang), None
    if field == "country":
        return t("ask_country", lang), country_keyboard(lang), None
    if field == "city":
        worker.awaiting = "city"
        return t("ask_city", lang), inline([[(t("skip", lang), "city:skip")]]), None
    if field == "sector":
        return t("ask_sector", lang), sector_keyboard(lang), None
    if field == "checkin":
        return t("ask_checkin", lang), frequency_keyboard(lang), None
    raise ProfileError(f"unknown profile field {field!r}")


def _after_country(worker: Worker):
    lang = worker.language
    if worker.onboarded:
        return t("saved", lang), main_keyboard(lang), None
    worker.awaiting = "city"
    return t("ask_city", lang), inline([[(t("skip", lang), "city:skip")]]), None


def _after_city(worker: Worker):
    lang = worker.language
    if worker.onboarded:
        return t("saved", lang), main_keyboard(lang), None
    return t("ask_sector", lang), sector_keyboard(lang), None


def _after_sector(worker: Worker):
    lang = worker.language
    if worker.onboarded:
        return t("saved", lang), main_keyboard(lang), None
    return t("ask_checkin", lang), frequency_keyboard(lang), None


def _finish(worker: Worker):
    lang = worker.language
    was_onboarded = worker.onboarded
    worker.onboarded = True
    worker.awaiting = None
    if was_onboarded:
        return t("saved", lang), main_keyboard(lang), None
    return t("onboarding_done", lang), main_keyboard(lang), None


async def on_awaited_text(update: Update, context: ContextTypes.DEFAULT_TYPE, worker_id: int, awaiting: str) -> bool:
    """Free text the bot asked for (city, other country). Returns False when the text was not for a profile step."""
    svc = services(context)
    text = update.effective_message.text or ""
    async with svc.db.transaction() as session:
        worker = await session.get(Worker, worker_id)
        lang = worker.language
        try:
            if awaiting == "city":
                workers.set_city(worker, text)
                worker.awaiting = None
                next_text, markup, _ = _after_city(worker)
            elif awaiting == "country_text":
                code = svc.kb.resolve_country(text) if svc.kb is not None else None
                if code:
                    workers.set_country(worker, code)
                else:
                    workers.set_country(worker, OTHER_COUNTRY, text)
                worker.awaiting = None
                next_text, markup, _ = _after_country(worker)
            else:
                worker.awaiting = None
                return False
        except ProfileError:
            worker.awaiting = None
            return False
        label = country_label(worker, lang, svc.kb) if awaiting == "country_text" else None
    if label:
        await reply(update, f"✅ {t('edit_country', lang)}: {esc(label)}")
    await reply(update, next_text, reply_markup=markup)
    return True
