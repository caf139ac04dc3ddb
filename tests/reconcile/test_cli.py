"""`chorus-tui sync --reconcile`: the reconciliation run from cron, without the TUI."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import date

import pytest

from chorus_tui.commands import sync as sync_command
from chorus_tui.statuses import REJECTED
from chorus_tui.store import Store
from chorus_tui.sync.reconcile import PendingRun, Reconciler
from tests.reconcile.conftest import RECIPIENT_SIRET, add_local, deposited_on
from tests.sync.conftest import make_client


def seed(simulator, store, folder) -> dict[str, int]:
    """Store an exact match, a near match and a portal draft; return the local ids by number."""
    ids = {number: add_local(store, folder, number) for number in ("FAC-2026-0001", "FAC-2026-0002")}
    simulator.add_existing_invoice("FAC-2026-0001", date(2026, 1, 5), RECIPIENT_SIRET,
                                   deposited_at=deposited_on(date(2026, 1, 6)))
    simulator.add_existing_invoice("FAC 2026 2", date(2026, 1, 5), RECIPIENT_SIRET,
                                   deposited_at=deposited_on(date(2026, 1, 7)))
    simulator.add_existing_invoice("FAC-2026-0003", date(2026, 1, 5), RECIPIENT_SIRET, draft=True,
                                   deposited_at=deposited_on(date(2026, 1, 8)))
    return ids


async def run_sync(simulator, clock, store, *, json_output: bool, since: date | None = date(2026, 1, 1)) -> int:
    connection = sync_command._Connection(make_client(simulator, clock), store)
    args = argparse.Namespace(json=json_output, reconcile=True, since=since)
    return await sync_command._run(args, connection, clock)


async def test_sync_reconcile_json(simulator, clock, tmp_path, capsys):
    store = Store(tmp_path / "chorus.sqlite3", clock=clock)
    ids = seed(simulator, store, tmp_path)

    code = await run_sync(simulator, clock, store, json_output=True)

    output = json.loads(capsys.readouterr().out)
    assert code == sync_command.EXIT_OK
    reconciliation = output["reconciliation"]
    assert [item["invoice_id"] for item in reconciliation["linked"]] == [ids["FAC-2026-0001"]]
    assert [(item["local_number"], item["chorus_number"]) for item in reconciliation["proposed"]] == [
        ("FAC-2026-0002", "FAC 2026 2")]
    assert [draft["number"] for draft in reconciliation["drafts"]] == ["FAC-2026-0003"]
    with Store(tmp_path / "chorus.sqlite3", clock=clock) as reopened:
        assert reopened.get_invoice(ids["FAC-2026-0002"]).chorus_invoice_id is None


async def test_sync_reconcile_text_lists_proposals(simulator, clock, tmp_path, capsys):
    store = Store(tmp_path / "chorus.sqlite3", clock=clock)
    seed(simulator, store, tmp_path)

    code = await run_sync(simulator, clock, store, json_output=False)

    text = capsys.readouterr().out
    assert code == sync_command.EXIT_OK
    assert "1 facture rattachée, 1 rapprochement à confirmer, 1 brouillon jamais envoyé" in text
    assert "FAC-2026-0002" in text
    assert "FAC-2026-0003" in text
    assert "Maj+R" in text


async def test_sync_reconcile_starts_at_oldest_invoice(simulator, clock, tmp_path, capsys):
    store = Store(tmp_path / "chorus.sqlite3", clock=clock)
    seed(simulator, store, tmp_path)

    await run_sync(simulator, clock, store, json_output=True, since=None)

    reconciliation = json.loads(capsys.readouterr().out)["reconciliation"]
    assert reconciliation["from"] == "2026-01-05"
    assert reconciliation["to"] == clock.now().date().isoformat()


async def test_sync_reconcile_resumes_interrupted_range(simulator, clock, tmp_path, capsys):
    store = Store(tmp_path / "chorus.sqlite3", clock=clock)
    seed(simulator, store, tmp_path)
    first, last = date(2025, 11, 1), date(2026, 1, 31)

    def stop_in_december(step):
        if step.month == 2:
            raise asyncio.CancelledError

    async with make_client(simulator, clock) as client:
        reconciler = Reconciler(client, store, clock)
        with pytest.raises(asyncio.CancelledError):
            await reconciler.reconcile(first, last, progress=stop_in_december)
        assert reconciler.pending_run() == PendingRun(first, last, date(2025, 12, 1))

    await run_sync(simulator, clock, store, json_output=True, since=None)

    reconciliation = json.loads(capsys.readouterr().out)["reconciliation"]
    assert reconciliation["from"] == "2025-11-01"
    assert reconciliation["resumed_from"] == "2025-12-01"
    assert reconciliation["to"] == clock.now().date().isoformat()


async def test_sync_reconcile_reports_reused_number(simulator, clock, tmp_path, capsys):
    store = Store(tmp_path / "chorus.sqlite3", clock=clock)
    old_id = add_local(store, tmp_path, "FAC-2026-0010")
    simulator.add_existing_invoice("FAC-2026-0010", date(2026, 1, 5), RECIPIENT_SIRET, status=REJECTED,
                                   deposited_at=deposited_on(date(2026, 1, 6)))
    reissue_id = simulator.add_existing_invoice("FAC-2026-0010", date(2026, 1, 5), RECIPIENT_SIRET,
                                                deposited_at=deposited_on(date(2026, 2, 3)))

    await run_sync(simulator, clock, store, json_output=True)
    reconciliation = json.loads(capsys.readouterr().out)["reconciliation"]

    assert [(item["invoice_id"], item["chorus_invoice_id"]) for item in reconciliation["reused_numbers"]] == [
        (old_id, reissue_id)]
    assert reconciliation["history_missing"] == []
    assert reconciliation["incomplete_months"] == []


async def test_sync_reconcile_text_names_reused_number(simulator, clock, tmp_path, capsys):
    store = Store(tmp_path / "chorus.sqlite3", clock=clock)
    add_local(store, tmp_path, "FAC-2026-0010")
    simulator.add_existing_invoice("FAC-2026-0010", date(2026, 1, 5), RECIPIENT_SIRET, status=REJECTED,
                                   deposited_at=deposited_on(date(2026, 1, 6)))
    simulator.add_existing_invoice("FAC-2026-0010", date(2026, 1, 5), RECIPIENT_SIRET,
                                   deposited_at=deposited_on(date(2026, 2, 3)))

    await run_sync(simulator, clock, store, json_output=False)
    text = capsys.readouterr().out

    assert "1 facture déposée de nouveau sous le numéro d'une facture rejetée ou remplacée" in text
    assert "reprend le numéro de la facture locale FAC-2026-0010" in text
