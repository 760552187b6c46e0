"""Quick tuning evaluation of the NLU model on the held-out set (run with the NLU venv).

  PYTHONPATH=$PWD RASA_TELEMETRY_ENABLED=false .venv/nlu/bin/python nlu/tools/quick_eval.py --train
  PYTHONPATH=$PWD .venv/nlu/bin/python nlu/tools/quick_eval.py --model /tmp/nlu-models/xxx.tar.gz
  python3 nlu/tools/quick_eval.py --safety-only        # lexicon only, no Rasa needed

Prints per-intent precision / recall / F1, weighted F1, the misclassified messages, and
emergency recall of (model says emergency) OR (nlu.safety.danger_match fires), plus how
many non-emergency held-out messages the lexicon fires on.

This is a tuning aid; the official evaluation is `make nlu-eval` (HTTP server + router).
Never tune the held-out set to the model: fix training data / pipeline instead.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import logging
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from nlu.safety import danger_match  # noqa: E402
from nlu.tools.check_duplicates import read_examples  # noqa: E402

EMERGENCY = "emergency"
FALLBACK = "nlu_fallback"


def prf(gold: Sequence[str], pred: Sequence[str]) -> Tuple[Dict[str, Tuple[float, float, float, int]], float]:
    labels = sorted(set(gold))
    tp: Counter = Counter()
    fp: Counter = Counter()
    fn: Counter = Counter()
    for g, p in zip(gold, pred):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
    table = {}
    weighted = 0.0
    support = Counter(gold)
    for label in labels:
        p = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        r = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        table[label] = (p, r, f, support[label])
        weighted += f * support[label]
    return table, weighted / len(gold)


def print_table(title: str, gold: Sequence[str], pred: Sequence[str]) -> float:
    table, wf1 = prf(gold, pred)
    acc = sum(g == p for g, p in zip(gold, pred)) / len(gold)
    print(f"\n== {title}")
    print(f"{'intent':26s} {'prec':>6s} {'rec':>6s} {'f1':>6s} {'n':>4s}")
    for label, (p, r, f, n) in table.items():
        flag = "  <-" if f < 0.85 else ""
        print(f"{label:26s} {p:6.3f} {r:6.3f} {f:6.3f} {n:4d}{flag}")
    print(f"{'weighted F1':26s} {wf1:20.3f}   accuracy {acc:.3f}   n={len(gold)}")
    return wf1


def ranking_report(texts: Sequence[str], gold: Sequence[str], raw: Sequence[dict]) -> None:
    """Recall/false alarms if the router also took `emergency` from lower in the model's ranking."""
    lex = [bool(danger_match(t)) for t in texts]
    em = [i for i, g in enumerate(gold) if g == EMERGENCY]
    non = [i for i, g in enumerate(gold) if g != EMERGENCY]

    def em_conf(r: dict) -> float:
        return max((x["confidence"] for x in r.get("intent_ranking", []) if x["name"] == EMERGENCY), default=0.0)

    conf = [em_conf(r) for r in raw]
    print("\n== router policy sketch: emergency if lexicon OR model's emergency confidence >= T")
    for t in (0.5, 0.3, 0.2, 0.1, 0.05):
        hit = sum(1 for i in em if lex[i] or conf[i] >= t)
        fa = sum(1 for i in non if lex[i] or conf[i] >= t)
        print(f"  T={t:<4}  recall {hit}/{len(em)} = {hit / len(em):.3f}   false alarms {fa}/{len(non)}")


def safety_report(texts: Sequence[str], gold: Sequence[str], model_pred: Optional[Sequence[str]]) -> None:
    lex = [danger_match(t) for t in texts]
    em_idx = [i for i, g in enumerate(gold) if g == EMERGENCY]
    non_idx = [i for i, g in enumerate(gold) if g != EMERGENCY]
    lex_hits = sum(1 for i in em_idx if lex[i])
    print(f"\n== safety net (nlu/lexicon/danger.txt) on {len(em_idx)} emergency / {len(non_idx)} other held-out messages")
    print(f"lexicon alone: recall {lex_hits}/{len(em_idx)} = {lex_hits / len(em_idx):.3f}")
    for i in em_idx:
        if not lex[i]:
            print(f"  lexicon MISS: {texts[i]!r}")
    fps = [i for i in non_idx if lex[i]]
    print(f"lexicon fires on {len(fps)}/{len(non_idx)} non-emergency messages:")
    for i in fps:
        print(f"  [{gold[i]}] {texts[i]!r}  <- {lex[i]!r}")
    if model_pred is not None:
        model_hits = sum(1 for i in em_idx if model_pred[i] == EMERGENCY)
        both = sum(1 for i in em_idx if model_pred[i] == EMERGENCY or lex[i])
        print(f"model alone: emergency recall {model_hits}/{len(em_idx)} = {model_hits / len(em_idx):.3f}")
        print(f"model OR lexicon: emergency recall {both}/{len(em_idx)} = {both / len(em_idx):.3f}")
        for i in em_idx:
            if model_pred[i] != EMERGENCY and not lex[i]:
                print(f"  MISSED BY BOTH: {texts[i]!r} (model: {model_pred[i]})")
        routed = sum(1 for i in non_idx if model_pred[i] == EMERGENCY or lex[i])
        print(f"non-emergency messages routed to emergency (model OR lexicon): {routed}/{len(non_idx)}")


