"""Parse the held-out sets with a model file and dump Rasa's raw results (tuning aid; NLU venv).

  PYTHONPATH=$PWD .venv/nlu/bin/python nlu/tools/dump_parses.py MODEL.tar.gz OUT.json
  .venv/bot/bin/python nlu/tools/score_parses.py OUT.json      # the same scoring as `make nlu-eval`
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)


def main() -> int:
    model, out = sys.argv[1], sys.argv[2]
    import yaml

    from nlu.evaluate_data import read_paraphrases, read_rasa_examples  # noqa: E402

    logging.getLogger("rasa").setLevel(logging.ERROR)
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    texts = [t for t, _ in read_rasa_examples()] + [t for t, _ in read_paraphrases()]

    async def run():
        return {t: await agent.parse_message(t) for t in dict.fromkeys(texts)}

    parses = asyncio.run(run())
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(parses, fh, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
