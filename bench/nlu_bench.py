"""NLU benchmark: parse latency and throughput through HTTP, training time, memory of both processes.

    .venv/bot/bin/python -m bench.nlu_bench                 # uses the current model (trains it if needed)
    .venv/bot/bin/python -m bench.nlu_bench --train         # also times a full training into a temp folder

Messages are the held-out test sets (nlu/tests/*.yml), sent one at a time for latency and with
concurrency 8 for throughput, through the same NluClient the bot uses. Memory is the resident set size (RSS)
of the Rasa server process and of this bot-side process, read from /proc.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from knowledge_base.service import KnowledgeService
from nlu.client import CircuitBreaker, NluClient
from nlu.evaluate_data import read_rasa_examples
from nlu.manage import RASA, ROOT, RasaServer, ensure_model, rasa_env
from nlu.router import Router


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def measure(url: str, texts: list[str], rounds: int) -> dict:
    client = NluClient(url, timeout=10.0, breaker=CircuitBreaker(1000, 1.0))
    router = Router(client.parse, faq_search=KnowledgeService.load().search)  # as the bot routes
    for text in texts[:20]:  # warm up
        await client.parse(text)
    latencies = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            await router.route(text)
            latencies.append((time.perf_counter() - started) * 1000)
    semaphore = asyncio.Semaphore(8)

    async def one(text: str) -> None:
        async with semaphore:
            await router.route(text)

    started = time.perf_counter()
    await asyncio.gather(*(one(t) for t in texts * rounds))
    elapsed = time.perf_counter() - started
    await client.close()
    return {"n": len(latencies), "p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99), "mean": statistics.fmean(latencies),
            "throughput": len(texts) * rounds / elapsed}


def time_training() -> float:
    with tempfile.TemporaryDirectory() as out:
        started = time.monotonic()
        subprocess.run([str(RASA), "train", "nlu", "--config", "nlu/config.yml", "--nlu", "nlu/data", "--domain",
                        "nlu/domain.yml", "--out", out], cwd=ROOT, env=rasa_env(), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--train", action="store_true", help="also time a full training run")
    parser.add_argument("--port", type=int, default=5099)
    args = parser.parse_args()
    texts = [text for text, _ in read_rasa_examples()]
    training = time_training() if args.train else None
    model = ensure_model()
    with RasaServer(model, port=args.port) as server:
        idle_rss = rss_mb(server.process.pid)
        result = asyncio.run(measure(server.url, texts, args.rounds))
        busy_rss = rss_mb(server.process.pid)
    bot_rss = rss_mb(os.getpid())
    print(f"model: {model.name} ({model.stat().st_size / 1e6:.0f} MB)")
    if training is not None:
        print(f"training time: {training:.0f} s")
    print(f"parse+route latency over HTTP, {result['n']} messages: p50 {result['p50']:.1f} ms, "
          f"p95 {result['p95']:.1f} ms, p99 {result['p99']:.1f} ms, mean {result['mean']:.1f} ms")
    print(f"throughput (concurrency 8): {result['throughput']:.0f} messages/s")
    print(f"memory: Rasa server {idle_rss:.0f} MB after load, {busy_rss:.0f} MB after the run; "
          f"bot-side process {bot_rss:.0f} MB")


if __name__ == "__main__":
    main()
