"""Webhook mode: Telegram's secret-token header is required, updates are handled once, health answers."""
import httpx
import pytest

from bot.app import build_application
from bot.config import Settings
from bot.local_bot_api import LocalBotApi
from bot.services import Services
from bot.webhook import health, start_health_server, start_webhook
from nlu.router import Router
from tests.conftest import free_port


async def _no_nlu(text):
    from nlu.client import NluUnavailable

    raise NluUnavailable("test")


@pytest.fixture
async def webhook_bot(db, clock, kb):
    api = LocalBotApi()
    await api.start()
    settings = Settings(webhook_url="https://bot.example.org/tg-hook", webhook_secret="s3cret_token",
                        webhook_port=free_port(), health_port=free_port())
    services = Services(settings=settings, db=db, clock=clock, router=Router(_no_nlu), kb=kb)
    application = build_application(services, api.token, api.base_url)
    async with application:
        await application.start()
        await start_webhook(application, settings)
        health_runner = await start_health_server(services, "127.0.0.1", settings.health_port)
        yield api, settings, services
        await health_runner.cleanup()
        await application.updater.stop()
        await application.stop()
    await api.stop()


async def test_webhook_checks_the_secret_and_deduplicates(webhook_bot):
    api, settings, services = webhook_bot
    set_call = next(p for m, p in api.calls if m == "setWebhook")
    assert set_call["url"] == "https://bot.example.org/tg-hook" and set_call["secret_token"] == "s3cret_token"
    player = api.chat(4101)
    update = {"update_id": 77, "message": api.new_message(player.user, player.chat, "/help")}
    url = f"http://127.0.0.1:{settings.webhook_port}/tg-hook"
    async with httpx.AsyncClient() as client:
        forged = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
        assert forged.status_code == 403
        missing = await client.post(url, json=update)
        assert missing.status_code == 403
        assert await player.quiet(0.5) == []
        headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret_token"}
        assert (await client.post(url, json=update, headers=headers)).status_code == 200
        await player.expect("bisa membantu")
        # Telegram retries the same update (e.g. our reply was slow): handled once
        assert (await client.post(url, json=update, headers=headers)).status_code == 200
        assert await player.quiet(1.0) == []


async def test_health_reports_database_and_nlu(webhook_bot):
    _, settings, services = webhook_bot
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{settings.health_port}/healthz")
    assert response.status_code == 200 and response.json()["database"] == "ok"
    from bot.storage import Database

    original = services.db
    services.db = Database("postgresql+asyncpg://nobody@127.0.0.1:1/gone")  # a database that does not answer
    try:
        status, report = await health(services)
    finally:
        await services.db.close()
        services.db = original
    assert status == 503 and report["database"].startswith("down")
