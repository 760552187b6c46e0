"""Answer service: placeholders per country, contacts block, aliases, search."""
from __future__ import annotations

import re

import pytest

from knowledge_base import RenderedAnswer, render_answer, render_contacts, search


def test_nomor_kdei_for_taiwan_gives_taiwan_numbers(kb):
    text = "nomor kdei"
    assert kb.search(text)[0][0] == "nomor_perwakilan"
    assert kb.resolve_country(text) == "TW"
    answer = render_answer(kb, "nomor_perwakilan", "id", "TW")
    assert isinstance(answer, RenderedAnswer)
    assert answer.text.startswith("KDEI Taipei:")
    assert "+886 901 132 000" in answer.text and "+886 987 587 000" in answer.text
    assert "Apr 2024" in answer.text and "cek dulu" in answer.text  # stale number carries date + advice
    assert "+62 812 9007 0027" in answer.text and "+62 21 2924 4800" in answer.text
    assert "{" not in answer.text


def test_labour_hotline_per_country(kb):
    tw = render_answer(kb, "hotline_tenaga_kerja", "id", "TW").text
    assert "1955" in tw and "Bahasa Indonesia" in tw
    hk = render_answer(kb, "hotline_tenaga_kerja", "en", "HK").text
    assert "2157 9537" in hk and "Hong Kong" in hk
    my = render_answer(kb, "hotline_tenaga_kerja", "id", "MY").text
    assert "belum ada di data kami" in my and "KBRI Kuala Lumpur" in my


def test_unknown_country_gets_generic_text(kb):
    answer = render_answer(kb, "nomor_perwakilan", "id", None)
    assert answer.text.startswith("KBRI/KJRI terdekat:")
    assert "Safe Travel" in answer.text
    assert answer.country_code is None
    assert render_answer(kb, "nomor_darurat", "id", "XX").country_code is None


def test_country_without_numbers_points_to_national_channels(kb):
    text = render_answer(kb, "nomor_darurat", "id", "KW").text
    assert "belum ada di data kami" in text and "Safe Travel" in text and "+62 812 9007 0027" in text
    assert "Perwakilan RI di Kuwait" in text


def test_every_entry_renders_for_every_country_and_language(kb):
    codes = [None, *(c.code for c in kb.countries)]
    for entry in kb.entries:
        for lang in ("id", "en"):
            for code in codes:
                answer = render_answer(kb, entry.id, lang, code)
                assert answer.text and "{" not in answer.text and "}" not in answer.text, (entry.id, lang, code)
                assert len(answer.text) < 4000
                assert answer.source_line.startswith("Sumber: " if lang == "id" else "Sources: ")
                assert "2026-11-29" in answer.source_line
                assert not re.search(r"<[a-z/]", answer.text), "plain text only"


def test_english_and_related(kb):
    answer = render_answer(kb, "paspor_hilang", "en", "SG")
    assert answer.title == "Lost passport: SPLP"
    assert "+65 9295 3964" in answer.text and "single report (Feb 2020)" in answer.text
    assert answer.related and all(isinstance(rid, str) and title for rid, title in answer.related)
    assert ("biaya_urus_paspor", "Passport renewal: pay only the official fee") in answer.related
    # unknown language falls back to Indonesian
    assert render_answer(kb, "paspor_hilang", "jv", "SG").title == "Paspor hilang: SPLP"


def test_source_line_cites_domain_and_date(kb):
    line = render_answer(kb, "biaya_penempatan_gratis", "id", None).source_line
    assert "nasional.kompas.com (17 Agu 2020)" in line
    assert "+2 lainnya" in line


def test_country_specific_entry_uses_its_country(kb):
    answer = render_answer(kb, "spsk_arab_saudi", "id", "HK")
    assert "KJRI Jeddah" in answer.text and "+966 50 360 9667" in answer.text
    assert "KJRI Hong Kong" not in answer.text


