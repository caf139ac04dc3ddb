"""Run benchmarks/detection.py at a tiny size so the script keeps working."""

from __future__ import annotations

from benchmarks import detection
from benchmarks.invoice_corpus import write_corpus


def test_corpus_files_are_detected(tmp_path):
    paths = write_corpus(tmp_path, 4, seed=3)

    results = detection.run(paths, repeat=1)

    assert results.file_count == 4
    assert all(len(runs) == 1 for runs in results.runs.values())
    assert results.recipients_found >= 1
    assert detection.detect_one_by_one(paths) == results.recipients_found
    assert detection.extract_with_pypdf(paths) > 0
    assert detection.extract_with_pypdfium2(paths) > 0


def test_detection_script_prints_ratios(tmp_path, capsys):
    exit_code = detection.main(["--size", "3", "--repeat", "1", "--corpus", str(tmp_path), "--markdown"])

    output = capsys.readouterr().out
    assert exit_code == 0
    assert "detection / fastest bare extraction" in output
    assert "pypdf / pypdfium2" in output
    assert "| read_invoices (detection) |" in output
    assert "| read_invoice, once per file |" in output
