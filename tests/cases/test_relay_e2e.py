"""Officer and worker sides end to end (NLU down, so these run without the Rasa server): forum topics, edits
both ways, blocked bot, flood limits, long messages, consent, /batal, /status, /kasus, /petugas, emergencies
during a handled case."""
import pytest
from sqlalchemy import select

from bot.cases.models import CaseIntake
from bot.workers.models import Worker
from handlers import case_delivery
from tests.cases.helpers import (
    GROUP, add_officer, answered, case_alerts, case_count, eventually, in_group, kinds, live, relays, stored_case,
    sweep, until,
)


@pytest.fixture(autouse=True)
def fresh_forum_cache():
    case_delivery.forget_forum_cache()
    yield
    case_delivery.forget_forum_cache()


async def sos_case(bot, worker, group):
    """A case opened by /darurat (no NLU needed), claimed by the officer playing `group`; returns the card."""
    worker.send("/darurat")
    card = await group.expect("DARURAT")
    await worker.expect("Petugas kami sudah diberi tahu")
    return card


async def claim(bot, worker, group, card):
    group.press("Ambil", message=live(bot, GROUP, card.message["message_id"]))
    await worker.expect("ditangani petugas")


async def test_forum_group_gets_one_topic_per_case_and_relays_inside_it(bot_without_nlu):
    bot = bot_without_nlu
    bot.api.forum_chats.add(GROUP)
    await add_officer(bot, 501, "officer", "Budi")
    budi = in_group(bot, 501, "Budi")
    siti = bot.worker(1001, "Siti")
    card = await sos_case(bot, siti, budi)
    topic = [s for s in bot.api.sent_to(GROUP) if s.method == "createForumTopic"]
    assert len(topic) == 1 and "PMI-2026-000001" in topic[0].params["name"]
    thread_id = card.message["message_thread_id"]
    assert (await stored_case(bot)).thread_id == thread_id

    # an officer writes in the topic (no reply needed): the worker gets it
    budi.send("Siti, kami sedang menghubungi polisi. Di mana Anda?", thread_id=thread_id)
    await siti.expect("kami sedang menghubungi polisi")
    # the worker answers: copied into the same topic
    siti.send("di rumah majikan, lantai 3")
    copy = await until(budi, lambda s: s.method == "copyMessage")
    assert copy.params["message_thread_id"] == thread_id and copy.text == "di rumah majikan, lantai 3"
    # talk in another topic is not sent to the worker
    budi.send("rapat jam 3 ya", thread_id=thread_id + 99)
    assert await siti.quiet(1.0) == []
    case = await stored_case(bot)
    assert case.status == "claimed" and case.assignee_id == 501  # the reply claimed it
    assert await kinds(bot, case.id) == ["created", "claimed", "message_out", "message_in"]


async def test_edits_propagate_both_ways(bot_without_nlu):
    bot = bot_without_nlu
    await add_officer(bot, 501, "officer", "Budi")
    budi = in_group(bot, 501, "Budi")
    siti = bot.worker(1001, "Siti")
    card = await sos_case(bot, siti, budi)
    await claim(bot, siti, budi, card)
    officer_message = budi.send("Kami datang jam 10", reply_to=live(bot, GROUP, card.message["message_id"]))
    delivered = await siti.expect("Kami datang jam 10")
    budi.edit(officer_message, "Kami datang jam 11")
    edit = await until(siti, lambda s: s.method == "editMessageText")
    assert edit.params["message_id"] == delivered.message["message_id"] and "Kami datang jam 11" in edit.text
    assert edit.text.startswith("👤 Petugas Sahabat PMI")

    mine = siti.send("alamat: Jalan Mawar 5")
    copy = await until(budi, lambda s: s.method == "copyMessage")
    siti.edit(mine, "alamat: Jalan Melati 7")
    edited = await until(budi, lambda s: s.method == "editMessageText" and "Melati" in s.text)
    assert edited.params["message_id"] == copy.message["message_id"]
    assert await siti.quiet(1.0) == []  # the edit is not read as a new message to answer
    assert (await kinds(bot, (await stored_case(bot)).id)).count("message_edited") == 2


