"""`chorus-tui detect --json` on a file whose name is not valid UTF-8."""

from __future__ import annotations

import io
import json
import os
import sys

import pytest

from tests.detection.builders import write_pdf
from tests.detection.test_detect_command import run_detect


@pytest.mark.skipif(sys.platform == "win32", reason="file names are not bytes on Windows")
def test_undecodable_file_name_prints_json(tmp_path, monkeypatch):
    # Bytes that are not UTF-8 become lone surrogates in the str of the path (PEP 383).
    path = write_pdf(tmp_path / os.fsdecode(b"FAC-\xff.pdf"), ["Facture N° FAC-2026-0720"])
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8")  # strict, as in a UTF-8 locale
    monkeypatch.setattr(sys, "stdout", stream)

    run_detect(["--json", str(path)])
    stream.flush()

    (record,) = [json.loads(line) for line in raw.getvalue().decode("utf-8").splitlines()]
    assert record["invoice_number"] == "FAC-2026-0720"
    assert record["file"].endswith("FAC-\ufffd.pdf")
