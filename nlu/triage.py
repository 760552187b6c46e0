"""Batch triage for evaluation: `make triage IN=in.jsonl OUT=out.jsonl`.

Reads lines {"id": ..., "text": ...} and writes {"id", "route", "intent", "confidence", "category"} per line,
through the same router the bot uses. Starts the Rasa server if none is running and stops it afterwards.
Only JSON lines go to OUT; progress and problems go to stderr.
"""
from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from bot.config import ConfigError, load_settings
from knowledge_base.service import KnowledgeService
from nlu.client import CircuitBreaker, NluClient
from nlu.manage import NluSetupError, RasaCrashed, running_server
from nlu.router import Router

CONCURRENCY = 8


async def triage(lines: list[str], url: str, threshold: float, out) -> int:
    client = NluClient(url, timeout=10.0, breaker=CircuitBreaker(50, 5.0))
    router = Router(client.parse, threshold, faq_search=KnowledgeService.load().search)  # as the bot routes
    semaphore = asyncio.Semaphore(CONCURRENCY)
    bad = 0

    async def one(number: int, line: str):
        nonlocal bad
        try:
            item = json.loads(line)
            text = item.get("text") if isinstance(item, dict) else None
            if not isinstance(text, str):
                raise ValueError("no text field")
        except ValueError as err:
            bad += 1
            print(f"line {number}: skipped ({err})", file=sys.stderr)
            return None
        async with semaphore:
            result = await router.route(text)
        return {"id": item.get("id"), "route": result.route, "intent": result.intent,
                "confidence": round(result.confidence, 4), "category": result.category}

    results = await asyncio.gather(*(one(n, l) for n, l in enumerate(lines, 1) if l.strip()))
    for row in results:
        if row is not None:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    await client.close()
    return bad


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[0] or not argv[1]:
        print("usage: make triage IN=in.jsonl OUT=out.jsonl", file=sys.stderr)
        return 2
    source, target = Path(argv[0]), Path(argv[1])
    if not source.is_file():
        print(f"triage: input file {source} does not exist", file=sys.stderr)
        return 2
    try:
        settings = load_settings()
        lines = source.read_text(encoding="utf-8").splitlines()
        with running_server(settings.nlu.url) as url, open(target, "w", encoding="utf-8") as out:
            bad = asyncio.run(triage(lines, url, settings.nlu.confidence_threshold, out))
    except (ConfigError, NluSetupError, RasaCrashed) as err:
        print(f"triage: {err}", file=sys.stderr)
        return 1
    print(f"triage: {len([l for l in lines if l.strip()]) - bad} lines routed into {target}"
          + (f", {bad} skipped" if bad else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
