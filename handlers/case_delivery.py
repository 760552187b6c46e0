"""The sender: delivers queued case alerts and relayed messages through Telegram, and records the outcome.

Work is read from the database (bot/cases/models.py: Alert, RelayMessage), leased to this sender, sent, and
marked sent with the Telegram message id, so a restart re-sends only what was not delivered and nothing twice.
Handlers call `notify_officers_pending(services, bot, case_id=...)` right after a change for an immediate send;
the scheduler's sweep calls it for everything due (also after a restart or a flood-limit pause).

Telegram errors: RetryAfter -> retried after the wait Telegram asks for; Forbidden from a worker -> the worker is
marked blocked_bot and the officers on the case are told; long texts are split; a deleted forum topic falls back
to the group; network errors retry with back-off; anything else is logged and retried a few times.
"""
from __future__ import annotations

import asyncio
import logging
import time
import weakref
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from telegram import Bot, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.cases import service
from bot.cases.models import Alert, Case, RelayMessage
from bot.services import Services
from bot.workers.models import Officer, Worker
from handlers import case_render as render
from handlers.common import split_message
from handlers.texts import esc, t

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
CARD_WAIT = timedelta(seconds=3)  # thread messages wait this long for their case card
FORUM_CACHE_SECONDS = 300
DM_CARD_KINDS = ("new_case_dm", "sla_unclaimed_dm", "escalation_dm")

_locks: "weakref.WeakValueDictionary[tuple[str, int, int], asyncio.Lock]" = weakref.WeakValueDictionary()
_forum_cache: dict[int, tuple[bool, float]] = {}


def _lock(kind: str, key: int) -> asyncio.Lock:
    full = (kind, id(asyncio.get_running_loop()), key)
    lock = _locks.get(full)
    if lock is None:
        lock = asyncio.Lock()
        _locks[full] = lock
    return lock


def _case_lock(case_id: int) -> asyncio.Lock:
    """One sender per case at a time in this process, so a case's messages go out in order."""
    return _lock("case", case_id)


def chat_lock(chat_id: int) -> asyncio.Lock:
    """One case update per worker chat at a time (updates are handled concurrently), so answers and relays of
    one worker are stored and copied in the order they were sent."""
    return _lock("chat", chat_id)


def message_kind(message) -> str:
    """text, photo, voice, document, video, location, ... of a Telegram message."""
    if message.text is not None:
        return "text"
    for kind in ("photo", "voice", "document", "video", "video_note", "audio", "animation", "sticker", "venue",
                 "location", "contact", "poll", "dice"):
        if getattr(message, kind, None):
            return kind
    return "other"


def _retry_seconds(err: RetryAfter) -> float:
    import warnings

    from telegram.warnings import PTBDeprecationWarning

    with warnings.catch_warnings():  # int today, timedelta in a later PTB: both are handled
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = err.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2 ** max(attempts, 1), 300))


@dataclass(frozen=True)
class _Item:
    """A leased piece of work, detached from its session."""

    table: str  # alert | relay
    id: int
    case_id: int
    kind: str
    audience: str  # group | officer | worker (relays: group for "in", worker for "out")
    chat_id: int | None
    payload: dict[str, Any]
    source_chat_id: int | None = None
    source_message_id: int | None = None
    text: str | None = None
    order: tuple = ()

    @classmethod
    def of_alert(cls, alert: Alert) -> "_Item":
        return cls("alert", alert.id, alert.case_id, alert.kind, alert.audience, alert.chat_id,
                   dict(alert.payload or {}), order=(0 if alert.kind == "card" else 1, alert.created_at, 0, alert.id))

    @classmethod
    def of_relay(cls, relay: RelayMessage) -> "_Item":
        return cls("relay", relay.id, relay.case_id, relay.kind, "group" if relay.direction == "in" else "worker",
                   relay.dest_chat_id, {"direction": relay.direction}, relay.source_chat_id,
                   relay.source_message_id, relay.text, order=(1, relay.created_at, 1, relay.id))


# --- public entry points -----------------------------------------------------------------------------------------

