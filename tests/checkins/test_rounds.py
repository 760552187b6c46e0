"""A check-in round through the sweep, with a controllable clock and a scriptable fake Telegram:
right local time, reply window, one reminder, escalation to a welfare case, quiet hours, catch-up."""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.cases.models import Alert, Case
from bot.checkins import service
from bot.checkins.models import ANSWERED, CANCELLED, MISSED, REMINDED, SENT, UNREACHABLE, Checkin
from tests.checkins.support import (
    FakeTelegram, count, make_worker, rows, schedule_of, sweeper, with_checkin, worker_of,
)

UTC = timezone.utc
MONDAY = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)  # 08:00 in Taipei, 03:00 in Riyadh


def monday(settings, kb):
    """make_worker options: signed up on Monday 08:00 Taipei time, so Monday's slots are theirs."""
    return {"schedule_from": MONDAY, "kb": kb, "settings": settings}


def local(moment, zone):
    return moment.astimezone(ZoneInfo(zone))


async def cases(db):
    async with db.transaction() as session:
        return list((await session.scalars(select(Case).order_by(Case.id))).all())


async def test_each_worker_is_asked_once_at_their_own_local_time(db, clock, settings, kb):
    clock.set(MONDAY)
    taipei = await make_worker(db, clock.now(), 101, country="TW")
    riyadh = await make_worker(db, clock.now(), 102, country="SA")
    tokyo = await make_worker(db, clock.now(), 103, country="JP", at="08:00")
    run, telegram = sweeper(db, settings, clock, kb)
    # sweep through one UTC day, every 10 minutes: each worker is asked exactly once, in their own morning
    for _ in range(24 * 6):
        await run.run()
        clock.advance(minutes=10)
    questions = [m.chat_id for m in telegram.delivered if m.text.startswith("👋")]
    assert sorted(questions) == [101, 102, 103]
    by_worker = {c.worker_id: c for c in await rows(db)}
    for worker, zone, wanted in ((taipei, "Asia/Taipei", time(10, 0)), (riyadh, "Asia/Riyadh", time(10, 0)),
                                 (tokyo, "Asia/Tokyo", time(8, 0))):
        checkin = by_worker[worker]
        slot = local(checkin.due_at, zone)
        low = datetime.combine(slot.date(), wanted, slot.tzinfo)
        assert low <= slot <= low + timedelta(minutes=settings.checkin.jitter_minutes), (zone, slot)
        assert timedelta(0) <= checkin.sent_at - checkin.due_at < timedelta(minutes=10)


async def test_answer_stops_the_reminder(db, clock, settings, kb):
    clock.set(MONDAY + timedelta(hours=2, minutes=30))  # 10:30 in Taipei: today's slot is due
    worker = await make_worker(db, clock.now(), 201, country="TW", **monday(settings, kb))
    run, telegram = sweeper(db, settings, clock, kb)
    await run.run()
    await run.run()
    assert len(telegram.to(201)) == 1
    async with db.transaction() as session:
        answer = await service.record_answer(session, worker, "ok", clock.now())
    assert answer.checkin_id is not None and not answer.late_case_ids
    clock.advance(hours=8)
    await run.run()
    assert len(telegram.to(201)) == 1  # no reminder
    [checkin] = await rows(db)
    assert checkin.status == ANSWERED and checkin.answer == "ok" and checkin.answered_at is not None
    assert checkin.sent_at is not None and checkin.message_id == 1


