"""The bulk sender: overall and per-chat rates, RetryAfter, Telegram's refusals, stopping. Time is virtual: the
sender's clock moves only when it sleeps, so the rate is checked exactly and nothing waits."""
import asyncio

import pytest

from bot.checkins import sender as bulk
from bot.checkins.sender import BulkSender, Outgoing
from tests.checkins.support import FakeTelegram, VirtualTime


def messages(chats, start=0):
    return [Outgoing(key=start + i, chat_id=chat, text=f"hi {i}") for i, chat in enumerate(chats)]


def recording(telegram, vtime, starts):
    async def transport(message):
        starts.append((vtime.now(), message.chat_id))
        return await telegram(message)
    return transport


async def test_overall_rate_is_never_exceeded():
    vtime, telegram, starts = VirtualTime(), FakeTelegram(), []
    sender = BulkSender(recording(telegram, vtime, starts), 25, 1, now=vtime.now, sleep=vtime.sleep)
    results = await sender.send_all(messages(range(1, 201)))
    assert {r.outcome for r in results.values()} == {bulk.SENT} and len(telegram.delivered) == 200
    times = [t for t, _ in starts]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 1 / 25 - 1e-9
    # and no window of one second holds more than 25 starts
    assert max(sum(1 for t in times if s <= t < s + 1 - 1e-6) for s in times) <= 25
    assert times[-1] - times[0] == pytest.approx(199 / 25)  # ... while using the whole allowance


async def test_time_lost_to_a_busy_event_loop_is_made_up_within_the_limit():
    vtime, telegram, starts = VirtualTime(), FakeTelegram(), []

    async def laggy(message):
        starts.append((vtime.now(), message.chat_id))
        if len(starts) % 5 == 0:
            vtime.t += 0.05  # the event loop was busy elsewhere for 50 ms
        return await telegram(message)

    sender = BulkSender(laggy, 25, 1, now=vtime.now, sleep=vtime.sleep)
    await sender.send_all(messages(range(1, 401)))
    times = [t for t, _ in starts]
    assert max(sum(1 for t in times if s <= t < s + 1 - 1e-6) for s in times) <= 25  # never over the limit
    assert min(b - a for a, b in zip(times, times[1:])) >= 1 / 50 - 1e-9  # no bursts
    assert 399 / (times[-1] - times[0]) >= 23  # the lost time is made up (a fixed grid would give 20/s)


async def test_one_message_per_second_per_chat_without_holding_up_others():
    vtime, telegram, starts = VirtualTime(), FakeTelegram(), []
    sender = BulkSender(recording(telegram, vtime, starts), 25, 1, now=vtime.now, sleep=vtime.sleep)
    chats = [7, 7, 7] + list(range(100, 150))
    await sender.send_all(messages(chats))
    sevens = [t for t, chat in starts if chat == 7]
    assert [b - a >= 1 - 1e-9 for a, b in zip(sevens, sevens[1:])] == [True, True]
    # the other chats went out in between: the whole batch took about 53/25 s, not 2 s + 50/25 s
    assert starts[-1][0] - starts[0][0] < 53 / 25 + 0.1
    # the per-chat limit also holds across calls
    before = vtime.now()
    await sender.send_all(messages([7], start=1000))
    assert [t for t, chat in starts if chat == 7][-1] >= sevens[-1] + 1 - 1e-9 and vtime.now() >= before


async def test_retry_after_pauses_everything_then_sends_once():
    vtime, starts = VirtualTime(), []
    telegram = FakeTelegram(retry_after=[5])
    sender = BulkSender(recording(telegram, vtime, starts), 25, 1, now=vtime.now, sleep=vtime.sleep,
                        max_in_flight=1)
    results = await sender.send_all(messages(range(1, 11)))
    assert {r.outcome for r in results.values()} == {bulk.SENT}
    assert sorted(m.chat_id for m in telegram.delivered) == list(range(1, 11))  # each once, none lost
    first, second = starts[0][0], starts[1][0]
    assert second - first >= 5  # the next send waited for Telegram's "retry after 5"


