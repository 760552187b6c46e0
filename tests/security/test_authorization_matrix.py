"""The authorization matrix (issue 7, part 2): every command and every button prefix the bot registers, for each
kind of user, end to end through the real Application and the fake Telegram Bot API.

Users: a worker (private chat), an officer, a supervisor, an admin from the officer table, a bootstrap admin from
settings.admin_ids, and a stranger writing in the officers' group. Officers act where the row says: their private
chat for worker commands and buttons, the officers' group for officer commands and case buttons; the worker always
in their private chat (a forged case button there), the stranger always in the group.

Each cell says what must happen: `ok` (the action works; `changes` says whether the database must change), `no`
(a short refusal, as a message or a button notice, and the database is unchanged), `SILENT` (nothing at all, and
the database is unchanged) or `NA` (cannot happen). A command or button prefix registered in bot/app.py (or
handlers/*.py) without a row here fails `test_every_registered_command_and_button_is_in_the_matrix`.
"""
from __future__ import annotations

import asyncio
import itertools
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, TypeHandler

from bot.cases import intake as intakes
from bot.cases import officers as officer_service
from bot.cases import service as cases
from bot.cases.models import Case
from bot.checkins.models import SENT, Checkin
from bot.local_bot_api import LocalUser, Sent
from bot.storage import models  # noqa: F401  (every table in Base.metadata)
from bot.storage.base import Base
from bot.storage.dedup import ProcessedUpdate
from bot.workers import service as workers
from bot.workers.models import Worker
from handlers.case_delivery import notify_officers_pending

GROUP = -100500  # settings.officer_group_chat_id in tests/conftest.py
ACTORS = ("worker", "officer", "supervisor", "admin", "bootstrap", "stranger")
USER_IDS = {"worker": 1001, "officer": 501, "supervisor": 502, "admin": 503, "bootstrap": 900, "stranger": 777}
OTHER_OFFICER = 504  # a target for /alihkan, never an actor
FAQ_ID = "nomor_darurat"
REFUSALS = ("tidak berlaku", "tombol ini hanya untuk petugas", "perintah ini hanya untuk petugas", "tidak boleh",
            "khusus admin", "hanya admin yang")


# --- the table --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Expect:
    outcome: str  # ok | no | silent | na
    shows: str | None = None  # text the reply (message or button notice) contains
    changes: bool | None = None  # ok: whether the database must change (None: not checked)


def ok(shows: str | None = None, changes: bool | None = None) -> Expect:
    return Expect("ok", shows, changes)


def no(shows: str) -> Expect:
    return Expect("no", shows)


SILENT = Expect("silent")
NA = Expect("na")
STALE = no("tidak berlaku")
NOT_OFFICER = no("hanya untuk petugas")


@dataclass(frozen=True)
class Row:
    label: str
    covers: tuple[str, ...]  # command names, or button prefixes ("cs:", "human")
    send: str  # the command, the button data, or the message text; {case}, {ref}, {checkin}, {worker}, {faq}
    cells: tuple[Expect, ...]  # in ACTORS order
    kind: str = "command"  # command | button | reply (a message replying to `reply_to`)
    staff_in: str = "private"  # where officer, supervisor and admins act: private | group
    case: str | None = None  # a fresh case of the worker for each cell: new | claimed | resolved
    reply_to: str | None = None  # card | kb_prompt

    def expect(self, actor: str) -> Expect:
        return self.cells[ACTORS.index(actor)]


def worker_cmd(label, covers, send, shows=None, changes=None) -> Row:
    """A worker command: anyone may use it in a private chat; it does nothing in the officers' group."""
    cell = ok(shows, changes)
    return Row(label, covers, send, (cell, cell, cell, cell, cell, SILENT))


def worker_button(label, covers, send, shows=None, **extra) -> Row:
    """A worker's button: it works in anyone's own private chat; forged in the group it is refused."""
    cell = ok(shows)
    return Row(label, covers, send, (cell, cell, cell, cell, cell, STALE), kind="button", **extra)


