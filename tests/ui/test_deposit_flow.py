"""The demo driven end to end with the keyboard: check, deposit, poll, timeline."""

from __future__ import annotations

from textual.widgets import Select, Static

from chorus_tui.statuses import DEPOSITED
from chorus_tui.ui.screens.confirm_deposit import ConfirmDepositScreen
from chorus_tui.ui.screens.deposit_form import DepositFormScreen
from chorus_tui.ui.screens.timeline import TimelineScreen
from chorus_tui.ui.widgets.invoice_table import InvoiceTable
from tests.ui.conftest import settle

SERVICE_REQUIRED_INVOICE = "FAC-2026-0001"  # Commune de Beaurivage-sur-Orne requires a service code


def rendered(widget: Static) -> str:
    return str(widget.render())


async def test_deposit_flow_by_keyboard(rig):
    app = rig.app
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(InvoiceTable)
        assert table.row_count == 14

        # The list is newest first: the oldest invoice is the last row.
        await pilot.press("end")
        assert table.selected_row.number == SERVICE_REQUIRED_INVOICE

        await pilot.press("d")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, DepositFormScreen)
        assert "*" in rendered(form.query_one("#label-service_code"))
        service = form.query_one("#service_code-select", Select)
        assert service.display
        assert service.value == "ST"

        # Empty the service: Tab to the list, open it, pick the blank entry at the top.
        await pilot.press("tab", "enter", "home", "enter")
        assert service.value == Select.NULL
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        error = form.query_one("#error-service_code", Static)
        assert error.display
        assert "service" in rendered(error).lower()
        assert rig.simulator.invoices() == []

        # Pick the service back and submit: the form closes and the deposit runs.
        service.focus()
        await pilot.press("enter", "home", "down", "enter")
        assert service.value == "CCAS"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDepositScreen)
        assert rig.simulator.invoices() == []
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, (DepositFormScreen, ConfirmDepositScreen))
        on_chorus = rig.simulator.invoices()
        assert [invoice.number for invoice in on_chorus] == [SERVICE_REQUIRED_INVOICE]
        assert on_chorus[0].service_code == "CCAS"
        row = table.selected_row
        assert row.number == SERVICE_REQUIRED_INVOICE
        assert row.status_code == DEPOSITED
        assert row.status_label == "Déposée"

        # Chorus Pro moves the invoice on; a poll brings the new status into the list.
        rig.simulator.advance(25)
        new_status = rig.simulator.invoice(on_chorus[0].id).status
        assert new_status != DEPOSITED
        await pilot.press("p")
        await settle(pilot)
        assert table.selected_row.status_code == new_status

        await pilot.press("enter")
        await settle(pilot)
        timeline = app.screen
        assert isinstance(timeline, TimelineScreen)
        texts = [rendered(widget) for widget in timeline.query(".event")]
        new_label = table.selected_row.status_label
        assert any(new_label in text for text in texts)
        assert any("Déposée" in text for text in texts)
        await pilot.press("escape")
        assert not isinstance(app.screen, TimelineScreen)


async def test_deposited_invoice_cannot_be_deposited_again(rig):
    app = rig.app
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("end", "d")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert len(rig.simulator.invoices()) == 1

        app.clear_notifications()
        await pilot.press("d")
        await settle(pilot)
        assert not isinstance(app.screen, DepositFormScreen)
        messages = [notification.message for notification in app._notifications]
        assert any("déjà sur Chorus Pro" in text for text in messages)
        assert len(rig.simulator.invoices()) == 1


async def test_form_closed_while_loading_is_harmless(rig):
    app = rig.app
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.clear_notifications()
        await pilot.press("d", "escape")
        await settle(pilot)
        assert not isinstance(app.screen, DepositFormScreen)
        assert [n for n in app._notifications if n.severity == "error"] == []
