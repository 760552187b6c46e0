"""Emergency sends skip the shared Telegram rate limiter (the load test found them waiting behind a check-in round)."""
import asyncio
import time


async def test_emergency_numbers_do_not_wait_behind_a_full_send_queue(bot_without_nlu):
    bot = bot_without_nlu
    worker = bot.worker(4101)
    bystanders = [bot.api.chat(4200 + i, f"B{i}") for i in range(100)]
    # 100 messages through the rate-limited bot: at 25 per second the queue holds about 4 seconds of sending
    flood = [asyncio.create_task(bot.services.bot.send_message(b.chat_id, "kabar?")) for b in bystanders]
    await asyncio.sleep(0.3)
    started = time.monotonic()
    worker.send("tolong saya dipukul majikan")
    reply = await worker.expect("dalam bahaya", timeout=10)
    waited = time.monotonic() - started
    assert reply.text
    assert waited < 1.5, f"the emergency numbers waited {waited:.2f} s behind the queue"
    assert not all(task.done() for task in flood), "the queue emptied before the emergency: the test proves nothing"
    await asyncio.gather(*flood)