def officer_cmd(label, covers, send, staff: Expect, worker: Expect = NOT_OFFICER, **extra) -> Row:
    """An officer command used in the officers' group (where a stranger gets silence) by every officer role."""
    return Row(label, covers, send, (worker, staff, staff, staff, staff, SILENT), staff_in="group", **extra)


MATRIX: tuple[Row, ...] = (
    # worker commands (private chat only)
    worker_cmd("/start", ("start",), "/start", "Pilih bahasa"),
    worker_cmd("/bahasa", ("bahasa",), "/bahasa", "Pilih bahasa"),
    worker_cmd("/profil", ("profil", "profile"), "/profil", "Profil Anda"),
    worker_cmd("/help", ("help", "bantuan"), "/help", "Sahabat PMI bisa membantu"),
    worker_cmd("/darurat", ("darurat", "sos"), "/darurat", "dalam bahaya", changes=True),
    worker_cmd("/info", ("info",), "/info", "Pilih topik"),
    worker_cmd("/status", ("status", "laporan"), "/status"),
    worker_cmd("/batal", ("batal", "cancel"), "/batal", "Tidak ada laporan yang sedang diisi", changes=False),
    worker_cmd("/checkin", ("checkin",), "/checkin"),
    worker_cmd("/hapus", ("hapus", "delete"), "/hapus", "Hapus data saya", changes=False),
    # admin: the knowledge base
    Row("/kb list", ("kb",), "/kb list",
        (no("khusus admin"), no("khusus admin"), no("khusus admin"), ok("entri"), ok("entri"), SILENT)),
    Row("reply to a /kb edit prompt", (), "Jawaban baru dari admin.",
        (no("khusus admin"), no("khusus admin"), no("khusus admin"), ok("tersimpan", changes=True),
         ok("tersimpan", changes=True), SILENT), kind="reply", reply_to="kb_prompt"),
    # officer commands, in the officers' group
    officer_cmd("/kasus", ("kasus", "cases"), "/kasus", ok("Kasus terbuka", changes=False), case="new"),
    officer_cmd("/kasus <ref>", ("kasus", "cases"), "/kasus {ref}", ok("Riwayat", changes=False), case="new"),
    officer_cmd("/catatan <ref> <text>", ("catatan", "note"), "/catatan {ref} sudah telepon agen",
                ok("Catatan untuk", changes=True), case="new"),
    Row("/alihkan <ref> <officer>", ("alihkan", "reassign"), f"/alihkan {{ref}} {OTHER_OFFICER}",
        (NOT_OFFICER, no("tidak boleh"), ok("dialihkan", changes=True), ok("dialihkan", changes=True),
         ok("dialihkan", changes=True), SILENT), staff_in="group", case="new"),
    officer_cmd("/petugas", ("petugas", "officers"), "/petugas", ok("Petugas", changes=False)),
    Row("/petugas tambah", ("petugas", "officers"), "/petugas tambah 555 officer Eko",
        (NOT_OFFICER, no("hanya admin"), no("hanya admin"), ok("555 sekarang officer", changes=True),
         ok("555 sekarang officer", changes=True), SILENT), staff_in="group"),
    Row("/petugas hapus", ("petugas", "officers"), f"/petugas hapus {OTHER_OFFICER}",
        (NOT_OFFICER, no("hanya admin"), no("hanya admin"), ok("dihapus dari petugas", changes=True),
         ok("dihapus dari petugas", changes=True), SILENT), staff_in="group"),
    Row("/piket off", ("piket", "duty"), "/piket off",
        (NOT_OFFICER, ok("tidak piket", changes=True), ok("tidak piket", changes=True),
         ok("tidak piket", changes=True), ok("admin dari konfigurasi", changes=False), SILENT), staff_in="group"),
    Row("/checkins", ("checkins",), "/checkins",  # the one officer command that also refuses in the group
        (NOT_OFFICER, ok("Cek keamanan hari ini", changes=False), ok("Cek keamanan hari ini", changes=False),
         ok("Cek keamanan hari ini", changes=False), ok("Cek keamanan hari ini", changes=False), NOT_OFFICER),
        staff_in="group"),
    # the officers' group: a reply to a case card goes to the worker
    Row("reply to a case card", (), "Halo, kami bantu hubungi agen Anda.",
        (NA, ok(changes=True), ok(changes=True), ok(changes=True), ok(changes=True), SILENT),
        kind="reply", staff_in="group", case="new", reply_to="card"),
    # case buttons (the card in the officers' group; the worker forges one in their own chat)
    Row("cs:claim", ("cs:",), "cs:claim:{case}",
        (NOT_OFFICER, ok("Kasus diambil", True), ok("Kasus diambil", True), ok("Kasus diambil", True),
         ok("Kasus diambil", True), NOT_OFFICER), kind="button", staff_in="group", case="new"),
    Row("cs:note", ("cs:",), "cs:note:{case}",
        (no("tidak berlaku di sini"), ok("Tulis catatan", True), ok("Tulis catatan", True), ok("Tulis catatan", True),
         ok("Tulis catatan", True), NOT_OFFICER), kind="button", staff_in="group", case="new"),
    Row("cs:esc", ("cs:",), "cs:esc:{case}",
        (NOT_OFFICER, ok("Supervisor sudah diberi tahu", True), ok("Supervisor sudah diberi tahu", True),
         ok("Supervisor sudah diberi tahu", True), ok("Supervisor sudah diberi tahu", True), NOT_OFFICER),
        kind="button", staff_in="group", case="new"),
    Row("cs:done", ("cs:",), "cs:done:{case}",
        (NOT_OFFICER, ok(changes=False), ok(changes=False), ok(changes=False), ok(changes=False), NOT_OFFICER),
        kind="button", staff_in="group", case="claimed"),
    Row("cs:out", ("cs:",), "cs:out:{case}:solved",
        (NOT_OFFICER, ok("ditandai selesai", True), ok("ditandai selesai", True), ok("ditandai selesai", True),
         ok("ditandai selesai", True), NOT_OFFICER), kind="button", staff_in="group", case="claimed"),
    Row("cs:back", ("cs:",), "cs:back:{case}",
        (NOT_OFFICER, ok(changes=False), ok(changes=False), ok(changes=False), ok(changes=False), NOT_OFFICER),
        kind="button", staff_in="group", case="claimed"),
    Row("cs:reopen", ("cs:",), "cs:reopen:{case}",
        (NOT_OFFICER, ok("dibuka lagi", True), ok("dibuka lagi", True), ok("dibuka lagi", True),
         ok("dibuka lagi", True), NOT_OFFICER), kind="button", staff_in="group", case="resolved"),
    # the worker's own buttons: anyone's own profile, FAQ and report; someone else's check-in or case never
    worker_button("lang:", ("lang:",), "lang:id"),
    worker_button("consent:", ("consent:",), "consent:yes"),
    worker_button("country:", ("country:",), "country:TW"),
    worker_button("city:", ("city:",), "city:skip"),
    worker_button("sector:", ("sector:",), "sector:domestic"),
    worker_button("freq:", ("freq:",), "freq:daily"),
    worker_button("edit:", ("edit:",), "edit:city", "kota"),
    worker_button("sug:", ("sug:",), "sug:{faq}", "Sumber"),
    worker_button("faq:", ("faq:",), "faq:{faq}", "Sumber"),
    worker_button("info:", ("info:",), "info:", "Pilih topik"),
    worker_button("human", ("human",), "human"),
    worker_button("cks:", ("cks:",), "cks:menu"),
    worker_button("ci:", ("ci:",), "ci:cat:ok"),
    Row("ck: (the worker's check-in)", ("ck:",), "ck:ok:{checkin}",
        (ok("Senang Anda aman", True), STALE, STALE, STALE, STALE, STALE), kind="button"),
    Row("cw: (the worker's case)", ("cw:",), "cw:yes:{case}",
        (ok("ditutup", True), STALE, STALE, STALE, STALE, STALE), kind="button", case="resolved"),
    Row("priv: (the worker's deletion)", ("priv:",), "priv:no:{worker}",
        (ok("tidak ada yang dihapus", False), STALE, STALE, STALE, STALE, STALE), kind="button"),
    Row("priv:yes forged for another worker", ("priv:",), "priv:yes:{worker}",
        (NA, STALE, STALE, STALE, STALE, STALE), kind="button"),
    Row("forged button data", (), "zz:forged:1", (STALE,) * 6, kind="button"),
)


