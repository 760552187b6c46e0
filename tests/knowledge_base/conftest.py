"""Fixtures for the knowledge-base tests: the shipped content, and small YAML trees built in tmp_path."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from knowledge_base import load

REPO = Path(__file__).resolve().parents[2]
FACT_SHEET = Path(__file__).parents[2].parent / "shared/knowledge/pmi_facts.md"
PARAPHRASES = Path(__file__).resolve().parent / "faq_paraphrases.yml"

SRC = {"url": "https://example.org/source", "date": "2024-01-02"}


def _questions(prefix: str) -> list[str]:
    words = ["paspor", "gaji", "libur", "kontrak", "agensi", "visa", "bpjs", "pulang", "majikan", "sertifikat"]
    return [f"{prefix} {w} {i} gmn caranya ya" for i, w in enumerate(words[:8])]


def minimal_tree() -> dict[str, Any]:
    """A small valid tree: national channels, one country, two entries (as plain dicts)."""
    national = {
        "channels": [
            {"id": "kp2mi_call_center_abroad", "kind": "phone", "name": {"id": "KP2MI", "en": "KP2MI"},
             "value": "+62 21 2924 4800", "note": {"id": "dari luar negeri", "en": "from abroad"},
             "status": "verified", "source": SRC},
            {"id": "kp2mi_call_center", "kind": "phone", "name": {"id": "KP2MI", "en": "KP2MI"},
             "value": "0-800-1000", "note": {"id": "bebas pulsa", "en": "toll-free"}, "status": "verified",
             "source": SRC},
            {"id": "kp2mi_whatsapp", "kind": "whatsapp", "name": {"id": "WA", "en": "WA"}, "value": "0811-8080-141",
             "note": {"id": "WhatsApp", "en": "WhatsApp"}, "status": "verified", "source": SRC},
            {"id": "kemlu_hotline", "kind": "phone", "name": {"id": "Hotline Kemlu", "en": "Kemlu hotline"},
             "value": "+62 812 9007 0027", "note": {"id": "24 jam", "en": "24 hours"}, "status": "stale",
             "source": {"url": "https://example.org/old", "date": "2020-02-03"}},
        ],
        "sources": [SRC],
        "last_verified": "2026-11-29",
    }
    country = {
        "code": "TW", "name": {"id": "Taiwan", "en": "Taiwan"}, "aliases": ["taiwan", "tw", "kdei"],
        "timezone": "Asia/Taipei",
        "emergency_numbers": [{"number": "110", "label": {"id": "Polisi", "en": "Police"}, "status": "verified",
                               "source": SRC}],
        "mission": {"name": {"id": "KDEI Taipei", "en": "KDEI Taipei"},
                    "hotlines": [{"number": "+886 901 132 000", "note": {"id": "siaga", "en": "standby"},
                                  "status": "single_source", "source": SRC}]},
        "placement_status": {"status": "open", "note": {"id": "Terbuka.", "en": "Open."}, "source": SRC},
        "sources": [SRC], "last_verified": "2026-11-29",
    }
    entries = [
        {"id": "entry_one", "category": "dokumen", "title": {"id": "Satu", "en": "One"},
         "questions": _questions("satu"), "answer": {"id": "Hubungi {mission_name}:\n{mission_hotline}",
                                                     "en": "Contact {mission_name}:\n{mission_hotline}"},
         "related": ["entry_two"], "sources": [SRC], "last_verified": "2026-11-29"},
        {"id": "entry_two", "category": "hak", "title": {"id": "Dua", "en": "Two"},
         "questions": _questions("dua"), "answer": {"id": "Lapor ke {kp2mi_hotline}", "en": "Report to {kp2mi_hotline}"},
         "sources": [SRC], "last_verified": "2026-11-29"},
    ]
    return {"national": national, "countries": [country], "faq": entries}


def write_tree(root: Path, tree: dict[str, Any]) -> Path:
    (root / "countries").mkdir(parents=True, exist_ok=True)
    (root / "faq").mkdir(parents=True, exist_ok=True)
    (root / "national.yml").write_text(yaml.safe_dump(tree["national"], allow_unicode=True), encoding="utf-8")
    for country in tree["countries"]:
        path = root / "countries" / f"{str(country.get('code', 'xx')).lower()}.yml"
        path.write_text(yaml.safe_dump(country, allow_unicode=True), encoding="utf-8")
    (root / "faq" / "all.yml").write_text(yaml.safe_dump({"entries": tree["faq"]}, allow_unicode=True),
                                          encoding="utf-8")
    return root


@pytest.fixture
def make_tree(tmp_path: Path) -> Callable[[Callable[[dict], None] | None], Path]:
    """make_tree(mutate) -> root of a tree built from minimal_tree() after mutate(tree) changed it."""
    counter = {"n": 0}

    def factory(mutate: Callable[[dict], None] | None = None) -> Path:
        tree = copy.deepcopy(minimal_tree())
        if mutate is not None:
            mutate(tree)
        counter["n"] += 1
        return write_tree(tmp_path / f"tree{counter['n']}", tree)

    return factory


@pytest.fixture(scope="session")
def kb():
    return load()
