"""`make nlu-eval`: measure the NLU and the router on held-out messages the model never trained on.

Prints per-intent precision/recall/F1 of the model, route accuracy of the router (model + safety net), emergency
recall/precision, and the FAQ gate (held-out paraphrases reach the right entry; none is routed to emergency).
Exits 1 when a gate fails: weighted F1 < 0.90, emergency recall < 0.97, FAQ accuracy < 0.85, any FAQ -> emergency.
"""
from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter, defaultdict

from bot.config import ROOT, load_settings
from knowledge_base.service import KnowledgeService
from nlu.client import CircuitBreaker, NluClient
from nlu.manage import running_server
from nlu.evaluate_data import read_paraphrases, read_rasa_examples
from nlu.router import Router, route_of_intent

REPORT = ROOT / "var" / "nlu-eval.json"
GATES = {"weighted_f1": 0.90, "emergency_recall": 0.97, "faq_accuracy": 0.85}


def prf(gold: list[str], predicted: list[str]) -> tuple[dict[str, dict[str, float]], float]:
    labels = sorted(set(gold))
    table: dict[str, dict[str, float]] = {}
    weighted = 0.0
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        support = tp + fn
        table[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
        weighted += f1 * support
    return table, weighted / len(gold) if gold else 0.0


async def evaluate(url: str, threshold: float) -> dict:
    client = NluClient(url, timeout=10.0, breaker=CircuitBreaker(50, 5.0))
    try:
        return await evaluate_parser(client.parse, threshold)
    finally:
        await client.close()


async def evaluate_parser(parse, threshold: float) -> dict:
    """The report for any parse function (the Rasa HTTP client, or parses dumped by nlu/tools/dump_parses.py).

    The router gets the knowledge-base search, as in the bot, so FAQ answers are measured as workers get them."""
    router = Router(parse, threshold, faq_search=KnowledgeService.load().search)
    examples = read_rasa_examples()
    paraphrases = read_paraphrases()
    semaphore = asyncio.Semaphore(8)

    async def run(text: str):
        async with semaphore:
            parsed = await parse(text)
            routed = await router.route(text)
        return parsed, routed

    results = await asyncio.gather(*(run(text) for text, _ in examples))
    faq_results = await asyncio.gather(*(run(text) for text, _ in paraphrases))

    gold = [intent for _, intent in examples]
    predicted = [(parsed.get("intent") or {}).get("name") or "none" for parsed, _ in results]
    table, weighted_f1 = prf(gold, predicted)
    gold_routes = [route_of_intent(intent)[0] for intent in gold]
    routes = [routed.route for _, routed in results]
    route_accuracy = sum(g == r for g, r in zip(gold_routes, routes)) / len(gold) if gold else 0.0
    emergency_gold = [g == "emergency" for g in gold]
    emergency_hit = [r == "emergency" for r in routes]
    tp = sum(g and h for g, h in zip(emergency_gold, emergency_hit))
    emergency_recall = tp / sum(emergency_gold) if any(emergency_gold) else 0.0
    emergency_precision = tp / sum(emergency_hit) if any(emergency_hit) else 0.0
    missed = [text for (text, _), g, h in zip(examples, emergency_gold, emergency_hit) if g and not h]
    false_alarms = [text for (text, _), g, h in zip(examples, emergency_gold, emergency_hit) if h and not g]
    route_confusion = Counter(f"{g}->{r}" for g, r in zip(gold_routes, routes) if g != r)

    faq_right = sum(1 for (_, entry), (_, routed) in zip(paraphrases, faq_results)
                    if routed.route == "faq" and routed.faq_id == entry)
    faq_emergency = [text for (text, _), (_, routed) in zip(paraphrases, faq_results) if routed.route == "emergency"]
    faq_wrong = defaultdict(list)
    for (text, entry), (_, routed) in zip(paraphrases, faq_results):
        if not (routed.route == "faq" and routed.faq_id == entry):
            faq_wrong[entry].append(f"{text!r} -> {routed.route}:{routed.faq_id or routed.intent}")
    return {
        "messages": len(examples), "per_intent": table, "weighted_f1": weighted_f1,
        "route_accuracy": route_accuracy, "emergency_recall": emergency_recall,
        "emergency_precision": emergency_precision, "emergency_missed": missed, "false_alarms": false_alarms,
        "route_confusion": dict(route_confusion.most_common()),
        "faq_paraphrases": len(paraphrases), "faq_accuracy": faq_right / len(paraphrases) if paraphrases else None,
        "faq_to_emergency": faq_emergency, "faq_wrong": dict(faq_wrong),
    }


def print_report(report: dict, out=sys.stdout) -> list[str]:
    print(f"held-out messages: {report['messages']}", file=out)
    print(f"{'intent':28} {'prec':>6} {'rec':>6} {'f1':>6} {'n':>4}", file=out)
    for label, row in report["per_intent"].items():
        print(f"{label:28} {row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f} {row['support']:4d}", file=out)
    print(f"weighted F1:          {report['weighted_f1']:.3f} (gate {GATES['weighted_f1']})", file=out)
    print(f"route accuracy:       {report['route_accuracy']:.3f}", file=out)
    print(f"emergency recall:     {report['emergency_recall']:.3f} (gate {GATES['emergency_recall']})", file=out)
    print(f"emergency precision:  {report['emergency_precision']:.3f}", file=out)
    for text in report["emergency_missed"]:
        print(f"  MISSED emergency: {text}", file=out)
    if report["route_confusion"]:
        print("route errors: " + ", ".join(f"{k} x{v}" for k, v in report["route_confusion"].items()), file=out)
    if report["faq_accuracy"] is not None:
        print(f"FAQ paraphrases:      {report['faq_paraphrases']}, right entry {report['faq_accuracy']:.3f} "
              f"(gate {GATES['faq_accuracy']}), routed to emergency: {len(report['faq_to_emergency'])}", file=out)
        for entry, misses in report["faq_wrong"].items():
            for miss in misses:
                print(f"  faq {entry}: {miss}", file=out)
    failures = []
    if report["weighted_f1"] < GATES["weighted_f1"]:
        failures.append(f"weighted F1 {report['weighted_f1']:.3f} < {GATES['weighted_f1']}")
    if report["emergency_recall"] < GATES["emergency_recall"]:
        failures.append(f"emergency recall {report['emergency_recall']:.3f} < {GATES['emergency_recall']}")
    if report["faq_accuracy"] is not None and report["faq_accuracy"] < GATES["faq_accuracy"]:
        failures.append(f"FAQ accuracy {report['faq_accuracy']:.3f} < {GATES['faq_accuracy']}")
    if report["faq_to_emergency"]:
        failures.append(f"{len(report['faq_to_emergency'])} FAQ paraphrases routed to emergency")
    return failures


def main() -> int:
    settings = load_settings()
    with running_server(settings.nlu.url) as url:
        report = asyncio.run(evaluate(url, settings.nlu.confidence_threshold))
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    failures = print_report(report)
    if failures:
        print("NLU GATE FAILED: " + "; ".join(failures), file=sys.stderr)
        return 1
    print("NLU gates passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
