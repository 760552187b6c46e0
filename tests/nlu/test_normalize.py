"""nlu.normalize: slang mapping, elongation folding, offsets into the original text."""

import re
import time
from pathlib import Path

import pytest

from nlu import normalize
from nlu.normalize import normalize_text, normalize_token, tokens_with_offsets

LEXICON = Path(normalize.LEXICON_PATH)


@pytest.mark.parametrize(
    "slang, standard",
    [
        ("sy", "saya"),
        ("gk", "tidak"),
        ("ga", "tidak"),
        ("gak", "tidak"),
        ("nggak", "tidak"),
        ("ngga", "tidak"),
        ("tdk", "tidak"),
        ("blm", "belum"),
        ("udh", "sudah"),
        ("udah", "sudah"),
        ("sdh", "sudah"),
        ("gmn", "bagaimana"),
        ("gimana", "bagaimana"),
        ("tlg", "tolong"),
        ("skrg", "sekarang"),
        ("krn", "karena"),
        ("majikn", "majikan"),
        ("ora", "tidak"),
        ("aku", "saya"),
        ("kulo", "saya"),
        ("opo", "apa"),
        ("piye", "bagaimana"),
        ("duit", "uang"),
        ("gajih", "gaji"),
        ("pasport", "paspor"),
        ("pasprt", "paspor"),
        ("mksh", "terima kasih"),
    ],
)
def test_slang_maps_to_standard(slang, standard):
    assert normalize_token(slang) == standard


def test_case_and_zero_width_characters():
    assert normalize_token("SY") == "saya"
    assert normalize_token("To\u200blong") == "tolong"
    assert normalize_token("\ufeffgk") == "tidak"
    assert normalize_text("Gaji\u200d  SAYA\u00ad") == "gaji saya"


@pytest.mark.parametrize(
    "elongated, folded",
    [
        ("tolongggg", "tolong"),
        ("tolongg", "tolong"),
        ("toloong", "tolong"),
        ("maaaaf", "maaf"),
        ("gakkk", "tidak"),  # folded, then mapped by the lexicon
        ("sakiiit", "sakit"),
        ("bangettt", "banget"),
        ("iyaa", "iya"),
    ],
)
def test_elongation_is_folded(elongated, folded):
    assert normalize_token(elongated) == folded


def test_legitimate_double_letters_survive():
    assert normalize_token("maaf") == "maaf"
    assert normalize_token("saat") == "saat"
    assert normalize_token("fee") == "fee"


def test_digit_reduplication_and_clitics():
    assert normalize_token("baik2") == "baik-baik"
    assert normalize_token("mrh2") == "marah-marah"
    assert normalize_token("gajihnya") == "gajinya"
    assert normalize_token("pasportnya") == "paspornya"


def test_numbers_are_kept():
    assert normalize_token("10.000") == "10.000"
    assert normalize_token("5000") == "5000"
    assert normalize_text("libur 10 hari") == "libur 10 hari"


def test_pukul_before_a_clock_time_is_a_time_not_a_blow():
    assert normalize_text("pukul 10 libur") == "jam 10 libur"
    assert normalize_text("kerja sampai pukul 2.30 pagi") == "kerja sampai jam 2.30 pagi"
    assert normalize_text("majikan pukul 3 kali kepala saya") == "majikan pukul 3 kali kepala saya"
    assert normalize_text("majikan pukul saya") == "majikan pukul saya"


def test_normalize_text_keeps_punctuation_between_words():
    assert normalize_text("Tolongggg!! sy d pukulin majikn") == "tolong!! saya di pukulin majikan"
    assert normalize_text("Gajih sy blm dibyr 3 bln, gmn?") == "gaji saya belum dibayar 3 bulan, bagaimana?"
    assert normalize_text("") == ""
    assert normalize_text("   ") == ""


def test_offsets_index_the_original_text():
    text = "Tlg\u200b  sy DIPUKULIN majikn di HK!!"
    tokens = tokens_with_offsets(text)
    assert [t[3] for t in tokens] == ["tolong", "saya", "dipukuli", "majikan", "di", "hong kong"]
    for start, end, original, _norm in tokens:
        assert text[start:end] == original
    # offsets are monotonic and do not overlap
    spans = [(s, e) for s, e, _o, _n in tokens]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    # the zero-width char stays inside the first token's span, the token itself is clean
    assert tokens[0][0] == 0 and tokens[0][2].startswith("Tlg")


def test_offsets_with_multiword_standard_forms():
    text = "mksh ya kak"
    tokens = tokens_with_offsets(text)
    assert tokens[0] == (0, 4, "mksh", "terima kasih")
    assert tokens[1] == (5, 7, "ya", "ya")


def test_glued_tokens_are_split_for_normalisation():
    # a tokenizer may hand over "sy,gk" as one token
    assert normalize_token("sy,gk") == "saya tidak"
    assert normalize_token("tolong!!") == "tolong"


def test_lexicon_file_is_well_formed():
    lines = LEXICON.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#") and "provenance" in lines[0].lower()
    entries = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
    keys = [ln.split("\t")[0] for ln in entries]
    assert all(len(ln.split("\t")) == 2 for ln in entries)
    assert len(keys) == len(set(keys)), "duplicate slang forms"
    assert all(not re.search(r"\s", k) for k in keys), "slang forms must be single tokens"
    assert 300 <= len(entries) <= 800
    assert all(k != v for k, v in (ln.split("\t") for ln in entries)), "identity entries are useless"


def test_normalisation_is_fast():
    text = "Tolongggg kak sy gk dibayar gajih udh 3 bln, majikn marah2 trs, skrg sy di HK " * 4
    normalize_token.cache_clear()
    started = time.perf_counter()
    for _ in range(500):
        normalize_text(text)
    assert time.perf_counter() - started < 2.0