def test_placement_status(kb):
    assert "99.773" in render_answer(kb, "status_penempatan_negara", "id", "HK").text
    assert "tidak punya kerja sama" in render_answer(kb, "status_penempatan_negara", "id", "KH").text
    assert "belum bisa memastikan" in render_answer(kb, "status_penempatan_negara", "id", "SA").text


def test_unknown_entry_raises(kb):
    with pytest.raises(KeyError):
        render_answer(kb, "tidak_ada", "id", None)


# --- emergency contacts block ----------------------------------------------------------------------------------
def test_contacts_for_unknown_country_still_have_kp2mi_and_kemlu(kb):
    for code in (None, "XX", ""):
        block = render_contacts(kb, code, "id")
        assert "KP2MI: +62 21 2924 4800" in block
        assert "0811-8080-141" in block
        assert "+62 812 9007 0027" in block
        assert "Safe Travel" in block
        assert len(block.splitlines()) <= 6


def test_contacts_for_hong_kong(kb):
    block = render_contacts(kb, "HK", "en")
    lines = block.splitlines()
    assert lines[0] == "Important numbers - Hong Kong"
    assert lines[1].startswith("Local emergency: 999")
    assert "+852 5242 2240" in block and "single report" not in block  # short notes in the block
    assert "Sep 2025 data, double-check" in block
    assert "Oct 2021 data, double-check" in block


def test_contacts_short_for_every_country(kb):
    for country in kb.countries:
        for lang in ("id", "en"):
            block = render_contacts(kb, country.code, lang)
            assert len(block) < 900, (country.code, len(block))
            assert "+62 21 2924 4800" in block and "+62 812 9007 0027" in block
            assert country.name.get(lang) in block.splitlines()[0]


def test_contacts_mark_single_source_emergency_number(kb):
    block = render_contacts(kb, "SA", "id")
    assert "997 (Darurat medis; data Jan 2026, cek dulu)" in block


# --- aliases and search ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, code", [
    ("hongkong", "HK"), ("HK", "HK"), ("kerja di hk", "HK"), ("Hong Kong", "HK"),
    ("taiwan", "TW"), ("di tw", "TW"), ("kdei", "TW"),
    ("msia", "MY"), ("malaysia", "MY"), ("MY", "MY"),
    ("singapura", "SG"), ("sg", "SG"),
    ("jepang", "JP"), ("korsel", "KR"), ("korea selatan", "KR"),
    ("arab saudi", "SA"), ("saudi", "SA"), ("arab", "SA"), ("jeddah", "SA"),
    ("brunei", "BN"), ("turki", "TR"), ("Türkiye", "TR"),
    ("dubai", "AE"), ("uae", "AE"), ("uni emirat arab", "AE"),
    ("qatar", "QA"), ("kuwait", "KW"), ("kamboja", "KH"),
])
def test_resolve_country(kb, text, code):
    assert kb.resolve_country(text) == code


@pytest.mark.parametrize("text", ["gk tw", "in my passport", "sy mau tanya", "", None, "indonesia"])
def test_resolve_country_none(kb, text):
    assert kb.resolve_country(text) is None


def test_lookups(kb):
    assert kb.entry("paspor_hilang").category == "dokumen"
    assert kb.entry("tidak_ada") is None
    assert kb.country("tw").code == "TW" and kb.country(None) is None and kb.country("XX") is None
    cats = kb.categories()
    assert cats[0].code == "biaya" and cats[0].label.get("en") == "Placement costs"
    assert {e.id for e in kb.entries_in("privasi")} == {"data_yang_disimpan", "siapa_membaca_kasus", "hapus_data"}


def test_search(kb):
    hits = search(kb, "paspor sy dipegang bos, boleh gk?")
    assert hits[0][0] == "paspor_dipegang_majikan"
    assert all(isinstance(i, str) and 0 < s <= 1 for i, s in hits)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert search(kb, "qwerty zxcv") == []
    assert search(kb, "") == []
    assert len(kb.search("bpjs", limit=2)) == 2