async def test_worker_who_blocked_the_bot_is_marked_and_officers_are_told(bot_without_nlu):
    bot = bot_without_nlu
    await add_officer(bot, 501, "officer", "Budi")
    budi = in_group(bot, 501, "Budi")
    budi_dm = bot.api.chat(501, "Budi")
    siti = bot.worker(1001, "Siti")
    card = await sos_case(bot, siti, budi)
    await claim(bot, siti, budi, card)
    bot.api.blocked.add(1001)
    budi.send("Siti, apakah Anda aman?", reply_to=live(bot, GROUP, card.message["message_id"]))
    notice = await budi.expect("memblokir bot")
    assert "PMI-2026-000001" in notice.text
    await budi_dm.expect("memblokir bot")
    async with bot.db.transaction() as session:
        worker = await session.scalar(select(Worker).where(Worker.telegram_user_id == 1001))
        assert worker.status == "blocked_bot"
    case = await stored_case(bot)
    assert [r.status for r in await relays(bot, case.id)] == ["failed"]
    assert "worker_blocked_bot" in await kinds(bot, case.id)
    # writing again unblocks: the next officer message arrives
    bot.api.blocked.discard(1001)
    siti.send("maaf tadi terblokir")
    await until(budi, lambda s: s.method == "copyMessage")
    async with bot.db.transaction() as session:
        worker = await session.scalar(select(Worker).where(Worker.telegram_user_id == 1001))
        assert worker.status == "active"


async def test_flood_limit_on_the_group_is_retried_from_the_database(bot_without_nlu):
    bot = bot_without_nlu
    await add_officer(bot, 501, "officer", "Budi")
    budi = in_group(bot, 501, "Budi")
    siti = bot.worker(1001, "Siti")
    # Telegram answers 429 more often than the rate limiter retries by itself
    bot.api.fail_next("sendMessage", status=429, retry_after=1, chat_id=GROUP, times=3)
    siti.send("/darurat")
    await siti.expect("Petugas kami sudah diberi tahu")
    case = await stored_case(bot)
    [card_alert] = [a for a in await case_alerts(bot, case.id) if a.kind == "card"]
    assert card_alert.status == "pending" and "flood" in card_alert.last_error
    await sweep(bot)  # too early: Telegram asked to wait
    assert [s for s in await budi.quiet(0.3) if s.method == "sendMessage"] == []
    bot.clock.advance(seconds=5)
    await sweep(bot)
    await budi.expect("DARURAT")
    await sweep(bot)
    cards = [s for s in bot.api.sent_to(GROUP) if s.method == "sendMessage" and "Kategori" in s.text]
    assert len(cards) == 1


async def test_long_officer_message_is_split_for_the_worker(bot_without_nlu):
    bot = bot_without_nlu
    await add_officer(bot, 501, "officer", "Budi")
    budi = in_group(bot, 501, "Budi")
    siti = bot.worker(1001, "Siti")
    card = await sos_case(bot, siti, budi)
    long_text = ("Langkah yang bisa Anda lakukan sekarang adalah menghubungi kantor. " * 70)[:4090]
    budi.send(long_text, reply_to=live(bot, GROUP, card.message["message_id"]))
    first = await until(siti, lambda s: s.method == "sendMessage" and "Langkah" in s.text)
    second = await until(siti, lambda s: s.method == "sendMessage")
    assert len(first.text) <= 4096 and len(second.text) <= 4096
    assert (first.text + second.text).count("Langkah") == long_text.count("Langkah")
    case = await stored_case(bot)

    async def statuses():
        found = [r.status for r in await relays(bot, case.id)]
        return found if found == ["sent"] else None

    assert await eventually(statuses) == ["sent"]


