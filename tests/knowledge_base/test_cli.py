"""CLI: export/import round trip, import refusal, stats, generate-nlu."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from knowledge_base import DEFAULT_ROOT, load
from knowledge_base import __main__ as cli
from knowledge_base.nlu_export import render_nlu, write_nlu, write_nlu_data


def _copy_content(dest: Path) -> Path:
    for name in ("countries", "faq"):
        shutil.copytree(DEFAULT_ROOT / name, dest / name)
    shutil.copy(DEFAULT_ROOT / "national.yml", dest / "national.yml")
    return dest


def test_export_import_round_trip(tmp_path, capsys):
    export = tmp_path / "kb.json"
    assert cli.main(["export", "--out", str(export)]) == 0
    data = json.loads(export.read_text(encoding="utf-8"))
    assert data["format"] == "sahabat-pmi-knowledge-base" and len(data["faq"]) >= 40

    root = tmp_path / "content"
    nlu_out = tmp_path / "nlu" / "faq.yml"
    assert cli.main(["--root", str(root), "import", str(export), "--nlu-out", str(nlu_out)]) == 0
    assert "imported" in capsys.readouterr().out
    original, imported = load(), load(root)
    assert imported == original
    assert nlu_out.read_text(encoding="utf-8") == render_nlu(original)
    # FAQ is written one file per category, countries one file per code
    assert {p.stem for p in (root / "faq").glob("*.yml")} == {e.category for e in original.entries}
    assert (root / "countries" / "tw.yml").exists()


def test_export_to_stdout_and_yaml_import_with_an_edit(tmp_path, capsys):
    assert cli.main(["export"]) == 0
    data = json.loads(capsys.readouterr().out)
    entry = next(e for e in data["faq"] if e["id"] == "kirim_uang")
    entry["title"]["id"] = "Kirim uang ke keluarga di Indonesia"
    edited = tmp_path / "edited.yml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    root = _copy_content(tmp_path / "content")
    (root / "faq" / "stale_file.yml").write_text("entries: []\n", encoding="utf-8")
    assert cli.main(["--root", str(root), "import", str(edited), "--no-generate"]) == 0
    kb = load(root)
    assert kb.entry("kirim_uang").title.id == "Kirim uang ke keluarga di Indonesia"
    assert not (root / "faq" / "stale_file.yml").exists()


def test_invalid_import_is_refused_and_writes_nothing(tmp_path, capsys):
    cli.main(["export", "--out", str(tmp_path / "kb.json")])
    data = json.loads((tmp_path / "kb.json").read_text(encoding="utf-8"))
    data["countries"][0]["mission"]["hotlines"] = [
        {"number": "+82-10-9876-5432", "status": "verified", "source": {"url": "https://indonesiaseoul.org/x",
                                                                        "date": "2024-01-01"}}]
    data["faq"][0]["related"] = ["tidak_ada"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    root = _copy_content(tmp_path / "content")
    before = {p: p.read_bytes() for p in root.rglob("*.yml")}
    capsys.readouterr()
    assert cli.main(["--root", str(root), "import", str(bad), "--nlu-out", str(tmp_path / "n.yml")]) == 1
    out = capsys.readouterr().out
    assert "placeholder, not an official number" in out
    assert "related id 'tidak_ada' does not exist" in out
    assert {p: p.read_bytes() for p in root.rglob("*.yml")} == before
    assert not (tmp_path / "n.yml").exists()


def test_import_of_garbage_is_refused(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something-else", "faq": 3}', encoding="utf-8")
    assert cli.main(["--root", str(tmp_path / "c"), "import", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "format must be" in out and "`faq` must be a list" in out
    assert cli.main(["--root", str(tmp_path / "c"), "import", str(tmp_path / "missing.json")]) == 1


def test_stats(capsys):
    assert cli.main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "per category:" in out and "phone numbers by status:" in out
    assert "TW  Taiwan" in out


def test_generate_nlu_is_deterministic_and_cleans_folder(tmp_path, capsys):
    out = tmp_path / "generated" / "faq.yml"
    out.parent.mkdir()
    (out.parent / "faq_placeholder.yml").write_text("version: '3.1'\n", encoding="utf-8")
    assert cli.main(["generate-nlu", "--out", str(out)]) == 0
    first = out.read_bytes()
    assert [p.name for p in out.parent.iterdir()] == ["faq.yml"]
    write_nlu(load(), out)
    assert out.read_bytes() == first
    data = yaml.safe_load(first)
    kb = load()
    assert data["version"] == "3.1"
    intents = [item["intent"] for item in data["nlu"]]
    assert intents == sorted(intents) == [f"faq/{e.id}" for e in kb.entries]
    first_entry = kb.entries[0]
    examples = [line[2:] for line in data["nlu"][0]["examples"].splitlines()]
    assert examples == list(first_entry.questions)
    assert data["responses"][f"utter_faq/{first_entry.id}"] == [{"text": first_entry.id}]
    assert len(data["responses"]) == len(kb.entries)


def test_write_nlu_data_entry_point(tmp_path):
    """nlu/manage.py calls write_nlu_data() before training."""
    out = write_nlu_data(out=tmp_path / "faq.yml")
    assert out.read_text(encoding="utf-8") == render_nlu(load())
