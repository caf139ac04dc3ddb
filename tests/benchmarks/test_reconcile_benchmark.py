"""Run benchmarks/reconcile.py at a small size so the script keeps working."""

from __future__ import annotations

import asyncio

from benchmarks import reconcile


def test_reconcile_links_every_invoice(tmp_path):
    with_history, links_only = asyncio.run(reconcile.run(150, seed=2, repeat=1, workdir=tmp_path))

    assert with_history.linked == 150
    assert links_only.linked == 150
    assert links_only.calls["factures/v1/rechercher/fournisseur"] >= 12
    assert links_only.calls["factures/v1/consulter/historique"] == 0
    assert with_history.calls["factures/v1/consulter/historique"] == 150
    assert len(with_history.seconds) == 1


def test_reconcile_script_prints_calls(capsys):
    exit_code = reconcile.main(["--size", "20", "--repeat", "1", "--markdown"])

    output = capsys.readouterr().out
    assert exit_code == 0
    assert "| links only | 20 of 20 |" in output