async def test_silence_gets_one_reminder_then_a_welfare_case(db, clock, settings, kb):
    clock.set(MONDAY + timedelta(hours=2, minutes=30))
    worker = await make_worker(db, clock.now(), 301, country="TW", city="Taichung", **monday(settings, kb))
    run, telegram = sweeper(db, settings, clock, kb)
    await run.run()
    sent = clock.now()
    # inside the reply window: nothing more
    clock.advance(minutes=settings.checkin.reply_window_minutes - 1)
    await run.run()
    assert len(telegram.to(301)) == 1
    # past it: one reminder, and only one however often the sweep runs
    clock.advance(minutes=2)
    for _ in range(5):
        await run.run()
        clock.advance(minutes=1)
    assert [m.text.startswith("⏰") for m in telegram.to(301)] == [False, True]
    [checkin] = await rows(db)
    assert checkin.status == REMINDED and checkin.reminded_at is not None
    assert await cases(db) == []
    # past the escalation window (counted from the check-in): a welfare case for the officers
    clock.set(sent + timedelta(minutes=settings.checkin.escalation_minutes + 1))
    report = await run.run()
    [checkin] = await rows(db)
    assert checkin.status == MISSED and checkin.escalated_at == clock.now()
    [case] = await cases(db)
    assert report.cases == [case.id] and checkin.case_id == case.id
    assert (case.source, case.severity, case.category, case.worker_id) == ("checkin", "high", "other", worker)
    assert "Taichung" in case.summary and "Terakhir aktif" in case.summary  # last activity and profile
    assert case.details["checkin_sent"].startswith(f"{sent:%Y-%m-%d %H:%M}")
    async with db.transaction() as session:
        alerts = (await session.scalars(select(Alert).where(Alert.case_id == case.id))).all()
    assert [a.audience for a in alerts] == ["group"]  # the officers' group gets the case card
    # and it is escalated once
    clock.advance(hours=1)
    await run.run()
    assert len(await cases(db)) == 1 and len(telegram.to(301)) == 2


async def test_late_answer_is_recorded_on_the_case(db, clock, settings, kb):
    clock.set(MONDAY + timedelta(hours=2, minutes=30))
    worker = await make_worker(db, clock.now(), 302, country="TW", **monday(settings, kb))
    run, _ = sweeper(db, settings, clock, kb)
    await run.run()
    clock.advance(minutes=settings.checkin.reply_window_minutes + 1)
    await run.run()
    clock.advance(minutes=settings.checkin.escalation_minutes)
    await run.run()
    async with db.transaction() as session:
        answer = await service.record_answer(session, worker, "ok", clock.now())
    [case] = await cases(db)
    assert answer.late_case_ids == (case.id,)
    [checkin] = await rows(db)
    assert checkin.status == ANSWERED and checkin.escalated_at is not None


async def test_escalation_after_n_missed_in_a_row(db, clock, settings, kb):
    settings = with_checkin(settings, escalate_after_missed=2)
    clock.set(MONDAY + timedelta(hours=2, minutes=30))
    worker = await make_worker(db, clock.now(), 401, country="TW", **monday(settings, kb))
    run, telegram = sweeper(db, settings, clock, kb)
    for _day in range(2):
        await run.run()
        clock.advance(minutes=settings.checkin.reply_window_minutes + 1)
        await run.run()
        clock.advance(minutes=settings.checkin.escalation_minutes)
        await run.run()
        if _day == 0:
            assert await cases(db) == []  # one miss is not enough
            assert (await schedule_of(db, worker)).consecutive_misses == 1
        clock.set(clock.now().replace(hour=2, minute=30) + timedelta(days=1))
    assert len(await cases(db)) == 1
    assert (await schedule_of(db, worker)).consecutive_misses == 2
    # an answer resets the count
    await run.run()
    async with db.transaction() as session:
        await service.record_answer(session, worker, "ok", clock.now())
    assert (await schedule_of(db, worker)).consecutive_misses == 0


async def test_a_reminder_never_lands_in_quiet_hours(db, clock, settings, kb):
    clock.set(datetime(2026, 1, 5, 12, 30, tzinfo=UTC))  # 20:30 in Taipei
    await make_worker(db, clock.now(), 501, country="TW", at="20:00", **monday(settings, kb))
    run, telegram = sweeper(db, settings, clock, kb)
    await run.run()
    assert len(telegram.to(501)) == 1
    clock.advance(hours=2, minutes=1)  # 22:31 local: reminder due, but it is night
    await run.run()
    assert len(telegram.to(501)) == 1
    [checkin] = await rows(db)
    morning = local(checkin.next_action_at, "Asia/Taipei")
    assert checkin.status == SENT and time(7, 0) <= morning.time() <= time(7, 21)
    clock.set(checkin.next_action_at)
    await run.run()
    assert len(telegram.to(501)) == 2
    # escalation is counted from the reminder: the worker has the whole window after it
    clock.advance(minutes=settings.checkin.escalation_minutes - settings.checkin.reply_window_minutes - 1)
    await run.run()
    assert await cases(db) == []
    clock.advance(minutes=2)
    await run.run()
    assert len(await cases(db)) == 1


