"""The deposit form while Chorus Pro is slow: keys pressed before a lookup or a check has finished."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, Static

from chorus_tui.sandbox.directory import DEMO_SUPPLIER
from chorus_tui.ui.screens.confirm_deposit import ConfirmDepositScreen
from chorus_tui.ui.screens.deposit_form import DepositFormScreen
from tests.ui.conftest import HeldRequests, make_rig, rendered, select_invoice, settle
from tests.ui.test_integration import french, open_form  # noqa: F401 (french is a fixture)

pytestmark = pytest.mark.usefixtures("french")

PLAIN_INVOICE = "FAC-2026-0003"
RECTORATE_INVOICE = "FAC-2026-0014"
RECTORATE = "18594069900019"
HIGH_SCHOOL = "19799229069576"


async def test_submit_during_bank_account_load(tmp_path):
    held = HeldRequests("coordbanc")
    rig = make_rig(tmp_path / "invoices.sqlite3", held=held)
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select_invoice(pilot, PLAIN_INVOICE)
        held.hold = True
        await pilot.press("d")
        form = rig.app.screen
        assert isinstance(form, DepositFormScreen)
        for _ in range(200):
            if form.form is not None:
                break
            await pilot.pause(0.01)
        assert form.form is not None
        assert [worker.name for worker in rig.app.workers if worker.name == "form-bank-accounts"]

        # Ctrl+S before the bank account list has arrived must not lose the list.
        await pilot.press("ctrl+s")
        held.released.set()
        await settle(pilot)

        assert isinstance(rig.app.screen, ConfirmDepositScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert form.query_one("#bank_account_id", Select).value == DEMO_SUPPLIER.bank_accounts[0].id


async def test_siret_edited_during_check_not_confirmed(tmp_path):
    # The duplicate search is the one request of the check that is never cached.
    held = HeldRequests("factures/v1/rechercher")
    rig = make_rig(tmp_path / "invoices.sqlite3", held=held)
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        siret_field = form.query_one("#recipient_siret", Input)
        assert siret_field.value == RECTORATE

        held.hold = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form.checking
        siret_field.focus()
        await pilot.press("ctrl+u", *HIGH_SCHOOL)
        await pilot.pause()
        held.released.set()
        await settle(pilot)

        # The check read the rectorate's SIRET, so no summary may offer to send it while the field shows another.
        assert not isinstance(rig.app.screen, ConfirmDepositScreen)
        assert siret_field.value == HIGH_SCHOOL
        status = rendered(form.query_one("#form-status", Static))
        assert "Ctrl+S" in status
        assert rig.simulator.invoices() == []


async def test_changed_status_fits_80_columns(tmp_path):
    held = HeldRequests("factures/v1/rechercher")
    rig = make_rig(tmp_path / "invoices.sqlite3", held=held)
    async with rig.app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        held.hold = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        form.query_one("#engagement_number", Input).focus()
        await pilot.press("ctrl+u", *"1300099999")
        held.released.set()
        await settle(pilot)

        status = form.query_one("#form-status", Static)
        assert rendered(status) == "Champs modifiés pendant le contrôle\u00a0: rien n'a été envoyé. Refaites Ctrl+S."
        assert status.has_class("error")
        assert form.query_one("#form-dialog").region.contains_region(status.region)
        assert status.region.height == status.virtual_size.height


async def test_summary_omits_printed_name_for_unverified_siret(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        # The directory cannot be reached for the new SIRET: its lookup and the check's both fail.
        rig.simulator.fail_next("500", path_contains="structures/v1/rechercher", count=50)
        await pilot.press("ctrl+u", *"21170753455688")
        await settle(pilot)
        assert form.recipient_name is None
        form.query_one("#service_code", Input).focus()
        await pilot.press("ctrl+u", "ctrl+s")
        await settle(pilot)

        confirmation = rig.app.screen
        assert isinstance(confirmation, ConfirmDepositScreen)
        assert confirmation.summary.recipient_siret == "21170753455688"
        # The invoice's printed customer is the rectorate, which this SIRET is not known to be.
        assert confirmation.summary.recipient_name == ""
        details = rendered(confirmation.query_one("#confirm-details", Static))
        assert "Rectorat" not in details


async def test_siret_typed_during_pick_recheck(tmp_path):
    # The duplicate search is the one request of the check that is never cached.
    held = HeldRequests("factures/v1/rechercher")
    rig = make_rig(tmp_path / "invoices.sqlite3", held=held)
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        status = form.query_one("#form-status", Static)
        assert rendered(status) == ""

        # Picking the high school looks it up, then checks the form; the check waits on Chorus Pro.
        held.hold = True
        form.query_one("#recipient-candidates").focus()
        await pilot.press("down", "enter")
        for _ in range(200):
            if form.checking:
                break
            await pilot.pause(0.01)
        assert form.checking
        assert rendered(status) == "Contrôle de la facture…"

        # A SIRET typed meanwhile starts its own lookup, which cancels the pick's check.
        siret_field = form.query_one("#recipient_siret", Input)
        siret_field.focus()
        await pilot.press("ctrl+u", *"21170753455688")
        await settle(pilot)
        assert not form.checking
        assert siret_field.value == "21170753455688"
        assert rendered(form.query_one("#note-recipient_siret", Static)) == "Commune de Valmorin"
        assert rendered(status) == ""
        held.released.set()
        await settle(pilot)
        assert rendered(status) == ""
