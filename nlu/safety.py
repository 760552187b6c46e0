"""Emergency safety net: a danger lexicon over normalised text (pure Python, stdlib only).

``danger_match(text)`` returns the danger term found in a worker's message, or None.
It works without the NLU server, so the bot can call it on every message first.
Rules live in ``lexicon/danger.txt`` (syntax explained in that file's header).
"""

from __future__ import annotations

import os
import re
from typing import List, Optional, Pattern, Tuple

try:  # inside the project package
    from nlu.normalize import normalize_text
except ImportError:  # pragma: no cover - run as a loose module next to normalize.py
    from normalize import normalize_text  # type: ignore[no-redef]

__all__ = ["DANGER_PATH", "danger_match", "danger_match_normalized", "danger_matches"]

DANGER_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lexicon", "danger.txt")

# A boundary that holds when either neighbour is not a letter/digit, so rules may
# start or end with punctuation ("tolong!!").
_B = r"(?:(?<![^\W_])|(?![^\W_]))"
_PASSIVE_SUFFIX = r"(?:i|in|kan|nya|inya|innya|kannya)?(?:-[^\W\d_]+)?"
_GAP_RE = re.compile(r" ~(\d+) ")


def _to_regex(rule: str) -> str:
    rule = _GAP_RE.sub(lambda m: "\x00(?:\\S+\x00){0,%s}?" % m.group(1), rule)  # lazy gap
    rule = rule.replace(" ?", r"\s*")  # optional space
    return rule.replace(" ", r"\s+").replace("\x00", r"\s+")


def _passive_regex(stems: str) -> str:
    alts = "|".join(_to_regex(s.strip()) for s in stems.split("|") if s.strip())
    return r"di\s?(?:%s)%s" % (alts, _PASSIVE_SUFFIX)


def _compile(body: str) -> Pattern[str]:
    return re.compile(_B + "(?:" + body + ")" + _B, re.IGNORECASE)


def _load(path: str) -> Tuple[List[Pattern[str]], List[Pattern[str]]]:
    rules: List[Pattern[str]] = []
    exceptions: List[Pattern[str]] = []
    with open(path, encoding="utf-8") as handle:
        for line_no, raw in enumerate(handle, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            try:
                if line.startswith("@passive "):
                    rules.append(_compile(_passive_regex(line[len("@passive ") :])))
                elif line.startswith("! "):
                    exceptions.append(_compile(_to_regex(line[2:].strip())))
                else:
                    rules.append(_compile(_to_regex(line)))
            except re.error as exc:  # fail loudly at import, never silently at run time
                raise ValueError(f"{path}:{line_no}: bad rule {line!r}: {exc}") from exc
    return rules, exceptions


_RULES, _EXCEPTIONS = _load(DANGER_PATH)


def _excepted_spans(norm: str) -> List[Tuple[int, int]]:
    return [m.span() for ex in _EXCEPTIONS for m in ex.finditer(norm)]


def danger_matches(text: str) -> List[str]:
    """Every danger term found (in rule order), after exceptions are applied."""
    norm = normalize_text(text)
    return _matches(norm, first_only=False)


def _matches(norm: str, first_only: bool) -> List[str]:
    found: List[str] = []
    if not norm:
        return found
    spans: Optional[List[Tuple[int, int]]] = None
    for rule in _RULES:
        for m in rule.finditer(norm):
            if spans is None:
                spans = _excepted_spans(norm)
            s, e = m.span()
            if any(a <= s and e <= b for a, b in spans):
                continue
            found.append(m.group(0).strip())
            if first_only:
                return found
            break
    return found


def danger_match_normalized(norm: str) -> Optional[str]:
    """Like ``danger_match`` for text that is already ``normalize_text`` output."""
    found = _matches(norm, first_only=True)
    return found[0] if found else None


def danger_match(text: str) -> Optional[str]:
    """The first danger term in ``text`` (normalised first), or None."""
    if not text:
        return None
    return danger_match_normalized(normalize_text(text))