async def test_downtime_catches_up_once_not_once_per_missed_slot(db, clock, settings, kb):
    clock.set(MONDAY)
    worker = await make_worker(db, clock.now(), 601, country="TW")
    run, telegram = sweeper(db, settings, clock, kb)
    await run.run()
    first_slot = (await schedule_of(db, worker)).next_due_at
    clock.set(MONDAY + timedelta(days=3, hours=4))  # the bot was down three days; 12:00 in Taipei now
    await run.run()
    await run.run()
    assert len(telegram.to(601)) == 1
    [checkin] = await rows(db)
    assert checkin.due_at == first_slot  # the oldest missed slot, asked once, late
    nxt = (await schedule_of(db, worker)).next_due_at
    assert nxt > clock.now() and local(nxt, "Asia/Taipei").date() == local(clock.now(), "Asia/Taipei").date() + \
        timedelta(days=1)


async def test_catching_up_at_night_waits_for_the_morning(db, clock, settings, kb):
    clock.set(MONDAY)
    worker = await make_worker(db, clock.now(), 602, country="TW")
    run, telegram = sweeper(db, settings, clock, kb)
    await run.run()
    clock.set(datetime(2026, 1, 5, 15, 0, tzinfo=UTC))  # back at 23:00 in Taipei
    await run.run()
    assert telegram.delivered == [] and await rows(db) == []
    morning = (await schedule_of(db, worker)).next_due_at
    assert time(7, 0) <= local(morning, "Asia/Taipei").time() <= time(7, 21)
    clock.set(morning)
    await run.run()
    assert len(telegram.to(602)) == 1


async def test_pause_and_resume(db, clock, settings, kb):
    clock.set(MONDAY + timedelta(hours=2, minutes=30))
    worker_id = await make_worker(db, clock.now(), 701, country="TW", **monday(settings, kb))
    run, telegram = sweeper(db, settings, clock, kb)
    policy = service.Policy.from_settings(settings)
    await run.run()
    assert len(telegram.to(701)) == 1
    async with db.transaction() as session:
        worker = await session.get(service.Worker, worker_id)
        schedule = await service.pause(session, worker, 3, policy, kb, clock.now())
        assert schedule.next_due_at > schedule.paused_until
    [checkin] = await rows(db)
    assert checkin.status == CANCELLED  # the open one is not escalated
    for _ in range(3 * 24):
        clock.advance(hours=1)
        await run.run()
    assert len(telegram.to(701)) == 1 and await cases(db) == []
    clock.advance(days=1)
    await run.run()
    assert len(telegram.to(701)) == 2  # back by itself after the pause
    # pause again, then resume early
    async with db.transaction() as session:
        worker = await session.get(service.Worker, worker_id)
        await service.pause(session, worker, 30, policy, kb, clock.now())
        schedule = await service.resume(session, worker, policy, kb, clock.now())
        assert schedule.paused_until is None and schedule.next_due_at - clock.now() <= timedelta(days=1, hours=1)


async def test_going_home_ends_checkins(db, clock, settings, kb):
    clock.set(MONDAY + timedelta(hours=2, minutes=30))
    worker_id = await make_worker(db, clock.now(), 801, country="TW", **monday(settings, kb))
    run, telegram = sweeper(db, settings, clock, kb)
    policy = service.Policy.from_settings(settings)
    await run.run()
    async with db.transaction() as session:
        worker = await session.get(service.Worker, worker_id)
        await service.go_home(session, worker, policy, kb, clock.now())
    schedule = await schedule_of(db, worker_id)
    assert schedule.ended_at is not None and schedule.next_due_at is None
    assert (await worker_of(db, worker_id)).checkin_frequency == "off"
    for _ in range(10):
        clock.advance(days=1)
        await run.run()
    assert len(telegram.to(801)) == 1 and await cases(db) == []
    # going abroad again: turning check-ins on clears "went home"
    async with db.transaction() as session:
        worker = await session.get(service.Worker, worker_id)
        schedule = await service.set_frequency(session, worker, "weekly", policy, kb, clock.now())
        assert schedule.ended_at is None and schedule.next_due_at is not None