async def notify_officers_pending(services: Services, bot: Bot, *, case_id: int | None = None) -> int:
    """Send every due alert and relay (of one case, or all). Returns how many were delivered."""
    if case_id is not None:
        return await _deliver_case(services, bot, case_id)
    now = services.clock.now()
    async with services.db.transaction() as session:
        ids = set(await session.scalars(select(Alert.case_id).where(service._due(Alert, now)).distinct()))
        ids |= set(await session.scalars(select(RelayMessage.case_id).where(service._due(RelayMessage, now))
                                         .distinct()))
    delivered = 0
    for cid in sorted(ids):
        try:
            delivered += await _deliver_case(services, bot, cid)
        except Exception:  # one broken case must not stop the others
            log.exception("delivering case %s failed", cid)
    return delivered


async def run_case_jobs(services: Services, bot: Bot | None) -> None:
    """The scheduler's job: SLA sweep (database only), then send whatever is due."""
    from bot.cases import sla

    await sla.sweep(services.db, services.settings, services.clock.now())
    if bot is not None:
        await notify_officers_pending(services, bot)


# --- per case ----------------------------------------------------------------------------------------------------

async def _deliver_case(services: Services, bot: Bot, case_id: int) -> int:
    delivered = 0
    async with _case_lock(case_id):
        for _round in range(4):  # work queued while sending (a blocked-worker notice) goes out in the same call
            now = services.clock.now()
            async with services.db.transaction() as session:
                alerts = await service.take_due_alerts(session, now, case_id=case_id)
                relays = await service.take_due_relays(session, now, case_id=case_id)
                items = [_Item.of_alert(a) for a in alerts] + [_Item.of_relay(r) for r in relays]
            if not items:
                break
            items.sort(key=lambda item: item.order)
            # One lane per destination: in order within a lane (the thread, the worker's chat, each officer),
            # lanes in parallel, so an officer's direct alert does not wait behind the group card.
            lanes: dict[str, list[_Item]] = {}
            for item in items:
                lane = item.audience if item.audience != "officer" else f"officer:{item.chat_id}"
                lanes.setdefault(lane, []).append(item)
            counts = await asyncio.gather(*(_deliver_lane(services, bot, lane) for lane in lanes.values()))
            delivered += sum(counts)
    return delivered


async def _deliver_lane(services: Services, bot: Bot, items: list[_Item]) -> int:
    delivered = 0
    for item in items:
        if await _deliver(services, bot, item):
            delivered += 1
    return delivered


async def _load(services: Services, case_id: int) -> tuple[render.CaseView, dict[int, str], bool] | None:
    """The case view, officer names, and whether its card is still on its way."""
    async with services.db.transaction() as session:
        case = await session.get(Case, case_id)
        if case is None:
            return None
        worker = await session.get(Worker, case.worker_id)
        names = {o.telegram_user_id: (o.name or f"petugas {o.telegram_user_id}")
                 for o in await session.scalars(select(Officer))}
        card = await session.scalar(select(Alert).where(Alert.case_id == case_id, Alert.kind == "card"))
        card_pending = card is not None and card.status in ("pending", "sending") and case.card_message_id is None
        view = render.CaseView.of(case, worker, officer_name(names, case.assignee_id))
    return view, names, card_pending


def officer_name(names: dict[int, str], officer_id: int | None) -> str | None:
    if officer_id is None:
        return None
    return names.get(officer_id) or f"petugas {officer_id}"


async def _finish(services: Services, item: _Item, apply) -> None:
    async with services.db.transaction() as session:
        model = Alert if item.table == "alert" else RelayMessage
        row = await session.get(model, item.id)
        if row is not None:
            await apply(session, row)


