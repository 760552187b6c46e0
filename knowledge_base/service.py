"""The knowledge base as the bot uses it: the current content, swappable at run time.

Handlers call this service, never the loader: an admin's edit or an import replaces the content object in one
assignment, so a worker is always answered from one consistent version and nobody waits for a restart.
"""
from __future__ import annotations

from pathlib import Path

from knowledge_base import answer
from knowledge_base.loader import load
from knowledge_base.model import Country, FaqEntry, KnowledgeBase


class KnowledgeService:
    """`base` is the reviewed YAML content; `kb` is what workers see: base plus admins' edits (overrides)."""

    def __init__(self, kb: KnowledgeBase, root: Path | str | None = None) -> None:
        self.root = root
        self.base = kb
        self.kb = kb
        self.overrides: dict[str, dict[str, str]] = {}

    @classmethod
    def load(cls, root: Path | str | None = None) -> "KnowledgeService":
        return cls(load(root), root)

    def apply(self, overrides: dict[str, dict[str, str]]) -> None:
        """Serve base + `overrides` from the next message on (one assignment: no half-updated state)."""
        from knowledge_base.overrides import apply_overrides

        self.overrides = overrides
        self.kb = apply_overrides(self.base, overrides)

    def reload(self) -> None:
        """Read the YAML tree again (after an import) and re-apply the admins' edits. Raises on invalid content,
        leaving the current content in service."""
        base = load(self.root)
        from knowledge_base.overrides import apply_overrides

        kb = apply_overrides(base, self.overrides)
        self.base, self.kb = base, kb

    def entry(self, entry_id: str) -> FaqEntry | None:
        return self.kb.entry(entry_id)

    def country(self, code: str | None) -> Country | None:
        return self.kb.country(code)

    def resolve_country(self, text: str | None) -> str | None:
        return self.kb.resolve_country(text)

    def entries_in(self, category: str) -> tuple[FaqEntry, ...]:
        return self.kb.entries_in(category)

    def category_labels(self, lang: str) -> list[tuple[str, str]]:
        """(code, label) of each category that has entries, in the catalogue's order."""
        return [(c.code, c.label.get(lang)) for c in self.kb.categories() if self.kb.entries_in(c.code)]

    def render_answer(self, entry_id: str, lang: str, country_code: str | None) -> answer.RenderedAnswer:
        return answer.render_answer(self.kb, entry_id, lang, country_code)

    def render_contacts(self, country_code: str | None, lang: str) -> str:
        return answer.render_contacts(self.kb, country_code, lang)

    def search(self, text: str, limit: int = 5) -> list[tuple[str, float]]:
        return self.kb.search(text, limit)
