"""The local Bot API server speaks Telegram's protocol well enough for the real PTB Bot to drive it over HTTP."""
from datetime import timedelta

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.local_bot_api import LocalBotApi


@pytest.fixture
async def api():
    server = LocalBotApi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def ptb(api):
    bot = Bot(api.token, base_url=api.base_url)
    async with bot:
        yield bot


async def test_get_me_and_updates_round_trip(api, ptb):
    assert (await ptb.get_me()).username == "sahabat_pmi_bot"
    player = api.chat(501, "Ani")
    player.send("/start")
    updates = await ptb.get_updates(timeout=1)
    assert len(updates) == 1
    message = updates[0].message
    assert message.text == "/start" and message.from_user.id == 501
    assert message.entities[0].type == "bot_command"
    # confirming with offset removes them
    assert await ptb.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()


async def test_messages_buttons_and_presses(api, ptb):
    player = api.chat(502)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Aman", callback_data="ck:1:ok")]])
    sent = await ptb.send_message(502, "<b>Apakah Anda aman?</b>", parse_mode=ParseMode.HTML, reply_markup=markup)
    seen = await player.next()
    assert seen.text == "Apakah Anda aman?" and seen.params["text"] == "<b>Apakah Anda aman?</b>"
    assert seen.buttons == [("Aman", "ck:1:ok")]
    player.press("Aman")
    update = (await ptb.get_updates(timeout=1))[0]
    assert update.callback_query.data == "ck:1:ok"
    assert update.callback_query.message.message_id == sent.message_id
    await ptb.edit_message_text("Terima kasih", chat_id=502, message_id=sent.message_id)
    assert (await player.next()).method == "editMessageText"


async def test_telegram_errors_are_reproduced(api, ptb):
    with pytest.raises(BadRequest, match="parse entities"):
        await ptb.send_message(503, "a <script> b", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="too long"):
        await ptb.send_message(503, "x" * 4097)
    api.blocked.add(504)
    with pytest.raises(Forbidden):
        await ptb.send_message(504, "hi")
    api.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter) as err:
        await ptb.send_message(503, "hi")
    assert err.value.retry_after in (3, timedelta(seconds=3))
    assert (await ptb.send_message(503, "hi")).text == "hi"


async def test_copy_and_forward_keep_content(api, ptb):
    worker = api.chat(505)
    original = worker.send("gaji saya belum dibayar")
    copied = await ptb.copy_message(chat_id=-100500, from_chat_id=505, message_id=original["message_id"])
    assert api.sent_to(-100500)[-1].text == "gaji saya belum dibayar"
    assert copied.message_id >= 1


async def test_unknown_methods_are_recorded(api, ptb):
    with pytest.raises(Exception):
        await ptb.do_api_request("sendFancyThing", api_kwargs={"chat_id": 1})
    assert api.unknown_methods == ["sendFancyThing"]
