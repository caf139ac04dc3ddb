"""Secrets stay out of every file, log and screen through deposits, refusals and polls.

The app runs with known secret values in its credentials: it deposits an
invoice, gets a business refusal for another, polls, shows the timeline and
exports screenshots. The store's SQLite files, the log file and every
screenshot are then searched for the secrets.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from chorus_tui.chorus.client import ChorusClient
from chorus_tui.clock import ManualClock
from chorus_tui.factory import build_app
from chorus_tui.sandbox.simulator import Simulator
from chorus_tui.sources.folder import FolderSource, demo_invoice_folder
from chorus_tui.store import Store
from chorus_tui.ui.screens.confirm_deposit import ConfirmDepositScreen
from tests.ui.conftest import settle

from .helpers import CLIENT_SECRET, TECH_PASSWORD, credentials, settings

SECRETS = (CLIENT_SECRET, TECH_PASSWORD)
START = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def _files_with_secret(home) -> list[str]:
    found = []
    for path in home.rglob("*"):
        if not path.is_file():
            continue
        content = path.read_bytes()
        found += [f"{path.relative_to(home)} contains {secret!r}" for secret in SECRETS
                  if secret.encode("utf-8") in content]
    return found


async def _deposit_selected(pilot) -> None:
    await pilot.press("d")
    await settle(pilot)
    await pilot.press("ctrl+s")
    await settle(pilot)
    if isinstance(pilot.app.screen, ConfirmDepositScreen):
        await pilot.press("enter")
        await settle(pilot)


async def test_deposit_path_leaks_no_secret(isolated_home, caplog):
    caplog.set_level(logging.DEBUG)
    log_path = isolated_home / "state" / "chorus-tui.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)

    clock = ManualClock(START)
    simulator = Simulator(clock, seed=3)
    client = ChorusClient(settings(), credentials(), transport=simulator.transport(), clock=clock)
    store = Store(isolated_home / "data" / "invoices.sqlite3", clock=clock)
    app = build_app(store=store, source=FolderSource(demo_invoice_folder()), clock=clock, client=client,
                    profile_label="secrets", simulator=simulator, poll_interval=3600)
    screens: list[str] = []
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            # FAC-2026-0003 (no requirement) is deposited; a duplicate number is then refused.
            await pilot.press("end", "up", "up")
            await _deposit_selected(pilot)
            screens.append(app.export_screenshot())
            simulator.add_existing_invoice("FAC-2026-0002", START.date(), "21716897084691")
            await pilot.press("end", "up")
            await _deposit_selected(pilot)
            screens.append(app.export_screenshot())
            await pilot.press("escape")
            simulator.advance(60)
            await pilot.press("p")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            screens.append(app.export_screenshot())
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
        await client.aclose()
        store.close()

    deposited = [invoice.number for invoice in simulator.invoices()]
    assert "FAC-2026-0003" in deposited
    assert log_path.stat().st_size > 0
    for text in screens + [record.getMessage() for record in caplog.records]:
        for secret in SECRETS:
            assert secret not in text
    assert _files_with_secret(isolated_home) == []
