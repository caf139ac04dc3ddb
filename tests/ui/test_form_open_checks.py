"""Deposit form: faults known without the Chorus Pro directory are shown as soon as the form opens."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from tests.ui.conftest import rendered, settle
from tests.ui.test_integration import french, open_form  # noqa: F401 (french is a fixture)

WRONG_CHECK_DIGIT_INVOICE = "FAC-2026-0006"  # recipient SIRET 19973091200012 fails the check digit
SUPPLIER_SIRET_ONLY_INVOICE = "FAC-2026-0007"  # only the supplier's own SIRET is printed
CLEAN_INVOICE = "FAC-2026-0003"

pytestmark = pytest.mark.usefixtures("french")


async def test_wrong_check_digit_shown_on_open(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, WRONG_CHECK_DIGIT_INVOICE)
        error = form.query_one("#error-recipient_siret", Static)
        assert error.display
        assert error.has_class("blocking")
        assert "clé de contrôle" in rendered(error)
        assert form.query_one("#row-recipient_siret").has_class("has-error")
        assert "1 point bloquant" in rendered(form.query_one("#form-status", Static))
        assert rig.simulator.invoices() == []


async def test_supplier_siret_only_explained_on_open(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, SUPPLIER_SIRET_ONLY_INVOICE)
        error = rendered(form.query_one("#error-recipient_siret", Static))
        assert "Seul votre propre SIRET figure sur la facture" in error
        assert "SIRET du destinataire manquant" in error


async def test_clean_invoice_opens_without_errors(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, CLEAN_INVOICE)
        shown = [widget.id for widget in form.query(".field-error") if widget.display]
        assert shown == []
        assert rendered(form.query_one("#form-status", Static)) == ""


async def test_status_clears_with_last_fault(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, WRONG_CHECK_DIGIT_INVOICE)
        siret = form.query_one("#recipient_siret", Input)
        siret.focus()
        await pilot.press("ctrl+u")
        await settle(pilot)
        assert not form.query_one("#error-recipient_siret", Static).display
        assert rendered(form.query_one("#form-status", Static)) == ""


async def test_status_clears_after_submit_fault(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "FAC-2026-0014")
        await pilot.press("ctrl+u", *"12345678901234", "ctrl+s")
        await settle(pilot)
        status = form.query_one("#form-status", Static)
        assert rendered(status) == "1 point bloquant : rien n'a été envoyé."
        await pilot.press("ctrl+u")
        await settle(pilot)
        assert rendered(status) == ""


async def test_table_marks_invalid_recipient_siret(rig):
    from chorus_tui.ui.widgets.invoice_table import InvoiceTable
    from tests.ui.conftest import select_invoice

    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for number, blocked in ((WRONG_CHECK_DIGIT_INVOICE, True), (SUPPLIER_SIRET_ONLY_INVOICE, True),
                                (CLEAN_INVOICE, False)):
            table = await select_invoice(pilot, number)
            await pilot.pause()
            status = InvoiceTable.cells(table.selected_row)["status"]
            detail = rendered(rig.app.screen.query_one("#detail", Static))
            assert status.endswith("✗ SIRET") is blocked, number
            assert ("SIRET du destinataire manquant ou invalide" in detail) is blocked, number


async def test_unreadable_file_marked_and_not_opened(tmp_path):
    from chorus_tui.sources.folder import FolderSource
    from chorus_tui.ui.screens.deposit_form import DepositFormScreen
    from chorus_tui.ui.widgets.invoice_table import InvoiceTable
    from tests.ui.conftest import make_rig

    folder = tmp_path / "invoices"
    folder.mkdir()
    (folder / "note-frais.pdf").write_text("not a PDF")
    rig = make_rig(tmp_path / "invoices.sqlite3", FolderSource(folder))
    app = rig.app
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(InvoiceTable)
        status = InvoiceTable.cells(table.selected_row)["status"]
        detail = rendered(app.screen.query_one("#detail", Static))

        assert status.endswith("✗ fichier")
        assert "n'est pas un PDF" in detail
        assert "SIRET" not in detail

        app.clear_notifications()
        await pilot.press("d")
        await settle(pilot)

        assert not isinstance(app.screen, DepositFormScreen)
        messages = [notification.message for notification in app._notifications]
        assert any("note-frais.pdf" in text and "n'est pas un PDF" in text for text in messages)
