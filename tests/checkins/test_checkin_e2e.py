"""Check-ins end to end: the real Application and sweep against the local Bot API server, with a controllable
clock. One worker is asked at her local time and answers Aman; another stays silent, gets one reminder, and
the officers' group gets the welfare case; a restart in the middle of a round sends nothing twice."""
import asyncio
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.cases.models import Case
from bot.checkins.models import ANSWERED, Checkin
from bot.checkins.sweep import CheckinSweeper
from bot.local_bot_api import LocalBotApi
from handlers import case_delivery
from tests.checkins.support import make_worker, rows
from tests.harness import BotHarness

UTC = timezone.utc
MONDAY = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)  # 08:00 in Taipei, 03:00 in Riyadh
GROUP = -100500
QUESTION = "Apakah Anda aman?"


@pytest.fixture(autouse=True)
def fresh_forum_cache():
    case_delivery.forget_forum_cache()
    yield
    case_delivery.forget_forum_cache()


def questions_to(api: LocalBotApi, chat_id: int) -> list:
    return [s for s in api.sent_to(chat_id) if s.method == "sendMessage" and s.text.startswith("👋")]


async def worker_id_of(bot, telegram_id: int) -> int:
    from bot.workers.models import Worker

    async with bot.db.transaction() as session:
        return await session.scalar(select(Worker.id).where(Worker.telegram_user_id == telegram_id))


async def test_checkin_answer_silence_reminder_and_welfare_case(bot_without_nlu):
    bot = bot_without_nlu
    bot.clock.set(MONDAY)
    siti, ani = bot.worker(1001, "Siti"), bot.worker(1002, "Ani")
    officers = bot.api.chat(501, "Budi", chat_id=GROUP, chat_type="supergroup")
    await bot.onboard(siti, country="Taiwan", city="Taichung")
    await bot.onboard(ani, country="Arab Saudi", city="Riyadh")
    sweeper = CheckinSweeper(bot.services)

    # 09:59 in Taipei: nobody is asked yet
    await sweeper.run()
    bot.clock.set(MONDAY + timedelta(hours=1, minutes=59))
    await sweeper.run()
    assert questions_to(bot.api, 1001) == [] and questions_to(bot.api, 1002) == []

    # 10:21 in Taipei: Siti is asked (10:00 plus her fixed offset of up to 20 minutes); Ani (06:21 Riyadh) not
    bot.clock.set(MONDAY + timedelta(hours=2, minutes=21))
    await sweeper.run()
    question = await siti.expect(QUESTION)
    assert [label for label, _ in question.buttons] == ["✅ Aman", "🆘 Butuh bantuan"]
    assert questions_to(bot.api, 1002) == []
    [checkin] = await rows(bot.db)
    due = checkin.due_at.astimezone(ZoneInfo("Asia/Taipei"))
    assert (due.hour, due.minute <= 20) == (10, True) and checkin.message_id == question.message["message_id"]

    # she answers with the button: recorded, thanked, the buttons go away
    siti.press("Aman")
    await siti.expect("Senang Anda aman")
    [checkin] = await rows(bot.db)
    assert (checkin.status, checkin.answer) == (ANSWERED, "ok")
    assert "reply_markup" not in bot.api._messages[(1001, question.message["message_id"])]

    # 10:21 in Riyadh: Ani is asked, and says nothing
    bot.clock.set(MONDAY + timedelta(hours=7, minutes=21))
    await sweeper.run()
    await ani.expect(QUESTION)
    sent_at = bot.clock.now()
    # after the reply window: one reminder, however often the sweep runs
    bot.clock.set(sent_at + timedelta(minutes=bot.settings.checkin.reply_window_minutes + 1))
    await sweeper.run()
    await sweeper.run()
    reminder = await ani.expect("belum dengar kabar Anda")
    assert [label for label, _ in reminder.buttons] == ["✅ Aman", "🆘 Butuh bantuan"]
    assert [s for s in await ani.quiet(0.3) if s.method == "sendMessage"] == []

    # after the escalation window: the officers' group gets a welfare case with her profile and last activity
    bot.clock.set(sent_at + timedelta(minutes=bot.settings.checkin.escalation_minutes + 1))
    report = await sweeper.run()
    async with bot.db.transaction() as session:
        case = await session.scalar(select(Case))
    assert report.cases == [case.id] and (case.source, case.severity) == ("checkin", "high")
    card = await officers.expect(case.reference)
    assert "Riyadh" in card.text
    # Siti answered: she is not part of any case; Siti got exactly one question, Ani one question + one reminder
    assert case.worker_id == await worker_id_of(bot, 1002)
    assert len(questions_to(bot.api, 1001)) == 1 and len(questions_to(bot.api, 1002)) == 1
    assert await sweeper.run() and len(list(await _cases(bot))) == 1