async def _deliver(services: Services, bot: Bot, item: _Item) -> bool:
    loaded = await _load(services, item.case_id)
    if loaded is None:
        await _finish(services, item, _failed(services, "case is gone"))
        return False
    view, names, card_pending = loaded
    group = services.settings.officer_group_chat_id
    try:
        if item.audience == "group":
            if group is None:
                await _finish(services, item, _failed(services, "no officer group configured", status="skipped"))
                return False
            if item.kind != "card" and card_pending:
                await _finish(services, item, _retry(services, CARD_WAIT, "waiting for the case card", False))
                return False
        if item.table == "alert":
            message = await _send_alert(services, bot, item, view, names, group)
        else:
            message = await _send_relay(services, bot, item, view, group)
    except RetryAfter as err:
        wait = timedelta(seconds=_retry_seconds(err) + 0.5)
        log.warning("flood limit on %s %s; retry in %.0fs", item.table, item.kind, wait.total_seconds())
        await _finish(services, item, _retry(services, wait, "flood limit", count=False))
        return False
    except Forbidden as err:
        await _on_forbidden(services, item, view, err)
        return False
    except BadRequest as err:
        log.warning("Telegram refused %s %s of a case: %s", item.table, item.kind, err.message)
        await _finish(services, item, _failed(services, f"bad request: {err.message}", note=True))
        return False
    except NetworkError as err:
        log.warning("network error sending %s %s: %s", item.table, item.kind, err.__class__.__name__)
        await _finish(services, item, _retry_backoff(services, "network: " + err.__class__.__name__))
        return False
    except TelegramError as err:
        log.warning("Telegram error sending %s %s: %s", item.table, item.kind, err.__class__.__name__)
        await _finish(services, item, _retry_backoff(services, "telegram: " + err.__class__.__name__))
        return False
    except Exception as err:
        log.exception("sending %s %s failed", item.table, item.kind)
        await _finish(services, item, _retry_backoff(services, "error: " + err.__class__.__name__))
        return False
    if message is None:
        await _finish(services, item, _failed(services, "nothing to send", status="skipped"))
        return False
    chat_id, message_id = message
    now = services.clock.now()

    async def sent(session, row):
        service.mark_sent(row, now, chat_id, message_id)

    await _finish(services, item, sent)
    return True


def _failed(services: Services, error: str, status: str = "failed", note: bool = False):
    async def apply(session, row):
        service.mark_failed(row, error, status)
        if note:
            case = await session.get(Case, row.case_id)
            if case is not None:
                await service.note_delivery_failure(session, case, services.clock.now(),
                                                    f"{row.__tablename__}:{row.kind}", error)
    return apply


def _retry(services: Services, delay: timedelta, error: str, count: bool = True):
    async def apply(session, row):
        service.mark_retry(row, services.clock.now(), delay, error, count_attempt=count)
    return apply


def _retry_backoff(services: Services, error: str):
    async def apply(session, row):
        service.mark_retry(row, services.clock.now(), _backoff(row.attempts), error)
    return apply


async def _on_forbidden(services: Services, item: _Item, view: render.CaseView, err: Forbidden) -> None:
    now = services.clock.now()
    to_worker = item.audience == "worker"

    async def apply(session, row):
        service.mark_failed(row, "forbidden: " + str(err.message)[:150])
        if to_worker:
            await service.mark_worker_blocked(session, view.worker_id, now)
    await _finish(services, item, apply)
    if to_worker:
        log.warning("a worker blocked the bot; case %s marked", view.reference)
    elif item.audience == "group":
        log.error("the bot may not write to the officers' group (%s); case %s alert not delivered",
                  err.message, view.reference)
    else:
        log.warning("an officer has not started the bot or blocked it; alert %s not delivered", item.kind)


# --- sending -----------------------------------------------------------------------------------------------------

