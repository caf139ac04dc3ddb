"""The deposit form as a newcomer meets it: warnings, required marks, credit notes, the confirmation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from textual.widgets import Input, Static

from chorus_tui.ui.formatting import format_amount_input, format_invoice_total, parse_amount
from chorus_tui.ui.screens.confirm_deposit import ConfirmDepositScreen
from tests.ui.conftest import rendered, select_invoice, settle
from tests.ui.test_integration import french, open_form  # noqa: F401 (french is a fixture)

WARNING_INVOICE = "FAC-2026-0009"  # its validator SIRET is not in the directory: a warning, not blocking
EITHER_INVOICE = "FAC-2026-0010"  # Université de la Côte-d'Ambre: a service or an engagement number
SERVICE_REQUIRED_INVOICE = "FAC-2026-0001"  # Beaurivage requires a service code
CREDIT_NOTE = "FAC-2026-0008"  # credit note for FAC-2026-0003
AMOUNT_INVOICE = "FAC-2026-0014"  # 1 080,00 € TTC


pytestmark = pytest.mark.usefixtures("french")


async def test_warning_shown_inline_and_confirmed(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, WARNING_INVOICE)
        await pilot.press("ctrl+s")
        await settle(pilot)

        confirmation = rig.app.screen
        assert isinstance(confirmation, ConfirmDepositScreen)
        assert rig.simulator.invoices() == []
        title = rendered(confirmation.query_one("#confirm-title", Static))
        assert title.startswith(f"Déposer {WARNING_INVOICE} sur Chorus Pro (démo)")
        details = rendered(confirmation.query_one("#confirm-details", Static))
        assert "24491452900015" in details
        assert "Métropole" in details
        assert "3\u202f300,00\u00a0€" in details
        assert "Dépôt PDF" in details
        warnings = rendered(confirmation.query_one("#confirm-warnings", Static))
        assert "Mandataire" in warnings

        # Escape goes back to the form, where the warning is shown under its field, in the warning colour.
        await pilot.press("escape")
        await settle(pilot)
        assert rig.app.screen is form
        assert rig.simulator.invoices() == []
        warning = form.query_one("#error-validator_siret", Static)
        assert warning.display
        assert not warning.has_class("blocking")
        assert "Mandataire" in rendered(warning)
        assert form.query_one("#row-validator_siret").has_class("has-warning")
        assert not form.query_one("#row-validator_siret").has_class("has-error")
        assert "Rien n'a été envoyé" in rendered(form.query_one("#form-status", Static))

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(rig.app.screen, ConfirmDepositScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert [invoice.number for invoice in rig.simulator.invoices()] == [WARNING_INVOICE]


async def test_blocking_form_opens_no_confirmation(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, SERVICE_REQUIRED_INVOICE)
        await pilot.press("tab", "enter", "home", "enter", "ctrl+s")
        await settle(pilot)
        assert rig.app.screen is form
        assert rig.simulator.invoices() == []
        # The status line shows it; no toast repeats it over the buttons.
        assert rendered(form.query_one("#form-status", Static)).startswith("1 point bloquant")
        assert not [n for n in rig.app._notifications if "bloquant" in n.message]


async def test_either_field_marked_not_starred(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, EITHER_INVOICE)
        service = rendered(form.query_one("#label-service_code"))
        engagement = rendered(form.query_one("#label-engagement_number"))
        assert service == "Service ¹"
        assert engagement == "N° d'engagement ¹"
        legend = form.query_one("#form-legend", Static)
        assert legend.display
        assert "¹ l'un des deux est obligatoire pour ce destinataire" in rendered(legend)
        await pilot.press("escape")
        await settle(pilot)

        form = await open_form(pilot, SERVICE_REQUIRED_INVOICE)
        assert rendered(form.query_one("#label-service_code")) == "Service *"
        assert rendered(form.query_one("#label-engagement_number")) == "N° d'engagement"
        assert "¹" not in rendered(form.query_one("#form-legend", Static))


async def test_credit_note_named_everywhere(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = await select_invoice(pilot, CREDIT_NOTE)
        assert table.cells(table.selected_row)["amount"] == "\u221271,52\u00a0€"

        await pilot.press("d")
        await settle(pilot)
        title = rendered(rig.app.screen.query_one("#form-title", Static))
        assert title.startswith(f"Déposer l'avoir {CREDIT_NOTE} (avoir de la facture FAC-2026-0003)")
        await pilot.press("ctrl+s")
        await settle(pilot)
        confirmation = rig.app.screen
        assert isinstance(confirmation, ConfirmDepositScreen)
        assert rendered(confirmation.query_one("#confirm-title", Static)).startswith(
            f"Déposer l'avoir {CREDIT_NOTE}")
        await pilot.press("escape", "escape")
        await settle(pilot)

        await pilot.press("enter")
        await settle(pilot)
        summary = rendered(rig.app.screen.query_one("#timeline-summary", Static))
        assert summary.startswith(f"Historique de l'avoir {CREDIT_NOTE}")


async def test_form_amounts_grouped_like_list(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, AMOUNT_INVOICE)
        assert form.query_one("#amounts-total_ttc", Input).value == "1\u00a0080,00"
        title = rendered(form.query_one("#form-title", Static))
        # The amount sits whole on the details line, not split across two lines.
        assert "1\u202f080,00\u00a0€" in title.splitlines()[1]


@pytest.mark.parametrize("text", ["1 080,00", "1\u00a0080,00", "1080,00", "1080.00", "1 080,00 €"])
def test_amount_input_parses_typed_forms(text):
    assert parse_amount(text) == Decimal("1080.00")


def test_amount_input_round_trips():
    for lang in ("fr", "en"):
        assert parse_amount(format_amount_input(Decimal("12345.6"), lang)) == Decimal("12345.60")


def test_credit_note_total_has_minus_sign():
    from chorus_tui.domain import InvoiceKind

    assert format_invoice_total(Decimal("71.52"), "EUR", InvoiceKind.CREDIT_NOTE) == "\u221271,52\u00a0€"
    assert format_invoice_total(Decimal("71.52"), "EUR", InvoiceKind.INVOICE) == "71,52\u00a0€"


async def test_flow_deposit_names_flow_not_invoice(rig):
    from chorus_tui.sync.deposit import DepositOutcome, DepositState

    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        rig.app.clear_notifications()
        rig.app.report_deposit("FAC-2026-0005", DepositOutcome(DepositState.ACCEPTED, 5, flow_number="CPP0011234"))
        rig.app.report_deposit("FAC-2026-0003", DepositOutcome(DepositState.ACCEPTED, 3, chorus_invoice_id=5000001))
        await pilot.pause()
        messages = [notification.message for notification in rig.app._notifications]
        assert messages[0] == ("Flux CPP0011234 reçu par Chorus Pro pour la facture FAC-2026-0005 ; "
                               "la facture apparaîtra une fois le flux intégré.")
        assert messages[1] == "Facture FAC-2026-0003 déposée sur Chorus Pro (n°\u00a05000001)."


async def test_edited_field_drops_old_error(rig):
    from textual.widgets import Select

    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, SERVICE_REQUIRED_INVOICE)
        await pilot.press("tab", "enter", "home", "enter", "ctrl+s")
        await settle(pilot)
        error = form.query_one("#error-service_code", Static)
        assert error.display

        service = form.query_one("#service_code-select", Select)
        service.focus()
        await pilot.press("enter", "home", "down", "enter")
        await settle(pilot)
        assert service.value == "CCAS"
        assert not error.display
        assert not form.query_one("#row-service_code").has_class("has-error")


async def test_toast_leaves_form_buttons_visible(rig):
    async with rig.app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        form = await open_form(pilot, SERVICE_REQUIRED_INVOICE)
        rig.app.notify("Un message assez long pour occuper la largeur d'une notification entière.")
        await pilot.pause()
        await pilot.pause()
        toasts = list(form.query("Toast"))
        assert toasts
        buttons = form.query_one("#form-buttons").region
        detail_and_footer = form.query_one("Footer").region
        for toast in toasts:
            assert not toast.region.overlaps(buttons)
            assert not toast.region.overlaps(detail_and_footer)


async def test_supplier_line_not_cut(rig):
    rig.app.context.supplier.name = "Atelier Verdier Maintenance SARL"
    rig.app.context.supplier.siret = "81588139669879"
    rig.app.context.supplier.structure_id = 25790001
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, SERVICE_REQUIRED_INVOICE)
        supplier = form.query_one("#supplier_id", Static)
        shown = " ".join(supplier.render_line(y).text.strip() for y in range(supplier.content_region.height))
        assert "structure 25790001" in shown
        assert "…" not in shown


async def test_confirmation_lists_contract_number(rig):
    """The summary repeats the contract number (n° de marché) that the form will send."""
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "FAC-2026-0005")
        contract = form.query_one("#contract_number", Input).value
        assert contract
        await pilot.press("ctrl+s")
        await settle(pilot)
        confirmation = rig.app.screen
        assert isinstance(confirmation, ConfirmDepositScreen)
        details = rendered(confirmation.query_one("#confirm-details", Static))
        assert "N° de marché" in details
        assert contract in details
