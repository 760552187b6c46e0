"""Issue 5's "done when", end to end through the real Application and the fake Telegram Bot API:
wage complaint -> intake -> case -> officer claims, replies, worker answers, officer resolves, worker confirms;
emergency with the NLU down -> contacts + alert + supervisor escalation after the SLA; a restart mid-case loses
nothing and sends nothing twice; a non-officer pressing a forged Ambil button changes nothing."""
import logging

import pytest
from telegram import Update

from handlers import case_delivery
from tests.cases.helpers import (
    GROUP, add_officer, answered, case_alerts, case_count, eventually, in_group, kinds, live, relays, restart,
    stored_case, sweep, until,
)


@pytest.fixture(autouse=True)
def fresh_forum_cache():
    case_delivery.forget_forum_cache()
    yield
    case_delivery.forget_forum_cache()


async def test_wage_complaint_from_intake_to_confirmed_resolution(bot):
    await add_officer(bot, 501, "officer", "Budi")
    siti = bot.worker(1001, "Siti")
    budi = in_group(bot, 501, "Budi")
    await bot.onboard(siti, country="Taiwan", city="Taichung")

    # the NLU routes the complaint to case_wages: the intake confirms the category in plain words
    siti.send("gaji saya belum dibayar 3 bulan")
    await siti.expect("Benar masalahnya tentang gaji?")
    siti.press("Benar")
    await siti.expect("Ada yang mau ditambahkan")
    siti.send_media("photo", caption="slip gaji")
    await siti.expect("Bukti diterima (1)")
    siti.send("majikan selalu bilang nanti, sudah 3 bulan")
    await siti.expect("Sejak kapan")
    siti.press("Lebih dari sebulan")
    await siti.expect("Apakah Anda sekarang di Taiwan, Taichung")  # prefilled from the profile
    siti.press("Benar")
    await siti.expect("majikan atau agen")
    siti.send("Agen <Maju> & Co")
    await siti.expect("aman sekarang")
    siti.press("Ya, saya aman")
    await siti.expect("menghubungi Anda")
    siti.press("Ya, boleh")
    await siti.expect("KBRI/KJRI atau KP2MI")
    siti.press("Ya, boleh")
    summary = await siti.expect("Cek laporan Anda")
    assert "Agen <Maju> & Co" in summary.text and "Bukti: 1 file" in summary.text
    assert "gaji saya belum dibayar 3 bulan" in summary.text
    siti.press("Kirim laporan")
    opened = await siti.expect("Nomor laporan: PMI-2026-000001")
    assert "/status" in opened.text and "4 jam" in opened.text  # what happens next, from the SLA settings

    # the officers' group gets the card, then the evidence copied under it
    card = await budi.expect("PMI-2026-000001")
    assert "Kategori: gaji" in card.text and "Agen <Maju> & Co" in card.text
    assert "Boleh dibagikan ke KBRI" in card.text and "Taiwan, Taichung" in card.text
    assert [label for label, _ in card.buttons] == ["✋ Ambil", "📝 Catatan", "⬆️ Eskalasi", "✅ Selesai"]
    card_id = card.message["message_id"]
    evidence = await until(budi, lambda s: s.method == "copyMessage")
    assert evidence.message["photo"] and evidence.message["reply_to_message"]["message_id"] == card_id

    # claim
    budi.press("Ambil", message=live(bot, GROUP, card_id))
    await siti.expect("sekarang ditangani petugas")
    edited = await until(budi, lambda s: s.method == "editMessageText")
    assert "Ditangani: Budi" in edited.text and "Ambil" not in str(edited.buttons)

    # the officer replies to the card: the worker reads it with a header, the HTML shown as typed
    budi.send("Halo Siti, saya Budi <petugas>. Kami hubungi agen Anda.", reply_to=live(bot, GROUP, card_id))
    relayed = await siti.expect("Halo Siti, saya Budi <petugas>")
    assert relayed.text.startswith("👤 Petugas Sahabat PMI · PMI-2026-000001")

    # the worker answers: copied to the officers, not answered by the bot
    answer = siti.send("terima kasih pak, nomor agen 0812-000")
    copy = await until(budi, lambda s: s.method == "copyMessage")
    assert copy.text == "terima kasih pak, nomor agen 0812-000"
    assert copy.message["reply_to_message"]["message_id"] == card_id
    assert await siti.quiet(1.0) == []
    case = await stored_case(bot, "PMI-2026-000001")
    assert case.status == "claimed"  # the worker answered the officer's question

    # resolve with an outcome
    budi.press("Selesai", message=live(bot, GROUP, card_id))
    await until(budi, lambda s: s.method == "editMessageReplyMarkup")
    budi.press("Terselesaikan", message=live(bot, GROUP, card_id))
    question = await siti.expect("Apakah masalah Anda sudah selesai")
    assert "masalah teratasi" in question.text
    siti.press("Ya, sudah selesai")
    await siti.expect("Laporan PMI-2026-000001 ditutup")
    await budi.expect("mengonfirmasi")

    case = await stored_case(bot, "PMI-2026-000001")
    assert (case.status, case.outcome, case.assignee_id, case.severity) == ("closed", "solved", 501, "normal")
    assert case.share_consent is True and case.contact_ok is True
    assert await kinds(bot, case.id) == ["created", "evidence", "claimed", "message_out", "message_in", "resolved",
                                         "closed"]
    mapping = [(r.direction, r.source_message_id, r.dest_chat_id, r.status) for r in await relays(bot, case.id)]
    assert mapping == [("in", mapping[0][1], GROUP, "sent"), ("out", mapping[1][1], 1001, "sent"),
                       ("in", answer["message_id"], GROUP, "sent")]

    async def all_sent():
        return [(a.kind, a.status) for a in await case_alerts(bot, case.id) if a.status != "sent"] == []

    assert await eventually(all_sent), [(a.kind, a.status) for a in await case_alerts(bot, case.id)]


