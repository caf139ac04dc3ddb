"""Run benchmarks/poll_cycle.py at a small size so the script keeps working."""

from __future__ import annotations

import asyncio

from benchmarks import poll_cycle


def test_both_methods_store_every_change(tmp_path):
    results = asyncio.run(poll_cycle.run(200, changed=8, seed=4, repeat=1, workdir=tmp_path))

    incremental = results["incremental"]
    baseline = results["per-invoice history"]
    assert incremental.changes == 8
    assert baseline.changes == 8
    assert baseline.calls_by_endpoint == {"factures/v1/consulter/historique": 200}
    assert incremental.calls_by_endpoint["factures/v1/consulter/historique"] == 8
    assert incremental.calls < baseline.calls


def test_poll_script_prints_call_ratio(capsys):
    exit_code = poll_cycle.main(["--size", "40", "--changed", "3", "--repeat", "1", "--markdown"])

    output = capsys.readouterr().out
    assert exit_code == 0
    assert "calls: per-invoice history / incremental" in output
    assert "| incremental |" in output
