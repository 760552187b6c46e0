"""Sahabat PMI knowledge base: FAQ entries, country profiles and national help channels, with sources.

Telegram-free. Typical use by the bot:

    from knowledge_base import load, render_answer, render_contacts

    kb = load()                                   # once at start-up (well under 100 ms)
    code = kb.resolve_country(text) or worker.country
    reply = render_answer(kb, "nomor_perwakilan", lang="id", country_code=code)
    reply.text, reply.source_line, reply.related  # plain text; the bot escapes it
    sos = render_contacts(kb, worker.country, "id")
    kb.search("brp biaya ke taiwan")              # [(entry_id, score)] fallback suggestions

Content facts come only from shared/knowledge/pmi_facts.md; see README.md for the schema and rules.
"""
from knowledge_base.answer import PLACEHOLDERS, RenderedAnswer, render_answer, render_contacts, search
from knowledge_base.loader import DEFAULT_ROOT, KnowledgeBaseError, Problem, load, load_with_problems
from knowledge_base.model import (
    CATEGORY_LABELS, Category, Channel, Country, FaqEntry, KnowledgeBase, Mission, National, PhoneNumber,
    PlacementStatus, Right, Source, Text,
)
from knowledge_base.validate import validate, validate_tree

__all__ = [
    "CATEGORY_LABELS", "Category", "Channel", "Country", "DEFAULT_ROOT", "FaqEntry", "KnowledgeBase",
    "KnowledgeBaseError", "Mission", "National", "PLACEHOLDERS", "PhoneNumber", "PlacementStatus", "Problem",
    "RenderedAnswer", "Right", "Source", "Text", "load", "load_with_problems", "render_answer", "render_contacts",
    "search", "validate", "validate_tree",
]
