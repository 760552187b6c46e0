"""The validator catches each class of content error (trees built in tmp_path)."""
from __future__ import annotations

import datetime as dt

import pytest

from knowledge_base import __main__ as cli
from knowledge_base.validate import looks_invented, phone_problem, validate_tree

from .conftest import SRC


def problems_of(root) -> list[str]:
    return [str(p) for p in validate_tree(root)]


def assert_problem(root, *needles: str) -> None:
    found = problems_of(root)
    assert any(all(n in line for n in needles) for line in found), f"no problem with {needles} in {found}"


def test_minimal_tree_is_clean(make_tree):
    assert problems_of(make_tree()) == []


def test_schema_missing_field_and_unknown_category(make_tree):
    def mutate(t):
        del t["faq"][0]["title"]
        t["faq"][1]["category"] = "gosip"
    root = make_tree(mutate)
    assert_problem(root, "entry_one", "missing field `title`")
    assert_problem(root, "entry_two", "unknown category 'gosip'")


def test_unknown_field_is_reported(make_tree):
    root = make_tree(lambda t: t["faq"][0].update(source=[SRC]))
    assert_problem(root, "entry_one", "unknown field `source`")


def test_bad_yaml_is_reported(make_tree):
    root = make_tree()
    (root / "faq" / "broken.yml").write_text("entries: [\n  - id: x\n", encoding="utf-8")
    assert_problem(root, "faq/broken.yml", "cannot parse YAML")


def test_duplicate_ids(make_tree):
    def mutate(t):
        t["faq"][1]["id"] = "entry_one"
        t["faq"][1]["questions"] = [q.replace("dua", "tiga") for q in t["faq"][1]["questions"]]
    assert_problem(make_tree(mutate), "entry_one", "duplicate id")


def test_duplicate_question_across_entries(make_tree):
    def mutate(t):
        t["faq"][1]["questions"][0] = "Satu PASPOR 0 gmn caranya ya??"  # same after normalisation
    assert_problem(make_tree(mutate), "duplicates question 1 of entry entry_one")


def test_near_duplicate_question_across_entries(make_tree):
    def mutate(t):
        t["faq"][0]["questions"][0] = "cara perpanjang paspor di kdei taipei berapa biayanya"
        t["faq"][1]["questions"][0] = "cara perpanjang paspor di kdei taipei berapa biaya nya sekarang"
    assert_problem(make_tree(mutate), "near-duplicate")


def test_near_duplicate_question_within_entry(make_tree):
    def mutate(t):
        t["faq"][0]["questions"][0] = "majikan pegang paspor saya boleh tidak"
        t["faq"][0]["questions"][1] = "majikan pegang paspor sy boleh gk sih"
    assert_problem(make_tree(mutate), "near-duplicate", "the same entry")


def test_too_few_questions(make_tree):
    root = make_tree(lambda t: t["faq"][0].update(questions=t["faq"][0]["questions"][:5]))
    assert_problem(root, "entry_one", "only 5 example questions")


def test_question_that_breaks_rasa(make_tree):
    root = make_tree(lambda t: t["faq"][0]["questions"].__setitem__(0, "nomor [kbri](country) brp"))
    assert_problem(root, "entry_one", "breaks Rasa")


def test_entry_without_sources(make_tree):
    root = make_tree(lambda t: t["faq"][0].update(sources=[]))
    assert_problem(root, "entry_one", "no sources")
    root = make_tree(lambda t: t["faq"][0].pop("sources"))
    assert_problem(root, "entry_one", "missing field `sources`")


def test_source_without_url_or_with_bad_date(make_tree):
    root = make_tree(lambda t: t["faq"][0].update(sources=[{"url": "kompas dot com", "date": "kemarin"}]))
    assert_problem(root, "not an http(s) URL")
    assert_problem(root, "date must be YYYY")


@pytest.mark.parametrize("number, needle", [
    ("+82-10-9876-5432", "placeholder"),       # flagged in the fact sheet
    ("+62 812 3456 7890", "looks invented"),   # sequential digits
    ("+886 900 000 000", "looks invented"),    # repeated digits
    ("+62 (21) 2924", "malformed"),            # parentheses
    ("12", "malformed"),                       # too short
    ("call 999", "malformed"),
    ("+62 21", "malformed"),                   # too few digits for international
])
def test_bad_phone_numbers_in_profiles(make_tree, number, needle):
    root = make_tree(lambda t: t["countries"][0]["mission"]["hotlines"][0].update(number=number))
    assert_problem(root, "mission.hotlines[0]", needle)


