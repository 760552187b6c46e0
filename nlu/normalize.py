"""Normalisation of informal Indonesian chat text (pure Python, stdlib only).

Used in two places:
- inside Rasa (Python 3.10) by ``nlu.components.slang_normalizer.SlangNormalizer``;
- in the bot (Python 3.11+) by the safety net ``nlu.safety`` and anything else that
  wants a canonical form of a worker's message.

What it does, token by token:
- Unicode NFKC, lower case, zero-width characters removed;
- slang / abbreviation / typo lookup in ``lexicon/slang.tsv`` (sy -> saya, gk -> tidak);
- elongated words folded ("tolongggg" -> "tolong", "maaaf" -> "maaf") when the folded
  form is a word the lexicon knows, three-or-more letter runs are always folded;
- digit reduplication expanded ("baik2" -> "baik-baik", "mrh2" -> "marah-marah");
- a known slang stem keeps its clitic ("gajihnya" -> "gajinya").

``tokens_with_offsets`` keeps offsets into the ORIGINAL string so entity spans and
highlighting stay valid; ``normalize_text`` rebuilds a normalised string that keeps
the punctuation between words (the safety net needs "tolong!!").
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from typing import Dict, FrozenSet, List, Tuple

__all__ = [
    "LEXICON_PATH",
    "lexicon",
    "normalize_token",
    "normalize_text",
    "tokens_with_offsets",
]

LEXICON_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lexicon", "slang.tsv")

# zero-width space/non-joiner/joiner, word joiner, BOM, soft hyphen, Mongolian vowel separator, and the invisible
# direction marks, embeddings and isolates (an RTL mark inside "dipukul" must not hide it from the danger lexicon)
_ZW_CHARS = ("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
             "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ZW_TABLE = dict.fromkeys(map(ord, _ZW_CHARS), None)
_ZW_CLASS = _ZW_CHARS

# A word: letters/digits (zero-width characters tolerated inside), optionally joined by
# hyphens or apostrophes ("marah-marah", "m'sia"). Numbers keep their separators ("10.000").
_WORD_RE = re.compile(
    r"\d+(?:[.,:]\d+)+"
    r"|[^\W_](?:[^\W_]|[" + _ZW_CLASS + r"])*"
    r"(?:['\u2019\-][^\W_](?:[^\W_]|[" + _ZW_CLASS + r"])*)*"
)
_EDGE_PUNCT_RE = re.compile(r"^[\W_]+|[\W_]+$")
_NUMBER_RE = re.compile(r"\d+(?:[.,:]\d+)*")
_INNER_SPLIT_RE = re.compile(r"[^\w'\-]+|_+")
_REDUP_DIGIT_RE = re.compile(r"([^\W\d_]{2,})2")
_RUN3_RE = re.compile(r"([^\W\d_])\1{2,}")
_RUN2_RE = re.compile(r"([^\W\d_])\1+")
_SPACE_RE = re.compile(r"\s+")
_FINAL_VOWEL_RE = re.compile(r"([aiu])\1+$")
_CLITICS = ("nya", "ku", "mu", "lah", "kah")


def _load_lexicon(path: str) -> Dict[str, str]:
    table: Dict[str, str] = {}
    with open(path, encoding="utf-8") as handle:
        for line_no, raw in enumerate(handle, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 2 or not parts[0] or not parts[1]:
                raise ValueError(f"{path}:{line_no}: expected 'slang<TAB>standard', got {line!r}")
            key = parts[0].strip().lower()
            value = parts[1].strip().lower()
            if " " in key:
                raise ValueError(f"{path}:{line_no}: slang form must be one token: {key!r}")
            table[key] = value
    return table


_LEXICON: Dict[str, str] = _load_lexicon(LEXICON_PATH)
# Words the folding step may land on: slang forms and every word of a standard form.
_KNOWN: FrozenSet[str] = frozenset(
    list(_LEXICON) + [w for v in _LEXICON.values() for w in re.split(r"[\s\-]+", v) if w]
)


def lexicon() -> Dict[str, str]:
    """A copy of the slang -> standard table (for tests and tools)."""
    return dict(_LEXICON)


def _clean(tok: str) -> str:
    return unicodedata.normalize("NFKC", tok).translate(_ZW_TABLE).lower().replace("\u2019", "'")


def _fold_elongation(t: str) -> str:
    """Fold letter runs; prefer a folded form the lexicon knows."""
    has_run3 = _RUN3_RE.search(t) is not None
    candidates = []
    if has_run3:
        candidates.append(_RUN3_RE.sub(r"\1\1", t))  # maaaaf -> maaf
        candidates.append(_RUN3_RE.sub(r"\1", t))  # tolongggg -> tolong
    candidates.append(_RUN2_RE.sub(r"\1", t))  # tolongg -> tolong, toloong -> tolong
    for cand in candidates:
        if cand in _KNOWN:
            return cand
    # a doubled final a/i/u is chat elongation ("diperkosaa", "iyaa"); not so for e/o ("fee", "too")
    if _FINAL_VOWEL_RE.search(t):
        return _FINAL_VOWEL_RE.sub(r"\1", _RUN3_RE.sub(r"\1", t))
    # Indonesian has no triple letters: fold them even if the word is unknown.
    return _RUN3_RE.sub(r"\1", t) if has_run3 else t


@functools.lru_cache(maxsize=65536)
def normalize_token(tok: str) -> str:
    """Normalise one token (may return several words, e.g. "mksh" -> "terima kasih")."""
    t = _clean(tok)
    if not t:
        return t
    mapped = _LEXICON.get(t)
    if mapped is not None:
        return mapped
    stripped = _EDGE_PUNCT_RE.sub("", t)
    if stripped != t:
        return normalize_token(stripped) if stripped else t
    if _NUMBER_RE.fullmatch(t):
        return t
    if _INNER_SPLIT_RE.search(t):  # "sy,gk" / "gaji/bulan" glued by punctuation
        parts = [p for p in _INNER_SPLIT_RE.split(t) if p]
        return " ".join(normalize_token(p) for p in parts)
    if "-" in t:
        parts = [p for p in t.split("-") if p]
        if not parts:
            return t
        normed = [normalize_token(p) for p in parts]
        if len(set(normed)) == 1 and len(normed) > 1 and " " not in normed[0]:
            return f"{normed[0]}-{normed[0]}"  # mrh-mrh -> marah-marah
        return "-".join(normed)
    m = _REDUP_DIGIT_RE.fullmatch(t)
    if m:  # baik2 -> baik-baik
        base = normalize_token(m.group(1))
        return base if " " in base else f"{base}-{base}"
    folded = _fold_elongation(t)
    if folded != t:
        return _LEXICON.get(folded, folded)
    for clitic in _CLITICS:  # gajihnya -> gajinya, majiknnya -> majikannya
        if t.endswith(clitic) and len(t) - len(clitic) >= 2:
            base = _LEXICON.get(t[: -len(clitic)])
            if base is not None and " " not in base:
                return base + clitic
    return t


_CLOCK_RE = re.compile(r"^([01]?\d|2[0-4])([.:][0-5]\d)?$")
_CLOCK_WORDS = frozenset("satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas dua-belas".split())
_TIMES = frozenset(("kali", "x", "kalinya"))


def in_context(words: List[str]) -> List[str]:
    """Fixes that need the next words: "pukul 10" / "pukul 5 subuh" is a clock time ("jam"), not "hit".

    Without it the model learns "pukul" (hit) from emergencies and takes working-hours complaints for violence.
    "pukul 3 kali" (hit three times) stays as it is."""
    out = list(words)
    for i, word in enumerate(words[:-1]):
        if word != "pukul":
            continue
        following = words[i + 1]
        after = words[i + 2] if i + 2 < len(words) else ""
        if (_CLOCK_RE.match(following) or following in _CLOCK_WORDS) and after not in _TIMES:
            out[i] = "jam"
    return out


def tokens_with_offsets(text: str) -> List[Tuple[int, int, str, str]]:
    """Word tokens as (start, end, original, normalised); offsets index ``text`` itself."""
    out: List[Tuple[int, int, str, str]] = []
    for m in _WORD_RE.finditer(text):
        original = m.group(0)
        normalised = normalize_token(original)
        if normalised:
            out.append((m.start(), m.end(), original, normalised))
    fixed = in_context([norm for _s, _e, _o, norm in out])
    return [(s, e, o, f) for (s, e, o, _n), f in zip(out, fixed)]


def normalize_text(text: str) -> str:
    """Lower-cased, slang-mapped text; punctuation between words is kept, spaces collapsed."""
    if not text:
        return ""
    pieces: List[str] = []
    pos = 0
    for start, end, _orig, norm in tokens_with_offsets(text):
        if start > pos:
            pieces.append(_clean(text[pos:start]))
        else:
            pieces.append(" ")
        pieces.append(norm)
        pos = end
    pieces.append(_clean(text[pos:]))
    joined = "".join(pieces)
    return _SPACE_RE.sub(" ", joined).strip()