async def test_emergency_with_nlu_down_contacts_alert_and_supervisor_escalation(bot_without_nlu):
    bot = bot_without_nlu
    await add_officer(bot, 501, "officer", "Budi")
    await add_officer(bot, 502, "supervisor", "Sari")
    ani = bot.worker(1002, "Ani")
    budi_dm, sari_dm = bot.api.chat(501, "Budi"), bot.api.chat(502, "Sari")
    group = in_group(bot, 501, "Budi")
    await bot.onboard(ani, country="Taiwan", city="Taipei")

    ani.send("tolong saya dipukul majikan, saya dikunci di kamar")
    first = await ani.next()
    # the first reply: Taiwan's emergency numbers, the Indonesian office, KP2MI, and a location button
    assert "110 (Polisi)" in first.text and "KDEI Taipei" in first.text and "KP2MI" in first.text
    assert "📍 Kirim lokasi saya" in first.keyboard
    card = await group.expect("DARURAT")
    assert "dipukul majikan" in card.text and "Harus diambil sebelum" in card.text
    for dm in (budi_dm, sari_dm):  # every on-duty officer, directly
        alert = await dm.expect("Kasus DARURAT")
        assert ("✋ Ambil", f"cs:claim:{(await stored_case(bot)).id}") in alert.buttons
    await ani.expect("Petugas kami sudah diberi tahu")
    case = await stored_case(bot)
    assert (case.severity, case.source, case.status) == ("emergency", "emergency", "new")

    # location shared after the alarm goes to the officers
    ani.send_media("location")
    located = await until(group, lambda s: s.method == "copyMessage")
    assert located.message["location"]["latitude"] == pytest.approx(22.3193)

    # nobody claims: after sla.emergency_claim_minutes the supervisor is alerted, and again every interval
    minutes = bot.settings.sla.emergency_claim_minutes
    bot.clock.advance(minutes=minutes - 1)
    await sweep(bot)
    assert await sari_dm.quiet(0.5) == []
    bot.clock.advance(minutes=1)
    await sweep(bot)
    warning = await sari_dm.expect("Untuk supervisor")
    assert "belum diambil" in warning.text and "peringatan ke-1" in warning.text
    await group.expect("Peringatan ke-1")
    await sweep(bot)  # a second sweep at the same moment (another process, a restart) sends nothing
    assert await sari_dm.quiet(0.5) == []
    bot.clock.advance(minutes=minutes)
    await sweep(bot)
    await sari_dm.expect("peringatan ke-2")
    await group.expect("Peringatan ke-2")
    assert await budi_dm.quiet(0.3) == []  # escalations go to supervisors, not to every officer

    # the supervisor claims from the direct message; the repeats stop
    sari_dm.press("Ambil", message=live(bot, 502, warning.message["message_id"]))
    await ani.expect("sekarang ditangani petugas")
    bot.clock.advance(minutes=minutes * 3)
    await sweep(bot)
    assert [s for s in await sari_dm.quiet(0.5) if s.method == "sendMessage"] == []
    case = await stored_case(bot)
    assert (case.status, case.assignee_id, case.escalation_level) == ("claimed", 502, 2)
    assert (await kinds(bot, case.id)).count("escalation") == 2


