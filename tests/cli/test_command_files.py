"""`detect` and `check` as a user runs them: which files they read, exit statuses, and what they print."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chorus_tui.cli import main
from chorus_tui.sources import demo_invoice_folder

# Later than every demo invoice's date, so that none is dated in the future.
TODAY = "2026-12-31"


def demo_file(prefix: str) -> Path:
    (path,) = sorted(demo_invoice_folder().glob(f"{prefix}*.pdf"))
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def json_records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


@pytest.fixture
def empty_folder(tmp_path) -> Path:
    folder = tmp_path / "vide"
    folder.mkdir()
    (folder / "notes.txt").write_text("pas une facture")
    return folder


# --- a folder without PDF files is reported, never replaced by the demo invoices --------------------


@pytest.mark.parametrize("command", ["detect", "check"])
def test_demo_empty_folder_named(capsys, empty_folder, command):
    status, out, _err = run(capsys, command, "--lang", "fr", "--demo", "--json", str(empty_folder))
    records = json_records(out)
    assert status == 1
    assert len(records) == 1
    assert records[0]["file"] == str(empty_folder)
    assert records[0]["error"].startswith(f"Le dossier {empty_folder} ne contient aucun fichier PDF")


@pytest.mark.parametrize("command", ["detect", "check"])
def test_empty_folder_text_names_it(capsys, empty_folder, command):
    status, out, _err = run(capsys, command, "--lang", "fr", str(empty_folder))
    assert status == 1
    assert f"Le dossier {empty_folder} ne contient aucun fichier PDF" in out
    assert "FAC-2026" not in out


@pytest.mark.parametrize("command", ["detect", "check"])
def test_empty_folder_beside_invoice(capsys, empty_folder, command):
    invoice = demo_file("FAC-2026-0001")
    extra = ["--today", TODAY] if command == "check" else []
    status, out, _err = run(capsys, command, "--lang", "fr", "--demo", "--json", *extra,
                            str(empty_folder), str(invoice))
    records = json_records(out)
    assert status == 1
    assert [record["file"] for record in records] == [str(empty_folder), str(invoice)]
    assert "error" in records[0]
    assert records[1]["invoice_number"] == "FAC-2026-0001"


@pytest.mark.parametrize("command", ["detect", "check"])
def test_demo_without_files_reads_samples(capsys, command):
    status, out, _err = run(capsys, command, "--lang", "fr", "--demo", "--json")
    records = json_records(out)
    assert len(records) == len(sorted(demo_invoice_folder().glob("*.pdf")))
    assert status in (0, 1)


# --- exit statuses: 0 read, 1 unreadable, 2 nothing named -------------------------------------------


@pytest.mark.parametrize("command", ["detect", "check"])
def test_no_file_exits_two(capsys, command):
    status, out, err = run(capsys, command, "--lang", "fr")
    assert status == 2
    assert out == ""
    assert "--demo" in err


@pytest.mark.parametrize("command", ["detect", "check"])
def test_missing_file_exits_one(capsys, tmp_path, command):
    missing = tmp_path / "absente.pdf"
    status, out, _err = run(capsys, command, "--lang", "fr", "--demo", "--json", str(missing))
    (record,) = json_records(out)
    assert status == 1
    assert record["error"] == f"Fichier introuvable : {missing}. Vérifiez le chemin."


@pytest.mark.parametrize("command", ["detect", "check"])
def test_text_file_named_pdf_exits_one(capsys, tmp_path, command):
    fake = tmp_path / "fausse.pdf"
    fake.write_text("Facture FAC-1, texte brut")
    status, out, _err = run(capsys, command, "--lang", "fr", "--demo", str(fake))
    assert status == 1
    assert f"{fake} n'est pas un PDF : exportez la facture en PDF ou en Factur-X" in out
    assert "déposez" not in out


@pytest.mark.parametrize(("start", "content"), [
    (b"Facture FAC-1\nTotal 12,00 \xe2\x82\xac", "Son contenu ressemble à du texte brut."),
    (b"\xef\xbb\xbf  <!DOCTYPE html><html>", "Son contenu ressemble à une page HTML ou un fichier XML."),
    (b"PK\x03\x04\x14\x00", "Son contenu ressemble à une archive ZIP, ou un document Word, Excel ou OpenDocument."),
    (b"\x89PNG\r\n\x1a\n", "Son contenu ressemble à une image PNG."),
    (b"\xff\xd8\xff\xe0", "Son contenu ressemble à une image JPEG."),
])
def test_not_pdf_names_content(capsys, tmp_path, start, content):
    fake = tmp_path / "facture.pdf"
    fake.write_bytes(start)
    status, out, _err = run(capsys, "detect", "--lang", "fr", "--json", str(fake))
    (record,) = json_records(out)
    assert status == 1
    assert record["error"].endswith(content)


def test_not_pdf_unknown_content(capsys, tmp_path):
    fake = tmp_path / "facture.pdf"
    fake.write_bytes(bytes(range(256)))
    _status, out, _err = run(capsys, "detect", "--lang", "fr", "--json", str(fake))
    (record,) = json_records(out)
    assert record["error"] == f"{fake} n'est pas un PDF : exportez la facture en PDF ou en Factur-X depuis votre " \
        "logiciel de facturation."


def test_not_pdf_content_in_english(capsys, tmp_path):
    fake = tmp_path / "invoice.pdf"
    fake.write_text("Invoice 1")
    _status, out, _err = run(capsys, "check", "--lang", "en", str(fake))
    assert "is not a PDF: export the invoice as a PDF or Factur-X file" in out
    assert "Its content looks like plain text." in out


def test_detect_readable_file_exits_zero(capsys):
    status, _out, _err = run(capsys, "detect", "--lang", "fr", str(demo_file("FAC-2026-0006")))
    assert status == 0


# --- detect --json lists the SIRET candidates like check --json -------------------------------------


def test_detect_json_has_check_candidates(capsys):
    invoice = demo_file("FAC-2026-0014")
    _status, out, _err = run(capsys, "detect", "--lang", "fr", "--demo", "--json", str(invoice))
    (detected,) = json_records(out)
    _status, out, _err = run(capsys, "check", "--lang", "fr", "--demo", "--json", "--today", TODAY, str(invoice))
    (checked,) = json_records(out)

    candidates = detected["candidates"]
    assert candidates == checked["candidates"]
    assert [candidate["siret"] for candidate in candidates][:2] == ["18594069900019", "19799229069576"]
    for candidate in candidates:
        assert set(candidate) == {"siret", "source", "score", "reason", "checksum_valid"}
        assert candidate["reason"]


# --- check's summary line -----------------------------------------------------------------------------


def test_check_counts_detection_warnings(capsys):
    status, out, _err = run(capsys, "check", "--lang", "fr", "--demo", "--today", TODAY,
                            str(demo_file("FAC-2026-0006")))
    printed_warnings = out.count("[ATTENTION]") + out.split("Avertissements :", 1)[1].split("Contrôles")[0].count("- ")
    assert status == 1
    assert printed_warnings == 1
    assert "Dépôt impossible en l'état : 1 point bloquant, 1 avertissement." in out


def test_offline_check_not_called_ready(capsys):
    status, out, _err = run(capsys, "check", "--lang", "fr", "--today", TODAY, str(demo_file("FAC-2026-0001")))
    assert status == 0
    assert "Prête à déposer" not in out
    assert ("Aucun point bloquant dans les contrôles hors ligne (1 avertissement) ; "
            "les contrôles de l'annuaire Chorus Pro restent à faire avant le dépôt.") in out


def test_json_says_whether_directory_checked(capsys):
    invoice = str(demo_file("FAC-2026-0001"))
    _status, out, _err = run(capsys, "check", "--lang", "fr", "--json", "--today", TODAY, invoice)
    (offline,) = json_records(out)
    _status, out, _err = run(capsys, "check", "--lang", "fr", "--demo", "--json", "--today", TODAY, invoice)
    (online,) = json_records(out)
    assert offline["directory_checked"] is False
    assert online["directory_checked"] is True


def test_demo_check_still_says_ready(capsys):
    status, out, _err = run(capsys, "check", "--lang", "fr", "--demo", "--today", TODAY,
                            str(demo_file("FAC-2026-0001")))
    assert status == 0
    assert "Prête à déposer : aucun point bloquant, 0 avertissement." in out


# --- English reports use one date format, one money format, English labels ---------------------------


@pytest.mark.parametrize("command", ["detect", "check"])
def test_english_report_formats(capsys, command):
    extra = ["--today", TODAY] if command == "check" else []
    _status, out, _err = run(capsys, command, "--lang", "en", "--demo", *extra, str(demo_file("FAC-2026-0009")))
    assert "2026-07-02" in out
    assert "02/07/2026" not in out
    assert "€2,750.00" in out
    assert "2,750.00 €" not in out
    assert "3,300.00 €" not in out
    labelled = {line.strip().split("  ")[0]: line.strip() for line in out.splitlines() if "  " in line.strip()}
    assert labelled["Lead contractor"].endswith("Constructions Armor SAS 532 418 779 00015")
    assert "Mandataire" not in out


def test_french_report_formats(capsys):
    _status, out, _err = run(capsys, "detect", "--lang", "fr", str(demo_file("FAC-2026-0009")))
    assert "Date                02/07/2026" in out
    assert "Total TTC           3 300,00 €" in out
    assert "Mandataire          Constructions Armor SAS 532 418 779 00015" in out


def test_folder_of_copied_invoices(capsys, tmp_path):
    folder = tmp_path / "mes-factures"
    folder.mkdir()
    shutil.copy(demo_file("FAC-2026-0004"), folder)
    status, out, _err = run(capsys, "detect", "--lang", "fr", "--json", str(folder))
    (record,) = json_records(out)
    assert status == 0
    assert record["invoice_number"] == "FAC-2026-0004"


def test_detect_help_names_folders(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["detect", "--lang", "fr", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert raised.value.code == 0
    assert "un dossier vaut tous ses PDF" in out
    assert "avec --demo et sans fichier, les factures d'exemple" in out


@pytest.mark.parametrize("command", ["detect", "check"])
def test_unlistable_folder_exits_one(capsys, monkeypatch, empty_folder, command):
    from chorus_tui.sources import FolderSource

    def deny_listing(_source):
        raise PermissionError(13, "Permission denied", str(empty_folder))

    monkeypatch.setattr(FolderSource, "pdf_paths", deny_listing)
    status, out, _err = run(capsys, command, "--lang", "fr", "--json", str(empty_folder))
    (record,) = json_records(out)
    assert status == 1
    expected = f"Impossible de lire le dossier {empty_folder} : Permission denied. Vérifiez ses droits d'accès."
    assert record["error"] == expected