async def _cases(bot):
    async with bot.db.transaction() as session:
        return (await session.scalars(select(Case))).all()


async def test_restart_mid_round_sends_nothing_twice(db, settings, clock, kb):
    """Stop the whole bot while a round is being sent, start a new one on the same database: everyone is asked
    exactly once."""
    clock.set(MONDAY)
    chats = list(range(20_001, 20_041))
    for chat in chats:
        await make_worker(db, clock.now(), chat, country="TW", schedule_from=MONDAY, kb=kb, settings=settings)
    clock.set(MONDAY + timedelta(hours=2, minutes=30))

    first = BotHarness(db=db, settings=settings, clock=clock, kb=kb, nlu_url="http://127.0.0.1:9")
    await first.start()
    sweep = asyncio.create_task(CheckinSweeper(first.services, owner="before-restart").run())
    try:
        for _ in range(2000):  # until part of the round is out (25 a second: this takes about half a second)
            if len([s for s in first.api.sent if s.text.startswith("👋")]) >= 10:
                break
            await asyncio.sleep(0.01)
        sweep.cancel()  # shutdown: the scheduler's running sweep is stopped
        await asyncio.gather(sweep, return_exceptions=True)
    finally:
        await first.stop()
    before = {s.chat_id for s in first.api.sent if s.text.startswith("👋")}
    assert 10 <= len(before) < len(chats)

    second = BotHarness(db=db, settings=settings, clock=clock, kb=kb, nlu_url="http://127.0.0.1:9")
    await second.start()
    try:
        clock.advance(seconds=30)
        await CheckinSweeper(second.services, owner="after-restart").run()
        after = [s.chat_id for s in second.api.sent if s.text.startswith("👋")]
    finally:
        await second.stop()
    assert not before & set(after)  # nothing twice
    assert sorted(before | set(after)) == chats and len(after) == len(set(after))  # nobody forgotten
    stored = await rows(db)
    assert len(stored) == len(chats) and all(c.message_id is not None for c in stored)


async def test_free_text_aman_and_butuh_bantuan(bot):
    """With the real NLU: "saya aman" answers the check-in; "Butuh bantuan" starts the guided report."""
    bot.clock.set(MONDAY)
    siti, ani = bot.worker(1101, "Siti"), bot.worker(1102, "Ani")
    await bot.onboard(siti, country="Taiwan", city="Taipei")
    await bot.onboard(ani, country="Taiwan", city="Taipei")
    sweeper = CheckinSweeper(bot.services)
    await sweeper.run()
    bot.clock.set(MONDAY + timedelta(hours=2, minutes=30))
    await sweeper.run()
    await siti.expect(QUESTION)
    await ani.expect(QUESTION)

    siti.send("saya aman")
    await siti.expect("Senang Anda aman")
    ani.press("Butuh bantuan")
    await ani.expect("kami bantu")
    async with bot.db.transaction() as session:
        answers = dict((await session.execute(select(Checkin.worker_id, Checkin.answer))).all())
    assert answers == {await worker_id_of(bot, 1101): "ok", await worker_id_of(bot, 1102): "help"}


async def test_checkin_command_changes_the_schedule(bot_without_nlu):
    bot = bot_without_nlu
    bot.clock.set(MONDAY)
    siti = bot.worker(1201, "Siti")
    await bot.onboard(siti, country="Hong Kong", city="Kowloon")
    bot.clock.advance(minutes=1)  # (a person's pace: the flood guard counts messages per minute)
    siti.send("/checkin")
    view = await siti.expect("Cek keamanan")
    assert "Setiap hari, jam 10:00" in view.text and "Asia/Hong_Kong" in view.text and "Sen 5 Jan 10:" in view.text
    # change the time with a button
    siti.press("Ubah jam")
    await siti.expect("Jam berapa")
    siti.press("12:00")
    saved = await siti.expect("Tersimpan")
    assert "Sen 5 Jan 12:" in saved.text  # today, at the new time (it is 08:00 in Hong Kong now)
    # pause for a week, with words
    siti.send("/checkin jeda 7")
    paused = await siti.expect("dijeda sampai")
    assert "12 Jan" in paused.text
    siti.send("/checkin")
    view = await siti.expect("Dijeda sampai")
    assert "Lanjutkan" in [label for label, _ in view.buttons][2]
    siti.press("Lanjutkan")
    await siti.expect("aktif lagi")
    bot.clock.advance(minutes=1)
    # a time in the night is refused
    siti.send("/checkin jam 23:30")
    await siti.expect("jam istirahat malam")
    # going home needs a confirmation
    siti.send("/checkin")
    await siti.expect("Cek keamanan")
    siti.press("Saya sudah pulang")
    await siti.expect("sudah pulang ke Indonesia")
    siti.press("Tidak, batal")
    await siti.expect("tetap berjalan")
    siti.send("/checkin pulang")
    await siti.expect("sudah pulang ke Indonesia")
    siti.press("Ya, saya sudah pulang")
    await siti.expect("Selamat datang di rumah")
    bot.clock.advance(minutes=1)
    siti.send("/checkin")
    view = await siti.expect("sudah pulang")
    assert [label for label, _ in view.buttons] == ["🔔 Nyalakan cek keamanan"]
    # turning them on again uses the default frequency from config.yml
    siti.press("Nyalakan cek keamanan")
    view = await siti.expect("Setiap hari, jam 12:00")
    assert "Cek berikutnya" in view.text
    # forged settings data changes nothing
    siti.press("", message=view.message, raw_data="cks:pause:9999")
    await siti.expect("1 sampai 365 hari")
    siti.press("", message=view.message, raw_data="ck:ok:99999")
    await asyncio.sleep(0.2)