async def test_settings_changed_elsewhere_are_picked_up(db, clock, settings, kb):
    """/profil (onboarding's code) changes the worker row only; the sweep notices and recomputes."""
    clock.set(MONDAY)
    worker_id = await make_worker(db, clock.now(), 901, country="TW")
    run, telegram = sweeper(db, settings, clock, kb)
    await run.run()
    assert local((await schedule_of(db, worker_id)).next_due_at, "Asia/Taipei").hour == 10
    async with db.transaction() as session:
        worker = await session.get(service.Worker, worker_id)
        worker.checkin_time = "08:00"
        worker.country = "SA"
        worker.last_seen_at = clock.now()
    await run.run()
    schedule = await schedule_of(db, worker_id)
    assert schedule.timezone == "Asia/Riyadh" and local(schedule.next_due_at, "Asia/Riyadh").hour == 8
    # turning check-ins off in /profil: nothing is sent, an open check-in is not escalated
    clock.set(schedule.next_due_at + timedelta(minutes=1))
    await run.run()
    assert len(telegram.to(901)) == 1
    async with db.transaction() as session:
        worker = await session.get(service.Worker, worker_id)
        worker.checkin_frequency = "off"
        worker.last_seen_at = clock.now()
    await run.run()
    assert (await schedule_of(db, worker_id)).next_due_at is None
    assert [c.status for c in await rows(db)] == [CANCELLED]


async def test_a_change_made_long_ago_is_found_by_the_hourly_reconcile(db, clock, settings, kb):
    clock.set(MONDAY)
    worker_id = await make_worker(db, clock.now(), 902, country="TW")
    run, _ = sweeper(db, settings, clock, kb)
    await run.run()
    async with db.transaction() as session:  # a change the recent pass cannot see (an old last_seen_at)
        worker = await session.get(service.Worker, worker_id)
        worker.checkin_frequency = "weekly"
        worker.last_seen_at = clock.now() - timedelta(days=30)
    await run.run()
    assert (await schedule_of(db, worker_id)).frequency == "daily"
    clock.advance(hours=1)
    await run.run()
    assert (await schedule_of(db, worker_id)).frequency == "weekly"


async def test_blocked_worker_is_unreachable_and_a_welfare_signal(db, clock, settings, kb):
    clock.set(MONDAY + timedelta(hours=2, minutes=30))
    blocked = await make_worker(db, clock.now(), 1001, country="TW", **monday(settings, kb))
    gone = await make_worker(db, clock.now(), 1002, country="TW", **monday(settings, kb))
    fine = await make_worker(db, clock.now(), 1003, country="TW", **monday(settings, kb))
    telegram = FakeTelegram(blocked_chats={1001}, missing_chats={1002})
    run, _ = sweeper(db, settings, clock, kb, telegram)
    report = await run.run()
    assert report.checkins == {"blocked": 2, "sent": 1}
    statuses = {c.worker_id: c.status for c in await rows(db)}
    assert statuses == {blocked: UNREACHABLE, gone: UNREACHABLE, fine: SENT}
    assert (await worker_of(db, blocked)).status == "blocked_bot"
    assert {c.worker_id for c in await cases(db)} == {blocked, gone}
    assert "memblokir bot" in (await cases(db))[0].summary
    # nothing more is sent to them, and no second case
    clock.advance(days=1)
    await run.run()
    assert {m.chat_id for m in telegram.delivered} == {1003}
    assert len(await cases(db)) == 2


async def test_unreachable_signal_can_be_turned_off(db, clock, settings, kb):
    settings = with_checkin(settings, unreachable_is_welfare_signal=False)
    clock.set(MONDAY + timedelta(hours=2, minutes=30))
    worker = await make_worker(db, clock.now(), 1101, country="TW", **monday(settings, kb))
    run, _ = sweeper(db, settings, clock, kb, FakeTelegram(blocked_chats={1101}))
    await run.run()
    assert (await worker_of(db, worker)).status == "blocked_bot" and await cases(db) == []


async def test_telegram_down_sends_nothing_twice_and_retries_later(db, clock, settings, kb):
    clock.set(MONDAY + timedelta(hours=2, minutes=30))
    for n in range(5):
        await make_worker(db, clock.now(), 1200 + n, country="TW", **monday(settings, kb))
    telegram = FakeTelegram(down=True)
    run, _ = sweeper(db, settings, clock, kb, telegram)
    report = await run.run()
    assert report.checkins == {"retry_later": 1, "not_attempted": 4} or report.checkins.get("retry_later")
    assert telegram.delivered == [] and {c.status for c in await rows(db)} == {"due"}
    telegram.down = False
    clock.advance(seconds=30)
    await run.run()
    assert telegram.per_chat() == {1200 + n: 1 for n in range(5)}
    assert {c.status for c in await rows(db)} == {SENT}