async def test_restart_mid_intake_and_mid_case_loses_nothing_and_sends_nothing_twice(bot_without_nlu):
    bot = bot_without_nlu
    await add_officer(bot, 501, "officer", "Budi")
    rina = bot.worker(1003, "Rina")
    budi = in_group(bot, 501, "Budi")
    await bot.onboard(rina, country="Malaysia", city="Johor")

    # a report started by the "talk to an officer" button (the NLU is down)
    rina.send("saya ada masalah sama agen")
    offer = await rina.expect("minta petugas")
    assert ("👤 Bicara dengan petugas", "human") in offer.buttons
    rina.press("Bicara dengan petugas")
    await rina.expect("Masalahnya tentang apa?")
    rina.press("dokumen / paspor")
    await rina.expect("apa yang terjadi")
    rina.send("agen ambil paspor saya dan tidak mau kembalikan")
    await rina.expect("Sejak kapan")

    await restart(bot)  # mid-intake: the answers are in the database, the old buttons still work
    rina.press("Bulan ini")
    await rina.expect("Malaysia, Johor")
    # the officers' group is briefly unreachable when she sends
    bot.api.fail_next("sendMessage", status=502, description="Bad Gateway", chat_id=GROUP)
    rina.press("Kirim sekarang")
    await rina.expect("PMI-2026-000001")
    case = await stored_case(bot)
    assert case.details["since"] == "month" and "paspor" in case.summary
    assert case.card_message_id is None and [a.status for a in await case_alerts(bot, case.id)] == ["pending"]

    await restart(bot)  # the card is still owed: the sweep sends it once
    bot.clock.advance(seconds=10)
    await sweep(bot)
    card = await budi.expect("PMI-2026-000001")
    await sweep(bot)
    await restart(bot)
    bot.clock.advance(minutes=1)
    await sweep(bot)
    assert [s for s in await budi.quiet(0.5) if "PMI-2026-000001" in s.text] == []
    cards = [s for s in bot.api.sent_to(GROUP) if s.method == "sendMessage" and "Kategori:" in s.text]
    assert len(cards) == 1

    # after another restart the officer's reply to the old card still reaches the worker
    await restart(bot)
    budi.press("Ambil", message=live(bot, GROUP, card.message["message_id"]))
    await rina.expect("ditangani petugas")
    budi.send("Rina, paspor ditahan sejak kapan?", reply_to=live(bot, GROUP, card.message["message_id"]))
    await rina.expect("paspor ditahan sejak kapan")

    # Telegram redelivers the worker's answer after a restart: it is relayed once
    message = bot.api.new_message(rina.user, rina.chat, "sejak bulan Maret")
    update = Update.de_json({"update_id": 880_001, "message": message}, bot.application.bot)
    await bot.application.process_update(update)
    await until(budi, lambda s: s.method == "copyMessage" and s.text == "sejak bulan Maret")
    await restart(bot)
    await bot.application.process_update(Update.de_json({"update_id": 880_001, "message": message},
                                                        bot.application.bot))
    await sweep(bot)
    assert [s for s in await budi.quiet(1.0) if s.method == "copyMessage"] == []
    case = await stored_case(bot)
    assert await kinds(bot, case.id) == ["created", "claimed", "message_out", "message_in"]
    assert case.status == "claimed" and await case_count(bot) == 1