async def send_html(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None,
                    thread_id: int | None = None, reply_to: int | None = None) -> Message:
    """Send HTML text, split when long (buttons on the last part). Falls back from a deleted forum topic to the
    group. Returns the last message (the one carrying the buttons)."""
    parts = split_message(text)
    last: Message | None = None
    for index, part in enumerate(parts):
        markup_part = markup if index == len(parts) - 1 else None
        reply = ReplyParameters(message_id=reply_to, allow_sending_without_reply=True) if reply_to and index == 0 \
            else None
        try:
            last = await bot.send_message(chat_id, part, parse_mode=ParseMode.HTML, reply_markup=markup_part,
                                          message_thread_id=thread_id, reply_parameters=reply)
        except BadRequest as err:
            if thread_id is not None and "thread" in err.message.lower():
                log.warning("forum topic gone; sending to the group without it")
                thread_id = None
                last = await bot.send_message(chat_id, part, parse_mode=ParseMode.HTML, reply_markup=markup_part,
                                              reply_parameters=reply)
            elif "too long" in err.message.lower() and len(part) > 1000:
                for piece in split_message(part, len(part) // 2):
                    last = await bot.send_message(chat_id, piece, parse_mode=ParseMode.HTML,
                                                  message_thread_id=thread_id)
                if markup_part is not None:
                    last = await bot.send_message(chat_id, "⬆️", reply_markup=markup_part, message_thread_id=thread_id)
            else:
                raise
    assert last is not None
    return last


async def _is_forum(bot: Bot, chat_id: int) -> bool:
    cached = _forum_cache.get(chat_id)
    if cached and time.monotonic() - cached[1] < FORUM_CACHE_SECONDS:
        return cached[0]
    try:
        chat = await bot.get_chat(chat_id)
        is_forum = bool(getattr(chat, "is_forum", False))
    except Exception as err:  # unknown: post the card in the group itself rather than not at all
        log.warning("could not read the officers' group (%s)", err.__class__.__name__)
        return False
    _forum_cache[chat_id] = (is_forum, time.monotonic())
    return is_forum


def forget_forum_cache() -> None:
    _forum_cache.clear()


def _thread_target(view: render.CaseView, group: int) -> tuple[int | None, int | None]:
    """(message_thread_id, reply_to) for a message about this case in the group."""
    if view.group_chat_id == group and view.thread_id:
        return view.thread_id, None
    if view.group_chat_id == group and view.card_message_id:
        return None, view.card_message_id
    return None, None


async def _post_card(services: Services, bot: Bot, view: render.CaseView, group: int) -> tuple[int, int]:
    thread_id = view.thread_id if view.group_chat_id == group else None
    if thread_id is None and await _is_forum(bot, group):
        try:
            topic = await bot.create_forum_topic(group, render.topic_name(view),
                                                 icon_color=render.TOPIC_COLOR.get(view.severity))
            thread_id = topic.message_thread_id
        except BadRequest as err:
            log.warning("could not create a forum topic (%s); the card goes to the group", err.message)
        else:
            async with services.db.transaction() as session:
                case = await session.get(Case, view.id)
                case.thread_id = thread_id
                case.group_chat_id = group
    message = await send_html(bot, group, render.card_text(view, services.kb), render.card_markup(view),
                              thread_id=thread_id)
    async with services.db.transaction() as session:
        case = await session.get(Case, view.id)
        case.group_chat_id = group
        case.card_message_id = message.message_id
        if message.message_thread_id and thread_id:
            case.thread_id = thread_id
        elif thread_id and not message.message_thread_id:
            case.thread_id = None  # the topic was gone; the case lives on the card in the group now
    return message.chat_id, message.message_id


async def _send_alert(services: Services, bot: Bot, item: _Item, view: render.CaseView, names: dict[int, str],
                      group: int | None) -> tuple[int, int] | None:
    now = services.clock.now()
    if item.audience == "group":
        if item.kind == "card":
            return await _post_card(services, bot, view, group)
        text, markup = render.officer_alert(item.kind, view, item.payload, now, services.kb, names)
        thread_id, reply_to = _thread_target(view, group)
        message = await send_html(bot, group, text, markup, thread_id=thread_id, reply_to=reply_to)
        return message.chat_id, message.message_id
    if item.audience == "officer":
        if item.chat_id is None:
            return None
        text, markup = render.officer_alert(item.kind, view, item.payload, now, services.kb, names)
        message = await send_html(bot, item.chat_id, text, markup)
        return message.chat_id, message.message_id
    if item.audience == "worker":
        if view.worker_status == "deleted":
            return None
        text, markup = render.worker_notice(item.kind, view, item.payload)
        message = await send_html(bot, view.worker_chat_id, text, markup)
        return message.chat_id, message.message_id
    return None


async def _send_relay(services: Services, bot: Bot, item: _Item, view: render.CaseView,
                      group: int | None) -> tuple[int, int] | None:
    if item.payload.get("direction") == "in":
        thread_id, reply_to = _thread_target(view, group)
        reply = ReplyParameters(message_id=reply_to, allow_sending_without_reply=True) if reply_to else None
        try:
            copied = await bot.copy_message(group, item.source_chat_id, item.source_message_id,
                                            message_thread_id=thread_id, reply_parameters=reply)
        except BadRequest as err:
            if thread_id is None or "thread" not in err.message.lower():
                raise
            copied = await bot.copy_message(group, item.source_chat_id, item.source_message_id)
        return group, copied.message_id
    # out: an officer's message to the worker, with a header saying who writes and about which report
    if view.worker_status == "deleted":
        return None
    header = t("officer_header", view.worker_lang, ref=view.reference)
    chat = view.worker_chat_id
    if item.kind == "text":
        message = await send_html(bot, chat, header + "\n\n" + esc(item.text or ""))
        return chat, message.message_id
    if item.kind in render.CAPTION_KINDS:
        caption = header + ("\n\n" + esc(item.text) if item.text else "")
        if len(caption) > CAPTION_LIMIT:
            caption = header + "\n\n" + esc((item.text or "")[:CAPTION_LIMIT - 200]) + "…"
        copied = await bot.copy_message(chat, item.source_chat_id, item.source_message_id, caption=caption,
                                        parse_mode=ParseMode.HTML)
        return chat, copied.message_id
    await send_html(bot, chat, header)
    copied = await bot.copy_message(chat, item.source_chat_id, item.source_message_id)
    return chat, copied.message_id


# --- keeping cards current -----------------------------------------------------------------------------------------

async def refresh_case_messages(services: Services, bot: Bot, case_id: int) -> None:
    """Edit the group card and the officers' direct-message cards to show the case as it is now. Best effort:
    buttons are checked against the case state anyway, so an outdated card cannot do harm."""
    loaded = await _load(services, case_id)
    if loaded is None:
        return
    view, names, _ = loaded
    async with services.db.transaction() as session:
        dms = [(a.kind, a.sent_chat_id, a.sent_message_id, dict(a.payload or {})) for a in await session.scalars(
            select(Alert).where(Alert.case_id == case_id, Alert.status == "sent", Alert.kind.in_(DM_CARD_KINDS)))]
    now = services.clock.now()
    targets: list[tuple[int, int, str, InlineKeyboardMarkup | None]] = []
    if view.group_chat_id and view.card_message_id:
        targets.append((view.group_chat_id, view.card_message_id, render.card_text(view, services.kb),
                        render.card_markup(view)))
    for kind, chat_id, message_id, payload in dms:
        if chat_id and message_id:
            text, markup = render.officer_alert(kind, view, payload, now, services.kb, names)
            targets.append((chat_id, message_id, text, markup))
    for chat_id, message_id, text, markup in targets:
        try:
            await bot.edit_message_text(split_message(text)[0], chat_id=chat_id, message_id=message_id,
                                        parse_mode=ParseMode.HTML, reply_markup=markup)
        except BadRequest as err:
            if "not modified" not in err.message.lower():
                log.info("could not update a case card: %s", err.message)
        except TelegramError as err:
            log.info("could not update a case card: %s", err.__class__.__name__)


async def delivered_copy(services: Services, relay_id: int, wait: float = 5.0) -> tuple[int, int] | None:
    """(chat id, message id) of a relayed message's copy. A copy being sent right now is waited for briefly, so
    an edit made a moment after sending is not lost. None when it is not (yet) delivered."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        async with services.db.transaction() as session:
            relay = await session.get(RelayMessage, relay_id)
            status = relay.status if relay else None
            target = (relay.dest_chat_id, relay.dest_message_id) if relay else (None, None)
        if status == "sent" and target[0] and target[1]:
            return target[0], target[1]
        if status != "sending" or loop.time() > deadline:
            return None
        await asyncio.sleep(0.05)