async def test_retry_after_again_and_again_gives_up_for_now():
    vtime = VirtualTime()
    telegram = FakeTelegram(retry_after=[1, 1, 1, 1, 1])
    sender = BulkSender(telegram, 25, 1, now=vtime.now, sleep=vtime.sleep, max_in_flight=1, max_retry_after=3)
    results = await sender.send_all(messages([1]))
    assert results[0].outcome == bulk.RETRY_LATER and telegram.delivered == []


async def test_refusals_are_sorted_by_what_they_mean():
    vtime = VirtualTime()
    telegram = FakeTelegram(blocked_chats={1}, missing_chats={2}, bad_chats={3}, timeout_chats={4})
    sender = BulkSender(telegram, 25, 1, now=vtime.now, sleep=vtime.sleep)
    results = await sender.send_all(messages([1, 2, 3, 4, 5]))
    assert [results[i].outcome for i in range(5)] == [bulk.BLOCKED, bulk.BLOCKED, bulk.FAILED, bulk.UNKNOWN,
                                                       bulk.SENT]
    assert results[4].message_id == 1


async def test_unreachable_telegram_stops_the_batch():
    vtime = VirtualTime()
    telegram = FakeTelegram(down=True)
    sender = BulkSender(telegram, 25, 1, now=vtime.now, sleep=vtime.sleep, max_in_flight=1)
    results = await sender.send_all(messages(range(1, 21)))
    assert results[0].outcome == bulk.RETRY_LATER
    assert {r.outcome for k, r in results.items() if k} == {bulk.NOT_ATTEMPTED}
    assert telegram.calls == 1


async def test_prepare_runs_per_chunk_and_decides_what_is_sent():
    vtime, telegram = VirtualTime(), FakeTelegram()
    sender = BulkSender(telegram, 25, 1, now=vtime.now, sleep=vtime.sleep)
    chunks = []

    async def prepare(chunk):
        chunks.append([m.key for m in chunk])
        return [m.key for m in chunk if m.key % 2 == 0]  # odd ones were taken by someone else

    results = await sender.send_all(messages(range(100, 160)), prepare=prepare, chunk=25)
    assert [len(c) for c in chunks] == [25, 25, 10]
    assert sorted(results) == list(range(0, 60, 2))  # refused keys get no result at all
    assert sorted(m.key for m in telegram.delivered) == list(range(0, 60, 2))


async def test_stopping_mid_send_reports_what_may_have_left():
    vtime = VirtualTime()
    telegram = FakeTelegram(hang_after=3)  # the 4th request never returns
    sender = BulkSender(telegram, 25, 1, now=vtime.now, sleep=vtime.sleep, max_in_flight=2, stop_grace=0.01)
    results: dict = {}

    async def prepare(chunk):
        return [m.key for m in chunk]

    task = asyncio.create_task(sender.send_all(messages(range(1, 21)), results, prepare=prepare, chunk=10))
    while telegram.calls < 5:
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    outcomes = {k: r.outcome for k, r in results.items()}
    assert [outcomes[k] for k in range(3)] == [bulk.SENT] * 3
    assert {outcomes[k] for k in (3, 4)} == {bulk.UNKNOWN}  # in flight past the grace: may have arrived
    assert {outcomes[k] for k in range(5, 10)} == {bulk.NOT_ATTEMPTED}  # prepared, never started
    assert all(k not in results for k in range(10, 20))  # never prepared: not ours to report


def test_rates_must_be_positive():
    with pytest.raises(ValueError):
        BulkSender(FakeTelegram(), 0, 1)


async def test_stopping_lets_requests_in_flight_finish():
    vtime = VirtualTime()
    gate = asyncio.Event()
    telegram = FakeTelegram()

    async def slow(message):
        await gate.wait()
        return await telegram(message)

    sender = BulkSender(slow, 25, 1, now=vtime.now, sleep=vtime.sleep, max_in_flight=2, stop_grace=30)
    results: dict = {}
    task = asyncio.create_task(sender.send_all(messages(range(1, 6)), results))
    while len([t for t in asyncio.all_tasks() if "_one" in repr(t)]) < 2:
        await asyncio.sleep(0)
    task.cancel()
    await asyncio.sleep(0)
    gate.set()  # Telegram answers during the grace period
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [results[k].outcome for k in range(5)] == [bulk.SENT, bulk.SENT] + [bulk.NOT_ATTEMPTED] * 3
