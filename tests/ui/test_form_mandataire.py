"""Deposit form of an invoice naming a mandataire: the cadre's reason, the mandataire's name, the summary."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from chorus_tui.ui.screens.confirm_deposit import ConfirmDepositScreen
from tests.ui.conftest import rendered, settle
from tests.ui.test_integration import french, open_form  # noqa: F401 (french is a fixture)

MANDATAIRE_INVOICE = "FAC-2026-0009"  # Constructions Armor SAS, SIRET 53241877900015, unknown to the directory
PLAIN_INVOICE = "FAC-2026-0003"

pytestmark = pytest.mark.usefixtures("french")


async def test_form_says_why_cadre_a12(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, MANDATAIRE_INVOICE)
        reason = form.query_one("#billing-frame-reason", Static)
        assert reason.display
        assert "Constructions Armor SAS" in rendered(reason)
        assert "A12" in rendered(reason)
        note = form.query_one("#note-validator_siret", Static)
        assert rendered(note) == "mandataire détecté\u00a0: Constructions Armor SAS"

        # Another SIRET typed in the field is no longer the detected mandataire.
        validator = form.query_one("#validator_siret", Input)
        validator.focus()
        await pilot.press("ctrl+u", *"81588139669879")
        await settle(pilot)
        assert rendered(note) == ""


async def test_summary_shows_cadre_and_mandataire(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_form(pilot, MANDATAIRE_INVOICE)
        await pilot.press("ctrl+s")
        await settle(pilot)
        confirmation = rig.app.screen
        assert isinstance(confirmation, ConfirmDepositScreen)
        details = rendered(confirmation.query_one("#confirm-details", Static))
        assert "Cadre de facturation\u00a0: A12 – Facture d'un cotraitant" in details
        assert "Mandataire\u00a0: Constructions Armor SAS · 53241877900015" in details
        warnings = rendered(confirmation.query_one("#confirm-warnings", Static))
        assert "Mandataire introuvable" in warnings
        assert "valideur" not in warnings


async def test_plain_invoice_summary_omits_cadre(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, PLAIN_INVOICE)
        assert not form.query_one("#billing-frame-reason", Static).display
        await pilot.press("ctrl+s")
        await settle(pilot)
        confirmation = rig.app.screen
        assert isinstance(confirmation, ConfirmDepositScreen)
        details = rendered(confirmation.query_one("#confirm-details", Static))
        assert "Cadre de facturation" not in details
        assert "Mandataire" not in details


async def test_spaced_mandataire_siret_read_without_spaces(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, MANDATAIRE_INVOICE)
        form.query_one("#validator_siret", Input).focus()
        await pilot.press("ctrl+u", *"532 418 779 00015")
        await settle(pilot)
        assert rendered(form.query_one("#note-validator_siret", Static)) == \
            "mandataire détecté\u00a0: Constructions Armor SAS"

        # soumettre receives codeStructureValideur as read here, so it must have no spaces.
        sent, _ = form.read_form()
        assert sent.validator_siret == "53241877900015"
