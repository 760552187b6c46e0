"""Entry point: `python -m bot` (what `make run` calls).

Starts the Rasa server (training the model first when its inputs changed) and waits until it answers, then runs
the bot: long polling against Telegram when TELEGRAM_BOT_TOKEN is set, otherwise the local console chat.
Ctrl-C stops both processes. A crashed Rasa server is reported and restarted; meanwhile the safety net answers.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from bot.config import ConfigError, Settings, load_settings

log = logging.getLogger("bot")


def _setup_logging(level: str, console: bool) -> None:
    logging.basicConfig(
        level=level if not console else "WARNING",
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL, which contains the bot token: keep it quiet.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # Second line of log hygiene: whatever still looks like a Telegram id or a phone number is masked.
    from bot.privacy.logs import install

    install()


async def build_services(settings: Settings):
    from bot.clock import Clock
    from bot.services import Services
    from bot.storage import Database
    from knowledge_base.service import KnowledgeService
    from nlu.client import CircuitBreaker, NluClient
    from nlu.router import Router

    db = Database(settings.database_url)
    await db.migrate()
    kb = KnowledgeService.load()
    from knowledge_base.overrides import load_overrides

    async with db.transaction() as session:
        kb.apply(await load_overrides(session))
    client = NluClient(settings.nlu.url, settings.nlu.timeout_seconds,
                       CircuitBreaker(settings.nlu.breaker_failures, settings.nlu.breaker_reset_seconds))
    router = Router(client.parse, settings.nlu.confidence_threshold, settings.nlu.suggestions, kb.search, kb.entry)
    return Services(settings=settings, db=db, clock=Clock(), router=router, kb=kb, nlu_client=client)


async def _watch_nlu(server) -> None:
    """Report a crashed Rasa server loudly and start it again (the safety net covers the gap)."""
    restarts = 0
    while True:
        await asyncio.sleep(5)
        if server.alive():
            continue
        restarts += 1
        log.error("the Rasa server stopped (exit %s); restart %d. Last log lines:\n%s",
                  server.process.returncode if server.process else "?", restarts, server.log_tail())
        print(f"[nlu] the Rasa server stopped; restarting it (attempt {restarts}). Emergencies are still "
              f"recognised by the safety net.", file=sys.stderr, flush=True)
        if restarts > 5:
            print("[nlu] giving up restarting the Rasa server; see var/log/rasa-*.log", file=sys.stderr)
            return
        try:
            server.start()
            await asyncio.to_thread(server.wait_ready)
            print("[nlu] the Rasa server is back", file=sys.stderr, flush=True)
        except Exception as err:  # keep watching; the next round retries
            log.error("restarting the Rasa server failed: %s", err)


async def _run(settings: Settings, server) -> None:
    from bot.app import build_application, register_commands
    from bot.scheduler import build_scheduler

    services = await build_services(settings)
    scheduler = build_scheduler(services)
    watcher = asyncio.create_task(_watch_nlu(server)) if server is not None else None
    try:
        scheduler.start()
        if settings.telegram_token:
            application = build_application(services, settings.telegram_token, settings.telegram_api_url)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            from bot.webhook import ALLOWED_UPDATES, start_health_server, start_webhook

            health = await start_health_server(services, settings.webhook_listen, settings.health_port)
            async with application:
                await application.start()
                await register_commands(application)
                if settings.webhook_url:
                    await start_webhook(application, settings)
                else:
                    await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
                    log.info("bot running with long polling against %s", settings.telegram_api_url)
                await stop.wait()
                await application.updater.stop()
                await application.stop()
            await health.cleanup()
        else:
            from bot.console import run_console

            await run_console(lambda base_url, token: build_application(services, token, base_url))
    finally:
        if watcher:
            watcher.cancel()
        scheduler.shutdown(wait=False)
        await services.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Run Sahabat PMI.")
    parser.add_argument("--no-nlu", action="store_true", help="do not start a Rasa server (use NLU_URL as is)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as err:
        print(f"config error: {err}", file=sys.stderr)
        return 2
    console = not settings.telegram_token
    _setup_logging(settings.log_level, console)

    from nlu.manage import NluSetupError, RasaCrashed, RasaServer, ensure_model, server_answers

    server = None
    if not args.no_nlu and not server_answers(settings.nlu.url):
        try:
            model = ensure_model()
            port = int(settings.nlu.url.rsplit(":", 1)[1].split("/")[0]) if settings.nlu.url.count(":") == 2 else 5005
            server = RasaServer(model, port=port)
            print(f"[nlu] starting the Rasa server on {server.url} (about 20 s) ...", flush=True)
            server.start()
            server.wait_ready()
            print("[nlu] ready", flush=True)
        except (NluSetupError, RasaCrashed) as err:
            print(f"nlu error: {err}", file=sys.stderr)
            if server:
                server.stop()
            return 1
    try:
        asyncio.run(_run(settings, server))
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