async def test_danger_during_a_handled_case_gets_the_emergency_reply_and_raises_the_case(bot_without_nlu):
    bot = bot_without_nlu
    await add_officer(bot, 501, "officer", "Budi")
    budi = in_group(bot, 501, "Budi")
    budi_dm = bot.api.chat(501, "Budi")
    siti = bot.worker(1001, "Siti")
    await bot.onboard(siti, country="Taiwan", city="Taichung")
    siti.send("paspor saya ditahan agen")
    await siti.expect("minta petugas")  # NLU down: the worker asks for an officer
    siti.press("Bicara dengan petugas")
    await siti.expect("Masalahnya tentang apa")
    siti.press("Kirim sekarang")
    await siti.expect("PMI-2026-000001")
    card = await budi.expect("PMI-2026-000001")
    assert "BIASA" in card.text
    await claim(bot, siti, budi, card)
    siti.send("tolong saya dikurung majikan sekarang")
    contacts = await siti.next()
    assert "110 (Polisi)" in contacts.text  # the emergency reply, even though the case is being handled
    await budi.expect("sekarang DARURAT")  # the notice, then the worker's message under it
    await until(budi, lambda s: s.method == "copyMessage" and "dikurung" in s.text)
    await budi_dm.expect("Kasus DARURAT")
    await siti.expect("diteruskan ke petugas sebagai DARURAT")
    case = await stored_case(bot)
    assert case.severity == "emergency" and await case_count(bot) == 1
    assert "severity_changed" in await kinds(bot, case.id)


async def test_not_safe_answer_turns_the_report_into_an_emergency(bot_without_nlu):
    bot = bot_without_nlu
    await add_officer(bot, 501, "officer", "Budi")
    budi = in_group(bot, 501, "Budi")
    siti = bot.worker(1001, "Siti")
    await bot.onboard(siti, country="Taiwan", city="Taichung")
    siti.send("saya mau lapor")
    await siti.expect("minta petugas")
    siti.press("Bicara dengan petugas")
    await siti.expect("Masalahnya tentang apa")
    siti.press("kekerasan")
    await siti.expect("apa yang terjadi")
    siti.send("majikan marah terus dan mengancam")
    await siti.expect("Sejak kapan")
    siti.press("Hari ini")
    await siti.expect("Taiwan, Taichung")
    siti.press("Lewati")
    await siti.expect("majikan atau agen")
    siti.press("Lewati")
    await siti.expect("aman sekarang")
    siti.press("Tidak aman")
    contacts = await siti.expect("hubungi segera")
    assert "110 (Polisi)" in contacts.text
    card = await budi.expect("DARURAT")
    assert "Aman sekarang: TIDAK" in card.text and "mengancam" in card.text
    await siti.expect("Petugas kami sudah diberi tahu")
    case = await stored_case(bot)
    assert (case.severity, case.category) == ("emergency", "abuse")
    async with bot.db.transaction() as session:
        assert await session.scalar(select(CaseIntake)) is None


async def test_declined_consent_asks_for_this_case_and_stores_nothing_on_no(bot_without_nlu):
    bot = bot_without_nlu
    dewi = bot.worker(1004, "Dewi")
    dewi.send("/start")
    await dewi.expect("Pilih bahasa")
    dewi.press("Bahasa Indonesia")
    await dewi.expect("setuju")
    dewi.press("Tidak setuju")
    await dewi.expect("tidak menyimpan")
    dewi.send("majikan tidak kasih makan")
    await dewi.expect("minta petugas")
    dewi.press("Bicara dengan petugas")
    ask = await dewi.expect("menyimpan cerita Anda")
    assert "Sebelumnya Anda memilih data tidak disimpan" in ask.text
    dewi.send("saya lapar sekali")  # not stored before she agrees
    await dewi.expect("Sebelum saya simpan apa pun")
    dewi.send_media("photo")
    await dewi.expect("Sebelum saya simpan apa pun")
    dewi.press("Tidak")
    declined = await dewi.expect("tidak ada yang saya simpan")
    assert "KP2MI" in declined.text
    assert await case_count(bot) == 0
    async with bot.db.transaction() as session:
        assert await session.scalar(select(CaseIntake)) is None
    # she changes her mind: consent for this report only
    dewi.send("tolong bantu saya")
    await dewi.expect("minta petugas")
    dewi.press("Bicara dengan petugas")
    await dewi.expect("menyimpan cerita Anda")
    dewi.press("Boleh, simpan")
    await dewi.expect("Masalahnya tentang apa")
    dewi.press("kondisi kerja")
    await dewi.expect("apa yang terjadi")
    dewi.send("kerja 16 jam tanpa libur")
    await dewi.expect("Sejak kapan")
    dewi.send("/batal")
    await dewi.expect("PMI-2026-000001")
    case = await stored_case(bot)
    assert case.details["storage_consent"] == "this_case" and case.summary == "kerja 16 jam tanpa libur"
    async with bot.db.transaction() as session:
        worker = await session.scalar(select(Worker).where(Worker.telegram_user_id == 1004))
        assert worker.consent is False


