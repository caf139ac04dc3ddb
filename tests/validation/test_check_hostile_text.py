"""`chorus-tui check` on text and file names that PDF libraries and file systems hand over damaged."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest

from chorus_tui.commands import check
from chorus_tui.sources import pdf
from tests.detection.builders import write_pdf
from tests.detection.test_detect_command import HOSTILE_PAGES
from tests.validation.test_check_command import TODAY, parse

VALMORIN = "21170753455688"


def run_check_to_bytes(monkeypatch, *argv: str) -> tuple[int, str]:
    """Run the command with a UTF-8 standard output, as a terminal gives; return the status and the text."""
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", stream)
    status = check.run(parse("--today", TODAY, *argv))
    stream.flush()
    return status, raw.getvalue().decode("utf-8")


@pytest.mark.parametrize("json_flag", [["--json"], []], ids=["json", "text"])
def test_hostile_page_text_never_crashes(tmp_path, monkeypatch, json_flag):
    monkeypatch.setattr(pdf, "_page_texts", lambda document: list(HOSTILE_PAGES))
    path = write_pdf(tmp_path / "hostile.pdf", ["placeholder"])

    status, output = run_check_to_bytes(monkeypatch, "--demo", *json_flag, str(path))

    assert status in (check.EXIT_OK, check.EXIT_BLOCKING)
    if json_flag:
        (report,) = [json.loads(line) for line in output.splitlines()]
        assert report["form"]["recipient_siret"] == VALMORIN
        assert report["form"]["engagement_number"] == "1300012345"
        assert all(entry["message"] for entry in report["checks"])


@pytest.mark.skipif(sys.platform == "win32", reason="file names are not bytes on Windows")
@pytest.mark.parametrize("json_flag", [["--json"], []], ids=["json", "text"])
def test_undecodable_file_name_never_crashes(tmp_path, monkeypatch, json_flag):
    # Bytes that are not UTF-8 become lone surrogates in the str of the path (PEP 383).
    name = os.fsdecode(b"FAC-\xff\xfe-\xef\x80\x80.pdf")
    path = write_pdf(tmp_path / name, ["Facture N° FAC-2026-0700", f"SIRET : {VALMORIN}", "Total TTC 120,00 €"])

    status, output = run_check_to_bytes(monkeypatch, "--demo", *json_flag, str(path))

    assert status in (check.EXIT_OK, check.EXIT_BLOCKING)
    assert "FAC-" in output
    if json_flag:
        (report,) = [json.loads(line) for line in output.splitlines()]
        assert report["invoice_number"] == "FAC-2026-0700"
        assert report["file"].startswith(str(tmp_path))
        assert "\ufffd" in report["file"]


def test_json_line_ascii_terminal():
    line = check.json_line({"file": "FAC-\udcff-é.pdf", "message": "Déposée 🙂"}, ascii_only=True)
    assert line.isascii()
    assert json.loads(line) == {"file": "FAC-\ufffd-é.pdf", "message": "Déposée 🙂"}


def test_json_line_utf8_terminal():
    line = check.json_line({"file": "FAC-\udcff.pdf"}, ascii_only=False)
    line.encode("utf-8")
    assert json.loads(line) == {"file": "FAC-\ufffd.pdf"}
