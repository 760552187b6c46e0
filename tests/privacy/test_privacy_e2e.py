"""/hapus end to end through the real Application and the fake Telegram Bot API: a worker with an open case
deletes their data and is told what went; the officers' group is told and the card loses the worker's words;
cancel keeps everything; a forged or someone else's confirmation changes nothing; writing again starts afresh."""
import pytest
from sqlalchemy import select

from bot.cases.models import Alert, CaseEvent, RelayMessage
from bot.workers.models import Worker
from handlers import case_delivery
from handlers.texts import t
from tests.cases.helpers import GROUP, add_officer, answered, eventually, in_group, live, stored_case, until
from tests.privacy.helpers import dump

USER = 987654321
SECRET_WORDS = ("dipukul majikan", "0812-3456-7890", "ambil paspor saya", "Taichung")


@pytest.fixture(autouse=True)
def fresh_forum_cache():
    case_delivery.forget_forum_cache()
    yield
    case_delivery.forget_forum_cache()


async def _worker_with_open_case(bot, user_id=USER, name="Siti"):
    await add_officer(bot, 501, "officer", "Budi")
    worker = bot.worker(user_id, name)
    group = in_group(bot, 501, "Budi")
    await bot.onboard(worker, country="Taiwan", city="Taichung")
    worker.send("tolong saya dipukul majikan, nomor saya 0812-3456-7890")
    await worker.expect("Petugas kami sudah diberi tahu")
    card = await group.expect("DARURAT")
    assert "dipukul majikan" in card.text and "Taichung" in card.text
    worker.send("majikan ambil paspor saya")
    copy = await until(group, lambda s: s.method == "copyMessage")
    assert copy.text == "majikan ambil paspor saya"
    return worker, group, card, copy


async def _settled_dump(bot) -> str:
    """The whole database once every queued alert and relayed copy has been delivered (nothing in flight)."""
    async def settled():
        async with bot.db.transaction() as session:
            busy = [*await session.scalars(select(Alert.id).where(Alert.status.in_(("pending", "sending")))),
                    *await session.scalars(select(RelayMessage.id).where(
                        RelayMessage.status.in_(("pending", "sending"))))]
        return not busy

    assert await eventually(settled)
    text = await dump(bot.db)
    return "\n".join(line for line in text.splitlines() if not line.startswith("processed_update"))


async def _worker_row(bot, telegram_id: int) -> Worker | None:
    async with bot.db.transaction() as session:
        return await session.scalar(select(Worker).where(Worker.telegram_user_id == telegram_id))


async def test_worker_with_an_open_case_deletes_their_data(bot_without_nlu):
    bot = bot_without_nlu
    siti, group, card, copy = await _worker_with_open_case(bot)
    case = await stored_case(bot)
    worker_id = case.worker_id
    before = await _settled_dump(bot)  # the copy's row records where it went, so it can be deleted
    assert case.status == "new" and all(word in before for word in SECRET_WORDS)

    siti.send("/hapus")
    confirm = await siti.expect("Hapus data saya")
    assert confirm.text.index("Hapus data saya") < confirm.text.index("Delete my data")  # Indonesian first
    assert "Laporan yang masih berjalan (1) akan ditutup" in confirm.text
    assert [label for label, _ in confirm.buttons] == ["🗑 Ya, hapus / Yes, delete", "↩️ Batal / Cancel"]
    siti.press("Ya, hapus")
    done = await siti.expect("Data Anda sudah dihapus")
    assert "profil Anda, jadwal cek keamanan, dan semua pesan Anda" in done.text
    assert "Bantuan darurat tetap ada" in done.text and "/darurat" in done.text
    assert "Your data has been deleted" in done.text and "Emergency help is still here" in done.text
    assert "🆘 DARURAT" in done.keyboard  # the SOS button stays one tap away

    # the officers' group: a notice on the case, and the card without the worker's words or buttons
    notice = await until(group, lambda s: s.method == "sendMessage" and "menghapus datanya" in s.text)
    assert case.reference in notice.text and "dianonimkan dan ditutup" in notice.text
    assert notice.message["reply_to_message"]["message_id"] == card.message["message_id"]
    edited = await until(group, lambda s: s.method == "editMessageText"
                         and s.params.get("message_id") == card.message["message_id"])
    assert "Pekerja menghapus datanya" in edited.text and "dipukul" not in edited.text
    assert "Taichung" not in edited.text and edited.buttons == []
    # the bot's copy of her message in the group is deleted too (it is younger than 48 hours)
    deleted = await until(group, lambda s: s.method == "deleteMessage")
    assert deleted.params.get("message_id") == copy.message["message_id"]
    assert (GROUP, copy.message["message_id"]) not in bot.api._messages

    # the database: a closed, anonymised case; no profile, no words, no Telegram id
    opened = case
    case = await stored_case(bot, case.reference)
    assert (case.status, case.outcome, case.summary, case.closed_at) == ("closed", "withdrawn", "", bot.clock.now())
    assert (case.worker_id, case.severity, case.category, case.created_at) == (
        worker_id, "emergency", opened.category, opened.created_at)
    everything = await dump(bot.db)
    assert [word for word in SECRET_WORDS if word in everything] == []
    assert str(USER) not in everything
    async with bot.db.transaction() as session:
        tomb = await session.get(Worker, worker_id)
        assert (tomb.status, tomb.telegram_user_id, tomb.country, tomb.city) == ("deleted", -worker_id, None, None)
        events = list(await session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)))
    assert [e.kind for e in events][-2:] == ["closed", "anonymised"]
    assert all("text" not in e.data for e in events)

    # the old confirmation button does nothing any more
    query = siti.press("priv:yes:%d" % worker_id, message=live(bot, USER, confirm.message["message_id"]),
                       raw_data=f"priv:yes:{worker_id}")
    assert (await answered(bot, query)).params.get("text") == t("stale_button", "id")

    # writing again: a new worker, asked for language and consent from the start, with no reports
    siti.send("/status")
    await siti.expect("Anda belum punya laporan")
    siti.send("/start")
    await siti.expect("Pilih bahasa")
    siti.press("Bahasa Indonesia")
    await siti.expect("Apakah Anda setuju")
    fresh = await _worker_row(bot, USER)
    assert fresh.id != worker_id and fresh.consent is None and fresh.country is None


