"""Opening the reconciliation dialog from the invoice list, with Shift+R."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable

from chorus_tui.ui.screens.reconcile import ReconcileScreen
from tests.reconcile.conftest import RECIPIENT_SIRET, deposited_on
from tests.ui.conftest import make_rig, settle


async def test_shift_r_opens_and_confirms(tmp_path):
    rig = make_rig(tmp_path / "invoices.sqlite3")
    async with rig.app.run_test(size=(120, 45)) as pilot:
        await settle(pilot)
        local = rig.store.find_by_number("FAC-2026-0003")[0]
        chorus_id = rig.simulator.add_existing_invoice("FAC 2026 3", local.invoice_date, RECIPIENT_SIRET,
                                                       deposited_at=deposited_on(date(2026, 11, 25)))

        await pilot.press("R")
        await settle(pilot)
        assert isinstance(rig.app.screen, ReconcileScreen)

        await pilot.press("ctrl+s")
        await settle(pilot)
        proposals = rig.app.screen.query_one("#proposals", DataTable)
        assert proposals.get_row_at(0)[1:3] == ["FAC-2026-0003", "FAC 2026 3"]
        assert rig.store.get_invoice(local.id).chorus_invoice_id is None

        await pilot.press("space")
        await settle(pilot)
        assert rig.store.get_invoice(local.id).chorus_invoice_id == chorus_id

        await pilot.press("escape")
        await settle(pilot)
        assert rig.app.screen.id == "invoices"
