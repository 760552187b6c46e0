"""Admins edit the knowledge base in Telegram; workers get the new text at once; non-admins cannot."""
from sqlalchemy import select

from knowledge_base.overrides import KbChange

ADMIN = 900  # settings fixture: admin_ids={900}


async def test_admin_edits_an_answer_and_the_next_worker_gets_it(bot, kb):
    entry = kb.kb.entries[0]
    admin = bot.worker(ADMIN, "Admin")
    admin.send(f"/kb edit {entry.id}")
    prompt = await admin.expect("EDIT")
    admin.send("Jawaban baru dari admin: hubungi KP2MI.", reply_to=prompt.message)
    await admin.expect("tersimpan")
    worker = bot.worker(3001)
    worker.press("", message=bot.api.new_message(worker.user, worker.chat, "x"), raw_data=f"faq:{entry.id}")
    reply = await worker.next()
    assert "Jawaban baru dari admin" in reply.text
    async with bot.db.transaction() as session:
        change = (await session.scalars(select(KbChange))).one()
    assert change.actor_id == ADMIN and change.old_value == entry.answer.id

    # roll it back: the original text returns, and history shows both changes
    admin.send(f"/kb rollback {change.id}")
    await admin.expect("tersimpan")
    worker.press("", message=bot.api.new_message(worker.user, worker.chat, "x"), raw_data=f"faq:{entry.id}")
    assert entry.answer.id.split("\n")[0][:40] in (await worker.next()).text
    admin.send(f"/kb history {entry.id}")
    history = await admin.expect("rollback")
    assert f"#{change.id}" in history.text


async def test_disabled_entry_is_not_served(bot, kb):
    entry = kb.kb.entries[1]
    admin = bot.worker(ADMIN, "Admin")
    admin.send(f"/kb disable {entry.id}")
    await admin.expect("tersimpan")
    assert kb.entry(entry.id) is None
    worker = bot.worker(3002)
    worker.press("", message=bot.api.new_message(worker.user, worker.chat, "x"), raw_data=f"faq:{entry.id}")
    assert "tidak berlaku" in (await worker.next()).text
    admin.send(f"/kb enable {entry.id}")
    await admin.expect("tersimpan")
    assert kb.entry(entry.id) is not None


async def test_non_admin_cannot_use_admin_commands(bot, kb):
    entry = kb.kb.entries[0]
    stranger = bot.worker(3003, "Bukan admin")
    for command in ("/kb", f"/kb edit {entry.id}", f"/kb disable {entry.id}", "/kb reload"):
        stranger.send(command)
        assert "khusus admin" in (await stranger.next()).text
    # even replying to a genuine edit prompt does nothing
    admin = bot.worker(ADMIN, "Admin")
    admin.send(f"/kb edit {entry.id}")
    prompt = await admin.expect("EDIT")
    stranger.send("teks palsu", reply_to=prompt.message)
    assert "khusus admin" in (await stranger.next()).text
    assert kb.entry(entry.id).answer.id == entry.answer.id
    async with bot.db.transaction() as session:
        assert (await session.scalars(select(KbChange))).all() == []


async def test_too_long_or_unknown_edits_are_refused(bot, kb):
    admin = bot.worker(ADMIN, "Admin")
    admin.send("/kb disable no_such_entry")
    assert "no entry" in (await admin.next()).text
    entry = kb.kb.entries[0]
    admin.send(f"/kb edit {entry.id}")
    prompt = await admin.expect("EDIT")
    admin.send("x" * 3500, reply_to=prompt.message)
    assert "terlalu panjang" in (await admin.next()).text
    # a phone number typed into an answer has no source: refused, numbers come from the country profiles
    admin.send("Telepon saja 0812 3456 7890 ya", reply_to=prompt.message)
    assert "nomor telepon" in (await admin.next()).text
    assert kb.entry(entry.id).answer.id == entry.answer.id


async def test_disabled_entry_is_not_answered_even_before_the_model_is_retrained(bot, kb):
    """The model still knows a disabled entry's questions until it is retrained; the router must not answer with it."""
    first_words = kb.entry("kirim_uang").answer.id.split(".")[0]
    worker = bot.worker(3010)
    await bot.onboard(worker)
    worker.send("cara kirim uang ke indonesia yg aman gmn")
    assert first_words in (await worker.next()).text
    admin = bot.worker(ADMIN, "Admin")
    admin.send("/kb disable kirim_uang")
    await admin.expect("tersimpan")
    worker.send("cara kirim uang ke indonesia yg aman gmn")
    reply = await worker.next()
    assert first_words not in reply.text
    assert not any(data.endswith(":kirim_uang") for _, data in reply.buttons)
