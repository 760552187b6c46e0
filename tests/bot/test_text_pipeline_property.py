"""Property-based tests (hypothesis) over the text pipeline a worker's message goes through: normalisation, the
danger lexicon, routing with the NLU server unavailable or answering anything, and the HTML the bot sends back
(escaping and splitting at Telegram's limit). For any text - emoji, zero-width and RTL characters, HTML and
Markdown characters, more than 4096 characters - nothing raises and every message part is valid for Telegram."""
from __future__ import annotations

import asyncio
import html
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.local_bot_api import _ApiError, _check_html, _visible_text
from handlers.common import TELEGRAM_LIMIT, split_message
from handlers.texts import TEXTS, Raw, esc, t
from nlu.client import NluUnavailable
from nlu.normalize import _ZW_CHARS, normalize_text, tokens_with_offsets
from nlu.router import MAX_PARSE_CHARS, ROUTES, RouteContext, Router
from nlu.safety import danger_match, danger_matches

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ODD = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",  # zero-width, soft hyphen
       "\u200f", "\u200e", "\u202e", "\u2067", "\u2069",  # RTL marks and overrides
       "😀", "🆘", "👍🏽", "👨‍👩‍👧", "\U0001f1ee\U0001f1e9",  # emoji, skin tone, ZWJ family, flag
       "مرحبا", "שלום", "中文", "\u0301",  # RTL scripts, CJK, a combining accent
       "<", ">", "&", "&amp;", "&lt;", "<b>", "</b>", "<script>", "<a href=\"x\">", "*", "_", "`", "~", "[", "]",
       "(", ")", "|", "\\", "\n", "\n\n", " ", "\t", "\r\n", "\u2028", "\x00", "{", "}", "{ref}"]
WORDS = ["saya", "gaji", "tolong", "majikan", "dipukul", "paspor", "sy", "gk", "aman", "tidak", "help", "PMI"]

pieces = st.one_of(st.characters(), st.sampled_from(ODD), st.sampled_from(WORDS))
any_text = st.one_of(
    st.lists(pieces, max_size=60).map("".join),
    # long texts, past the 4096-character limit, with and without places to cut
    st.tuples(st.lists(pieces, min_size=1, max_size=12).map("".join), st.integers(1, 900)).map(
        lambda pair: pair[0] * pair[1]),
    st.tuples(st.sampled_from(["x", "😀", "&", "<", " ", "a b", "\n\n"]), st.integers(3000, 6000)).map(
        lambda pair: pair[0] * pair[1]),
)


def _rejoins(parts: list[str], original: str) -> bool:
    """The parts are `original` (stripped) in order, cut only where whitespace was dropped (or nothing)."""
    original = original.strip()
    position = 0
    for part in parts:
        while position < len(original) and original[position].isspace() and not original.startswith(part, position):
            position += 1
        if not original.startswith(part, position):
            return False
        position += len(part)
    return original[position:].strip() == ""


def _visible(part: str) -> str:
    return _visible_text({"text": part, "parse_mode": "HTML"})


def _squash(text: str) -> str:
    return "".join(text.split())


# --- normalisation and the danger lexicon -------------------------------------------------------------------------

@SETTINGS
@given(any_text)
def test_normaliser_and_lexicon_never_raise_and_offsets_point_into_the_original(text):
    normalised = normalize_text(text)
    assert isinstance(normalised, str)
    assert normalised == normalised.strip()
    found = danger_match(text)
    assert found is None or isinstance(found, str)
    assert (found is None) == (danger_matches(text) == [])
    previous_end = 0
    for start, end, original, token in tokens_with_offsets(text):
        # the normaliser's claim: offsets index the original text, so entity spans stay valid
        assert 0 <= previous_end <= start < end <= len(text)
        assert text[start:end] == original
        assert token
        previous_end = end


DANGER = ["tolong saya dipukul majikan", "sy disekap agen", "saya diancam dibunuh", "aku ditampar nyonya",
          "saya dikurung di gudang", "someone raped me", "saya diperkosa"]
NOISE = st.lists(st.sampled_from([c for c in ODD if not any(ch.isalnum() for ch in c)] + ["!", "?", ".", "🙏"]),
                 max_size=8).map("".join)


@SETTINGS
@given(st.sampled_from(DANGER), st.data(), NOISE, NOISE)
def test_danger_words_survive_zero_width_characters_case_and_markup(phrase, data, before, after):
    """What the normaliser removes (zero-width characters, soft hyphens) cannot hide danger inside a word, nor
    can upper case or emoji, markup and RTL marks around it."""
    letters = []
    for char in phrase:
        letters.append(char.upper() if data.draw(st.booleans()) else char)
        if char.isalpha() and data.draw(st.integers(0, 3)) == 0:
            letters.append(data.draw(st.sampled_from(_ZW_CHARS)))
    text = before + " " + "".join(letters) + " " + after
    assert danger_match(text), text


# --- routing without (or with any answer from) the NLU server --------------------------------------------------------

def _run(coroutine):
    return asyncio.run(coroutine)


@SETTINGS
@given(any_text)
def test_router_with_the_nlu_down_always_answers_and_never_misses_lexicon_danger(text):
    asked: list[str] = []

    async def unavailable(sent: str) -> dict:
        asked.append(sent)
        raise NluUnavailable("connection refused")

    def search(query: str):
        return [("nomor_darurat", 0.5)]

    result = _run(Router(unavailable, 0.5, 3, search).route(text, RouteContext()))
    assert result.route in ROUTES
    assert all(len(sent) <= MAX_PARSE_CHARS for sent in asked)
    if not text.strip():
        assert (result.route, result.reason) == ("fallback", "empty")
    elif danger_match(text.strip()):
        assert (result.route, result.reason) == ("emergency", "safety_net")
    else:
        assert (result.route, result.reason) == ("fallback", "nlu_down")


