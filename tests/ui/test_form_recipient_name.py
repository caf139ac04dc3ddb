"""Deposit form: a recipient that is not the customer printed on the invoice, and its name after the deposit."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import Input, Static

from chorus_tui.domain import DepositRoute
from chorus_tui.ui.screens.confirm_deposit import ConfirmDepositScreen
from chorus_tui.ui.screens.deposit_form import names_match
from chorus_tui.ui.widgets.invoice_table import InvoiceTable
from tests.ui.conftest import rendered, settle
from tests.ui.test_integration import french, open_form  # noqa: F401 (french is a fixture)

RECTORATE_INVOICE = "FAC-2026-0014"  # printed customer: the rectorate; second candidate: a high school
HIGH_SCHOOL = "19799229069576"

pytestmark = pytest.mark.usefixtures("french")


@pytest.mark.parametrize(("printed", "directory", "expected"), [
    ("Rectorat de l'académie de Montclair", "Rectorat de l'académie de Montclair", True),
    ("RECTORAT DE L'ACADEMIE DE MONTCLAIR", "Rectorat de l'académie de Montclair", True),
    ("Commune de Valmorin", "Commune de Valmorin (mairie)", True),
    ("Ministère de la Transition numérique", "Ministère de la Transition numérique - Secrétariat général", True),
    ("Rectorat de l'académie de Montclair", "Lycée polyvalent des Quatre-Vents", False),
    ("Commune de Valmorin", "Rectorat de l'académie de Montclair", False),
    ("Mairie de Valmorin", "Commune de Valmorin", False),
    ("de la", "Commune de Valmorin", True),
])
def test_names_match_cases(printed, directory, expected):
    assert names_match(printed, directory) is expected


async def test_other_recipient_warned_and_listed(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        assert not form.query_one("#error-recipient_siret", Static).display

        # Picking the high school shows a warning, not a block, because it is not the printed customer.
        await pilot.press("tab", "down", "enter")
        await settle(pilot)
        error = form.query_one("#error-recipient_siret", Static)
        assert error.display
        assert not error.has_class("blocking")
        assert "Lycée polyvalent des Quatre-Vents, n'est pas le client imprimé" in rendered(error)
        assert "Rectorat de l'académie de Montclair" in rendered(error)

        # The high school has no service: empty it, then confirm with the warning in the summary.
        service = form.query_one("#service_code", Input)
        service.focus()
        await pilot.press("ctrl+u", "ctrl+s")
        await settle(pilot)
        confirmation = rig.app.screen
        assert isinstance(confirmation, ConfirmDepositScreen)
        assert "n'est pas le client imprimé" in rendered(confirmation.query_one("#confirm-warnings", Static))
        await pilot.press("enter")
        await settle(pilot)

        # The list names the body the invoice went to, next to its SIRET.
        table = rig.app.screen.query_one(InvoiceTable)
        assert table.move_to_invoice(form.invoice_id)
        cells = InvoiceTable.cells(table.selected_row)
        assert cells["customer"] == "Lycée polyvalent des Quatre-Vents"
        assert cells["siret"].replace(" ", "") == HIGH_SCHOOL


def test_begin_deposit_keeps_recipient_name(rig):
    invoice_id = rig.store.upsert_source_invoice(_scan_one(RECTORATE_INVOICE))
    rig.store.begin_deposit(invoice_id, route=DepositRoute.PDF, payload_digest="0" * 64,
                            invoice_number=RECTORATE_INVOICE, recipient_siret=HIGH_SCHOOL,
                            invoice_date=date(2026, 11, 24), recipient_name="Lycée polyvalent des Quatre-Vents")
    row = rig.store.require_invoice(invoice_id)
    assert row.customer == "Lycée polyvalent des Quatre-Vents"
    assert row.recipient_siret == HIGH_SCHOOL

    # A later scan of the folder keeps the name the invoice was deposited to.
    rig.store.upsert_source_invoice(_scan_one(RECTORATE_INVOICE))
    assert rig.store.require_invoice(invoice_id).customer == "Lycée polyvalent des Quatre-Vents"


def _scan_one(number: str):
    from chorus_tui.sources.folder import FolderSource, demo_invoice_folder

    return next(invoice for invoice in FolderSource(demo_invoice_folder()).scan() if invoice.invoice_number == number)