async def test_cancel_keeps_everything(bot_without_nlu):
    bot = bot_without_nlu
    siti, group, card, copy = await _worker_with_open_case(bot)
    before = await _settled_dump(bot)
    siti.send("/delete")  # the English command does the same
    await siti.expect("Delete my data")
    siti.press("Batal")
    reply = await siti.expect("tidak ada yang dihapus")
    assert "nothing was deleted" in reply.text
    case = await stored_case(bot)
    assert case.status == "new" and "dipukul majikan" in case.summary
    worker = await _worker_row(bot, USER)
    assert (worker.status, worker.city, worker.consent) == ("active", "Taichung", True)
    after = await _settled_dump(bot)
    assert all(word in after for word in SECRET_WORDS)
    assert after == before  # only the update de-duplication ids changed
    assert [s for s in await group.quiet(0.5) if "menghapus" in s.text] == []


async def test_a_confirmation_from_another_user_changes_nothing(bot_without_nlu):
    bot = bot_without_nlu
    siti, group, card, copy = await _worker_with_open_case(bot)
    ani = bot.worker(2002, "Ani")
    await bot.onboard(ani, country="Taiwan", city="Taipei")
    siti.send("/hapus")
    confirm = await siti.expect("Hapus data saya")
    siti_id = (await _worker_row(bot, USER)).id
    before = await _settled_dump(bot)

    # Ani forges Siti's confirmation: in her own chat, and as if pressed on Siti's message
    forged = [ani.press("x", message={"message_id": 1, "chat": {"id": 2002, "type": "private"}, "date": 0},
                        raw_data=f"priv:yes:{siti_id}"),
              ani.press("x", message=live(bot, USER, confirm.message["message_id"]), raw_data=f"priv:yes:{siti_id}"),
              ani.press("x", message={"message_id": 1, "chat": {"id": 2002, "type": "private"}, "date": 0},
                        raw_data="priv:yes:not-a-number")]
    for query in forged:
        assert (await answered(bot, query)).params.get("text") == t("stale_button", "id")
    assert await _settled_dump(bot) == before
    assert (await _worker_row(bot, USER)).status == "active" and (await _worker_row(bot, 2002)).status == "active"
    assert (await stored_case(bot)).status == "new"


async def test_someone_the_bot_never_met_is_told_nothing_is_stored(bot_without_nlu):
    bot = bot_without_nlu
    stranger = bot.worker(3003, "Tono")
    stranger.send("/hapus")
    await stranger.expect("Kami tidak menyimpan data tentang Anda")
    assert await _worker_row(bot, 3003) is None


async def test_the_commands_are_in_the_menu(bot_without_nlu):
    commands = bot_without_nlu.api.commands
    assert ("hapus", "Hapus data saya") in [(c["command"], c["description"]) for c in commands[""]]
    assert ("delete", "Delete my data") in [(c["command"], c["description"]) for c in commands["en"]]