# --- the world every row starts from ------------------------------------------------------------------------------

@dataclass
class World:
    bot: Any
    ids: dict[str, int] = field(default_factory=dict)  # actor -> worker id (private actors)
    done: dict[int, asyncio.Event] = field(default_factory=dict)
    message_ids: Any = field(default_factory=lambda: itertools.count(100_000))


async def make_world(bot) -> World:
    world = World(bot)

    async def mark_done(update: Update, context) -> None:
        world.done.setdefault(update.update_id, asyncio.Event()).set()

    bot.application.add_handler(TypeHandler(Update, mark_done), group=99)  # runs after every other handler
    now = bot.clock.now()
    async with bot.db.transaction() as session:
        for actor, role in (("officer", "officer"), ("supervisor", "supervisor"), ("admin", "admin")):
            await officer_service.add_officer(session, USER_IDS[actor], role, now, actor.title())
        await officer_service.add_officer(session, OTHER_OFFICER, "officer", now, "Eko")
        for actor in ACTORS[:-1]:  # everybody who writes to the bot privately has a profile (officers too)
            worker, _ = await workers.get_or_create(session, USER_IDS[actor], USER_IDS[actor], now)
            workers.record_consent(worker, True, 1, now)
            workers.set_country(worker, "TW")
            worker.onboarded = True
            await session.flush()
            world.ids[actor] = worker.id
    return world


