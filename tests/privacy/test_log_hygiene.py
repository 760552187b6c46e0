"""Logs never contain message text, phone numbers or full Telegram ids at the default level (INFO): messages
are driven through the real bot and every log record is read."""
import logging
import re

import pytest

from handlers import case_delivery
from tests.cases.helpers import add_officer, in_group, until

USER = 987654321
OFFICER = 765432109
# Eight or more digits, maybe with separators (not a case reference such as PMI-2026-000123).
PHONE = re.compile(r"(?<![\w\-])\+?\d(?:[\s\-().]?\d){7,}")
WORDS = ("gaji saya dipotong agen", "dipukul majikan", "paspor saya ditahan", "Halo Siti dari petugas",
         "Kaohsiung", "Siti")


@pytest.fixture(autouse=True)
def fresh_forum_cache():
    case_delivery.forget_forum_cache()
    yield
    case_delivery.forget_forum_cache()


def leaks(records: list[logging.LogRecord]) -> list[str]:
    found = []
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in records:
        text = formatter.format(record)  # the message with its arguments, and any traceback
        if str(USER) in text or str(OFFICER) in text:
            found.append(f"full id: {text}")
        if PHONE.search(text):
            found.append(f"phone-like number: {text}")
        found += [f"message text {word!r}: {text}" for word in WORDS if word.lower() in text.lower()]
    return found


async def test_no_message_text_phone_number_or_full_id_in_the_logs(bot_without_nlu, caplog):
    bot = bot_without_nlu
    caplog.set_level(logging.INFO)
    await add_officer(bot, OFFICER, "officer", "Budi")
    siti = bot.worker(USER, "Siti")
    group = in_group(bot, OFFICER, "Budi")
    await bot.onboard(siti, country="Taiwan", city="Kaohsiung")

    siti.send("gaji saya dipotong agen, nomor agen +62 812-3456-7890")  # a question; the NLU is down
    await siti.next()
    siti.send("tolong saya dipukul majikan, telepon saya 0812 3456 7890")  # an emergency: a case and a card
    await siti.expect("Petugas kami sudah diberi tahu")
    card = await group.expect("DARURAT")
    sent = siti.send("paspor saya ditahan, hubungi 0912345678")  # relayed to the officers
    await until(group, lambda s: s.method == "copyMessage")
    siti.edit(sent, "paspor saya ditahan majikan")
    group.send("Halo Siti dari petugas, telepon kami +886 2 2508 4000", reply_to=bot.api._messages[
        (card.chat_id, card.message["message_id"])])
    await siti.expect("Halo Siti dari petugas")
    siti.send("/hapus")
    await siti.expect("Hapus data saya")
    siti.press("Ya, hapus")
    await siti.expect("Data Anda sudah dihapus")
    await until(group, lambda s: "menghapus datanya" in s.text)
    siti.send("/blabla 0812 3456 7890")  # an unknown command
    await siti.next()

    ours = [r for r in caplog.records if r.name.startswith(("bot", "handlers", "nlu", "knowledge_base"))]
    assert any("route=" in r.getMessage() for r in ours), "the test should see the bot's own log lines"
    assert leaks(caplog.records) == []


def test_the_check_itself_finds_leaks():
    def record(message, *args):
        return logging.LogRecord("handlers.x", logging.INFO, __file__, 1, message, args, None)

    assert leaks([record("route=faq conf=%.2f", 0.5), record("case PMI-2026-000123 sent")]) == []
    for leaky in (record("user %s", USER), record("text %r", "dipukul majikan"), record("call 0812 3456 7890")):
        assert leaks([leaky]), leaky.getMessage()


async def test_a_database_error_does_not_print_the_values(db, clock):
    """A traceback of a failed statement (logged by the error handler) shows the SQL, not what was stored.
    (PostgreSQL's own detail line names a duplicate key's value: the log filter masks such ids.)"""
    from bot.privacy.logs import redact
    from sqlalchemy.exc import IntegrityError

    from bot.workers import service as workers
    from bot.workers.models import Worker

    async with db.transaction() as session:
        await workers.get_or_create(session, USER, USER, clock.now())
    with pytest.raises(IntegrityError) as err:
        async with db.transaction() as session:
            session.add(Worker(telegram_user_id=USER, chat_id=USER, city="Kaohsiung", language="id",
                               checkin_frequency="off", onboarded=False, status="active", created_at=clock.now(),
                               last_seen_at=clock.now()))
    message = str(err.value)
    assert "INSERT INTO worker" in message and "parameters hidden" in message
    assert "Kaohsiung" not in message and str(USER) not in redact(message)
