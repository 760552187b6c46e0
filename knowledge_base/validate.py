"""Content rules for the knowledge base. Each problem is one readable line (Problem.__str__).

Checked here (schema errors come from the loader):
- FAQ: at least MIN_QUESTIONS example questions; no duplicate or near-duplicate questions within or across entries;
  no characters that break Rasa training data; answers and titles in both languages within MAX_ANSWER_CHARS
  (also after filling placeholders for every country); known `related` ids and `countries` codes; only known
  placeholders, and country-specific entries only use placeholders their profiles have data for.
- Phone numbers (countries, national channels, and any long digit run inside an answer): well formed
  (E.164-ish '+CC ...' or a local number/short code), not an obviously invented pattern (+82-10-9876-5432,
  12345..., 000000), numbers in answers must be registered in a profile or national.yml (so they carry a source);
  a 'verified' hotline whose newest source is older than STALE_AFTER_YEARS must be marked stale.
- Countries: valid IANA time zone, aliases unique across countries.
- Dates: last_verified and source dates not in the future.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from knowledge_base.answer import (
    COUNTRY_PLACEHOLDERS, NATIONAL_PLACEHOLDERS, PLACEHOLDER_DATA, PLACEHOLDER_RE, PLACEHOLDERS, placeholder_values,
    fill,
)
from knowledge_base.loader import Problem, load_with_problems
from knowledge_base.model import KnowledgeBase, PhoneNumber, Source
from knowledge_base.text import fold, jaccard, token_set

MIN_QUESTIONS = 8
MAX_QUESTION_CHARS = 300
MAX_ANSWER_CHARS = 3000
MAX_RENDERED_CHARS = 3800  # Telegram allows 4096 per message; leave room for the source line
NEAR_DUPLICATE_JACCARD = 0.8
STALE_AFTER_YEARS = 5
# Numbers flagged in the fact sheet as placeholders / not official. Compared by digits.
KNOWN_BAD_NUMBERS = frozenset({"821098765432"})

_PHONE_CHARS = re.compile(r"^\+?[0-9](?:[0-9]|[ -](?=[0-9]))*$")
_PHONE_IN_TEXT = re.compile(r"(?<![\w/.,$])\+?\d[\d -]{5,}\d(?![\w/])")
_YEAR_RANGE = re.compile(r"^(?:19|20)\d\d ?- ?(?:19|20)\d\d$")
_RASA_BAD = re.compile(r"[\[\]{}\n\r\t]")


def phone_problem(number: str) -> str | None:
    """None if `number` looks like a real published number, else why not."""
    s = number.strip()
    if not _PHONE_CHARS.match(s):
        return f"malformed phone number {number!r}: use digits, single spaces or dashes, optional leading +"
    digits = "".join(ch for ch in s if ch.isdigit())
    if s.startswith("+"):
        if not 8 <= len(digits) <= 15:
            return f"malformed phone number {number!r}: international numbers have 8-15 digits"
    elif not 3 <= len(digits) <= 12:
        return f"malformed phone number {number!r}: local numbers and short codes have 3-12 digits"
    if digits in KNOWN_BAD_NUMBERS:
        return f"phone number {number!r} is flagged in the fact sheet as a placeholder, not an official number"
    if looks_invented(digits):
        return f"phone number {number!r} looks invented (sequential or repeated digits)"
    return None


def looks_invented(digits: str) -> bool:
    """Runs like 12345 / 98765 or six identical digits in a row."""
    if re.search(r"(\d)\1{5,}", digits):
        return True
    run_up = run_down = 1
    for a, b in zip(digits, digits[1:]):
        run_up = run_up + 1 if int(b) == int(a) + 1 else 1
        run_down = run_down + 1 if int(b) == int(a) - 1 else 1
        if run_up >= 5 or run_down >= 5:
            return True
    return False


def _date_of(source_date: str) -> dt.date | None:
    parts = source_date.split("-")
    if not parts[0].isdigit():
        return None
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 else 1
    day = int(parts[2]) if len(parts) > 2 else 1
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _check_sources(sources: Iterable[Source], where: str, today: dt.date, out: list[Problem]) -> None:
    for s in sources:
        d = _date_of(s.date)
        if s.date[:1].isdigit() and d is None:
            out.append(Problem(where, f"source date {s.date!r} is not a real date"))
        elif d is not None and d > today:
            out.append(Problem(where, f"source date {s.date} is in the future ({s.url})"))


def _check_number(n: PhoneNumber, where: str, today: dt.date, out: list[Problem], *, age_rule: bool) -> None:
    problem = phone_problem(n.number)
    if problem:
        out.append(Problem(where, problem))
    if not n.sources:
        out.append(Problem(where, f"number {n.number} has no source"))
    _check_sources(n.sources, where, today, out)
    if age_rule and n.status == "verified":
        newest = _date_of(n.newest_date)
        limit = today.replace(year=today.year - STALE_AFTER_YEARS) if not (today.month == 2 and today.day == 29) \
            else dt.date(today.year - STALE_AFTER_YEARS, 2, 28)
        if newest is None:
            out.append(Problem(where, f"number {n.number} is 'verified' but no source gives a date: mark it "
                                      "single_source or stale"))
        elif newest < limit:
            out.append(Problem(where, f"number {n.number} is 'verified' but its newest source is from "
                                      f"{n.newest_date} (older than {STALE_AFTER_YEARS} years): mark it stale"))


def validate(kb: KnowledgeBase, *, today: dt.date | None = None) -> list[Problem]:
    """All content problems of a built knowledge base (empty list = clean)."""
    today = today or dt.date.today()
    out: list[Problem] = []
    registered_digits: set[str] = set()

    # --- national channels ---
    nat = kb.national
    nf = nat.file or "national.yml"
    if nat.last_verified > today:
        out.append(Problem(nf, f"last_verified {nat.last_verified} is in the future"))
    _check_sources(nat.sources, nf, today, out)
    seen_channels: set[str] = set()
    for ch in nat.channels:
        where = f"{nf}: {ch.id}"
        if ch.id in seen_channels:
            out.append(Problem(where, "duplicate channel id"))
        seen_channels.add(ch.id)
        if not ch.sources:
            out.append(Problem(where, "channel has no source"))
        if ch.is_phone:
            _check_number(ch.as_phone(), where, today, out, age_rule=True)
            registered_digits.add(ch.as_phone().digits)
        else:
            _check_sources(ch.sources, where, today, out)
    for placeholder, ids in NATIONAL_PLACEHOLDERS.items():
        for cid in ids:
            if nat.channel(cid) is None:
                out.append(Problem(nf, f"channel `{cid}` is missing (needed by placeholder {{{placeholder}}})"))

    # --- countries ---
    alias_owner: dict[str, str] = {}
    for c in kb.countries:
        where = f"{c.file}: {c.code}" if c.file else c.code
        if c.file and Path(c.file).stem.upper() != c.code:
            out.append(Problem(where, f"file name should be countries/{c.code.lower()}.yml"))
        if c.last_verified > today:
            out.append(Problem(where, f"last_verified {c.last_verified} is in the future"))
        if not c.sources:
            out.append(Problem(where, "country profile has no sources"))
        _check_sources(c.sources, where, today, out)
        try:
            ZoneInfo(c.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            out.append(Problem(where, f"unknown IANA time zone {c.timezone!r}"))
        if not c.aliases:
            out.append(Problem(where, "no aliases: add how workers write the country name"))
        for alias in (*c.aliases, c.code.lower()):
            key = fold(alias)
            owner = alias_owner.get(key)
            if owner and owner != c.code:
                out.append(Problem(where, f"alias {alias!r} is also used by {owner}"))
            alias_owner.setdefault(key, c.code)
        for i, n in enumerate(c.emergency_numbers):
            _check_number(n, f"{where}: emergency_numbers[{i}]", today, out, age_rule=False)
            registered_digits.add(n.digits)
        for i, n in enumerate(c.mission.hotlines):
            _check_number(n, f"{where}: mission.hotlines[{i}]", today, out, age_rule=True)
            registered_digits.add(n.digits)
        for i, n in enumerate(c.labour_hotline):
            _check_number(n, f"{where}: labour_hotline[{i}]", today, out, age_rule=True)
            registered_digits.add(n.digits)
        if not c.placement_status.sources:
            out.append(Problem(where, "placement_status has no source"))
        _check_sources(c.placement_status.sources, where, today, out)
        for i, r in enumerate(c.rights):
            if not r.sources:
                out.append(Problem(f"{where}: rights[{i}]", "right has no source"))
            _check_sources(r.sources, f"{where}: rights[{i}]", today, out)

    # --- FAQ entries ---
    entries = kb.entries
    ids = {e.id for e in entries}
    country_codes = {c.code for c in kb.countries}
    question_sets: list[tuple[str, int, str, frozenset[str], str]] = []
    for e in entries:
        where = f"{e.file}: {e.id}" if e.file else e.id
        if e.last_verified > today:
            out.append(Problem(where, f"last_verified {e.last_verified} is in the future"))
        if not e.sources:
            out.append(Problem(where, "entry has no sources"))
        _check_sources(e.sources, where, today, out)
        if len(e.questions) < MIN_QUESTIONS:
            out.append(Problem(where, f"only {len(e.questions)} example questions (need {MIN_QUESTIONS})"))
        for i, q in enumerate(e.questions):
            if _RASA_BAD.search(q):
                out.append(Problem(where, f"question {i + 1} has [ ] {{ }} or a line break (breaks Rasa data): {q!r}"))
            if len(q) > MAX_QUESTION_CHARS:
                out.append(Problem(where, f"question {i + 1} is longer than {MAX_QUESTION_CHARS} characters"))
            folded = fold(q)
            if not folded:
                out.append(Problem(where, f"question {i + 1} has no words"))
                continue
            question_sets.append((e.id, i, folded, token_set(q), q))
        for rid in e.related:
            if rid not in ids:
                out.append(Problem(where, f"related id {rid!r} does not exist"))
            elif rid == e.id:
                out.append(Problem(where, "entry is related to itself"))
        for code in e.countries:
            if code not in country_codes:
                out.append(Problem(where, f"country {code} has no profile in countries/"))
        for lang in ("id", "en"):
            answer = getattr(e.answer, lang)
            if len(answer) > MAX_ANSWER_CHARS:
                out.append(Problem(where, f"answer.{lang} is {len(answer)} characters (max {MAX_ANSWER_CHARS})"))
            for title_ph in PLACEHOLDER_RE.findall(getattr(e.title, lang)):
                out.append(Problem(where, f"title.{lang} uses placeholder {{{title_ph}}}: titles must be plain"))
            used = set(PLACEHOLDER_RE.findall(answer))
            for name in sorted(used - PLACEHOLDERS.keys()):
                out.append(Problem(where, f"answer.{lang} uses unknown placeholder {{{name}}} "
                                          f"(known: {', '.join(sorted(PLACEHOLDERS))})"))
            stray = PLACEHOLDER_RE.sub("", answer)
            if "{" in stray or "}" in stray:
                out.append(Problem(where, f"answer.{lang} has a stray brace (placeholders look like {{name}})"))
            for name in sorted(used & PLACEHOLDER_DATA.keys()):
                for code in e.countries:
                    c = kb.country(code)
                    if c is not None and not PLACEHOLDER_DATA[name](c):
                        out.append(Problem(where, f"answer uses {{{name}}} but the {code} profile has no data for it"))
            for match in _PHONE_IN_TEXT.finditer(answer):
                digits = re.sub(r"\D", "", match.group(0))
                if len(digits) < 7 or _YEAR_RANGE.match(match.group(0).strip()):
                    continue
                problem = phone_problem(match.group(0).strip())
                if problem:
                    out.append(Problem(where, f"answer.{lang}: {problem}"))
                elif digits not in registered_digits:
                    out.append(Problem(where, f"answer.{lang} contains number {match.group(0).strip()!r} that is not "
                                              "in a country profile or national.yml: put it there with its source "
                                              "and use a placeholder"))
        # rendered length for every country and for an unknown country
        for code in [None, *sorted(country_codes)]:
            values = placeholder_values(kb, kb.country(code), "id")
            rendered = fill(e.answer.id, values)
            if len(rendered) > MAX_RENDERED_CHARS:
                out.append(Problem(where, f"answer is {len(rendered)} characters once filled for {code or 'unknown'} "
                                          f"(max {MAX_RENDERED_CHARS})"))
                break
        if set(PLACEHOLDER_RE.findall(e.answer.id)) & COUNTRY_PLACEHOLDERS != \
                set(PLACEHOLDER_RE.findall(e.answer.en)) & COUNTRY_PLACEHOLDERS:
            out.append(Problem(where, "answer.id and answer.en use different country placeholders"))

    # --- duplicate / near-duplicate example questions ---
    by_text: dict[str, tuple[str, int]] = {}
    for entry_id, i, folded, _, q in question_sets:
        if folded in by_text:
            other_id, other_i = by_text[folded]
            place = "same entry" if other_id == entry_id else f"entry {other_id}"
            out.append(Problem(entry_id, f"question {i + 1} duplicates question {other_i + 1} of {place}: {q!r}"))
        else:
            by_text[folded] = (entry_id, i)
    for a in range(len(question_sets)):
        id_a, i_a, fold_a, set_a, q_a = question_sets[a]
        if len(set_a) < 3:
            continue
        for b in range(a + 1, len(question_sets)):
            id_b, i_b, fold_b, set_b, q_b = question_sets[b]
            if len(set_b) < 3 or fold_a == fold_b:
                continue
            if jaccard(set_a, set_b) >= NEAR_DUPLICATE_JACCARD:
                place = "the same entry" if id_a == id_b else f"entry {id_b}"
                out.append(Problem(id_a, f"question {i_a + 1} {q_a!r} is a near-duplicate of question {i_b + 1} "
                                         f"of {place} {q_b!r}"))
    return out


def validate_tree(root: Path | str | None = None, *, today: dt.date | None = None) -> list[Problem]:
    """Schema + content problems of a YAML tree (default: the shipped content)."""
    kb, problems = load_with_problems(root)
    if kb is not None:
        problems += validate(kb, today=today)
    return problems