@pytest.mark.parametrize("number", ["999", "110", "1955", "2157 9537", "0-800-1000", "0811-8080-141",
                                    "+62 21 2924 4800", "+82-10-5394-2546", "02-2224-9000", "+60 17-668 8032"])
def test_real_number_shapes_are_accepted(number):
    assert phone_problem(number) is None


def test_looks_invented():
    assert looks_invented("821098765432")
    assert looks_invented("6512345678")
    assert not looks_invented("85268942799")


def test_number_written_in_answer_must_be_registered(make_tree):
    root = make_tree(lambda t: t["faq"][1]["answer"].update(id="Telepon +65 9295 3964 sekarang."))
    assert_problem(root, "entry_two", "not in a country profile or national.yml")
    root = make_tree(lambda t: t["faq"][1]["answer"].update(id="Telepon +82-10-9876-5432 sekarang."))
    assert_problem(root, "entry_two", "placeholder")


def test_registered_number_in_answer_is_fine(make_tree):
    root = make_tree(lambda t: t["faq"][1]["answer"].update(id="Dari Indonesia: 0-800-1000.",
                                                             en="From Indonesia: 0-800-1000."))
    assert problems_of(root) == []


def test_verified_but_old_number_must_be_stale(make_tree):
    def mutate(t):
        hotline = t["countries"][0]["mission"]["hotlines"][0]
        hotline.update(status="verified", source={"url": "https://example.org/x", "date": "2016-07-05"})
    assert_problem(make_tree(mutate), "is 'verified' but its newest source is from 2016-07-05")


def test_answer_too_long(make_tree):
    root = make_tree(lambda t: t["faq"][1]["answer"].update(id="Kalimat pendek. " * 250))
    assert_problem(root, "entry_two", "answer.id is", "max 3000")


def test_unknown_related_id(make_tree):
    root = make_tree(lambda t: t["faq"][0].update(related=["entry_two", "tidak_ada"]))
    assert_problem(root, "entry_one", "related id 'tidak_ada' does not exist")


def test_unknown_placeholder_and_stray_brace(make_tree):
    root = make_tree(lambda t: t["faq"][1]["answer"].update(id="Hubungi {nomor_kbri} {", en="Call {nomor_kbri}"))
    assert_problem(root, "entry_two", "unknown placeholder {nomor_kbri}")
    assert_problem(root, "entry_two", "stray brace")


def test_placeholder_without_profile_data(make_tree):
    def mutate(t):
        t["faq"][1]["countries"] = ["TW"]
        t["faq"][1]["answer"] = {"id": "Hubungi:\n{labour_hotline}", "en": "Call:\n{labour_hotline}"}
    assert_problem(make_tree(mutate), "entry_two", "{labour_hotline}", "TW profile has no data")


def test_entry_for_country_without_profile(make_tree):
    root = make_tree(lambda t: t["faq"][1].update(countries=["QA"]))
    assert_problem(root, "entry_two", "country QA has no profile")


def test_national_channel_needed_by_placeholder(make_tree):
    root = make_tree(lambda t: t["national"].update(channels=t["national"]["channels"][:3]))
    assert_problem(root, "national.yml", "kemlu_hotline", "is missing")


def test_last_verified_in_the_future(make_tree):
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    root = make_tree(lambda t: t["faq"][0].update(last_verified=future))
    assert_problem(root, "entry_one", "is in the future")
    root = make_tree(lambda t: t["countries"][0].update(last_verified=future))
    assert_problem(root, "TW", "is in the future")


def test_country_rules(make_tree):
    def mutate(t):
        other = dict(t["countries"][0], code="HK", aliases=["hongkong", "taiwan"], timezone="Asia/Nowhere")
        t["countries"].append(other)
    root = make_tree(mutate)
    assert_problem(root, "alias 'taiwan' is also used by")
    assert_problem(root, "HK", "unknown IANA time zone")


def test_cli_validate_exit_codes(make_tree, capsys):
    assert cli.main(["--root", str(make_tree()), "validate"]) == 0
    assert "OK: 2 entries, 1 countries" in capsys.readouterr().out
    bad = make_tree(lambda t: t["faq"][0].update(related=["nope"]))
    assert cli.main(["--root", str(bad), "validate"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "faq/all.yml: entry_one: related id 'nope' does not exist"
    assert out[-1] == "1 problem(s) found"