def train(out_dir: str) -> str:
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    rasa = os.path.join(os.path.dirname(sys.executable), "rasa")
    cmd = [rasa, "train", "nlu", "--config", "nlu/config.yml", "--nlu", "nlu/data",
           "--domain", "nlu/domain.yml", "--out", out_dir]
    print("$", " ".join(cmd), flush=True)
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    took = time.monotonic() - started
    if proc.returncode != 0:
        print(proc.stdout[-4000:])
        raise SystemExit(f"training failed (exit {proc.returncode})")
    print(f"training took {took:.0f}s wall clock")
    return latest_model(out_dir)


def latest_model(out_dir: str) -> str:
    models = sorted(glob.glob(os.path.join(out_dir, "*.tar.gz")), key=os.path.getmtime)
    if not models:
        raise SystemExit(f"no model in {out_dir}")
    return models[-1]


def predict(model_path: str, texts: Sequence[str]) -> Tuple[List[str], List[str], List[dict]]:
    logging.getLogger("rasa").setLevel(logging.ERROR)
    from rasa.core.agent import Agent  # imported late: slow and only in the NLU venv

    agent = Agent.load(model_path)

    async def run() -> List[dict]:
        return [await agent.parse_message(t) for t in texts]

    results = asyncio.run(run())
    served, top = [], []
    for r in results:
        name = r["intent"]["name"]
        served.append(name)
        ranking = [x["name"] for x in r.get("intent_ranking", []) if x["name"] != FALLBACK]
        top.append(ranking[0] if ranking else name)
    return served, top, results


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--test", default=os.path.join(ROOT, "nlu", "tests"), help="a held-out file or a folder of them")
    ap.add_argument("--model", help="model .tar.gz (default: newest in --out)")
    ap.add_argument("--out", default="/tmp/nlu-models")
    ap.add_argument("--train", action="store_true", help="train a fresh model into --out first")
    ap.add_argument("--safety-only", action="store_true", help="only evaluate the lexicon (no Rasa)")
    ap.add_argument("--show-entities", action="store_true")
    args = ap.parse_args(argv)

    test_files = sorted(glob.glob(os.path.join(args.test, "*.yml"))) if os.path.isdir(args.test) else [args.test]
    examples = [ex for f in test_files for ex in read_examples(f)]
    texts = [e[3] for e in examples]
    gold = [e[1] for e in examples]
    print(f"held-out set: {len(texts)} messages, {dict(Counter(gold))}")

    if args.safety_only:
        safety_report(texts, gold, None)
        return 0

    model = train(args.out) if args.train else (args.model or latest_model(args.out))
    print(f"model: {model}")
    served, top, raw = predict(model, texts)

    wf1_top = print_table("top intent (FallbackClassifier ignored)", gold, top)
    wf1_served = print_table("as served (nlu_fallback counts as wrong)", gold, served)
    print(f"\nnlu_fallback on {served.count(FALLBACK)} messages")

    confusions: Dict[Tuple[str, str], List[str]] = defaultdict(list)
    for t, g, p in zip(texts, gold, top):
        if g != p:
            confusions[(g, p)].append(t)
    print("\n== misclassified (gold -> predicted)")
    for (g, p), items in sorted(confusions.items(), key=lambda kv: -len(kv[1])):
        for t in items:
            conf = next(r["intent"]["confidence"] for r, x in zip(raw, texts) if x == t)
            print(f"  {g:24s} -> {p:24s} {conf:.2f}  {t!r}")

    if args.show_entities:
        print("\n== entities")
        for t, r in zip(texts, raw):
            if r.get("entities"):
                ents = ", ".join(f"{e['entity']}={e['value']!r}({e.get('extractor')})" for e in r["entities"])
                print(f"  {t!r}: {ents}")

    safety_report(texts, gold, top)
    ranking_report(texts, gold, raw)
    print(f"\nSUMMARY weighted_f1_top={wf1_top:.3f} weighted_f1_served={wf1_served:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