intent_names = st.sampled_from(["greet", "thanks", "emergency", "faq", "case_wages", "case_abuse", "case_nonsense",
                                "ask_human", "checkin_ok", "checkin_help", "nlu_fallback", "out_of_scope", "", None])
confidences = st.one_of(st.floats(0, 1), st.none(), st.just("0.7"))
parse_results = st.fixed_dictionaries({
    "intent": st.one_of(st.none(), st.fixed_dictionaries({"name": intent_names, "confidence": confidences})),
    "intent_ranking": st.lists(st.fixed_dictionaries({"name": intent_names, "confidence": confidences}),
                               max_size=4),
    "entities": st.lists(st.fixed_dictionaries({"entity": st.sampled_from(["country", "city"]),
                                                "value": st.text(max_size=10),
                                                "start": st.integers(0, 50), "end": st.integers(0, 50)}),
                         max_size=2),
    "response_selector": st.one_of(st.just({}), st.fixed_dictionaries({"faq": st.fixed_dictionaries({
        "response": st.fixed_dictionaries({"intent_response_key": st.sampled_from(["faq/nomor_darurat", "faq/",
                                                                                   "nonsense", ""]),
                                           "confidence": st.floats(0, 1)}),
        "ranking": st.just([])})})),
})


@SETTINGS
@given(any_text, parse_results, st.booleans(), st.booleans())
def test_router_turns_any_model_answer_into_a_contract_route(text, parsed, pending, open_case):
    async def model(sent: str) -> dict:
        return parsed

    result = _run(Router(model, 0.5, 3).route(text, RouteContext(pending_checkin=pending, open_case=open_case)))
    assert result.route in ROUTES
    assert 0.0 <= result.confidence <= 1.0 or result.route == "emergency"
    contract = result.as_contract()
    assert set(contract) == {"route", "intent", "confidence", "category", "entities"}
    if text.strip() and danger_match(text.strip()):
        assert result.route == "emergency"


# --- escaping and splitting the bot's HTML ---------------------------------------------------------------------------

@SETTINGS
@given(any_text)
def test_escaped_user_text_is_plain_text_to_telegram(text):
    escaped = esc(text)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "").count("&") == 0
    assert html.unescape(escaped) == text
    _check_html(escaped)  # raises like Telegram on an unbalanced or unknown tag


@SETTINGS
@given(any_text, st.one_of(st.just(None), st.integers(8, 300)))
def test_split_parts_fit_and_rejoin_to_the_original(text, limit):
    escaped = esc(text)
    parts = split_message(escaped) if limit is None else split_message(escaped, limit)
    for part in parts:
        assert part and part == part.strip()
        assert len(part) <= (limit or TELEGRAM_LIMIT)
        _check_html(part)
    assert _rejoins(parts, escaped)
    assert _squash("".join(_visible(p) for p in parts)) == _squash(text)


# Each a piece of HTML the bot builds around a worker's or officer's words (handlers/worker_chat.py,
# handlers/officer.py, handlers/case_delivery.py, handlers/case_intake.py).
WRAPPERS = [
    lambda user: esc(user),
    lambda user: t("officer_header", "id", ref="PMI-2026-000001") + "\n\n" + esc(user),
    lambda user: esc(user) + "\n\n<i>" + esc("Sumber: kp2mi.go.id") + "</i>",
    lambda user: "<b>" + esc(user) + "</b>",
    lambda user: t("intake_what_more", "id", text=user[:300]) + "\n\n" + "<i>" + esc(user) + "</i>",
    lambda user: "<b>Riwayat</b>\n" + "\n".join(f"10:0{i} · petugas · catatan: “<i>{esc(user)}</i>”" for i in range(3)),
]


@SETTINGS
@given(any_text, st.sampled_from(range(len(WRAPPERS))), st.one_of(st.just(None), st.integers(8, 400)))
def test_split_html_parts_are_each_valid_telegram_html(text, wrapper, limit):
    message = WRAPPERS[wrapper](text)
    parts = split_message(message) if limit is None else split_message(message, limit)
    for part in parts:
        _check_html(part)  # balanced, known tags: a cut never breaks a tag, an entity or a <b>...</b>
        assert len(_visible(part)) <= TELEGRAM_LIMIT
        assert _visible(part).strip()
    assert _squash("".join(_visible(p) for p in parts)) == _squash(_visible(message))


def _placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


@SETTINGS
@given(st.data())
def test_every_text_with_any_values_is_valid_telegram_html(data):
    """Every bot text in both languages, with arbitrary words filled in, parses as Telegram HTML and shows the
    words exactly as typed."""
    key = data.draw(st.sampled_from(sorted(TEXTS)))
    lang = data.draw(st.sampled_from(["id", "en"]))
    names = _placeholders(TEXTS[key].get(lang) or TEXTS[key]["id"])
    values = {name: data.draw(any_text.filter(lambda v: len(v) < 500)) for name in names}
    rendered = t(key, lang, **values)
    try:
        _check_html(rendered)
    except _ApiError as err:
        pytest.fail(f"{key} ({lang}) is not valid Telegram HTML: {err.description}")
    shown = _visible(rendered)
    for value in values.values():
        assert value in shown
    assert not any(isinstance(v, Raw) for v in values.values())
