"""Load the YAML tree into a KnowledgeBase, checking the schema on the way.

Tree (default root: this package's folder):
    national.yml          national channels (KP2MI, Kemlu, Peduli WNI, Safe Travel)
    countries/<cc>.yml    one country profile per file
    faq/<group>.yml       `entries:` list of FAQ entries

`load()` raises KnowledgeBaseError when the content cannot be built (schema errors). Content rules that need the
whole tree (duplicates, phone formats, placeholders, staleness...) are in knowledge_base.validate.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml

from knowledge_base.model import (
    CATEGORY_LABELS, CHANNEL_KINDS, NUMBER_STATUSES, PLACEMENT_STATUSES, RIGHT_TOPICS, Channel, Country, FaqEntry,
    KnowledgeBase, Mission, National, PhoneNumber, PlacementStatus, Right, Source, Text,
)

DEFAULT_ROOT = Path(__file__).resolve().parent
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ID_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
CODE_RE = re.compile(r"^[A-Z]{2}$")
DATE_RE = re.compile(r"^(?:\d{4}|\d{4}-\d{2}|\d{4}-\d{2}-\d{2}|n\.d\.)$")
URL_RE = re.compile(r"^https?://[^\s/]+\.[^\s]+$")


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class KnowledgeBaseError(Exception):
    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(str(p) for p in self.problems[:20])
        more = f"\n... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"{len(self.problems)} knowledge-base problem(s):\n{lines}{more}")


# --- reading -----------------------------------------------------------------------------------------------------
def read_tree(root: Path | str | None = None) -> tuple[dict[str, Any], list[Problem]]:
    """Raw dicts from the YAML files: {"national": {...}, "countries": [...], "faq": [...]}.

    Every dict gets a "_file" key (path relative to root) for error messages.
    """
    root = Path(root) if root is not None else DEFAULT_ROOT
    problems: list[Problem] = []
    raw: dict[str, Any] = {"national": None, "countries": [], "faq": []}

    def parse(path: Path) -> Any:
        rel = path.relative_to(root).as_posix()
        try:
            with path.open(encoding="utf-8") as fh:
                return yaml.load(fh, Loader=_Loader), rel
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            problems.append(Problem(rel, f"cannot parse YAML: {str(exc).splitlines()[0]}"))
            return None, rel

    national_path = root / "national.yml"
    if national_path.exists():
        data, rel = parse(national_path)
        if isinstance(data, dict):
            raw["national"] = {**data, "_file": rel}
        elif data is not None:
            problems.append(Problem(rel, "must be a mapping"))
    else:
        problems.append(Problem("national.yml", "file is missing"))

    for path in sorted((root / "countries").glob("*.yml")):
        data, rel = parse(path)
        if isinstance(data, dict):
            raw["countries"].append({**data, "_file": rel})
        elif data is not None:
            problems.append(Problem(rel, "must be a mapping (one country per file)"))

    for path in sorted((root / "faq").glob("*.yml")):
        data, rel = parse(path)
        if data is None:
            continue
        entries = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            problems.append(Problem(rel, "must be a mapping with an `entries:` list"))
            continue
        for item in entries:
            if isinstance(item, dict):
                raw["faq"].append({**item, "_file": rel})
            else:
                problems.append(Problem(rel, f"entry is not a mapping: {item!r:.60}"))
    return raw, problems


# --- building ----------------------------------------------------------------------------------------------------
class _Ctx:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def err(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))


def _keys(ctx: _Ctx, data: dict, where: str, required: set[str], optional: set[str]) -> bool:
    ok = True
    for key in sorted(required - data.keys()):
        ctx.err(where, f"missing field `{key}`")
        ok = False
    for key in sorted(data.keys() - required - optional - {"_file"}):
        ctx.err(where, f"unknown field `{key}`")
    return ok


def _str(ctx: _Ctx, value: Any, where: str, *, allow_int: bool = False) -> str | None:
    if allow_int and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        ctx.err(where, "must be a non-empty text")
        return None
    return value.strip()


def _text(ctx: _Ctx, value: Any, where: str, *, need_en: bool = True) -> Text | None:
    if not isinstance(value, dict):
        ctx.err(where, "must be a mapping {id: ..., en: ...}")
        return None
    _keys(ctx, value, where, {"id", "en"} if need_en else {"id"}, set() if need_en else {"en"})
    id_text = _str(ctx, value.get("id"), f"{where}.id")
    en = value.get("en", "")
    if need_en or en:
        en = _str(ctx, en, f"{where}.en")
    if id_text is None:
        return None
    return Text(id_text.rstrip(), (en or "").rstrip())


def _date_str(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value).strip() if value is not None else ""


def _source(ctx: _Ctx, value: Any, where: str) -> Source | None:
    if not isinstance(value, dict):
        ctx.err(where, "source must be a mapping {url, date, note}")
        return None
    _keys(ctx, value, where, {"url", "date"}, {"note"})
    url = _str(ctx, value.get("url"), f"{where}.url")
    date = _date_str(value.get("date"))
    if url and not URL_RE.match(url):
        ctx.err(f"{where}.url", f"not an http(s) URL: {url!r}")
    if not DATE_RE.match(date):
        ctx.err(f"{where}.date", f"date must be YYYY, YYYY-MM, YYYY-MM-DD or 'n.d.', got {date!r}")
    note = value.get("note", "") or ""
    if not isinstance(note, str):
        ctx.err(f"{where}.note", "must be text")
        note = ""
    return Source(url or "", date, note.strip()) if url else None


def _sources(ctx: _Ctx, value: Any, where: str, *, required: bool = True) -> tuple[Source, ...]:
    if value is None:
        if required:
            ctx.err(where, "no sources: every fact needs a source {url, date}")
        return ()
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, list):
        ctx.err(where, "must be a list of {url, date, note}")
        return ()
    out = tuple(s for i, item in enumerate(items) if (s := _source(ctx, item, f"{where}[{i}]")) is not None)
    if required and not out:
        ctx.err(where, "no sources: every fact needs a source {url, date}")
    return out


def _last_verified(ctx: _Ctx, value: Any, where: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        ctx.err(where, f"last_verified must be a date YYYY-MM-DD, got {value!r}")
        return None


def _str_list(ctx: _Ctx, value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        ctx.err(where, "must be a list")
        return ()
    out = []
    for i, item in enumerate(value):
        text = _str(ctx, item, f"{where}[{i}]")
        if text is not None:
            out.append(text)
    return tuple(out)


def _number(ctx: _Ctx, value: Any, where: str, *, label_required: bool) -> PhoneNumber | None:
    if not isinstance(value, dict):
        ctx.err(where, "must be a mapping {number, label, note, status, source}")
        return None
    _keys(ctx, value, where, {"number", "status", "source"} | ({"label"} if label_required else set()),
          {"label", "note"})
    number = _str(ctx, value.get("number"), f"{where}.number", allow_int=True)
    status = value.get("status")
    if status not in NUMBER_STATUSES:
        ctx.err(f"{where}.status", f"must be one of {', '.join(NUMBER_STATUSES)}, got {status!r}")
    label = _text(ctx, value["label"], f"{where}.label") if "label" in value else None
    note = _text(ctx, value["note"], f"{where}.note") if "note" in value else None
    sources = _sources(ctx, value.get("source"), f"{where}.source")
    if number is None or status not in NUMBER_STATUSES:
        return None
    return PhoneNumber(number=number, status=status, sources=sources, label=label, note=note)


def _numbers(ctx: _Ctx, value: Any, where: str, *, label_required: bool) -> tuple[PhoneNumber, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, list):
        ctx.err(where, "must be a list of numbers")
        return ()
    return tuple(n for i, item in enumerate(items)
                 if (n := _number(ctx, item, f"{where}[{i}]", label_required=label_required)) is not None)


def build_entry(ctx: _Ctx, data: dict) -> FaqEntry | None:
    file = data.get("_file", "")
    where = f"{file}: {data.get('id', '?')}"
    _keys(ctx, data, where, {"id", "category", "title", "questions", "answer", "sources", "last_verified"},
          {"countries", "related"})
    entry_id = data.get("id")
    if not isinstance(entry_id, str) or not ID_RE.match(entry_id):
        ctx.err(where, f"id must be snake_case, got {entry_id!r}")
        entry_id = None
    category = data.get("category")
    if category not in CATEGORY_LABELS:
        ctx.err(where, f"unknown category {category!r} (known: {', '.join(CATEGORY_LABELS)})")
    title = _text(ctx, data.get("title"), f"{where}: title")
    answer = _text(ctx, data.get("answer"), f"{where}: answer")
    questions = _str_list(ctx, data.get("questions"), f"{where}: questions")
    if not isinstance(data.get("questions"), list):
        pass
    elif not questions:
        ctx.err(f"{where}: questions", "no example questions")
    sources = _sources(ctx, data.get("sources"), f"{where}: sources")
    last_verified = _last_verified(ctx, data.get("last_verified"), f"{where}: last_verified")
    countries = tuple(c.upper() for c in _str_list(ctx, data.get("countries"), f"{where}: countries"))
    for code in countries:
        if not CODE_RE.match(code):
            ctx.err(f"{where}: countries", f"not an ISO country code: {code!r}")
    related = _str_list(ctx, data.get("related"), f"{where}: related")
    if None in (entry_id, title, answer, last_verified) or category not in CATEGORY_LABELS:
        return None
    return FaqEntry(id=entry_id, category=category, title=title, questions=questions, answer=answer,
                    sources=sources, last_verified=last_verified, countries=countries, related=related, file=file)


def build_country(ctx: _Ctx, data: dict) -> Country | None:
    file = data.get("_file", "")
    where = f"{file}: {data.get('code', '?')}"
    _keys(ctx, data, where, {"code", "name", "aliases", "timezone", "emergency_numbers", "mission",
                             "placement_status", "sources", "last_verified"},
          {"labour_hotline", "rights"})
    code = data.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        ctx.err(where, f"code must be an upper-case ISO 3166 alpha-2 code, got {code!r}")
        code = None
    name = _text(ctx, data.get("name"), f"{where}: name")
    aliases = tuple(a.lower() for a in _str_list(ctx, data.get("aliases"), f"{where}: aliases"))
    timezone = _str(ctx, data.get("timezone"), f"{where}: timezone")
    emergency = _numbers(ctx, data.get("emergency_numbers"), f"{where}: emergency_numbers", label_required=True)
    if data.get("emergency_numbers") is not None and not isinstance(data.get("emergency_numbers"), list):
        ctx.err(f"{where}: emergency_numbers", "must be a list (empty when the fact sheet gives none)")
    mission = None
    m = data.get("mission")
    if isinstance(m, dict):
        _keys(ctx, m, f"{where}: mission", {"name"}, {"hotlines", "note"})
        m_name = _text(ctx, m.get("name"), f"{where}: mission.name")
        hotlines = _numbers(ctx, m.get("hotlines"), f"{where}: mission.hotlines", label_required=False)
        m_note = _text(ctx, m["note"], f"{where}: mission.note") if m.get("note") else None
        mission = Mission(m_name, hotlines, m_note) if m_name else None
    else:
        ctx.err(f"{where}: mission", "must be a mapping {name, hotlines}")
    labour = _numbers(ctx, data.get("labour_hotline"), f"{where}: labour_hotline", label_required=True)
    placement = None
    p = data.get("placement_status")
    if isinstance(p, dict):
        _keys(ctx, p, f"{where}: placement_status", {"status", "note", "source"}, set())
        if p.get("status") not in PLACEMENT_STATUSES:
            ctx.err(f"{where}: placement_status.status",
                    f"must be one of {', '.join(PLACEMENT_STATUSES)}, got {p.get('status')!r}")
        p_note = _text(ctx, p.get("note"), f"{where}: placement_status.note")
        p_sources = _sources(ctx, p.get("source"), f"{where}: placement_status.source")
        if p.get("status") in PLACEMENT_STATUSES and p_note:
            placement = PlacementStatus(p["status"], p_note, p_sources)
    else:
        ctx.err(f"{where}: placement_status", "must be a mapping {status, note, source}")
    rights = []
    r_list = data.get("rights") or []
    if not isinstance(r_list, list):
        ctx.err(f"{where}: rights", "must be a list")
        r_list = []
    for i, r in enumerate(r_list):
        rw = f"{where}: rights[{i}]"
        if not isinstance(r, dict):
            ctx.err(rw, "must be a mapping {topic, text, source}")
            continue
        _keys(ctx, r, rw, {"topic", "text", "source"}, set())
        if r.get("topic") not in RIGHT_TOPICS:
            ctx.err(rw, f"unknown topic {r.get('topic')!r} (known: {', '.join(RIGHT_TOPICS)})")
        r_text = _text(ctx, r.get("text"), f"{rw}.text")
        r_sources = _sources(ctx, r.get("source"), f"{rw}.source")
        if r_text and r.get("topic") in RIGHT_TOPICS:
            rights.append(Right(r["topic"], r_text, r_sources))
    sources = _sources(ctx, data.get("sources"), f"{where}: sources")
    last_verified = _last_verified(ctx, data.get("last_verified"), f"{where}: last_verified")
    if None in (code, name, timezone, mission, placement, last_verified):
        return None
    return Country(code=code, name=name, aliases=aliases, timezone=timezone, emergency_numbers=emergency,
                   mission=mission, labour_hotline=labour, placement_status=placement, rights=tuple(rights),
                   sources=sources, last_verified=last_verified, file=file)


def build_national(ctx: _Ctx, data: dict | None) -> National | None:
    if data is None:
        return None
    file = data.get("_file", "national.yml")
    _keys(ctx, data, file, {"channels", "sources", "last_verified"}, set())
    channels = []
    items = data.get("channels")
    if not isinstance(items, list):
        ctx.err(f"{file}: channels", "must be a list")
        items = []
    for i, c in enumerate(items):
        where = f"{file}: channels[{i}] {c.get('id', '?') if isinstance(c, dict) else ''}".rstrip()
        if not isinstance(c, dict):
            ctx.err(where, "must be a mapping")
            continue
        _keys(ctx, c, where, {"id", "kind", "name", "value", "note", "status", "source"}, set())
        cid = c.get("id")
        if not isinstance(cid, str) or not ID_RE.match(cid):
            ctx.err(where, f"id must be snake_case, got {cid!r}")
            cid = None
        if c.get("kind") not in CHANNEL_KINDS:
            ctx.err(where, f"kind must be one of {', '.join(CHANNEL_KINDS)}, got {c.get('kind')!r}")
        if c.get("status") not in NUMBER_STATUSES:
            ctx.err(where, f"status must be one of {', '.join(NUMBER_STATUSES)}, got {c.get('status')!r}")
        name = _text(ctx, c.get("name"), f"{where}.name")
        value = _str(ctx, c.get("value"), f"{where}.value", allow_int=True)
        note = _text(ctx, c.get("note"), f"{where}.note")
        sources = _sources(ctx, c.get("source"), f"{where}.source")
        if None not in (cid, name, value, note) and c.get("kind") in CHANNEL_KINDS \
                and c.get("status") in NUMBER_STATUSES:
            channels.append(Channel(cid, c["kind"], name, value, note, c["status"], sources))
    sources = _sources(ctx, data.get("sources"), f"{file}: sources")
    last_verified = _last_verified(ctx, data.get("last_verified"), f"{file}: last_verified")
    if last_verified is None:
        return None
    return National(tuple(channels), sources, last_verified, file=file)


def build(raw: dict[str, Any]) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Build a KnowledgeBase from raw dicts (as read_tree or an export gives). Returns (kb or None, problems)."""
    ctx = _Ctx()
    national = build_national(ctx, raw.get("national"))
    if raw.get("national") is None:
        ctx.err("national.yml", "national channels are missing")
    countries = [c for d in raw.get("countries") or [] if (c := build_country(ctx, d)) is not None]
    entries = [e for d in raw.get("faq") or [] if (e := build_entry(ctx, d)) is not None]
    if national is None:
        return None, ctx.problems
    seen_entries: dict[str, FaqEntry] = {}
    for e in entries:
        if e.id in seen_entries:
            ctx.err(f"{e.file}: {e.id}", f"duplicate id (also in {seen_entries[e.id].file})")
        seen_entries.setdefault(e.id, e)
    seen_countries: dict[str, Country] = {}
    for c in countries:
        if c.code in seen_countries:
            ctx.err(f"{c.file}: {c.code}", f"duplicate country code (also in {seen_countries[c.code].file})")
        seen_countries.setdefault(c.code, c)
    kb = KnowledgeBase(tuple(seen_entries.values()), tuple(seen_countries.values()), national)
    return kb, ctx.problems


def load_with_problems(root: Path | str | None = None) -> tuple[KnowledgeBase | None, list[Problem]]:
    raw, problems = read_tree(root)
    kb, build_problems = build(raw)
    return kb, problems + build_problems


def load(root: Path | str | None = None, *, validate: bool = False) -> KnowledgeBase:
    """Load the content tree. Raises KnowledgeBaseError on schema problems (and, with validate=True, on any
    content problem knowledge_base.validate finds)."""
    kb, problems = load_with_problems(root)
    if kb is not None and validate:
        from knowledge_base.validate import validate as validate_kb

        problems += validate_kb(kb)
    if problems or kb is None:
        raise KnowledgeBaseError(problems or [Problem("", "knowledge base could not be built")])
    return kb
