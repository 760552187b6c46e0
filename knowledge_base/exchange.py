"""Export all content to one JSON document and import such a document (JSON or YAML) back into the YAML tree.

The export uses exactly the YAML schema (see README.md), so an admin can edit it and import it. Import validates
everything first and writes nothing when there is any problem.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from knowledge_base.loader import DEFAULT_ROOT, Problem, build
from knowledge_base.model import Country, FaqEntry, KnowledgeBase, National, PhoneNumber, Source, Text
from knowledge_base.validate import validate

FORMAT = "sahabat-pmi-knowledge-base"
VERSION = 1


# --- dataclasses -> plain dicts (the YAML schema) ------------------------------------------------------------------
def _text(t: Text) -> dict[str, str]:
    return {"id": t.id, "en": t.en}


def _source(s: Source) -> dict[str, str]:
    d = {"url": s.url, "date": s.date}
    if s.note:
        d["note"] = s.note
    return d


def _source_field(sources: tuple[Source, ...]) -> Any:
    return _source(sources[0]) if len(sources) == 1 else [_source(s) for s in sources]


def _number(n: PhoneNumber) -> dict[str, Any]:
    d: dict[str, Any] = {"number": n.number}
    if n.label:
        d["label"] = _text(n.label)
    if n.note:
        d["note"] = _text(n.note)
    d["status"] = n.status
    d["source"] = _source_field(n.sources)
    return d


def entry_to_dict(e: FaqEntry) -> dict[str, Any]:
    d: dict[str, Any] = {"id": e.id, "category": e.category, "title": _text(e.title)}
    if e.countries:
        d["countries"] = list(e.countries)
    d["questions"] = list(e.questions)
    d["answer"] = _text(e.answer)
    if e.related:
        d["related"] = list(e.related)
    d["sources"] = [_source(s) for s in e.sources]
    d["last_verified"] = e.last_verified
    return d


def country_to_dict(c: Country) -> dict[str, Any]:
    mission: dict[str, Any] = {"name": _text(c.mission.name), "hotlines": [_number(n) for n in c.mission.hotlines]}
    if c.mission.note:
        mission["note"] = _text(c.mission.note)
    d: dict[str, Any] = {
        "code": c.code, "name": _text(c.name), "aliases": list(c.aliases), "timezone": c.timezone,
        "emergency_numbers": [_number(n) for n in c.emergency_numbers], "mission": mission,
    }
    if c.labour_hotline:
        d["labour_hotline"] = [_number(n) for n in c.labour_hotline]
    d["placement_status"] = {"status": c.placement_status.status, "note": _text(c.placement_status.note),
                             "source": _source_field(c.placement_status.sources)}
    if c.rights:
        d["rights"] = [{"topic": r.topic, "text": _text(r.text), "source": _source_field(r.sources)}
                       for r in c.rights]
    d["sources"] = [_source(s) for s in c.sources]
    d["last_verified"] = c.last_verified
    return d


def national_to_dict(n: National) -> dict[str, Any]:
    return {
        "channels": [{"id": ch.id, "kind": ch.kind, "name": _text(ch.name), "value": ch.value,
                      "note": _text(ch.note), "status": ch.status, "source": _source_field(ch.sources)}
                     for ch in n.channels],
        "sources": [_source(s) for s in n.sources],
        "last_verified": n.last_verified,
    }


def export_dict(kb: KnowledgeBase) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "national": national_to_dict(kb.national),
            "countries": [country_to_dict(c) for c in kb.countries], "faq": [entry_to_dict(e) for e in kb.entries]}


def export_json(kb: KnowledgeBase) -> str:
    return json.dumps(export_dict(kb), ensure_ascii=False, indent=2, default=str) + "\n"


# --- import -----------------------------------------------------------------------------------------------------
def parse_export(text: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Raw tree dicts (with _file keys) from an export document, or problems."""
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # JSON is YAML too
    except yaml.YAMLError as exc:
        return None, [Problem("import", f"cannot parse file: {str(exc).splitlines()[0]}")]
    if not isinstance(data, dict):
        return None, [Problem("import", "the file must hold one mapping with national, countries and faq")]
    problems = []
    if data.get("format", FORMAT) != FORMAT:
        problems.append(Problem("import", f"format must be {FORMAT!r}, got {data.get('format')!r}"))
    if data.get("version", VERSION) != VERSION:
        problems.append(Problem("import", f"version must be {VERSION}, got {data.get('version')!r}"))
    for key, kind in (("national", dict), ("countries", list), ("faq", list)):
        if not isinstance(data.get(key), kind):
            problems.append(Problem("import", f"`{key}` must be a {'mapping' if kind is dict else 'list'}"))
    if problems:
        return None, problems
    raw: dict[str, Any] = {"national": {**data["national"], "_file": "national.yml"}, "countries": [], "faq": []}
    for i, c in enumerate(data["countries"]):
        if not isinstance(c, dict):
            problems.append(Problem("import", f"countries[{i}] is not a mapping"))
            continue
        code = str(c.get("code", f"item{i}")).lower()
        raw["countries"].append({**c, "_file": f"countries/{code}.yml"})
    for i, e in enumerate(data["faq"]):
        if not isinstance(e, dict):
            problems.append(Problem("import", f"faq[{i}] is not a mapping"))
            continue
        raw["faq"].append({**e, "_file": f"faq/{e.get('category', 'lain')}.yml"})
    return raw, problems


def check_import(text: str) -> tuple[KnowledgeBase | None, list[Problem]]:
    raw, problems = parse_export(text)
    if raw is None:
        return None, problems
    kb, build_problems = build(raw)
    problems += build_problems
    if kb is not None:
        problems += validate(kb)
    return (kb if not problems else None), problems


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_presenter)


def _dump(data: Any, header: str) -> str:
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120, default_flow_style=False)
    return header + body


def _atomic_write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(content)
    os.replace(tmp, path)


def write_tree(kb: KnowledgeBase, root: Path | str | None = None) -> list[Path]:
    """Write the YAML tree for `kb` under root (FAQ grouped by category) and delete YAML files no longer used."""
    root = Path(root) if root is not None else DEFAULT_ROOT
    header = "# Written by `python -m knowledge_base import`. Schema: knowledge_base/README.md\n"
    written: list[Path] = []
    path = root / "national.yml"
    _atomic_write(path, _dump(national_to_dict(kb.national), header))
    written.append(path)
    for c in kb.countries:
        path = root / "countries" / f"{c.code.lower()}.yml"
        _atomic_write(path, _dump(country_to_dict(c), header))
        written.append(path)
    by_category: dict[str, list[FaqEntry]] = {}
    for e in kb.entries:
        by_category.setdefault(e.category, []).append(e)
    for category, entries in sorted(by_category.items()):
        path = root / "faq" / f"{category}.yml"
        _atomic_write(path, _dump({"entries": [entry_to_dict(e) for e in entries]}, header))
        written.append(path)
    keep = {p.resolve() for p in written}
    for folder in (root / "countries", root / "faq"):
        for old in folder.glob("*.yml"):
            if old.resolve() not in keep:
                old.unlink()
    return written
