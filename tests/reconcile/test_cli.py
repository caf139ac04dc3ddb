"""`chorus-tui sync --reconcile`: the reconciliation run from cron, without the TUI."""

from __future__ import annotations

import argparse
import json
from datetime import date

from chorus_tui.commands import sync as sync_command
from chorus_tui.store import Store
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


async def run_sync(simulator, clock, store, *, json_output: bool) -> int:
    connection = sync_command._Connection(make_client(simulator, clock), store)
    args = argparse.Namespace(json=json_output, reconcile=True, since=date(2026, 1, 1))
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