async def test_a_timed_out_send_is_never_repeated(db, clock, settings, kb):
    clock.set(MONDAY + timedelta(hours=2, minutes=30))
    await make_worker(db, clock.now(), 1301, country="TW", **monday(settings, kb))
    telegram = FakeTelegram(timeout_chats={1301})
    run, _ = sweeper(db, settings, clock, kb, telegram)
    await run.run()
    telegram.timeout_chats.clear()
    clock.advance(minutes=10)
    await run.run()
    assert telegram.calls == 1  # unknown outcome: treated as sent, covered by the reminder
    [checkin] = await rows(db)
    assert checkin.status == SENT and checkin.message_id is None
    clock.advance(minutes=settings.checkin.reply_window_minutes)
    await run.run()
    assert len(telegram.to(1301)) == 1 and telegram.to(1301)[0].text.startswith("⏰")


async def test_large_round_is_spread_over_sweeps_within_the_rate(db, clock, settings, kb):
    settings = with_checkin(settings, sweep_seconds=2, batch_size=7)
    clock.set(MONDAY)
    for n in range(120):
        await make_worker(db, clock.now(), 5000 + n, country="TW")
    run, telegram = sweeper(db, settings, clock, kb)
    await run.run()  # schedules computed on Monday morning
    clock.set(MONDAY + timedelta(hours=2, minutes=30))
    per_sweep = []
    while await count(db, Checkin.status == SENT) < 120:
        assert len(per_sweep) < 20, "the round does not finish"
        before = len(telegram.delivered)
        await run.run()
        per_sweep.append(len(telegram.delivered) - before)
        clock.advance(seconds=2)
    assert max(per_sweep) <= int(settings.global_per_second * 2 * 0.9)  # 45 per 2-second sweep at 25/s
    assert telegram.per_chat() == {5000 + n: 1 for n in range(120)}


async def test_officer_summary_counts_today(db, clock, settings, kb):
    clock.set(MONDAY + timedelta(hours=2, minutes=30))  # 09:30 in Jakarta
    ok = await make_worker(db, clock.now(), 1401, country="TW", **monday(settings, kb))
    await make_worker(db, clock.now(), 1402, country="TW", **monday(settings, kb))
    await make_worker(db, clock.now(), 1403, country="TW", **monday(settings, kb))
    await make_worker(db, clock.now(), 1404, country="SA", **monday(settings, kb))  # 10:00 Riyadh: 14:00 Jakarta
    run, _ = sweeper(db, settings, clock, kb, FakeTelegram(blocked_chats={1403}))
    await run.run()
    policy = service.Policy.from_settings(settings)
    async with db.transaction() as session:
        await service.record_answer(session, ok, "ok", clock.now())
    clock.advance(hours=6)  # 15:30 in Jakarta; the Riyadh slot (14:00 Jakarta) is due but not swept yet
    async with db.transaction() as session:
        summary = await service.summary(session, clock.now(), policy)
    assert (summary.sent, summary.answered_ok, summary.unreachable, summary.escalated) == (3, 1, 1, 1)
    assert (summary.waiting, summary.still_to_send, summary.due_today, summary.active) == (1, 1, 4, 3)
    await run.run()
    async with db.transaction() as session:
        summary = await service.summary(session, clock.now(), policy)
    assert (summary.sent, summary.waiting, summary.still_to_send, summary.due_today) == (4, 2, 0, 4)
    clock.advance(days=1)
    async with db.transaction() as session:  # a new day in Jakarta: a new count
        summary = await service.summary(session, clock.now(), policy)
    assert (summary.sent, summary.escalated, summary.due_today) == (0, 0, 3)


async def open_worker_case(db, worker_id, now, source="emergency"):
    from bot.cases import service as case_service

    async with db.transaction() as session:
        case = await case_service.open_case(session, worker_id=worker_id, category="abuse", severity="emergency",
                                            summary="tolong", source=source, now=now)
        return case.id


async def test_an_emergency_after_the_checkin_is_its_answer(db, clock, settings, kb):
    """A worker who raised an emergency (or reported a problem) is not asked again nor escalated for silence."""
    clock.set(MONDAY + timedelta(hours=2, minutes=30))
    worker = await make_worker(db, clock.now(), 1501, country="TW", **monday(settings, kb))
    run, telegram = sweeper(db, settings, clock, kb)
    await run.run()
    clock.advance(minutes=5)
    emergency = await open_worker_case(db, worker, clock.now())
    clock.advance(minutes=settings.checkin.escalation_minutes + 1)
    await run.run()
    await run.run()
    assert len(telegram.to(1501)) == 1  # no reminder
    [checkin] = await rows(db)
    assert (checkin.status, checkin.answer) == (ANSWERED, "help")
    assert [c.id for c in await cases(db)] == [emergency]  # no welfare case on top of the emergency


