"""Run benchmarks/reconcile.py at a small size so the script keeps working."""

from __future__ import annotations

import asyncio

from benchmarks import reconcile


def test_reconcile_links_every_invoice(tmp_path):
    result = asyncio.run(reconcile.run(150, seed=2, repeat=1, workdir=tmp_path))

    assert result.linked == 150
    assert result.calls["factures/v1/rechercher/fournisseur"] >= 12
    assert len(result.seconds) == 1


def test_reconcile_script_prints_calls(capsys):
    exit_code = reconcile.main(["--size", "20", "--repeat", "1", "--markdown"])

    output = capsys.readouterr().out
    assert exit_code == 0
    assert "| invoices linked | 20 |" in output