async def test_officer_summary_in_the_group(bot_without_nlu):
    from tests.cases.helpers import add_officer

    bot = bot_without_nlu
    bot.clock.set(MONDAY)
    await add_officer(bot, 501, "officer", "Budi")
    siti = bot.worker(1301, "Siti")
    await bot.onboard(siti, country="Taiwan", city="Taipei")
    sweeper = CheckinSweeper(bot.services)
    await sweeper.run()
    bot.clock.set(MONDAY + timedelta(hours=2, minutes=30))
    await sweeper.run()
    await siti.expect(QUESTION)
    siti.press("Aman")
    await siti.expect("Senang Anda aman")
    budi = bot.api.chat(501, "Budi", chat_id=GROUP, chat_type="supergroup")
    budi.send("/checkins")
    summary = await budi.expect("Cek keamanan hari ini")
    assert "Jadwal hari ini: 1" in summary.text and "✅ Aman: 1" in summary.text
    stranger = bot.api.chat(777, "Orang", chat_id=GROUP, chat_type="supergroup")
    stranger.send("/checkins")
    await stranger.expect("hanya untuk petugas")


async def test_blocking_the_bot_reaches_the_officers(bot_without_nlu):
    bot = bot_without_nlu
    bot.clock.set(MONDAY)
    siti = bot.worker(1401, "Siti")
    officers = bot.api.chat(501, "Budi", chat_id=GROUP, chat_type="supergroup")
    await bot.onboard(siti, country="Taiwan", city="Taipei")
    bot.api.blocked.add(1401)
    sweeper = CheckinSweeper(bot.services)
    await sweeper.run()
    bot.clock.set(MONDAY + timedelta(hours=2, minutes=30))
    report = await sweeper.run()
    assert report.checkins == {"blocked": 1} and len(report.cases) == 1
    async with bot.db.transaction() as session:
        case = await session.scalar(select(Case))
    card = await officers.expect(case.reference)
    assert "memblokir bot" in card.text or "blocked" in card.text.lower()


async def test_telegram_says_the_worker_blocked_the_bot(bot_without_nlu):
    """my_chat_member (the worker blocked the bot): unreachable at once, and a welfare case for the officers."""
    import time

    bot = bot_without_nlu
    bot.clock.set(MONDAY)
    siti = bot.worker(1501, "Siti")
    await bot.onboard(siti, country="Taiwan", city="Taipei")
    me = {"id": bot.api.bot_user["id"], "is_bot": True, "first_name": "Sahabat PMI"}

    def member_update(old: str, new: str) -> dict:
        return {"my_chat_member": {
            "chat": siti.chat, "from": siti.user.as_dict(), "date": int(time.time()),
            "old_chat_member": {"user": me, "status": old, **({"until_date": 0} if old == "kicked" else {})},
            "new_chat_member": {"user": me, "status": new, **({"until_date": 0} if new == "kicked" else {})}}}

    bot.api.push_update(member_update("member", "kicked"))
    for _ in range(200):
        cases = await _cases(bot)
        if cases:
            break
        await asyncio.sleep(0.02)
    [case] = cases
    assert case.source == "checkin" and "memblokir bot" in case.summary
    from bot.workers.models import Worker

    async with bot.db.transaction() as session:
        worker = await session.scalar(select(Worker).where(Worker.telegram_user_id == 1501))
    assert worker.status == "blocked_bot"
    # unblocking: reachable again, check-ins resume
    bot.api.push_update(member_update("kicked", "member"))
    for _ in range(200):
        async with bot.db.transaction() as session:
            worker = await session.scalar(select(Worker).where(Worker.telegram_user_id == 1501))
        if worker.status == "active":
            break
        await asyncio.sleep(0.02)
    assert worker.status == "active"
    assert len(await _cases(bot)) == 1
