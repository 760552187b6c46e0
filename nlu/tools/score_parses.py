"""Score parses dumped by nlu/tools/dump_parses.py exactly as `make nlu-eval` scores a live server (bot venv).

Lets several candidate models be trained and compared without starting a Rasa server for each.
  .venv/bot/bin/python nlu/tools/score_parses.py OUT.json [--quiet]
"""
from __future__ import annotations

import asyncio
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from bot.config import load_settings  # noqa: E402
from nlu.evaluate import evaluate_parser, print_report  # noqa: E402


def main() -> int:
    parses = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))

    async def parse(text: str) -> dict:
        return parses[text]

    report = asyncio.run(evaluate_parser(parse, load_settings().nlu.confidence_threshold))
    out = io.StringIO() if "--quiet" in sys.argv else sys.stdout
    failures = print_report(report, out)
    print(f"SUMMARY weighted_f1={report['weighted_f1']:.3f} route_acc={report['route_accuracy']:.3f} "
          f"emergency_recall={report['emergency_recall']:.3f} emergency_precision={report['emergency_precision']:.3f} "
          f"faq={report['faq_accuracy']:.3f} faq_to_emergency={len(report['faq_to_emergency'])}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
