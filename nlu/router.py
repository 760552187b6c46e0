"""The routing service: one place that turns a worker's text (and context) into a route of the contract.

Routes and case categories are fixed in ../shared/design.md; tests, benchmarks and outside evaluation rely on them.
Emergency detection is defence in depth: the danger lexicon over normalised text OR the model's emergency intent.
The lexicon runs first and needs no server, so an emergency is recognised even when the NLU process is down.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Sequence

from nlu.client import NluUnavailable
from nlu.safety import danger_match

log = logging.getLogger(__name__)

ROUTES = ("emergency", "case", "faq", "checkin_ok", "chitchat", "fallback")
CATEGORIES = ("wages", "documents", "working_conditions", "abuse", "recruitment", "health", "repatriation",
              "legal_status", "trafficking", "other")
CHITCHAT_INTENTS = ("greet", "thanks", "goodbye", "bot_capabilities")
# The model's emergency intent counts from this confidence on, anywhere in its ranking: recall comes first.
# Measured on the last held-out batch the model had never seen: 0.2 catches 30/30 emergencies (with the lexicon)
# at 2/85 false alarms; a false alarm costs an officer a minute, a miss can cost a life.
EMERGENCY_MIN_CONFIDENCE = 0.2
# The response selector's top pick is trusted from this confidence on. Measured on the held-out FAQ paraphrases
# (tests/knowledge_base/faq_paraphrases.yml): 0.1 keeps nearly all right answers (0.778 vs 0.794 with no floor) and
# removes a quarter of the test-set messages wrongly taken for questions (33 vs 45 of 441).
FAQ_MIN_SELECTOR_CONFIDENCE = 0.1
# Texts longer than this are cut before parsing: the start of a message carries its point, and it bounds latency.
MAX_PARSE_CHARS = 1000


def route_of_intent(intent: str | None) -> tuple[str, str | None]:
    """(route, case category) for a model intent, per the routing contract."""
    if intent is None:
        return "fallback", None
    if intent == "emergency":
        return "emergency", None
    if intent.startswith("case_") and intent[5:] in CATEGORIES:
        return "case", intent[5:]
    if intent in ("ask_human", "checkin_help"):
        return "case", "other"
    if intent == "checkin_ok":
        return "checkin_ok", None
    if intent in CHITCHAT_INTENTS:
        return "chitchat", None
    if intent == "faq" or intent.startswith("faq/"):
        return "faq", None
    return "fallback", None


@dataclass(frozen=True)
class Suggestion:
    """Something the worker may have meant: an FAQ entry id, or an intent such as case_wages."""

    key: str
    confidence: float


@dataclass(frozen=True)
class RouteContext:
    pending_checkin: bool = False
    open_case: bool = False


@dataclass(frozen=True)
class RouteResult:
    route: str
    intent: str | None
    confidence: float
    category: str | None = None
    entities: tuple[dict[str, Any], ...] = ()
    faq_id: str | None = None
    suggestions: tuple[Suggestion, ...] = ()
    reason: str = "nlu"  # nlu | safety_net | low_confidence | nlu_down | empty
    danger_term: str | None = None

    def as_contract(self) -> dict[str, Any]:
        return {"route": self.route, "intent": self.intent, "confidence": round(self.confidence, 4),
                "category": self.category, "entities": list(self.entities)}


Parser = Callable[[str], Awaitable[dict[str, Any]]]
FaqSearch = Callable[[str], Sequence[tuple[str, float]]]


class Router:
    def __init__(self, parse: Parser, threshold: float = 0.5, suggestions: int = 3,
                 faq_search: FaqSearch | None = None) -> None:
        self._parse = parse
        self.threshold = threshold
        self.max_suggestions = suggestions
        self._faq_search = faq_search

    async def route(self, text: str, context: RouteContext = RouteContext()) -> RouteResult:
        text = (text or "").strip()
        if not text:
            return RouteResult("fallback", None, 0.0, reason="empty")
        danger = danger_match(text)
        try:
            parsed = await self._parse(text[:MAX_PARSE_CHARS])
        except NluUnavailable:
            parsed = None
        if danger:
            best_case = _best_case_category(parsed) if parsed else None
            intent = (parsed or {}).get("intent", {}) or {}
            return RouteResult("emergency", "emergency", max(float(intent.get("confidence") or 0), 1.0)
                               if intent.get("name") == "emergency" else 1.0,
                               category=best_case or "other", entities=_entities(parsed),
                               reason="safety_net", danger_term=danger)
        if parsed is None:
            return RouteResult("fallback", None, 0.0, reason="nlu_down",
                               suggestions=self._search_suggestions(text))
        return self._decide(parsed, context)

    def _decide(self, parsed: dict[str, Any], context: RouteContext) -> RouteResult:
        intent = parsed.get("intent") or {}
        name = intent.get("name")
        confidence = float(intent.get("confidence") or 0.0)
        entities = _entities(parsed)
        ranking = parsed.get("intent_ranking") or []
        # The model's emergency intent above its low floor wins: a miss can cost a life.
        for item in ranking:
            if item.get("name") == "emergency" and float(item.get("confidence") or 0) >= EMERGENCY_MIN_CONFIDENCE:
                return RouteResult("emergency", "emergency", float(item["confidence"]),
                                   category=_best_case_category(parsed) or "other", entities=entities)
        faq_id, faq_confidence = _faq_selection(parsed)
        if name == "faq" and faq_id and faq_confidence >= FAQ_MIN_SELECTOR_CONFIDENCE:
            # The intent confidence says "this is a question for the knowledge base"; the selector's softmax over
            # 55+ entries is spread thin, so its top pick counts from a lower, measured confidence.
            name_full = f"faq/{faq_id}"
        elif name == "faq":
            name_full, confidence = name, min(confidence, faq_confidence)
        else:
            name_full = name
        route, category = route_of_intent(name)
        if context.pending_checkin and name == "checkin_help":
            route, category = "case", "other"
        if route == "fallback" or confidence < self.threshold:
            return RouteResult("fallback", name_full, confidence, entities=entities,
                               suggestions=self._nlu_suggestions(parsed),
                               reason="low_confidence" if route != "fallback" else "nlu")
        return RouteResult(route, name_full, confidence, category=category, entities=entities,
                           faq_id=faq_id if route == "faq" else None)

    def _nlu_suggestions(self, parsed: dict[str, Any]) -> tuple[Suggestion, ...]:
        out: list[Suggestion] = []
        faq_ranking = ((parsed.get("response_selector") or {}).get("faq") or {}).get("ranking") or []
        faq_weight = next((float(i.get("confidence") or 0) for i in parsed.get("intent_ranking") or []
                           if i.get("name") == "faq"), 0.0)
        candidates: list[Suggestion] = []
        for item in parsed.get("intent_ranking") or []:
            name = item.get("name")
            if name in ("nlu_fallback", "out_of_scope", "faq", None) or name in CHITCHAT_INTENTS:
                continue
            candidates.append(Suggestion(name, float(item.get("confidence") or 0)))
        for item in faq_ranking:
            key = item.get("intent_response_key") or ""
            if key.startswith("faq/"):
                candidates.append(Suggestion(key[4:], float(item.get("confidence") or 0) * max(faq_weight, 0.05)))
        for suggestion in sorted(candidates, key=lambda s: -s.confidence):
            if suggestion.key not in {s.key for s in out}:
                out.append(suggestion)
            if len(out) == self.max_suggestions:
                break
        return tuple(out)

    def _search_suggestions(self, text: str) -> tuple[Suggestion, ...]:
        if self._faq_search is None:
            return ()
        try:
            hits = self._faq_search(text)
        except Exception:  # suggestions are a courtesy; never let them break a reply
            log.exception("knowledge-base search failed")
            return ()
        return tuple(Suggestion(key, float(score)) for key, score in list(hits)[: self.max_suggestions])


def _entities(parsed: dict[str, Any] | None) -> tuple[dict[str, Any], ...]:
    if not parsed:
        return ()
    return tuple({"entity": e.get("entity"), "value": e.get("value"), "start": e.get("start"), "end": e.get("end")}
                 for e in parsed.get("entities") or [])


def _best_case_category(parsed: dict[str, Any] | None) -> str | None:
    for item in (parsed or {}).get("intent_ranking") or []:
        route, category = route_of_intent(item.get("name"))
        if route == "case" and category and category != "other":
            return category
    return None


def _faq_selection(parsed: dict[str, Any]) -> tuple[str | None, float]:
    selector = ((parsed.get("response_selector") or {}).get("faq") or {}).get("response") or {}
    key = selector.get("intent_response_key") or ""
    if key.startswith("faq/"):
        return key[4:], float(selector.get("confidence") or 0.0)
    return None, 0.0