async def test_stop_with_batal_opens_the_case_and_it_can_be_withdrawn(bot_without_nlu):
    bot = bot_without_nlu
    await add_officer(bot, 501, "officer", "Budi")
    budi = in_group(bot, 501, "Budi")
    eko = bot.worker(1006, "Eko")
    await bot.onboard(eko)
    eko.send("/batal")
    await eko.expect("Tidak ada laporan yang sedang diisi")
    eko.send("ada masalah")
    await eko.expect("minta petugas")
    eko.press("Bicara dengan petugas")
    await eko.expect("Masalahnya tentang apa")
    eko.press("ingin pulang")
    await eko.expect("apa yang terjadi")
    eko.send("kontrak habis tapi tidak dipulangkan")
    await eko.expect("Sejak kapan")
    eko.send("/batal")
    opened = await eko.expect("PMI-2026-000001")
    assert "Batalkan laporan" in opened.text
    card = await budi.expect("PMI-2026-000001")
    assert "berhenti mengisi di pertanyaan: sejak kapan" in card.text and "ingin pulang" in card.text
    eko.press("Batalkan laporan")
    await eko.expect("dibatalkan")
    await budi.expect("membatalkan laporan")
    case = await stored_case(bot)
    assert (case.status, case.outcome) == ("closed", "withdrawn")
    refreshed = await until(budi, lambda s: s.method == "editMessageText")
    assert refreshed.params["message_id"] == card.message["message_id"] and "Ditutup" in refreshed.text
    assert "Dibatalkan pekerja" in refreshed.text and [label for label, _ in refreshed.buttons] == ["🔄 Buka lagi"]


async def test_status_and_reference_lookup_show_only_own_cases(bot_without_nlu):
    bot = bot_without_nlu
    await add_officer(bot, 501, "officer", "Budi")
    budi = in_group(bot, 501, "Budi")
    siti, ani = bot.worker(1001, "Siti"), bot.worker(1002, "Ani")
    siti.send("/status")
    await siti.expect("belum punya laporan")
    card = await sos_case(bot, siti, budi)
    siti.send("/status")
    status = await siti.expect("Laporan Anda")
    assert "PMI-2026-000001" in status.text and "menunggu petugas" in status.text
    await claim(bot, siti, budi, card)
    siti.send("/status")
    assert "sedang ditangani" in (await siti.expect("PMI-2026-000001")).text
    ani.send("gimana laporan PMI-2026-000001?")
    await ani.expect("tidak ada di laporan Anda")
    ani.send("/status")
    await ani.expect("belum punya laporan")


async def test_officer_commands_kasus_catatan_and_roles(bot_without_nlu):
    bot = bot_without_nlu
    await add_officer(bot, 501, "officer", "Budi")
    budi = in_group(bot, 501, "Budi")
    siti, ani = bot.worker(1001, "Siti"), bot.worker(1002, "Ani")
    await bot.onboard(ani)
    ani.send("ada masalah")
    await ani.expect("minta petugas")
    ani.press("Bicara dengan petugas")
    await ani.expect("Masalahnya tentang apa")
    ani.press("Kirim sekarang")
    await ani.expect("PMI-2026-000001")
    normal_card = await budi.expect("PMI-2026-000001")
    bot.clock.advance(minutes=30)
    emergency_card = await sos_case(bot, siti, budi)
    budi.send("/kasus")
    listing = await budi.expect("Kasus terbuka (2)")
    lines = listing.text.splitlines()
    assert "PMI-2026-000002" in lines[1] and "PMI-2026-000001" in lines[2]  # emergency first, then by age
    # a note by button: the prompt, then the reply to the prompt
    budi.press("Catatan", message=live(bot, GROUP, emergency_card.message["message_id"]))
    prompt = await budi.expect("balas (reply) pesan ini")
    budi.send("sudah telepon KDEI", reply_to=prompt.message)
    await budi.expect("Catatan untuk PMI-2026-000002 disimpan")
    budi.send("/catatan PMI-2026-000001 menunggu dokumen")
    await budi.expect("Catatan untuk PMI-2026-000001 disimpan")
    budi.send("/kasus PMI-2026-000002")
    history = await budi.expect("Riwayat")
    assert "sudah telepon KDEI" in history.text and "catatan" in history.text
    assert await relays(bot, (await stored_case(bot, "PMI-2026-000002")).id) == []
    # escalation by an officer reaches the bootstrap admin (no supervisor exists)
    admin_dm = bot.api.chat(900, "Admin")
    budi.press("Eskalasi", message=live(bot, GROUP, normal_card.message["message_id"]))
    await admin_dm.expect("Eskalasi dari Budi")
    assert (await stored_case(bot, "PMI-2026-000001")).severity == "high"
    # someone who is not an officer gets nothing from officer commands
    stranger_private = bot.api.chat(777, "Orang")
    stranger_private.send("/kasus")
    await stranger_private.expect("hanya untuk petugas")