async def fresh_case(world: World, state: str) -> tuple[int, str]:
    bot, now = world.bot, world.bot.clock.now()
    async with bot.db.transaction() as session:
        case = await cases.open_case(session, worker_id=world.ids["worker"], category="wages", severity="normal",
                                     summary="gaji belum dibayar", source="worker", now=now, actor="worker",
                                     settings=bot.settings)
        if state in ("claimed", "resolved"):
            await cases.claim_case(session, case.id, OTHER_OFFICER, "officer", now, bot.settings)
        if state == "resolved":
            await cases.resolve_case(session, case.id, OTHER_OFFICER, "officer", "solved", now)
        case_id, reference = case.id, case.reference
    await notify_officers_pending(bot.services, bot.application.bot, case_id=case_id)  # the card and notices
    return case_id, reference


async def prepare(world: World, row: Row, actor: str) -> dict[str, Any]:
    """What the cell needs, fresh for each cell: a case, a check-in, an intake, an officer to remove."""
    bot, now = world.bot, world.bot.clock.now()
    values: dict[str, Any] = {"worker": world.ids["worker"], "faq": FAQ_ID}
    if row.case:
        values["case"], values["ref"] = await fresh_case(world, row.case)
    async with bot.db.transaction() as session:
        if "{checkin}" in row.send:
            checkin = Checkin(worker_id=world.ids["worker"], due_at=now - timedelta(minutes=next(world.message_ids)),
                              status=SENT, created_at=now, sent_at=now, attempts=1)
            session.add(checkin)
            await session.flush()
            values["checkin"] = checkin.id
        if row.send.startswith("ci:") and actor in world.ids:
            worker = await session.get(Worker, world.ids[actor])
            await intakes.start(session, worker, "wages", now)
        if row.send.startswith("/petugas hapus"):
            await officer_service.add_officer(session, OTHER_OFFICER, "officer", now, "Eko")
        if row.send.startswith("/petugas tambah"):
            await officer_service.remove_officer(session, int(row.send.split()[2]), frozenset())
    return values


# --- acting and observing -----------------------------------------------------------------------------------------

async def snapshot(db) -> dict[str, list[str]]:
    """Every row of every table, except the de-duplication log and the worker's last-seen time."""
    out = {}
    async with db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            if table.name == "processed_update":
                continue
            columns = [c for c in table.columns if (table.name, c.name) != ("worker", "last_seen_at")]
            out[table.name] = sorted(repr(tuple(r)) for r in (await session.execute(select(*columns))).all())
    return out