async def test_butuh_bantuan_without_a_report_still_reaches_officers(db, clock, settings, kb):
    clock.set(MONDAY + timedelta(hours=2, minutes=30))
    worker = await make_worker(db, clock.now(), 1601, country="TW", **monday(settings, kb))
    run, _ = sweeper(db, settings, clock, kb)
    await run.run()
    async with db.transaction() as session:
        await service.record_answer(session, worker, "help", clock.now())
    clock.advance(minutes=service.HELP_FOLLOW_UP.total_seconds() / 60 - 1)
    await run.run()
    assert await cases(db) == []  # still time to finish the report
    clock.advance(minutes=2)
    report = await run.run()
    [case] = await cases(db)
    assert report.cases == [case.id] and "Butuh bantuan" in case.summary and case.source == "checkin"
    clock.advance(hours=1)
    await run.run()
    assert len(await cases(db)) == 1


async def test_butuh_bantuan_followed_by_a_report_opens_nothing_more(db, clock, settings, kb):
    clock.set(MONDAY + timedelta(hours=2, minutes=30))
    worker = await make_worker(db, clock.now(), 1602, country="TW", **monday(settings, kb))
    run, _ = sweeper(db, settings, clock, kb)
    await run.run()
    async with db.transaction() as session:
        await service.record_answer(session, worker, "help", clock.now())
    clock.advance(minutes=10)
    reported = await open_worker_case(db, worker, clock.now(), source="worker")
    clock.advance(hours=2)
    await run.run()
    assert [c.id for c in await cases(db)] == [reported]
    [checkin] = await rows(db)
    assert checkin.next_action_at is None and checkin.answer == "help"


async def test_blocking_the_bot_is_noticed_at_once(db, clock, settings, kb):
    """Telegram's my_chat_member update (the worker blocked the bot): open check-ins stop, officers are told."""
    from bot.checkins.welfare import case_opener

    clock.set(MONDAY + timedelta(hours=2, minutes=30))
    worker_id = await make_worker(db, clock.now(), 1701, country="TW", **monday(settings, kb))
    run, telegram = sweeper(db, settings, clock, kb)
    await run.run()
    policy = service.Policy.from_settings(settings)
    clock.advance(minutes=5)
    async with db.transaction() as session:
        worker = await session.get(service.Worker, worker_id)
        first = await service.worker_blocked(session, worker, policy, clock.now(), case_opener(settings))
    async with db.transaction() as session:  # told twice (another handler saw it too): one case
        worker = await session.get(service.Worker, worker_id)
        again = await service.worker_blocked(session, worker, policy, clock.now(), case_opener(settings))
    assert first is not None and again is None
    [checkin] = await rows(db)
    assert checkin.status == UNREACHABLE and checkin.case_id == first
    clock.advance(days=2)
    await run.run()
    assert len(telegram.to(1701)) == 1 and len(await cases(db)) == 1


async def test_a_worker_with_an_open_case_gets_a_note_not_a_second_case(db, clock, settings, kb):
    from bot.cases.models import CaseEvent

    clock.set(MONDAY)
    worker = await make_worker(db, clock.now(), 1801, country="TW", **monday(settings, kb))
    handled = await open_worker_case(db, worker, clock.now(), source="worker")  # before the check-in
    clock.set(MONDAY + timedelta(hours=2, minutes=30))
    run, telegram = sweeper(db, settings, clock, kb)
    await run.run()
    clock.advance(minutes=settings.checkin.reply_window_minutes + 1)
    await run.run()
    clock.advance(minutes=settings.checkin.escalation_minutes)
    report = await run.run()
    assert report.cases == [handled] and [c.id for c in await cases(db)] == [handled]
    async with db.transaction() as session:
        notes = (await session.scalars(select(CaseEvent).where(CaseEvent.case_id == handled,
                                                               CaseEvent.kind == "note"))).all()
        alerts = (await session.scalars(select(Alert).where(Alert.case_id == handled,
                                                            Alert.kind == "follow_up"))).all()
    assert len(notes) == 1 and "Tidak menjawab cek keamanan" in notes[0].data["text"] and len(alerts) == 1
