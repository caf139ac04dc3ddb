"""Run benchmarks/soak_deposits.py at a small size: no invoice may be lost or deposited twice."""

from __future__ import annotations

import asyncio
import logging

import pytest

from benchmarks import soak_deposits


def test_soak_in_process_loses_nothing(tmp_path):
    results = asyncio.run(soak_deposits.soak_in_process(200, seed=5, workdir=tmp_path))

    assert results.invoices == 200
    assert results.lost == []
    assert results.duplicated == []
    assert results.calls["factures/v1/soumettre"] >= 200
    assert results.server_requests == results.api_calls


def test_soak_with_kills_loses_nothing(tmp_path):
    results = soak_deposits.soak_with_kills(30, seed=2, kills=2, workdir=tmp_path)

    assert results.lost == []
    assert results.duplicated == []
    assert results.runs >= 1
    assert results.api_calls > 0


@pytest.fixture
def restore_logging_disable():
    # The soak script turns logging off up to WARNING; later tests need their warnings back.
    yield
    logging.disable(logging.NOTSET)


def test_soak_script_prints_goal(capsys, restore_logging_disable):
    exit_code = soak_deposits.main(["--size", "5", "--kills", "0", "--markdown"])

    output = capsys.readouterr().out
    assert exit_code == 0
    assert "goal 0 lost and 0 duplicated: met" in output
    assert "| invoices duplicated | 0 |" in output


def test_soak_script_leaves_logging_on():
    # Runs after test_soak_script_prints_goal, whose call to main() turns logging off.
    assert logging.root.manager.disable == logging.NOTSET
