"""Onboarding through the real Application and the local Bot API server: every step, skips and changes."""
from sqlalchemy import select

from bot.workers.models import Worker


async def stored(bot, user_id):
    async with bot.db.transaction() as session:
        return await session.scalar(select(Worker).where(Worker.telegram_user_id == user_id))


async def test_full_onboarding_stores_profile_and_consent(bot):
    siti = bot.worker(1001)
    await bot.onboard(siti, country="Taiwan", city="Taichung")
    worker = await stored(bot, 1001)
    assert worker.consent is True and worker.consent_version == 1 and worker.consent_at is not None
    assert (worker.country, worker.city, worker.sector) == ("TW", "Taichung", "domestic")
    assert worker.checkin_frequency == "daily" and worker.checkin_time == "10:00"
    assert worker.onboarded and worker.awaiting is None
    # commands are registered in both languages
    assert {c["command"] for c in bot.api.commands[""]} >= {"start", "darurat", "help", "profil", "bahasa"}
    assert "en" in bot.api.commands


async def test_sos_is_visible_from_the_first_message(bot):
    ani = bot.worker(1002)
    ani.send("/start")
    first = await ani.next()
    assert "DARURAT" in first.text and "🆘 DARURAT" in first.keyboard


async def test_every_step_can_be_skipped(bot):
    budi = bot.worker(1003, "Budi")
    budi.send("/start")
    await budi.expect("Pilih bahasa")
    budi.press("English")
    await budi.expect("Do you agree")
    budi.press("I agree")
    await budi.expect("Which country")
    budi.press("Skip")
    await budi.expect("Which city")
    budi.press("Skip")
    await budi.expect("What is your job")
    budi.press("Skip")
    await budi.expect("check on you")
    budi.press("No, thanks")
    await budi.expect("profile is saved")
    worker = await stored(bot, 1003)
    assert worker.language == "en" and (worker.country, worker.city, worker.sector) == (None, None, None)
    assert worker.checkin_frequency == "off" and worker.onboarded


async def test_declining_consent_stores_nothing_personal(bot):
    dewi = bot.worker(1004)
    dewi.send("/start")
    await dewi.expect("Pilih bahasa")
    dewi.press("Bahasa Indonesia")
    await dewi.expect("setuju")
    dewi.press("Tidak setuju")
    await dewi.expect("tidak menyimpan data pribadi")
    worker = await stored(bot, 1004)
    assert worker.consent is False and worker.country is None
    dewi.send("/profil")
    await dewi.expect("belum setuju")


async def test_other_country_by_free_text_and_profile_changes(bot, kb):
    rina = bot.worker(1005)
    rina.send("/start")
    await rina.expect("Pilih bahasa")
    rina.press("Bahasa Indonesia")
    await rina.expect("setuju")
    rina.press("Setuju")
    await rina.expect("negara mana")
    rina.press("Negara lain")
    await rina.expect("nama negaranya")
    rina.send("brunei")
    await rina.expect("Brunei")
    await rina.expect("kota mana")
    rina.send("Bandar Seri Begawan")
    await rina.expect("pekerjaan")
    worker = await stored(bot, 1005)
    assert worker.country == "BN" and worker.city == "Bandar Seri Begawan"
    # later: change the city from /profil
    rina.press("Lewati")  # job
    await rina.expect("tanya kabar")
    rina.press("Tidak usah")
    await rina.expect("tersimpan")
    rina.send("/profil")
    await rina.expect("Profil Anda")
    rina.press("Kota")
    await rina.expect("kota mana")
    rina.send("Kuala Belait")
    await rina.expect("Tersimpan")
    assert (await stored(bot, 1005)).city == "Kuala Belait"


async def test_language_switch_changes_replies(bot):
    eko = bot.worker(1006, "Eko")
    await bot.onboard(eko)
    eko.send("/bahasa")
    await eko.expect("Choose your language")
    eko.press("English")
    await eko.expect("Language: English")
    eko.send("/help")
    await eko.expect("Sahabat PMI can help you")


async def test_forged_button_data_changes_nothing(bot):
    fajar = bot.worker(1007)
    await bot.onboard(fajar, country="Malaysia", city="Johor")
    last = fajar.last_bot_message
    for data in ("sector:astronaut", "country:ZZ", "freq:hourly", "consent:maybe", "xx:yy", "edit:password"):
        fajar.press("", message=last, raw_data=data)
    await fajar.quiet(1.0)
    worker = await stored(bot, 1007)
    assert (worker.country, worker.sector, worker.checkin_frequency, worker.consent) == ("MY", "domestic", "daily", True)
    answered = [s for s in bot.api.sent if s.method == "answerCallbackQuery"]
    assert len(answered) >= 6


async def test_duplicate_update_is_handled_once(bot):
    """Telegram redelivers unconfirmed updates after a restart: the same update_id is acted on once."""
    from telegram import Update

    gita = bot.worker(1008)
    message = bot.api.new_message(gita.user, gita.chat, "/help")
    update = Update.de_json({"update_id": 999_001, "message": message}, bot.application.bot)
    await bot.application.process_update(update)
    await gita.expect("bisa membantu")
    await bot.application.process_update(update)
    assert await gita.quiet(1.0) == []
