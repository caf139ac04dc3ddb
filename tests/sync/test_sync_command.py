"""`chorus-tui sync`: one poll, a summary, and an exit status for cron."""

from __future__ import annotations

import argparse
import json

import pytest

from chorus_tui import paths
from chorus_tui.cli import main
from chorus_tui.clock import SystemClock
from chorus_tui.commands import sync as sync_command
from chorus_tui.sandbox.faults import AuthPolicy, FaultProfile
from chorus_tui.sandbox.simulator import Simulator
from chorus_tui.store import Store
from chorus_tui.sync.deposit import DepositService, DepositState

from tests.sync.conftest import add_invoice, make_client


async def deposit_in_demo(tmp_path) -> tuple[int, int]:
    """Deposit one invoice in the demo's own database and simulator state; return (local id, Chorus Pro id)."""
    clock = SystemClock()
    data_dir = paths.demo_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    simulator = Simulator(clock, state_file=data_dir / "simulator.json")
    with Store(data_dir / "demo.sqlite3", clock=clock) as store:
        invoice_id, form = add_invoice(store, tmp_path, 1)
        async with make_client(simulator, clock) as client:
            outcome = await DepositService(client, store, clock).deposit(invoice_id, form)
    assert outcome.state is DepositState.ACCEPTED
    simulator.set_status(outcome.chorus_invoice_id, "A_RECYCLER", "Code service erroné")
    return invoice_id, outcome.chorus_invoice_id


async def test_demo_sync_json_reports_change(tmp_path, capsys):
    invoice_id, _ = await deposit_in_demo(tmp_path)

    code = await_main(["sync", "--demo", "--json"])

    output = json.loads(capsys.readouterr().out)
    assert code == 0
    assert output["ok"] is True
    changes = output["poll"]["changes"]
    assert [(change["invoice_id"], change["new_status"]) for change in changes] == [(invoice_id, "A_RECYCLER")]
    assert changes[0]["comment"] == "Code service erroné"
    assert output["counts"]["action_required"] == 1


async def test_demo_sync_text_summary_in_french(tmp_path, capsys):
    await deposit_in_demo(tmp_path)
    code = await_main(["sync", "--demo", "--lang", "fr"])
    text = capsys.readouterr().out
    assert code == 0
    assert "1 facture a changé de statut :" in text
    assert "Déposée → À recycler (Code service erroné)" in text
    assert "page" not in text
    assert "(s)" not in text


async def test_demo_sync_verbose_shows_request_counts(tmp_path, capsys):
    await deposit_in_demo(tmp_path)
    code = await_main(["sync", "--demo", "--lang", "fr", "-v"])
    text = capsys.readouterr().out
    assert code == 0
    assert "pages de recherche lues : 1" in text


async def test_demo_sync_twice_says_nothing_changed(tmp_path, capsys):
    await deposit_in_demo(tmp_path)
    await_main(["sync", "--demo", "--lang", "fr"])
    capsys.readouterr()
    code = await_main(["sync", "--demo", "--lang", "fr"])
    text = capsys.readouterr().out
    assert code == 0
    assert "rien n'a changé depuis la dernière fois" in text
    assert "changé de statut" not in text


def test_missing_credentials_exit_3(capsys):
    code = main(["sync", "--json"])
    output = json.loads(capsys.readouterr().out)
    assert code == sync_command.EXIT_CONFIGURATION
    assert output["error"] == "configuration"
    assert output["messages"]


async def run_against(simulator, clock, tmp_path, capsys) -> tuple[int, dict]:
    store = Store(tmp_path / "chorus.sqlite3", clock=clock)
    add_invoice(store, tmp_path, 1)
    connection = sync_command._Connection(make_client(simulator, clock), store)
    args = argparse.Namespace(json=True, reconcile=True, since=None)
    code = await sync_command._run(args, connection, clock)
    return code, json.loads(capsys.readouterr().out)


async def test_unreachable_exit_1(clock, tmp_path, capsys):
    simulator = Simulator(clock, faults=FaultProfile(http_503=1.0))
    code, output = await run_against(simulator, clock, tmp_path, capsys)
    assert code == sync_command.EXIT_UNREACHABLE
    assert output == {"ok": False, "error": "unreachable", "messages": output["messages"]}


async def test_refused_account_exit_2(clock, tmp_path, capsys):
    simulator = Simulator(clock, auth=AuthPolicy(refuse_account=True))
    code, output = await run_against(simulator, clock, tmp_path, capsys)
    assert code == sync_command.EXIT_CREDENTIALS
    assert output["error"] == "credentials"


async def run_text_against(simulator, clock, tmp_path, capsys) -> tuple[int, str]:
    store = Store(tmp_path / "chorus.sqlite3", clock=clock)
    add_invoice(store, tmp_path, 1)
    connection = sync_command._Connection(make_client(simulator, clock), store)
    args = argparse.Namespace(json=False, reconcile=True, since=None)
    code = await sync_command._run(args, connection, clock)
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (AuthPolicy(refuse_application=True), "PISTE a refusé l'application"),
        (AuthPolicy(refuse_application=True), "le compte technique n'a pas encore été essayé"),
        (AuthPolicy(refuse_account=True), "Chorus Pro a refusé le compte technique"),
        (AuthPolicy(refuse_account=True), "l'application PISTE, elle, a été acceptée"),
    ],
)
async def test_refusal_names_rejected_credential(clock, tmp_path, capsys, policy, expected):
    simulator = Simulator(clock, auth=policy)
    code, errors = await run_text_against(simulator, clock, tmp_path, capsys)
    headline = errors.splitlines()[0]
    assert code == sync_command.EXIT_CREDENTIALS
    assert expected in headline


def await_main(argv: list[str]) -> int:
    """Run the CLI in a worker thread: `main` starts its own event loop."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(main, argv).result()


async def test_demo_sync_counts_in_english(tmp_path, capsys):
    await deposit_in_demo(tmp_path)
    code = await_main(["sync", "--demo", "--lang", "en"])
    text = capsys.readouterr().out
    assert code == 0
    assert "1 invoice changed status:" in text
    assert "Action required: 1" in text
