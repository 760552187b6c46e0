"""The shipped content: validates clean, is big enough, and every number comes from the fact sheet."""
from __future__ import annotations

import re
import time
from collections import Counter

import pytest
import yaml

from knowledge_base import CATEGORY_LABELS, load, validate_tree
from knowledge_base.answer import PLACEHOLDER_RE
from knowledge_base.nlu_export import DEFAULT_OUT, render_nlu
from knowledge_base.text import fold, jaccard, token_set
from knowledge_base.validate import NEAR_DUPLICATE_JACCARD

from .conftest import FACT_SHEET, PARAPHRASES

REQUIRED_COUNTRIES = {"HK", "TW", "MY", "SG", "JP", "KR", "SA", "BN", "TR", "AE", "QA", "KW"}
_PHONE_IN_TEXT = re.compile(r"\+?\d[\d -]{5,}\d")


def test_shipped_content_validates_clean():
    problems = [str(p) for p in validate_tree()]
    assert problems == [], "\n".join(problems)


def test_content_size(kb):
    assert len(kb.entries) >= 40
    assert REQUIRED_COUNTRIES <= {c.code for c in kb.countries}
    assert all(len(e.questions) >= 8 for e in kb.entries)
    assert {e.category for e in kb.entries} <= set(CATEGORY_LABELS)
    assert {c.code for c in kb.categories()} == set(CATEGORY_LABELS), "every category has at least one entry"


def test_every_entry_has_dated_sources_and_verification_date(kb):
    for entry in kb.entries:
        assert entry.sources, entry.id
        assert all(s.url.startswith(("http://", "https://")) and s.date for s in entry.sources), entry.id
        assert entry.last_verified.isoformat() == "2026-11-29", entry.id
    for country in kb.countries:
        assert country.last_verified.isoformat() == "2026-11-29", country.code


def test_loading_is_fast():
    """Loading all content costs well under 100 ms of CPU (CPU time, so a busy machine does not make it flaky)."""
    best = min(_timed_load() for _ in range(3))
    assert best < 0.1, f"loading took {best * 1000:.0f} ms of CPU"


def _timed_load() -> float:
    start = time.process_time()
    load()
    return time.process_time() - start


def _all_numbers(kb) -> list[tuple[str, str]]:
    """(where, number) for every phone number in profiles, national channels and answer texts."""
    out = []
    for ch in kb.national.channels:
        if ch.is_phone:
            out.append((f"national {ch.id}", ch.value))
    for c in kb.countries:
        for n in (*c.emergency_numbers, *c.mission.hotlines, *c.labour_hotline):
            out.append((c.code, n.number))
    for e in kb.entries:
        for text in (e.answer.id, e.answer.en):
            for m in _PHONE_IN_TEXT.finditer(text):
                if len(re.sub(r"\D", "", m.group(0))) >= 7 and not re.fullmatch(r"(19|20)\d\d ?- ?(19|20)\d\d",
                                                                                   m.group(0)):
                    out.append((e.id, m.group(0)))
    return out


def test_every_phone_number_appears_in_the_fact_sheet(kb):
    if not FACT_SHEET.exists():
        pytest.skip(f"fact sheet not found at {FACT_SHEET} (shared/ is not beside the repository)")
    sheet = FACT_SHEET.read_text(encoding="utf-8")
    # Digits of the sheet with separators between digits removed, so "+886 901 132 000" -> "+886901132000".
    sheet_digits = re.sub(r"(?<=\d)[ \-.]+(?=\d)", "", sheet)
    numbers = _all_numbers(kb)
    assert len(numbers) >= 20
    missing = [(where, n) for where, n in numbers if re.sub(r"\D", "", n) not in sheet_digits]
    assert missing == [], f"numbers not in {FACT_SHEET.name}: {missing}"


def test_flagged_placeholder_number_is_not_used(kb):
    digits = {re.sub(r"\D", "", n) for _, n in _all_numbers(kb)}
    assert "821098765432" not in digits


def test_unverified_numbers_from_the_sheet_are_left_out(kb):
    """Numbers the sheet marks [U] (stale / legacy) must not be shown to workers."""
    digits = {re.sub(r"\D", "", n) for _, n in _all_numbers(kb)}
    for unverified in ("7266", "886287526170", "886978938872", "886979407214", "85362736655", "966581781945",
                       "966598881945", "1500630"):
        assert unverified not in digits


def test_numbers_that_are_not_verified_carry_a_date(kb):
    for c in kb.countries:
        for n in (*c.emergency_numbers, *c.mission.hotlines, *c.labour_hotline):
            if n.status != "verified":
                assert n.newest_date[:4].isdigit(), (c.code, n.number)


def test_answers_are_plain_text(kb):
    for e in kb.entries:
        for text in (e.answer.id, e.answer.en):
            assert "<" not in text and "**" not in text and "](" not in text, e.id
            assert set(PLACEHOLDER_RE.findall(text)) <= {
                "country_name", "mission_name", "mission_hotline", "emergency_numbers", "labour_hotline",
                "placement_status", "kp2mi_hotline", "kemlu_hotline"}


# --- held-out paraphrases -------------------------------------------------------------------------------------
def _paraphrases() -> list[dict]:
    return yaml.safe_load(PARAPHRASES.read_text(encoding="utf-8"))["paraphrases"]


def test_paraphrases_cover_every_entry(kb):
    counts = Counter(p["id"] for p in _paraphrases())
    assert set(counts) <= {e.id for e in kb.entries}, set(counts) - {e.id for e in kb.entries}
    thin = [e.id for e in kb.entries if counts.get(e.id, 0) < 2]
    assert thin == [], f"entries with fewer than 2 paraphrases: {thin}"


def test_paraphrases_are_not_training_examples(kb):
    examples = [(e.id, q, fold(q), token_set(q)) for e in kb.entries for q in e.questions]
    for p in _paraphrases():
        folded, tokens = fold(p["text"]), token_set(p["text"])
        for entry_id, question, q_folded, q_tokens in examples:
            assert folded != q_folded, f"paraphrase {p['text']!r} is example of {entry_id}"
            assert jaccard(tokens, q_tokens) < NEAR_DUPLICATE_JACCARD, \
                f"paraphrase {p['text']!r} is too close to example {question!r} of {entry_id}"


def test_paraphrases_and_examples_do_not_trigger_the_danger_lexicon(kb):
    safety = pytest.importorskip("nlu.safety", reason="nlu.safety (danger lexicon) is not available")
    flagged = [(p["id"], p["text"], safety.danger_match(p["text"])) for p in _paraphrases()
               if safety.danger_match(p["text"])]
    flagged += [(e.id, q, safety.danger_match(q)) for e in kb.entries for q in e.questions if safety.danger_match(q)]
    assert flagged == [], f"FAQ texts that would be routed to emergency: {flagged}"


def test_keyword_search_finds_most_paraphrases(kb):
    """The fallback search (used when the NLU is down) should put the right entry in its top 3."""
    paraphrases = _paraphrases()
    hits = sum(1 for p in paraphrases if p["id"] in [h[0] for h in kb.search(p["text"], 3)])
    assert hits / len(paraphrases) >= 0.85


# --- generated NLU data -----------------------------------------------------------------------------------------
def test_generated_nlu_data_is_up_to_date(kb):
    if not DEFAULT_OUT.exists():
        pytest.skip(f"{DEFAULT_OUT} not generated yet (python -m knowledge_base generate-nlu)")
    assert DEFAULT_OUT.read_text(encoding="utf-8") == render_nlu(kb), \
        "FAQ content changed: run `python -m knowledge_base generate-nlu`"
