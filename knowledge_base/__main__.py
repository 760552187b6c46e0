"""Command line: python -m knowledge_base validate|stats|export|import|generate-nlu

    validate                       one line per problem; exit 1 if any
    stats                          counts per category and country, numbers by status
    export [--out FILE]            all content as one JSON document (stdout without --out)
    import FILE                    validate a JSON/YAML export, then rewrite the YAML tree and the NLU data
    generate-nlu [--out FILE]      write nlu/data/generated/faq.yml (Rasa retrieval intents)

--root DIR points at another content tree (default: this package's folder).
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from knowledge_base.exchange import check_import, export_json, write_tree
from knowledge_base.loader import KnowledgeBaseError, load
from knowledge_base.model import CATEGORY_LABELS
from knowledge_base.nlu_export import DEFAULT_OUT, write_nlu
from knowledge_base.validate import validate_tree


def _load_or_report(root):
    try:
        return load(root)
    except KnowledgeBaseError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return None


def cmd_validate(args) -> int:
    problems = validate_tree(args.root)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found")
        return 1
    kb = load(args.root)
    questions = sum(len(e.questions) for e in kb.entries)
    print(f"OK: {len(kb.entries)} entries, {len(kb.countries)} countries, {questions} example questions")
    return 0


def cmd_stats(args) -> int:
    kb = _load_or_report(args.root)
    if kb is None:
        return 1
    print(f"entries: {len(kb.entries)}  questions: {sum(len(e.questions) for e in kb.entries)}  "
          f"countries: {len(kb.countries)}  national channels: {len(kb.national.channels)}")
    print("\nper category:")
    per_cat = Counter(e.category for e in kb.entries)
    for code, (label_id, _) in CATEGORY_LABELS.items():
        print(f"  {code:<10} {per_cat.get(code, 0):>3}  {label_id}")
    print("\nper country: entries specific to it | emergency / mission / labour numbers | placement")
    statuses: Counter[str] = Counter()
    for c in kb.countries:
        specific = sum(1 for e in kb.entries if c.code in e.countries)
        for n in (*c.emergency_numbers, *c.mission.hotlines, *c.labour_hotline):
            statuses[n.status] += 1
        print(f"  {c.code}  {c.name.id:<22} {specific:>2} | {len(c.emergency_numbers)} / {len(c.mission.hotlines)} / "
              f"{len(c.labour_hotline)} | {c.placement_status.status}")
    for ch in kb.national.channels:
        if ch.is_phone:
            statuses[ch.status] += 1
    print(f"\nphone numbers by status: verified {statuses['verified']}, single_source {statuses['single_source']}, "
          f"stale {statuses['stale']}")
    return 0


def cmd_export(args) -> int:
    kb = _load_or_report(args.root)
    if kb is None:
        return 1
    text = export_json(kb)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}: {len(kb.entries)} entries, {len(kb.countries)} countries", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_import(args) -> int:
    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except OSError as exc:
        print(f"import: cannot read {args.file}: {exc.strerror}")
        return 1
    kb, problems = check_import(text)
    if problems or kb is None:
        for problem in problems:
            print(problem)
        print(f"import refused: {len(problems)} problem(s); nothing was written", file=sys.stderr)
        return 1
    written = write_tree(kb, args.root)
    print(f"imported {len(kb.entries)} entries, {len(kb.countries)} countries into {len(written)} files")
    if not args.no_generate:
        path = write_nlu(kb, args.nlu_out)
        print(f"wrote {path}")
    return 0


def cmd_generate(args) -> int:
    kb = _load_or_report(args.root)
    if kb is None:
        return 1
    path = write_nlu(kb, args.out)
    print(f"wrote {path} ({len(kb.entries)} retrieval intents)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge_base", description="Sahabat PMI knowledge base")
    parser.add_argument("--root", default=None, help="content tree (default: the knowledge_base package folder)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("validate", help="check all content; exit 1 on any problem").set_defaults(func=cmd_validate)
    sub.add_parser("stats", help="counts per category/country, numbers by status").set_defaults(func=cmd_stats)
    p = sub.add_parser("export", help="write all content as one JSON document")
    p.add_argument("--out", help="file to write (default: stdout)")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("import", help="validate an export (JSON or YAML) and write it as the YAML tree")
    p.add_argument("file")
    p.add_argument("--nlu-out", default=None, help=f"NLU file to regenerate (default: {DEFAULT_OUT})")
    p.add_argument("--no-generate", action="store_true", help="do not regenerate the NLU data")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("generate-nlu", help="write Rasa retrieval-intent data for the FAQ")
    p.add_argument("--out", default=None, help=f"file to write (default: {DEFAULT_OUT})")
    p.set_defaults(func=cmd_generate)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
