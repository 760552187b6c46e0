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
# Which FAQ entry answers a question is decided from two kinds of evidence with equal weight: the response
# selector's confidence (trained on the entries' example questions; its softmax is over-confident on wording it has
# never seen) and the knowledge base's keyword search score (IDF overlap with the same example questions, 0..1),
# which generalises better to new wording and follows admins' edits at once. An entry is trusted from this mean
# evidence on; below it the worker gets the candidates as suggestions.
FAQ_MIN_EVIDENCE = 0.1
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
                 faq_search: FaqSearch | None = None, faq_live: Callable[[str], Any] | None = None) -> None:
        self._parse = parse
        self.threshold = threshold
        self.max_suggestions = suggestions
        self._faq_search = faq_search
        # Is an entry id answerable now? (an admin may have disabled it; the model learns that only when retrained)
        self._faq_live = faq_live

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
        return self._decide(text, parsed, context)

    def _decide(self, text: str, parsed: dict[str, Any], context: RouteContext) -> RouteResult:
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
        faq_id, faq_evidence = self._pick_faq(text, parsed) if name == "faq" else (None, 0.0)
        if name == "faq" and faq_id and faq_evidence >= FAQ_MIN_EVIDENCE:
            # The intent confidence says "this is a question for the knowledge base"; the evidence for one entry
            # among 55+ is spread thinner, so it counts from a lower, measured floor.
            name_full = f"faq/{faq_id}"
        elif name == "faq":
            name_full, confidence = name, min(confidence, faq_evidence)
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

    def _pick_faq(self, text: str, parsed: dict[str, Any]) -> tuple[str | None, float]:
        """The entry with the most evidence (mean of selector confidence and search score) and that evidence."""
        evidence: dict[str, float] = {}
        for item in ((parsed.get("response_selector") or {}).get("faq") or {}).get("ranking") or []:
            key = item.get("intent_response_key") or ""
            if key.startswith("faq/"):
                evidence[key[4:]] = float(item.get("confidence") or 0.0) / 2
        if not evidence:
            faq_id, confidence = _faq_selection(parsed)
            if faq_id:
                evidence[faq_id] = confidence / 2
        for entry_id, score in self._safe_search(text):
            evidence[entry_id] = evidence.get(entry_id, 0.0) + min(float(score), 1.0) / 2
        if self._faq_live is not None:
            evidence = {key: value for key, value in evidence.items() if self._faq_live(key)}
        if not evidence:
            return None, 0.0
        best = max(evidence, key=lambda key: (evidence[key], key))
        return best, evidence[best]

    def _safe_search(self, text: str) -> Sequence[tuple[str, float]]:
        if self._faq_search is None:
            return ()
        try:
            return list(self._faq_search(text))
        except Exception:  # the search is extra evidence; never let it break a reply
            log.exception("knowledge-base search failed")
            return ()

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
            if key.startswith("faq/") and (self._faq_live is None or self._faq_live(key[4:])):
                candidates.append(Suggestion(key[4:], float(item.get("confidence") or 0) * max(faq_weight, 0.05)))
        for suggestion in sorted(candidates, key=lambda s: -s.confidence):
            if suggestion.key not in {s.key for s in out}:
                out.append(suggestion)
            if len(out) == self.max_suggestions:
                break
        return tuple(out)

    def _search_suggestions(self, text: str) -> tuple[Suggestion, ...]:
        hits = self._safe_search(text)
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