async def test_admin_manages_officers_and_supervisor_reassigns(bot_without_nlu):
    bot = bot_without_nlu
    admin = bot.api.chat(900, "Admin")
    admin.send("/petugas tambah 501 officer Budi")
    await admin.expect("501 sekarang officer")
    admin.send("/petugas tambah 502 supervisor Sari")
    await admin.expect("502 sekarang supervisor")
    admin.send("/petugas tambah 503 dewa")
    await admin.expect("Peran harus officer, supervisor atau admin")
    admin.send("/petugas hapus 900")
    await admin.expect("tidak bisa dihapus")
    budi_private = bot.api.chat(501, "Budi")
    budi_private.send("/petugas tambah 504 admin")
    await budi_private.expect("hanya admin")
    admin.send("/petugas")
    listing = await admin.expect("Petugas")
    assert "501 · Budi · officer" in listing.text and "502 · Sari · supervisor" in listing.text

    siti = bot.worker(1001, "Siti")
    budi = in_group(bot, 501, "Budi")
    await sos_case(bot, siti, budi)
    budi.send("/alihkan PMI-2026-000001 502")
    await budi.expect("peran Anda tidak boleh")
    sari = in_group(bot, 502, "Sari")
    sari.send("/alihkan PMI-2026-000001 501")
    await sari.expect("dialihkan")
    await budi_private.expect("diberikan kepada Anda")
    case = await stored_case(bot)
    assert (case.status, case.assignee_id) == ("claimed", 501)
    budi_private.send("/piket off")
    await budi_private.expect("tidak piket")
    admin.send("/petugas hapus 501")
    await admin.expect("501 dihapus")
    # a removed officer's old buttons no longer work
    query = budi.press("", message=live(bot, GROUP, case.card_message_id), raw_data=f"cs:out:{case.id}:solved")
    assert "hanya untuk petugas" in (await answered(bot, query)).params["text"]
    assert (await stored_case(bot)).status == "claimed"


async def test_sos_still_gets_the_numbers_with_the_database_down(bot_without_nlu, monkeypatch):
    bot = bot_without_nlu
    from sqlalchemy.exc import OperationalError

    def database_down(*args, **kwargs):
        raise OperationalError("connect", None, Exception("database is unreachable"))

    monkeypatch.setattr(bot.db, "transaction", database_down)
    tini = bot.worker(1009, "Tini")
    tini.send("tolong saya dipukul")
    first = await tini.next()
    assert "hubungi segera" in first.text and "KP2MI" in first.text
    assert "📍 Kirim lokasi saya" in first.keyboard
    await tini.expect("Sistem kami sedang gangguan")


def test_the_scheduler_runs_the_case_sweep(settings, clock):
    from bot.scheduler import CASE_SWEEP_SECONDS, add_case_sweep
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    scheduler = AsyncIOScheduler(timezone="UTC")
    add_case_sweep(scheduler, object())
    job = scheduler.get_job("case_sweep")
    assert job is not None and job.trigger.interval.total_seconds() == CASE_SWEEP_SECONDS
