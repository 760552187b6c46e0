"""Telegram-free answer service: render FAQ answers and the emergency contact block as plain text.

The bot escapes the text itself (no HTML or Markdown is produced here). Country-aware placeholders in answers are
filled from the worker's country profile; when the country is unknown or the profile lacks a value, a generic text
points to Safe Travel, Peduli WNI, the Kemlu 24-hour hotline and KP2MI (numbers that are in the fact sheet).

Every phone number shown carries a short note when its source is single or old (status single_source / stale).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlparse

from knowledge_base.model import DEFAULT_LANG, Country, KnowledgeBase, PhoneNumber, Source, Text

PLACEHOLDER_RE = re.compile(r"\{([a-z][a-z0-9_]*)\}")

# Placeholders an answer may use, with what they become.
PLACEHOLDERS: dict[str, str] = {
    "country_name": "name of the worker's country (generic wording when unknown)",
    "mission_name": "the Indonesian mission for the country (KBRI/KJRI/KDEI), or a generic 'nearest KBRI/KJRI'",
    "mission_hotline": "the mission's hotline lines with status notes, or where to find the number",
    "emergency_numbers": "local emergency numbers, or the Safe Travel panic button when none are known",
    "labour_hotline": "the destination government's labour hotline, or a pointer to the mission and KP2MI",
    "placement_status": "whether official placement to the country is open/closed/one-channel, with caveats",
    "kp2mi_hotline": "KP2MI call centre (abroad + free call in Indonesia) and WhatsApp, from national.yml",
    "kemlu_hotline": "Kemlu 24-hour protection hotline, from national.yml",
}
COUNTRY_PLACEHOLDERS = frozenset({"country_name", "mission_name", "mission_hotline", "emergency_numbers",
                                  "labour_hotline", "placement_status"})
# National placeholder -> channel ids in national.yml it needs.
NATIONAL_PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "kp2mi_hotline": ("kp2mi_call_center_abroad", "kp2mi_call_center", "kp2mi_whatsapp"),
    "kemlu_hotline": ("kemlu_hotline",),
}
# Country placeholders that have profile data behind them (validate checks country-specific entries have it).
PLACEHOLDER_DATA: dict[str, Callable[[Country], bool]] = {
    "mission_hotline": lambda c: bool(c.mission.hotlines),
    "emergency_numbers": lambda c: bool(c.emergency_numbers),
    "labour_hotline": lambda c: bool(c.labour_hotline),
}

BULLET = "\u2022 "  # number lines; answers use "-" for their own lists

_MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}

_T = {
    "generic_country": Text("negara tempatmu bekerja", "the country where you work"),
    "generic_mission": Text("KBRI/KJRI terdekat", "the nearest Indonesian embassy or consulate (KBRI/KJRI)"),
    "no_mission_hotline": Text(
        "\u2022 Nomornya belum ada di data kami. Cari di aplikasi Safe Travel, di SMS dari perwakilan RI saat kamu "
        "tiba, atau di situs/Facebook/Instagram resmi perwakilan.",
        "\u2022 We do not have this number yet. Look in the Safe Travel app, in the SMS the Indonesian mission sends "
        "when you arrive, or on the mission's official website/Facebook/Instagram."),
    "no_emergency": Text(
        "\u2022 Nomor darurat setempat belum ada di data kami. Pakai tombol darurat di aplikasi Safe Travel (terhubung "
        "ke KBRI/KJRI terdekat), atau minta bantuan orang di sekitarmu.",
        "\u2022 We do not have the local emergency numbers yet. Use the panic button in the Safe Travel app (it "
        "connects to the nearest Indonesian mission), or ask people around you for help."),
    "no_labour": Text(
        "\u2022 Nomor layanan tenaga kerja pemerintah setempat belum ada di data kami. Tanyakan ke perwakilan RI "
        "atau KP2MI.",
        "\u2022 We do not have the local government's labour hotline yet. Ask the Indonesian mission or KP2MI."),
    "no_placement": Text(
        "Kami belum punya data status penempatan untuk negara ini. Tanyakan ke KP2MI, Disnaker, atau LTSA "
        "sebelum berangkat.",
        "We have no placement-status data for this country. Ask KP2MI, the Disnaker office or LTSA before "
        "you go."),
    "placement_prefix": Text("Status penempatan PMI di {name}: ", "Placement of Indonesian workers in {name}: "),
    "single_source": Text("dari satu laporan ({date}); cek dulu di Safe Travel atau situs resmi",
                          "from a single report ({date}); double-check in Safe Travel or on the official site"),
    "stale": Text("data {date}, mungkin sudah berubah; cek dulu di Safe Travel atau situs resmi",
                  "from {date}, may have changed; double-check in Safe Travel or on the official site"),
    "single_source_short": Text("data {date}, cek dulu", "{date} data, double-check"),
    "stale_short": Text("data {date}, cek dulu", "{date} data, double-check"),
    "sources": Text("Sumber", "Sources"),
    "checked": Text("dicek", "checked"),
    "undated": Text("tanpa tanggal", "undated"),
    "more": Text("+{n} lainnya", "+{n} more"),
    "contacts_title": Text("Nomor penting", "Important numbers"),
    "local_emergency": Text("Darurat setempat", "Local emergency"),
    "no_local_emergency": Text("Darurat setempat: belum ada di data kami. Pakai tombol darurat di aplikasi "
                               "Safe Travel.",
                               "Local emergency: not in our data yet. Use the panic button in the Safe Travel "
                               "app."),
    "no_mission_short": Text("{mission}: nomor belum ada di data kami; lihat aplikasi Safe Travel.",
                             "{mission}: number not in our data yet; see the Safe Travel app."),
    "abroad": Text("dari luar negeri", "from abroad"),
}


@dataclass(frozen=True)
class RenderedAnswer:
    entry_id: str
    title: str
    text: str
    source_line: str
    related: list[tuple[str, str]] = field(default_factory=list)
    sources: tuple[Source, ...] = ()
    country_code: str | None = None


# --- small formatters --------------------------------------------------------------------------------------------
def _lang(lang: str | None) -> str:
    return lang if lang in ("id", "en") else DEFAULT_LANG


def date_label(date: str, lang: str, *, with_day: bool = True) -> str:
    """'2020-02-03' -> '3 Feb 2020' (or 'Feb 2020' without day); 'n.d.' -> 'tanpa tanggal'/'undated'."""
    parts = date.split("-")
    if not parts[0].isdigit():
        return _T["undated"].get(lang)
    if len(parts) == 1:
        return parts[0]
    month = _MONTHS[lang][int(parts[1]) - 1]
    if len(parts) == 3 and with_day:
        return f"{int(parts[2])} {month} {parts[0]}"
    return f"{month} {parts[0]}"


def status_note(number: PhoneNumber, lang: str, *, short: bool = False) -> str:
    """'' for verified numbers, else a note with the source date and advice to double-check."""
    if number.status == "verified":
        return ""
    key = number.status + ("_short" if short else "")
    return _T[key].get(lang).format(date=date_label(number.newest_date, lang, with_day=False))


def _group(numbers: tuple[PhoneNumber, ...], lang: str, *, short: bool) -> list[tuple[str, list[str], str]]:
    """Group numbers sharing label, note and status note: [(label/note text, [numbers], status note)]."""
    groups: list[tuple[str, list[str], str]] = []
    for n in numbers:
        head = (n.label.get(lang) if n.label else "")
        if n.note:
            head = f"{head} ({n.note.get(lang)})" if head else n.note.get(lang)
        note = status_note(n, lang, short=short)
        for g in groups:
            if g[0] == head and g[2] == note:
                g[1].append(n.number)
                break
        else:
            groups.append((head, [n.number], note))
    return groups


def format_numbers(numbers: tuple[PhoneNumber, ...], lang: str, *, numbers_first: bool = False) -> str:
    """One bullet line per group of numbers, e.g. '• 999: Polisi / darurat'."""
    lines = []
    for head, nums, note in _group(numbers, lang, short=False):
        line = f"{BULLET}{', '.join(nums)}"
        if head:
            line += f": {head}"
        if note:
            line += f". {note[0].upper()}{note[1:]}."
        lines.append(line)
    return "\n".join(lines)


def _short_numbers(numbers: tuple[PhoneNumber, ...], lang: str) -> str:
    parts = []
    for head, nums, note in _group(numbers, lang, short=True):
        part = ", ".join(nums)
        extra = "; ".join(x for x in (head, note) if x)
        parts.append(f"{part} ({extra})" if extra else part)
    return "; ".join(parts)


def _domain(url: str) -> str:
    host = urlparse(url).netloc.lower()
    for prefix in ("www.", "m.", "amp."):
        if host.startswith(prefix):
            host = host[len(prefix):]
    return host


def source_line(sources: tuple[Source, ...], last_verified, lang: str, *, limit: int = 3) -> str:
    """'Sumber: kompas.com (17 Agu 2020); bisnis.com (18 Agu 2020) · dicek 2026-11-29'."""
    lang = _lang(lang)
    shown = [_domain(s.url) + (f" ({date_label(s.date, lang)})" if s.date[:1].isdigit() else "")
             for s in sources[:limit]]
    if len(sources) > limit:
        shown.append(_T["more"].get(lang).format(n=len(sources) - limit))
    return f"{_T['sources'].get(lang)}: {'; '.join(shown)} · {_T['checked'].get(lang)} {last_verified.isoformat()}"


# --- placeholders ------------------------------------------------------------------------------------------------
def _national_numbers(kb: KnowledgeBase, channel_ids: tuple[str, ...]) -> list[PhoneNumber]:
    out = []
    for cid in channel_ids:
        channel = kb.national.channel(cid)
        if channel is not None and channel.is_phone:
            out.append(channel.as_phone())
    return out


def _kp2mi_line(kb: KnowledgeBase, lang: str, *, short: bool = False) -> str:
    ids = NATIONAL_PLACEHOLDERS["kp2mi_hotline"]
    if short:
        ids = ("kp2mi_call_center_abroad", "kp2mi_whatsapp")
    parts = []
    for number in _national_numbers(kb, ids):
        label = number.note.get(lang) if number.note else ""
        note = status_note(number, lang, short=True)
        extra = "; ".join(x for x in (label, note) if x)
        parts.append(f"{number.number} ({extra})" if extra else number.number)
    return "KP2MI: " + ", ".join(parts)


def _kemlu_line(kb: KnowledgeBase, lang: str, *, short: bool = False) -> str:
    numbers = _national_numbers(kb, NATIONAL_PLACEHOLDERS["kemlu_hotline"])
    if not numbers:
        return ""
    number = numbers[0]
    note = status_note(number, lang, short=short)
    label = number.label.get(lang) if number.label else "Kemlu"
    return f"{label}: {number.number}" + (f" ({note})" if note else "")


def placeholder_values(kb: KnowledgeBase, country: Country | None, lang: str) -> dict[str, str]:
    lang = _lang(lang)
    name = country.name.get(lang) if country else _T["generic_country"].get(lang)
    values = {
        "country_name": name,
        "mission_name": country.mission.name.get(lang) if country else _T["generic_mission"].get(lang),
        "kp2mi_hotline": _kp2mi_line(kb, lang),
        "kemlu_hotline": _kemlu_line(kb, lang),
    }
    if country and country.mission.hotlines:
        text = format_numbers(country.mission.hotlines, lang)
        if country.mission.note:
            text += f"\n{BULLET}{country.mission.note.get(lang)}"
        values["mission_hotline"] = text
    else:
        text = _T["no_mission_hotline"].get(lang)
        if country and country.mission.note:
            text += f"\n{BULLET}{country.mission.note.get(lang)}"
        values["mission_hotline"] = text
    values["emergency_numbers"] = (format_numbers(country.emergency_numbers, lang)
                                   if country and country.emergency_numbers else _T["no_emergency"].get(lang))
    values["labour_hotline"] = (format_numbers(country.labour_hotline, lang)
                                if country and country.labour_hotline else _T["no_labour"].get(lang))
    if country:
        values["placement_status"] = (_T["placement_prefix"].get(lang).format(name=name)
                                      + country.placement_status.note.get(lang))
    else:
        values["placement_status"] = _T["no_placement"].get(lang)
    return values


def fill(template: str, values: dict[str, str]) -> str:
    """Replace {placeholders}. A placeholder alone on an indented line indents every line of its value."""
    out = []
    for line in template.split("\n"):
        stripped = line.strip()
        match = PLACEHOLDER_RE.fullmatch(stripped)
        if match and match.group(1) in values:
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + value_line for value_line in values[match.group(1)].split("\n"))
        else:
            out.append(PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), line))
    return "\n".join(out)


# --- public API --------------------------------------------------------------------------------------------------
def render_answer(kb: KnowledgeBase, entry_id: str, lang: str = DEFAULT_LANG,
                  country_code: str | None = None) -> RenderedAnswer:
    """The entry's answer in `lang` ('id' or 'en') with placeholders filled for `country_code`.

    Pass the country the message names if any (kb.resolve_country(text)), else the worker's profile country, else
    None. For an entry specific to one country (e.g. Saudi SPSK) that country is used when another is given.
    Raises KeyError for an unknown entry id.
    """
    lang = _lang(lang)
    entry = kb.entry(entry_id)
    if entry is None:
        raise KeyError(entry_id)
    country = kb.country(country_code)
    if entry.countries and (country is None or country.code not in entry.countries) and len(entry.countries) == 1:
        country = kb.country(entry.countries[0]) or country
    template = entry.answer.get(lang)
    used = set(PLACEHOLDER_RE.findall(template))
    text = fill(template, placeholder_values(kb, country, lang)).strip()
    sources = list(entry.sources)
    if country and used & {"mission_hotline", "emergency_numbers", "labour_hotline"}:
        numbers = ((country.mission.hotlines if "mission_hotline" in used else ())
                   + (country.emergency_numbers if "emergency_numbers" in used else ())
                   + (country.labour_hotline if "labour_hotline" in used else ()))
        for number in numbers:
            sources.extend(s for s in number.sources if s not in sources)
    related = []
    for rid in entry.related:
        other = kb.entry(rid)
        if other is not None:
            related.append((rid, other.title.get(lang)))
    return RenderedAnswer(entry_id=entry.id, title=entry.title.get(lang), text=text,
                          source_line=source_line(entry.sources, entry.last_verified, lang), related=related,
                          sources=tuple(sources), country_code=country.code if country else None)


def render_contacts(kb: KnowledgeBase, country_code: str | None, lang: str = DEFAULT_LANG) -> str:
    """Short emergency block: local emergency numbers, the Indonesian mission, KP2MI, Kemlu 24 h.

    Works without a country (then points to the Safe Travel panic button). Plain text, a few lines.
    """
    lang = _lang(lang)
    country = kb.country(country_code)
    title = _T["contacts_title"].get(lang) + (f" - {country.name.get(lang)}" if country else "")
    lines = [title]
    if country and country.emergency_numbers:
        lines.append(f"{_T['local_emergency'].get(lang)}: {_short_numbers(country.emergency_numbers, lang)}")
    else:
        lines.append(_T["no_local_emergency"].get(lang))
    mission = country.mission.name.get(lang) if country else _T["generic_mission"].get(lang)
    mission = mission[0].upper() + mission[1:]
    if country and country.mission.hotlines:
        lines.append(f"{mission}: {_short_numbers(country.mission.hotlines, lang)}")
    else:
        lines.append(_T["no_mission_short"].get(lang).format(mission=mission))
    lines.append(_kp2mi_line(kb, lang, short=True))
    kemlu = _kemlu_line(kb, lang, short=True)
    if kemlu:
        lines.append(kemlu)
    return "\n".join(lines)


def search(kb: KnowledgeBase, text: str, limit: int = 5) -> list[tuple[str, float]]:
    """Fallback suggestions by keyword overlap: [(entry_id, score)], best first (same as kb.search)."""
    return kb.search(text, limit)
