"""Free text through the real Rasa server; emergencies without it; never silence."""
import pytest


async def test_free_text_is_answered_through_the_real_model(bot):
    siti = bot.worker(2001)
    await bot.onboard(siti, country="Hong Kong", city="Kowloon")
    siti.send("halo kak selamat pagi")
    reply = await siti.next()
    assert "Halo" in reply.text
    # the router really asked the Rasa server
    parsed = await bot.nlu.parse("halo kak selamat pagi")
    assert parsed["intent"]["name"] == "greet"


async def test_emergency_words_get_contacts_for_the_workers_country(bot):
    siti = bot.worker(2002)
    await bot.onboard(siti, country="Hong Kong", city="Kowloon")
    siti.send("tolong saya dipukul majikan sekarang")
    reply = await siti.expect("dalam bahaya")
    assert "999" in reply.text  # Hong Kong police/emergency, from the knowledge base
    assert "+62 21 2924 4800" in reply.text  # KP2MI, the number that works from abroad
    assert any("lokasi" in label.lower() for label in reply.keyboard)


async def test_emergency_path_works_with_the_nlu_down(bot_without_nlu):
    bot = bot_without_nlu
    ani = bot.worker(2003)
    await bot.onboard(ani, country="Taiwan", city="Taipei")
    ani.send("tolong sy disekap agen gk boleh keluar")
    reply = await ani.expect("dalam bahaya")
    assert "110" in reply.text or "113" in reply.text  # Taiwan emergency numbers from the knowledge base
    # and an ordinary question (from a worker without an open case) gets a kind answer with choices, not silence
    budi = bot.worker(2013)
    budi.send("brp biaya ke taiwan")
    reply = await budi.expect("gangguan")
    labels = [label for label, _ in reply.buttons]
    assert any("petugas" in label for label in labels)


async def test_low_confidence_gets_suggestions_not_silence(bot):
    budi = bot.worker(2004)
    await bot.onboard(budi)
    budi.send("qwerty zxcv asdf")
    reply = await budi.next()
    assert "belum mengerti" in reply.text
    labels = [label for label, _ in reply.buttons]
    assert any("petugas" in label for label in labels)


async def test_sos_button_and_command_give_contacts(bot):
    eka = bot.worker(2005)
    await bot.onboard(eka, country="Hong Kong", city="Sha Tin")
    eka.send("🆘 DARURAT")
    assert "999" in (await eka.expect("dalam bahaya")).text
    eka.send("/darurat")
    await eka.expect("dalam bahaya")


@pytest.mark.parametrize("kind", ["sticker", "voice", "photo", "video", "contact", "poll"])
async def test_media_gets_a_kind_answer(bot_without_nlu, kind):
    player = bot_without_nlu.worker(2010)
    player.send_media(kind)
    reply = await player.next()
    assert "DARURAT" in reply.text


async def test_long_and_strange_texts_never_crash(bot):
    player = bot.worker(2011)
    for text in ("x" * 4096, "😀😀😀", "\u200b\u200b", "<b>halo</b> & <script>", "مرحبا"):
        player.send(text)
        reply = await player.next()
        assert reply.text
    assert not bot.api.unknown_methods


async def test_faq_answer_cites_its_source(bot):
    rina = bot.worker(2012)
    await bot.onboard(rina, country="Taiwan", city="Taichung")
    rina.send("nomor kdei brp")
    reply = await rina.next()
    assert "+886" in reply.text  # the Taiwan mission's numbers
    assert "Sumber" in reply.text or "sumber" in reply.text
