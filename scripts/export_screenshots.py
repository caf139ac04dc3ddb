"""Export SVG screenshots of every screen into screenshots/, from fixed data and a fixed clock.

Runs the application headless at 100×30 against the in-process simulator:
the demo invoices, a few of them deposited and moved along their life cycle
(one rejected, one suspended, one paid) so that the list shows each colour.

    .venv/bin/python scripts/export_screenshots.py [--lang fr|en] [--out screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SIZE = (100, 30)
START = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)

# Invoices deposited before the screenshots, with the status Chorus Pro gives them afterwards.
SEEDED = {
    "FAC-2026-0003": ("MISE_EN_PAIEMENT", None),
    "FAC-2026-0004": ("SUSPENDUE", "Bon de livraison manquant : merci de le joindre."),
    "FAC-2026-0008": ("REJETEE", "Facture déjà reçue sous le numéro FAC-2026-0003."),
    "FAC-2026-0009": ("MISE_A_DISPOSITION", None),
}


async def seed(store, client, simulator, clock, supplier_id: int, bank_account_id: int) -> None:
    """Deposit the SEEDED invoices through the core services and give each its status."""
    from chorus_tui.sources.folder import FolderSource, demo_invoice_folder
    from chorus_tui.sync import DepositService, Poller
    from chorus_tui.validation import form_from_invoice

    invoices = {invoice.invoice_number: invoice for invoice in FolderSource(demo_invoice_folder()).scan()}
    for invoice in invoices.values():
        store.upsert_source_invoice(invoice)
    service = DepositService(client, store, clock)
    poller = Poller(client, store, clock)
    for number in SEEDED:
        local_id = store.find_by_number(number)[0].id
        form = form_from_invoice(invoices[number], supplier_id=supplier_id, bank_account_id=bank_account_id)
        outcome = await service.deposit(local_id, form)
        if outcome.chorus_invoice_id is None:
            raise RuntimeError(f"seeding: {number} was not deposited ({outcome.state}: {outcome.message})")
        clock.advance(2 * 3600)

    # A few days of the simulated life cycle, then each invoice gets its final status.
    clock.advance(4 * 86400)
    await poller.poll_once()
    for number, (status, comment) in SEEDED.items():
        chorus_id = store.find_by_number(number)[0].chorus_invoice_id
        clock.advance(3 * 3600)
        simulator.set_status(chorus_id, status, comment)
    await poller.poll_once()


async def export(out: Path) -> list[Path]:
    from chorus_tui.chorus.client import ChorusClient
    from chorus_tui.chorus.settings import ConnectionSettings, Environment
    from chorus_tui.clock import ManualClock
    from chorus_tui.factory import build_app, demo_credentials
    from chorus_tui.i18n import t
    from chorus_tui.sandbox.directory import DEMO_SUPPLIER
    from chorus_tui.sandbox.simulator import Simulator
    from chorus_tui.sources.folder import FolderSource, demo_invoice_folder
    from chorus_tui.store import Store
    from chorus_tui.ui.context import Supplier
    from chorus_tui.ui.screens.connection import ConnectionScreen
    from chorus_tui.ui.widgets.invoice_table import InvoiceTable

    work = Path(tempfile.mkdtemp(prefix="chorus-screenshots-"))
    clock = ManualClock(START)
    # Statuses move every one to two days; the clock stops after seeding, so they stay as set.
    simulator = Simulator(clock, seed=0, status_step_seconds=(86400, 2 * 86400))
    client = ChorusClient(ConnectionSettings.for_environment(Environment.DEMO), demo_credentials(),
                          transport=simulator.transport(), clock=clock)
    store = Store(work / "screenshots.sqlite3", clock=clock)
    account = DEMO_SUPPLIER.bank_accounts[0]
    await seed(store, client, simulator, clock, DEMO_SUPPLIER.id_structure_cpp, account.id)

    supplier = Supplier(structure_id=DEMO_SUPPLIER.id_structure_cpp, siret=DEMO_SUPPLIER.siret,
                        name=DEMO_SUPPLIER.designation, bank_account_id=account.id,
                        bank_account_label=account.name)
    app = build_app(store=store, source=FolderSource(demo_invoice_folder()), clock=clock, client=client,
                    supplier=supplier, profile_label=t("ui.profile_demo"), demo=True, simulator=simulator,
                    poll_interval=10**6)
    saved: list[Path] = []

    async def settle(pilot) -> None:
        for _ in range(3):
            await pilot.pause()
            await app.workers.wait_for_complete()
        await pilot.pause()
        # Toasts depend on timing; the screenshots show the screens without them.
        app.clear_notifications()
        await pilot.pause()

    def save(name: str) -> None:
        saved.append(Path(app.save_screenshot(filename=f"{name}.svg", path=str(out))))

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        save("invoices")

        table = app.screen.query_one(InvoiceTable)
        await pilot.press("t")
        await settle(pilot)
        save("to-do")
        await pilot.press("escape")
        await settle(pilot)

        # The Beaurivage invoice needs a service code: empty it and submit to show the inline error.
        await pilot.press("end")
        assert table.selected_row.number == "FAC-2026-0001"
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("tab", "enter", "home", "enter", "ctrl+s")
        await settle(pilot)
        save("deposit-form")
        # The service was emptied, so Escape prompts before discarding that edit. Enter discards it.
        await pilot.press("escape", "enter")
        await settle(pilot)

        # The Côte-d'Ambre invoice passes every check: Ctrl+S prompts for confirmation before sending it.
        await pilot.press("slash", *"FAC-2026-0010", "enter")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        save("deposit-confirm")
        await pilot.press("escape", "escape", "escape")
        await settle(pilot)

        # The rectorate invoice also prints the high school's SIRET: the form lists both, best first.
        await pilot.press("slash", *"FAC-2026-0014", "enter")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("tab", "down")
        await settle(pilot)
        save("deposit-recipients")
        await pilot.press("escape", "escape")
        await settle(pilot)

        # The rejected invoice's timeline shows the reason given by the recipient.
        await pilot.press("slash", *"FAC-2026-0008", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        save("timeline")
        await pilot.press("escape", "escape")
        await settle(pilot)

        await pilot.press("question_mark")
        await settle(pilot)
        save("help")
        await pilot.press("escape")

        app.sub_title = ""
        app.push_screen(ConnectionScreen(profile="cabinet-dupont", clock=clock))
        await settle(pilot)
        save("connection")
    await client.aclose()
    store.close()
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=["fr", "en"], default="fr")
    parser.add_argument("--out", type=Path, default=REPO / "screenshots")
    args = parser.parse_args()

    # Keep the user's configuration, keyring and data out of the export.
    os.environ["CHORUS_TUI_HOME"] = tempfile.mkdtemp(prefix="chorus-screenshots-home-")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    sys.path.insert(0, str(REPO))
    from chorus_tui.i18n import set_language

    set_language(args.lang)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(export(args.out)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
