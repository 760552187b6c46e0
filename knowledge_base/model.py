"""Immutable data model of the knowledge base (FAQ entries, country profiles, national channels).

Everything here is plain data: no Telegram, no database, no I/O. The loader builds these objects from the YAML
tree; the answer service reads them. All collections are tuples so objects stay hashable and frozen.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

LANGS = ("id", "en")
DEFAULT_LANG = "id"

# Fixed FAQ categories: code -> (Indonesian label, English label). Order is the menu order.
CATEGORY_LABELS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "biaya": ("Biaya penempatan", "Placement costs"),
    "syarat": ("Syarat kerja ke luar negeri", "Requirements to work abroad"),
    "agensi": ("Agensi (P3MI)", "Recruitment agencies (P3MI)"),
    "penipuan": ("Penipuan dan kerja paksa", "Scams and forced labour"),
    "dokumen": ("Paspor dan dokumen", "Passport and documents"),
    "hak": ("Hak pekerja migran", "Migrant workers' rights"),
    "kontrak": ("Kontrak dan kondisi kerja", "Contract and working conditions"),
    "bpjs": ("BPJS Ketenagakerjaan", "Social security (BPJS)"),
    "lapor": ("Lapor masalah dan kontak", "Reporting and contacts"),
    "pulang": ("Pulang dan ganti majikan", "Going home and changing employer"),
    "remitansi": ("Kirim uang", "Sending money home"),
    "pelatihan": ("Pelatihan dan orientasi", "Training and orientation"),
    "negara": ("Info negara tujuan", "Destination countries"),
    "privasi": ("Privasi dan data kamu", "Privacy and your data"),
})

NUMBER_STATUSES = ("verified", "single_source", "stale")
PLACEMENT_STATUSES = ("open", "closed_domestic", "one_channel", "no_agreement", "unknown")
RIGHT_TOPICS = ("rest_day", "hours", "minimum_wage", "wages", "agency_fees", "consular_fees", "documents",
                "shelter", "contract", "complaints")
CHANNEL_KINDS = ("phone", "whatsapp", "web", "app", "office")


@dataclass(frozen=True)
class Text:
    """A text in Indonesian (always present) and English."""

    id: str
    en: str = ""

    def get(self, lang: str | None) -> str:
        if lang == "en" and self.en:
            return self.en
        return self.id


@dataclass(frozen=True)
class Source:
    """Where a fact comes from. `date` is the date the source gives: YYYY, YYYY-MM, YYYY-MM-DD or 'n.d.'."""

    url: str
    date: str
    note: str = ""


@dataclass(frozen=True)
class PhoneNumber:
    """A phone number as published, with its provenance. `status` is verified | single_source | stale."""

    number: str
    status: str
    sources: tuple[Source, ...]
    label: Text | None = None
    note: Text | None = None

    @property
    def digits(self) -> str:
        return "".join(ch for ch in self.number if ch.isdigit())

    @property
    def newest_date(self) -> str:
        dated = sorted((s.date for s in self.sources if s.date[:1].isdigit()), reverse=True)
        return dated[0] if dated else "n.d."


@dataclass(frozen=True)
class Mission:
    """The Indonesian mission (KBRI, KJRI or KDEI) a worker in this country turns to."""

    name: Text
    hotlines: tuple[PhoneNumber, ...] = ()
    note: Text | None = None


@dataclass(frozen=True)
class PlacementStatus:
    status: str
    note: Text
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Right:
    """A country-specific rule or service the fact sheet states (never a guess)."""

    topic: str
    text: Text
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Country:
    code: str
    name: Text
    aliases: tuple[str, ...]
    timezone: str
    emergency_numbers: tuple[PhoneNumber, ...]
    mission: Mission
    labour_hotline: tuple[PhoneNumber, ...]
    placement_status: PlacementStatus
    rights: tuple[Right, ...]
    sources: tuple[Source, ...]
    last_verified: dt.date
    file: str = field(default="", compare=False)


@dataclass(frozen=True)
class Channel:
    """A national (Indonesian) help channel: KP2MI call centre, Kemlu hotline, Peduli WNI, Safe Travel..."""

    id: str
    kind: str
    name: Text
    value: str
    note: Text
    status: str
    sources: tuple[Source, ...]

    @property
    def is_phone(self) -> bool:
        return self.kind in ("phone", "whatsapp")

    def as_phone(self) -> PhoneNumber:
        return PhoneNumber(number=self.value, status=self.status, sources=self.sources, label=self.name,
                           note=self.note)


@dataclass(frozen=True)
class National:
    channels: tuple[Channel, ...]
    sources: tuple[Source, ...]
    last_verified: dt.date
    file: str = field(default="", compare=False)

    def channel(self, channel_id: str) -> Channel | None:
        for channel in self.channels:
            if channel.id == channel_id:
                return channel
        return None


@dataclass(frozen=True)
class FaqEntry:
    id: str
    category: str
    title: Text
    questions: tuple[str, ...]
    answer: Text
    sources: tuple[Source, ...]
    last_verified: dt.date
    countries: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    file: str = field(default="", compare=False)


@dataclass(frozen=True)
class Category:
    code: str
    label: Text


def all_categories() -> tuple[Category, ...]:
    return tuple(Category(code, Text(id_label, en_label)) for code, (id_label, en_label) in CATEGORY_LABELS.items())


class KnowledgeBase:
    """All content, indexed. Immutable after construction; build it with knowledge_base.loader.load().

    Lookups return None for unknown ids/codes so handlers can fall back without try/except.
    """

    __slots__ = ("_entries", "_countries", "national", "_alias_index", "_alias_max_words", "_search_index",
                 "__weakref__")

    def __init__(self, entries: tuple[FaqEntry, ...], countries: tuple[Country, ...], national: National) -> None:
        object.__setattr__(self, "_entries", MappingProxyType({e.id: e for e in entries}))
        object.__setattr__(self, "_countries", MappingProxyType({c.code: c for c in countries}))
        object.__setattr__(self, "national", national)
        alias_index: dict[str, str] = {}
        for country in countries:
            for alias in (*country.aliases, country.name.id, country.name.en):
                key = " ".join(_fold(alias).split())
                if key:
                    alias_index.setdefault(key, country.code)
        object.__setattr__(self, "_alias_index", MappingProxyType(alias_index))
        object.__setattr__(self, "_alias_max_words", max((len(k.split()) for k in alias_index), default=1))
        object.__setattr__(self, "_search_index", None)  # built on first search (keeps load fast)

    def __setattr__(self, name: str, value: object) -> None:  # frozen like the dataclasses
        raise AttributeError("KnowledgeBase is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KnowledgeBase):
            return NotImplemented
        return (self.entries == other.entries and self.countries == other.countries
                and self.national == other.national)

    __hash__ = None  # type: ignore[assignment]

    # --- collections -------------------------------------------------------------------------------------------
    @property
    def entries(self) -> tuple[FaqEntry, ...]:
        """All FAQ entries, sorted by id."""
        return tuple(self._entries[k] for k in sorted(self._entries))

    @property
    def countries(self) -> tuple[Country, ...]:
        """All country profiles, sorted by code."""
        return tuple(self._countries[k] for k in sorted(self._countries))

    # --- lookups -----------------------------------------------------------------------------------------------
    def entry(self, entry_id: str) -> FaqEntry | None:
        return self._entries.get(entry_id)

    def country(self, code: str | None) -> Country | None:
        if not code:
            return None
        return self._countries.get(code.strip().upper())

    def categories(self) -> tuple[Category, ...]:
        """The fixed categories that have at least one entry, in menu order."""
        used = {e.category for e in self._entries.values()}
        return tuple(c for c in all_categories() if c.code in used)

    def entries_in(self, category: str) -> tuple[FaqEntry, ...]:
        return tuple(e for e in self.entries if e.category == category)

    def resolve_country(self, text: str | None) -> str | None:
        """ISO code of the country a text names ("hongkong", "di taiwan", "korsel", "KSA"), else None.

        The whole text may be an alias or an ISO code. Inside a longer text, aliases of 3+ letters match as whole
        words (longest match first: "uni emirat arab" beats "arab"); 2-letter aliases ("hk", "sg") only right
        after di/ke/dari/in/at/from, because chat abbreviations collide ("gk tw" = "tidak tahu"). ISO codes
        themselves only match the whole text ("my" is English, not Malaysia).
        """
        folded = _fold(text or "")
        if not folded:
            return None
        if folded in self._alias_index:
            return self._alias_index[folded]
        if len(folded) == 2 and self.country(folded) is not None:
            return folded.upper()
        words = folded.split()
        for size in range(min(self._alias_max_words, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                phrase = " ".join(words[start:start + size])
                code = self._alias_index.get(phrase)
                if code is None:
                    continue
                if len(phrase) < 3 and not (start > 0 and words[start - 1] in _LOCATIVES):
                    continue
                return code
        return None

    def search(self, text: str, limit: int = 5) -> list[tuple[str, float]]:
        """Entries whose example questions share keywords with `text`: [(entry_id, score 0..1)], best first."""
        index = self._search_index
        if index is None:
            from knowledge_base.search import SearchIndex  # local import: search depends on this module

            index = SearchIndex(self._entries.values())
            object.__setattr__(self, "_search_index", index)
        return index.search(text, limit)


_LOCATIVES = frozenset({"di", "ke", "dari", "dr", "in", "at", "from", "to", "negara", "kbri", "kjri", "kdei"})


def _fold(text: str) -> str:
    from knowledge_base.text import fold

    return fold(text)
