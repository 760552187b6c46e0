"""Reading the held-out evaluation sets (pure YAML, so both the bot and the NLU virtualenvs can use it)."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# Every YAML file here is held out: test_nlu.yml and the later unseen batches (each says when it was written).
TEST_DIR = ROOT / "nlu" / "tests"
FAQ_PARAPHRASES = ROOT / "tests" / "knowledge_base" / "faq_paraphrases.yml"
ANNOTATION = re.compile(r"\[([^\]]+)\]\((?:[^)]+)\)|\[([^\]]+)\]\{[^}]+\}")


def strip_annotations(text: str) -> str:
    return ANNOTATION.sub(lambda m: m.group(1) or m.group(2), text)


def test_files() -> list[Path]:
    return sorted(TEST_DIR.glob("*.yml"))


def read_rasa_examples(path: Path | None = None) -> list[tuple[str, str]]:
    """(text, intent) pairs of a Rasa NLU YAML file (default: all held-out files)."""
    if path is None:
        return [pair for test_file in test_files() for pair in read_rasa_examples(test_file)]
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs = []
    for block in data.get("nlu") or []:
        intent = block.get("intent")
        if not intent:
            continue
        for line in (block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((strip_annotations(line[2:].strip()), intent))
    return pairs


def read_paraphrases(path: Path = FAQ_PARAPHRASES) -> list[tuple[str, str]]:
    """(text, entry id) pairs; accepts a list of {text, entry|id} or a mapping entry id -> [texts]."""
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if isinstance(data, dict) and "paraphrases" in data:
        data = data["paraphrases"]
    pairs: list[tuple[str, str]] = []
    if isinstance(data, dict):
        for entry, texts in data.items():
            pairs.extend((str(t), str(entry)) for t in texts or [])
    else:
        for item in data or []:
            entry = item.get("entry") or item.get("entry_id") or item.get("id")
            pairs.append((str(item["text"]), str(entry)))
    return pairs
