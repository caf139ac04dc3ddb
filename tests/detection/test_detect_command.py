"""`chorus-tui detect`: JSON lines, exit statuses, readable text, and hostile text layers."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chorus_tui.commands import detect as detect_command
from chorus_tui.i18n import set_language
from chorus_tui.sandbox.directory import DEMO_SUPPLIER
from chorus_tui.sources import demo_invoice_folder, pdf
from chorus_tui.sources.text import clean_text

from .builders import write_pdf

REPO_ROOT = Path(__file__).resolve().parents[2]
JSON_KEYS = {
    "file", "invoice_number", "invoice_date", "total_ttc", "recipient_siret", "service_code",
    "engagement_number", "contract_number", "mandataire_siret", "warnings",
}


def run_detect(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demo", action="store_true")  # a common option that cli.py adds
    detect_command.add_arguments(parser)
    return detect_command.run(parser.parse_args(argv))


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


@pytest.fixture(autouse=True)
def french():
    set_language("fr")
    yield
    set_language("fr")


def test_json_demo_invoice(capsys):
    path = demo_invoice_folder() / "FAC-2026-0004_aubrac.pdf"
    assert run_detect(["--json", str(path)]) == 0
    (record,) = json_lines(capsys.readouterr().out)
    assert JSON_KEYS <= set(record)
    assert record["file"] == str(path)
    assert record["invoice_number"] == "FAC-2026-0004"
    assert record["invoice_date"] == "2026-03-12"
    assert record["total_ttc"] == "3840.00"
    assert record["recipient_siret"] == "21672731377843"
    assert record["service_code"] == "TRAVAUX"
    assert record["engagement_number"] == "AUB-2026-017"
    assert record["contract_number"] == "MAPA-2026-03"
    assert record["mandataire_siret"] is None
    assert record["warnings"] == []


def test_json_unreadable_file_exit_1(tmp_path, capsys):
    good = demo_invoice_folder() / "FAC-2026-0001_beaurivage.pdf"
    bad = tmp_path / "bad.pdf"
    bad.write_text("not a pdf")
    assert run_detect(["--json", str(good), str(bad)]) == 1
    records = json_lines(capsys.readouterr().out)
    assert len(records) == 2
    assert records[0]["invoice_number"] == "FAC-2026-0001"
    assert set(records[1]) == {"file", "error"}
    assert records[1]["file"] == str(bad)
    assert "n'est pas un PDF" in records[1]["error"]


def test_json_warnings_in_english(capsys):
    set_language("en")
    path = demo_invoice_folder() / "FAC-2026-0006_universite-montclair.pdf"
    assert run_detect(["--json", str(path)]) == 0
    (record,) = json_lines(capsys.readouterr().out)
    assert record["recipient_siret"] == "19973091200012"
    assert record["warnings"] == [
        "The recipient SIRET 19973091200012 fails the checksum: check it with the buyer or in the Chorus Pro directory."
    ]


def test_json_folder_argument(capsys):
    assert run_detect(["--json", str(demo_invoice_folder())]) == 0
    records = json_lines(capsys.readouterr().out)
    assert len(records) >= 12
    assert [record["file"] for record in records] == sorted(record["file"] for record in records)


def test_demo_without_files(capsys):
    assert run_detect(["--json", "--demo"]) == 0
    assert len(json_lines(capsys.readouterr().out)) >= 12


def test_no_files_is_an_error(capsys):
    assert run_detect([]) == 2
    assert "Aucun fichier" in capsys.readouterr().err


def test_supplier_siret_option(tmp_path, capsys):
    path = write_pdf(tmp_path / "f.pdf", ["Facture N° FAC-2026-0300", f"SIRET : {DEMO_SUPPLIER.siret}"])
    assert run_detect(["--json", str(path)]) == 0
    assert json_lines(capsys.readouterr().out)[0]["recipient_siret"] == DEMO_SUPPLIER.siret
    assert run_detect(["--json", "--supplier-siret", DEMO_SUPPLIER.siret, str(path)]) == 0
    record = json_lines(capsys.readouterr().out)[0]
    assert record["recipient_siret"] is None
    assert record["warnings"] == ["Seul votre propre SIRET figure sur la facture : indiquez le SIRET du destinataire."]


def test_readable_text_output(capsys):
    path = demo_invoice_folder() / "FAC-2026-0009_metropole-montclair.pdf"
    assert run_detect([str(path)]) == 0
    output = capsys.readouterr().out
    assert "FAC-2026-0009" in output
    assert "244 914 529 00015" in output
    assert "N° d'engagement" in output
    assert "3 300,00 €" in output
    assert "Constructions Armor SAS 532 418 779 00015" in output


def test_readable_text_error(tmp_path, capsys):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"")
    assert run_detect([str(bad)]) == 1
    assert "Erreur : Le fichier" in capsys.readouterr().out


HOSTILE_PAGES = [
    "FACTURE N\u00ba FAC-2026-0500\nSIRET\u00a0: 211\u2009707\u2009534\u202f55688\nService : \ud83d ST\ue000",
    "\ufb01n \ufb02ux \ufb03 \udc00\udfff \uf8ff \x00\x07 \u200b\ufeff\u00ad \u202eevil\u202c e\u0301\r\n"
    "N\u00b0 engagement : 13000\u200b12345\nTotal TTC 1\u202f200,00\u00a0€",
    "\ud800" * 50 + "SIRET ２１１７０７５３４５５６８８",
]


def test_hostile_text_never_crashes_json(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(pdf, "_page_texts", lambda document: list(HOSTILE_PAGES))
    path = write_pdf(tmp_path / "hostile.pdf", ["placeholder"])
    assert run_detect(["--json", str(path)]) == 0
    output = capsys.readouterr().out
    output.encode("utf-8")  # no lone surrogate reached the output
    (record,) = json_lines(output)
    assert record["invoice_number"] == "FAC-2026-0500"
    assert record["recipient_siret"] == "21170753455688"
    assert record["service_code"] == "ST"
    assert record["engagement_number"] == "1300012345"
    assert record["total_ttc"] == "1200.00"


def test_hostile_text_never_crashes_readable(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(pdf, "_page_texts", lambda document: list(HOSTILE_PAGES))
    path = write_pdf(tmp_path / "hostile.pdf", ["placeholder"])
    assert run_detect([str(path)]) == 0
    capsys.readouterr().out.encode("utf-8")


@pytest.mark.parametrize("page", HOSTILE_PAGES)
def test_clean_text_output_is_encodable(page):
    cleaned = clean_text(page)
    cleaned.encode("utf-8")
    assert "\ufb01" not in cleaned
    assert all(not 0xE000 <= ord(char) <= 0xF8FF for char in cleaned)


def test_clean_text_folds_spaces_and_ligatures():
    assert clean_text("Total\u00a0TTC\u202f:\u20091\u202f200,00") == "Total TTC : 1 200,00"
    assert clean_text("con\ufb01rm\u00e9") == "confirmé"
    assert clean_text("a\r\nb\rc") == "a\nb\nc"


def test_ascii_terminal_json_still_parses(tmp_path):
    """With an ASCII-only stdout, non-ASCII characters are escaped instead of crashing."""
    path = demo_invoice_folder() / "FAC-2026-0011_ministere.pdf"
    script = (
        "import argparse, sys\n"
        "from chorus_tui.commands import detect\n"
        "parser = argparse.ArgumentParser(); detect.add_arguments(parser)\n"
        "sys.exit(detect.run(parser.parse_args(sys.argv[1:])))\n"
    )
    environment = dict(os.environ, PYTHONIOENCODING="ascii", LANG="C", LC_ALL="C")
    result = subprocess.run(
        [sys.executable, "-c", script, "--json", str(path)],
        capture_output=True, cwd=REPO_ROOT, env=environment, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    record = json.loads(result.stdout.decode("ascii"))
    assert record["customer_name"] == "Ministère de la Transition numérique - Secrétariat général"


def test_cli_entry_point(capsys):
    from chorus_tui.cli import main

    path = demo_invoice_folder() / "FAC-2026-0002_lussac.pdf"
    assert main(["detect", "--json", "--lang", "fr", str(path)]) == 0
    (record,) = json_lines(capsys.readouterr().out)
    assert record["engagement_number"] == "BC-2026-0412"


def test_profile_supplier_siret_excluded(tmp_path, capsys):
    from chorus_tui.config import AppConfig, ProfileConfig, save_config

    save_config(AppConfig(profiles={"default": ProfileConfig(supplier_siret=DEMO_SUPPLIER.siret)}))
    path = write_pdf(tmp_path / "f.pdf", ["Facture N° FAC-2026-0301", f"SIRET : {DEMO_SUPPLIER.siret}"])
    assert run_detect(["--json", str(path)]) == 0
    assert json_lines(capsys.readouterr().out)[0]["recipient_siret"] is None


def test_demo_supplier_siret_excluded(tmp_path, capsys):
    path = write_pdf(tmp_path / "f.pdf", ["Facture N° FAC-2026-0302", f"SIRET : {DEMO_SUPPLIER.siret}"])
    assert run_detect(["--json", "--demo", str(path)]) == 0
    assert json_lines(capsys.readouterr().out)[0]["recipient_siret"] is None
