"""Production serving: Telegram pushes updates to an HTTPS webhook; a health endpoint for the load balancer.

TLS ends at the reverse proxy / load balancer, which forwards to WEBHOOK_LISTEN:WEBHOOK_PORT. Telegram sends the
secret token in the X-Telegram-Bot-Api-Secret-Token header; PTB's webhook server rejects requests without it (403).
Redelivered updates are dropped by update_id (bot/storage/dedup.py), so several replicas behind one URL are safe.
"""
from __future__ import annotations

import logging
from urllib.parse import urlparse

from aiohttp import web
from sqlalchemy import text
from telegram.ext import Application

from bot.config import Settings
from bot.services import Services

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


async def start_webhook(application: Application, settings: Settings) -> None:
    path = urlparse(settings.webhook_url or "").path.lstrip("/") or "telegram"
    await application.updater.start_webhook(
        listen=settings.webhook_listen, port=settings.webhook_port, url_path=path,
        webhook_url=settings.webhook_url, secret_token=settings.webhook_secret,
        allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False,
    )
    log.info("webhook listening on %s:%s/%s", settings.webhook_listen, settings.webhook_port, path)


async def health(services: Services) -> tuple[int, dict[str, str]]:
    """200 while the database answers (the NLU may be down: the safety net covers it, reported as degraded)."""
    report = {"database": "ok", "nlu": "ok"}
    status = 200
    try:
        async with services.db.transaction() as session:
            await session.execute(text("SELECT 1"))
    except Exception as err:
        report["database"] = f"down: {err.__class__.__name__}"
        status = 503
    if services.nlu_client is not None and await services.nlu_client.status() is None:
        report["nlu"] = "down (safety net only)"
    return status, report


async def start_health_server(services: Services, host: str, port: int) -> web.AppRunner:
    async def handle(_request: web.Request) -> web.Response:
        status, report = await health(services)
        return web.json_response(report, status=status)

    app = web.Application()
    app.router.add_get("/healthz", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
