"""Keyword-overlap search over the normalised example questions (fallback suggestions when the NLU is down).

Score of an entry = 0.7 * best cosine overlap with one of its questions (or its title) + 0.3 * the share of the
query's keyword weight that appears anywhere in the entry. Keyword weights are IDF over entries, so words that
appear everywhere ("pmi", "kerja") count little. Pure Python, a few milliseconds per query.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Iterable

from knowledge_base.text import token_set

if TYPE_CHECKING:
    from knowledge_base.model import FaqEntry

MIN_SCORE = 0.12


class SearchIndex:
    def __init__(self, entries: Iterable["FaqEntry"]) -> None:
        self._docs: list[tuple[str, list[frozenset[str]], frozenset[str]]] = []
        df: dict[str, int] = {}
        for entry in entries:
            sets = [token_set(q) for q in entry.questions]
            sets.append(token_set(entry.title.id))
            if entry.title.en:
                sets.append(token_set(entry.title.en))
            sets = [s for s in sets if s]
            union = frozenset().union(*sets) if sets else frozenset()
            self._docs.append((entry.id, sets, union))
            for token in union:
                df[token] = df.get(token, 0) + 1
        n = max(len(self._docs), 1)
        self._idf = {t: math.log(1 + n / c) for t, c in df.items()}
        self._unknown_idf = math.log(1 + n)

    def _w(self, token: str) -> float:
        return self._idf.get(token, self._unknown_idf)

    def search(self, text: str, limit: int = 5) -> list[tuple[str, float]]:
        query = token_set(text)
        known = frozenset(t for t in query if t in self._idf)
        if not known:
            return []
        q_weight = sum(self._w(t) for t in query)
        results: list[tuple[str, float]] = []
        for entry_id, sets, union in self._docs:
            if not (known & union):
                continue
            best = 0.0
            for qs in sets:
                common = known & qs
                if not common:
                    continue
                overlap = sum(self._w(t) for t in common)
                norm = math.sqrt(q_weight * sum(self._w(t) for t in qs))
                best = max(best, overlap / norm if norm else 0.0)
            coverage = sum(self._w(t) for t in known & union) / q_weight
            score = round(0.7 * best + 0.3 * coverage, 4)
            if score >= MIN_SCORE:
                results.append((entry_id, score))
        results.sort(key=lambda item: (-item[1], item[0]))
        return results[:limit]