def chat_of(row: Row, actor: str) -> dict[str, Any]:
    if actor == "stranger" or (actor != "worker" and row.staff_in == "group"):
        return {"id": GROUP, "type": "supergroup", "title": "Petugas Sahabat PMI"}
    return {"id": USER_IDS[actor], "type": "private", "first_name": actor.title()}


def bot_message(world: World, chat: dict[str, Any], text: str) -> dict[str, Any]:
    api = world.bot.api
    message = {"message_id": next(world.message_ids), "date": int(time.time()), "chat": chat, "from": api.bot_user,
               "text": text, "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "x"}]]}}
    api._messages[(chat["id"], message["message_id"])] = message
    return message


async def act(world: World, row: Row, actor: str, values: dict[str, Any]) -> tuple[int, str | None]:
    """Send the row's action as `actor`; returns (update id, callback query id)."""
    api = world.bot.api
    user = LocalUser(USER_IDS[actor], actor.title())
    chat = chat_of(row, actor)
    text = row.send.format(**values)
    if row.kind == "button":
        query_id = str(next(world.message_ids))
        query = {"id": query_id, "from": user.as_dict(), "chat_instance": "ci", "data": text,
                 "message": bot_message(world, chat, "Pesan dengan tombol")}
        return api.push_update({"callback_query": query})["update_id"], query_id
    extra = {}
    if row.reply_to == "card":
        async with world.bot.db.transaction() as session:
            case = await session.get(Case, values["case"])
        extra["reply_to_message"] = api._messages[(GROUP, case.card_message_id)]
    elif row.reply_to == "kb_prompt":
        extra["reply_to_message"] = bot_message(world, chat, f"✏️ EDIT {FAQ_ID} (id)\nBalas (reply) pesan ini.")
    message = api.new_message(user, chat, text, **extra)
    return api.push_update({"message": message})["update_id"], None


async def processed(world: World, update_id: int, timeout: float = 10.0) -> None:
    event = world.done.setdefault(update_id, asyncio.Event())
    await asyncio.wait_for(event.wait(), timeout)


def what_they_saw(world: World, start: int, chat_id: int, query_id: str | None) -> list[Sent]:
    return [s for s in world.bot.api.sent[start:]
            if (s.chat_id == chat_id and s.method != "editMessageReplyMarkup")
            or (query_id is not None and s.method == "answerCallbackQuery"
                and str(s.params.get("callback_query_id")) == query_id)]


async def run_cell(world: World, row: Row, actor: str) -> str | None:
    """Play one cell; returns a description of what went wrong, or None."""
    expect = row.expect(actor)
    values = await prepare(world, row, actor)
    before = await snapshot(world.bot.db)
    start = len(world.bot.api.sent)
    update_id, query_id = await act(world, row, actor, values)
    await processed(world, update_id)
    seen = what_they_saw(world, start, chat_of(row, actor)["id"], query_id)
    texts = [s.text for s in seen if s.text]
    after = await snapshot(world.bot.db)
    changed = sorted(name for name in after if after[name] != before.get(name))
    where = f"{row.label} as {actor}"
    if expect.outcome == "silent":
        if seen or changed:
            return f"{where}: expected silence, got {texts or [s.method for s in seen]} and changes in {changed}"
        return None
    if expect.outcome == "no":
        if not any(expect.shows.lower() in text.lower() for text in texts):
            return f"{where}: expected a refusal with {expect.shows!r}, saw {texts}"
        if changed:
            return f"{where}: refused, but the database changed: {changed}"
        return None
    if not seen:
        return f"{where}: expected it to work, but the bot did nothing"
    if expect.shows and not any(expect.shows.lower() in text.lower() for text in texts):
        return f"{where}: expected {expect.shows!r}, saw {texts}"
    refusals = [text for text in texts if any(r in text.lower() for r in REFUSALS)]
    if refusals:
        return f"{where}: expected it to work, but it was refused: {refusals}"
    if expect.changes is True and not changed:
        return f"{where}: worked, but changed nothing in the database"
    if expect.changes is False and changed:
        return f"{where}: must not change the database, changed {changed}"
    return None


def registered(application) -> tuple[dict[str, CommandHandler], list[CallbackQueryHandler]]:
    commands: dict[str, CommandHandler] = {}
    buttons: list[CallbackQueryHandler] = []
    for handlers in application.handlers.values():
        for handler in handlers:
            if isinstance(handler, CommandHandler):
                for name in handler.commands:
                    commands[name] = handler
            elif isinstance(handler, CallbackQueryHandler) and handler.pattern is not None:
                buttons.append(handler)
    return commands, buttons


PATTERN = re.compile(r"^\^(?:\(([a-z_|]+)\)|([a-z_]+))(:|\$)$")


def prefixes(handler: CallbackQueryHandler) -> list[str]:
    """lang:, consent:, ... of `^(lang|consent):`; human of `^human$`."""
    match = PATTERN.match(handler.pattern.pattern)
    assert match, f"describe the button pattern {handler.pattern.pattern!r} in the matrix's prefixes()"
    names = (match[1] or match[2]).split("|")
    return [name + ":" if match[3] == ":" else name for name in names]


# --- the tests -------------------------------------------------------------------------------------------------------

async def test_every_registered_command_and_button_is_in_the_matrix(bot_without_nlu):
    commands, buttons = registered(bot_without_nlu.application)
    covered = {name for row in MATRIX for name in row.covers}
    missing = sorted(set(commands) - covered)
    assert not missing, f"commands without a row in MATRIX: {missing}"
    registered_prefixes = {prefix for handler in buttons for prefix in prefixes(handler)}
    missing = sorted(registered_prefixes - covered)
    assert not missing, f"button prefixes without a row in MATRIX: {missing}"
    for row in MATRIX:
        assert len(row.cells) == len(ACTORS), row.label
        if row.kind == "command" and row.covers[0] in commands:
            handler = commands[row.send.split()[0].lstrip("/")]
            assert set(row.covers) == set(handler.commands), f"{row.label}: covers {row.covers}"
        if row.kind == "button" and set(row.covers) & registered_prefixes:
            data = row.send.format(case=1, ref="PMI-2026-000001", checkin=1, worker=1, faq=FAQ_ID)
            first = next((h for h in buttons if h.pattern.match(data)), None)
            assert first is not None and set(row.covers) <= set(prefixes(first)), f"{row.label} is not {row.covers}"


@pytest.mark.parametrize("row", MATRIX, ids=[row.label for row in MATRIX])
async def test_authorization_matrix(bot_without_nlu, row):
    commands, buttons = registered(bot_without_nlu.application)
    registered_prefixes = {prefix for handler in buttons for prefix in prefixes(handler)}
    if row.covers and not (set(row.covers) & (set(commands) | registered_prefixes)):
        pytest.skip(f"{row.label} is not registered in this version")
    world = await make_world(bot_without_nlu)
    problems = []
    # refusals and silences first, so an allowed action cannot make a later refusal look right
    for actor in sorted(ACTORS, key=lambda a: row.expect(a).outcome == "ok"):
        if row.expect(actor).outcome == "na":
            continue
        problem = await run_cell(world, row, actor)
        if problem:
            problems.append(problem)
    assert not problems, "\n".join(problems)


# --- groups and channels the bot was not configured for ---------------------------------------------------------

async def test_unknown_groups_and_channels_get_nothing_and_store_nothing(bot_without_nlu):
    """Commands, messages (danger words too) and channel posts get no reply; a button pressed there only gets a
    refusal notice its presser sees; nothing is stored, not even the update ids."""
    bot = bot_without_nlu
    world = await make_world(bot)
    case_id, reference = await fresh_case(world, "new")
    before = await snapshot(bot.db)
    async with bot.db.transaction() as session:
        seen_before = await session.scalar(select(func.count(ProcessedUpdate.update_id)))
    start = len(bot.api.sent)
    elsewhere = {"id": -100999, "type": "supergroup", "title": "Grup lain"}
    officer = bot.api.chat(USER_IDS["officer"], "Officer", chat_id=-100999, chat_type="supergroup")
    stranger = bot.api.chat(USER_IDS["stranger"], "Stranger", chat_id=-100999, chat_type="supergroup")
    officer.send("/kasus")
    officer.send(f"/catatan {reference} catatan dari grup lain")
    officer.send("/checkins")
    stranger.send("/start")
    stranger.send("tolong saya dipukul majikan")  # danger words in a group that is not ours: not our worker
    officer.press("", message=bot_message(world, elsewhere, "kartu palsu"), raw_data=f"cs:claim:{case_id}")
    stranger.press("", message=bot_message(world, elsewhere, "tombol palsu"), raw_data="lang:id")
    channel = {"id": -100777, "type": "channel", "title": "Saluran"}
    bot.api.push_update({"channel_post": {"message_id": 1, "date": int(time.time()), "chat": channel,
                                          "text": "/kasus"}})
    bot.api.push_update({"edited_channel_post": {"message_id": 1, "date": int(time.time()), "chat": channel,
                                                 "text": "tolong saya dipukul", "edit_date": int(time.time())}})
    await asyncio.sleep(1.0)
    out = bot.api.sent[start:]
    assert [s for s in out if s.method != "answerCallbackQuery"] == []  # not a message in any chat
    refusals = [s.text for s in out if s.method == "answerCallbackQuery"]  # seen by the presser alone
    assert len(refusals) == 2 and all("tidak berlaku" in text for text in refusals), refusals
    assert await snapshot(bot.db) == before
    async with bot.db.transaction() as session:
        assert await session.scalar(select(func.count(ProcessedUpdate.update_id))) == seen_before  # not even the update ids


def _membership(chat: dict[str, Any], user: LocalUser, bot_user: dict[str, Any], status: str) -> dict[str, Any]:
    return {"chat": chat, "from": user.as_dict(), "date": int(time.time()),
            "old_chat_member": {"user": bot_user, "status": "left"},
            "new_chat_member": {"user": bot_user, "status": status}}


async def test_the_bot_leaves_a_group_it_is_added_to_but_stays_in_the_officers_group(bot_without_nlu):
    bot = bot_without_nlu
    someone = LocalUser(USER_IDS["stranger"], "Stranger")
    elsewhere = {"id": -100999, "type": "supergroup", "title": "Grup lain"}
    ours = {"id": GROUP, "type": "supergroup", "title": "Petugas Sahabat PMI"}
    bot.api.push_update({"my_chat_member": _membership(elsewhere, someone, bot.api.bot_user, "member")})
    bot.api.push_update({"my_chat_member": _membership(ours, someone, bot.api.bot_user, "member")})
    deadline = asyncio.get_running_loop().time() + 5
    while not bot.api.left_chats and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    assert bot.api.left_chats == [-100999]


# --- rights that end with the role ------------------------------------------------------------------------------

async def test_a_removed_officer_can_no_longer_change_what_the_worker_reads(bot_without_nlu):
    """Editing a message already relayed to the worker edits the worker's copy - only while the editor is an
    officer. Before this was checked, an officer removed from the team could still rewrite their old messages."""
    bot = bot_without_nlu
    world = await make_world(bot)
    case_id, _ = await fresh_case(world, "new")
    async with bot.db.transaction() as session:
        card_id = (await session.get(Case, case_id)).card_message_id
    budi = bot.api.chat(USER_IDS["officer"], "Budi", chat_id=GROUP, chat_type="supergroup")
    worker = bot.api.chat(USER_IDS["worker"], "Worker")
    sent = budi.send("Halo, kami sedang menghubungi agen Anda.", reply_to=bot.api._messages[(GROUP, card_id)])
    await worker.expect("kami sedang menghubungi agen")
    budi.edit(sent, "Halo, kami sudah menghubungi agen Anda.")
    assert "sudah menghubungi" in (await worker.expect("sudah menghubungi")).text  # an officer may correct it

    admin = bot.api.chat(USER_IDS["bootstrap"], "Admin", chat_id=GROUP, chat_type="supergroup")
    admin.send(f"/petugas hapus {USER_IDS['officer']}")
    await admin.expect("dihapus dari petugas")
    budi.edit(sent, "Kirim uang ke rekening saya dulu.")
    await asyncio.sleep(0.8)
    assert [s for s in worker.drain() if "rekening" in s.text] == []
