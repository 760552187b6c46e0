"""Flag near-duplicate NLU examples (stdlib only; runs in either venv).

Two examples are near-duplicates when the Jaccard similarity of their sets of
normalised tokens (nlu.normalize) is >= the threshold (default 0.8).

Checks:
  1. within the training data (nlu/data/*.yml, not nlu/data/generated/ unless --generated)
  2. every held-out test line (nlu/tests/*.yml) against every training line
  3. within the test set

Usage (from the project root):
  python nlu/tools/check_duplicates.py [--threshold 0.8] [--generated] [--data DIR] [--test FILE]
Exit status 1 when anything is flagged.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import sys
from typing import Dict, FrozenSet, Iterable, List, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from nlu.normalize import tokens_with_offsets  # noqa: E402

_INTENT_RE = re.compile(r"^\s*-\s*intent:\s*(\S+)\s*$")
_OTHER_KEY_RE = re.compile(r"^\s*-\s*(synonym|lookup|regex):")
_EXAMPLE_RE = re.compile(r"^\s+-\s+(.*)$")
_ENTITY_RE = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")

Example = Tuple[str, str, int, str]  # (file, intent, line number, text)


def strip_annotations(text: str) -> str:
    return _ENTITY_RE.sub(r"\1", text)


def read_examples(path: str) -> List[Example]:
    """Intent examples of a Rasa YAML NLU file (synonyms, lookups, regexes skipped)."""
    out: List[Example] = []
    intent = None
    in_examples = False
    with open(path, encoding="utf-8") as handle:
        for no, line in enumerate(handle, 1):
            m = _INTENT_RE.match(line)
            if m:
                intent, in_examples = m.group(1), False
                continue
            if _OTHER_KEY_RE.match(line) or re.match(r"^\S", line):
                intent, in_examples = None, False
                continue
            if intent and re.match(r"^\s*examples:\s*\|", line):
                in_examples = True
                continue
            if intent and in_examples:
                e = _EXAMPLE_RE.match(line)
                if e:
                    out.append((path, intent, no, strip_annotations(e.group(1)).strip()))
                elif line.strip() and not line.startswith("    "):
                    in_examples = False
    return out


def token_set(text: str) -> FrozenSet[str]:
    words: List[str] = []
    for _s, _e, _o, norm in tokens_with_offsets(text):
        words.extend(norm.split())
    return frozenset(words)


def jaccard(a: FrozenSet[str], b: FrozenSet[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def near_pairs(
    left: List[Example], right: List[Example], threshold: float, same: bool
) -> Iterable[Tuple[float, Example, Example]]:
    lsets = [token_set(x[3]) for x in left]
    rsets = lsets if same else [token_set(x[3]) for x in right]
    index: Dict[str, List[int]] = {}
    for j, s in enumerate(rsets):
        for tok in s:
            index.setdefault(tok, []).append(j)
    for i, a in enumerate(lsets):
        candidates = set()
        for tok in a:
            candidates.update(index.get(tok, ()))
        if not a:
            continue
        for j in candidates:
            if same and j <= i:
                continue
            b = rsets[j]
            if min(len(a), len(b)) < threshold * max(len(a), len(b)):
                continue
            score = jaccard(a, b)
            if score >= threshold:
                yield score, left[i], right[j]


def _fmt(x: Example) -> str:
    return f"{os.path.relpath(x[0], ROOT)}:{x[2]} [{x[1]}] {x[3]!r}"


def main(argv: List[str] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--data", default=os.path.join(ROOT, "nlu", "data"))
    ap.add_argument("--test", default=os.path.join(ROOT, "nlu", "tests"), help="a held-out file or a folder of them")
    ap.add_argument("--generated", action="store_true", help="include nlu/data/generated/")
    args = ap.parse_args(argv)

    pattern = "**/*.yml" if args.generated else "*.yml"
    train_files = sorted(glob.glob(os.path.join(args.data, pattern), recursive=True))
    train = [ex for f in train_files for ex in read_examples(f)]
    test_files = sorted(glob.glob(os.path.join(args.test, "*.yml"))) if os.path.isdir(args.test) else [args.test]
    test = [ex for f in test_files if os.path.exists(f) for ex in read_examples(f)]
    print(f"training examples: {len(train)} from {len(train_files)} files; test examples: {len(test)}")

    flagged = 0
    for title, pairs in (
        ("training ~ training", near_pairs(train, train, args.threshold, same=True)),
        ("test ~ training", near_pairs(test, train, args.threshold, same=False)),
        ("test ~ test", near_pairs(test, test, args.threshold, same=True)),
    ):
        found = sorted(pairs, key=lambda p: -p[0])
        print(f"== {title}: {len(found)} pair(s) with Jaccard >= {args.threshold}")
        for score, a, b in found:
            print(f"  {score:.2f}  {_fmt(a)}\n        {_fmt(b)}")
        flagged += len(found)
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