async def test_forged_or_foreign_ambil_changes_nothing(bot_without_nlu, caplog):
    bot = bot_without_nlu
    await add_officer(bot, 501, "officer", "Budi")
    await add_officer(bot, 503, "officer", "Tono")
    dewi = bot.worker(1004, "Dewi")
    budi = in_group(bot, 501, "Budi")
    stranger = in_group(bot, 777, "Orang Asing")
    dewi.send("/darurat")
    card = await budi.expect("DARURAT")
    case = await stored_case(bot)
    card_message = live(bot, GROUP, card.message["message_id"])
    caplog.set_level(logging.INFO)

    async def refused(player, data, contains, message=None):
        query = player.press("", message=message or card_message, raw_data=data)
        answer = await answered(bot, query)
        assert contains in answer.params.get("text", "") and answer.params.get("show_alert") is True

    # a group member who is not an officer presses Ambil (the real button, and forged data)
    await refused(stranger, f"cs:claim:{case.id}", "hanya untuk petugas")
    await refused(stranger, f"cs:out:{case.id}:solved", "hanya untuk petugas")
    # the worker forges officer button data in her own chat
    await refused(dewi, f"cs:claim:{case.id}", "hanya untuk petugas")
    # an officer with data that does not fit: unknown case, unknown action, unknown outcome, another group
    await refused(budi, "cs:claim:99999", "tidak berlaku")
    await refused(budi, f"cs:claim:{case.id}:extra:stuff", "tidak berlaku")
    await refused(budi, f"cs:out:{case.id}:bribe", "tidak berlaku")
    other_group = in_group(bot, 501, "Budi", chat_id=-100999)
    await refused(other_group, f"cs:claim:{case.id}", "tidak berlaku",
                  message=bot.api.new_message(other_group.user, other_group.chat, "kartu palsu"))

    stored = await stored_case(bot)
    assert (stored.status, stored.assignee_id, stored.outcome) == ("new", None, None)
    assert await kinds(bot, case.id) == ["created"]
    refusals = [r.getMessage() for r in caplog.records if "refused case button" in r.getMessage()]
    assert len(refusals) == 7
    assert not any(secret in line for line in refusals for secret in ("777", "Orang", "1004", "Dewi", "501"))

    # the right role works; a second officer is then told it is taken
    budi.press("Ambil", message=card_message)
    await dewi.expect("ditangani petugas")
    await refused(in_group(bot, 503, "Tono"), f"cs:claim:{case.id}", "sudah diambil")
    assert (await stored_case(bot)).assignee_id == 501


async def test_other_groups_and_strangers_are_ignored(bot_without_nlu):
    bot = bot_without_nlu
    await add_officer(bot, 501, "officer", "Budi")
    eka = bot.worker(1005, "Eka")
    eka.send("/darurat")
    budi = in_group(bot, 501, "Budi")
    card = await budi.expect("DARURAT")
    # an officer in another group the bot was added to: no command, no relay
    elsewhere = in_group(bot, 501, "Budi", chat_id=-100999)
    elsewhere.send("/kasus")
    elsewhere.send("halo", reply_to=card.message)
    assert await elsewhere.quiet(1.0) == []
    # a stranger replying to the card in the officers' group: nothing reaches the worker
    stranger = in_group(bot, 777, "Orang")
    stranger.send("kasih tau alamatmu", reply_to=live(bot, GROUP, card.message["message_id"]))
    stranger.send("/kasus")
    await eka.expect("Petugas kami sudah diberi tahu")
    assert await eka.quiet(1.0) == []
    assert [s.method for s in await budi.quiet(0.5)] == []
    assert await kinds(bot, (await stored_case(bot)).id) == ["created"]
