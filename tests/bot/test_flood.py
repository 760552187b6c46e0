"""Flood control: a friendly slow-down, once per minute; emergencies are never limited."""
from datetime import timedelta

from bot.clock import FakeClock
from bot.flood import FloodGuard


def test_window_slides():
    clock = FakeClock()
    guard = FloodGuard(per_minute=3)
    assert [guard.allow(1, clock.now()) for _ in range(4)] == [True, True, True, False]
    assert guard.allow(2, clock.now())  # per user
    clock.advance(seconds=61)
    assert guard.allow(1, clock.now())
    assert guard.should_warn(1, clock.now()) and not guard.should_warn(1, clock.now() + timedelta(seconds=30))


async def test_flooding_worker_is_asked_to_slow_down_but_sos_passes(bot_without_nlu):
    bot = bot_without_nlu
    limit = bot.settings.flood_per_minute
    player = bot.worker(4201)
    for i in range(limit + 5):
        player.send(f"pesan nomor {i}")
    replies = await player.quiet(2.0)
    assert sum("banyak sekali" in r.text for r in replies) == 1
    assert sum("gangguan" in r.text for r in replies) == limit
    player.send("tolong saya dipukul")
    assert "dalam bahaya" in (await player.expect("dalam bahaya")).text
    player.send("🆘 DARURAT")
    await player.expect("dalam bahaya")
