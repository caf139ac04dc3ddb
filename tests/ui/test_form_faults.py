"""Deposit form faults that newcomers met: a cut status line, a service that could not be emptied,
a hidden confirm key and a recipient name that outlived its SIRET."""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.widgets import Footer, Input, Select, Static
from textual.widgets._footer import FooterKey

from chorus_tui.i18n import t
from chorus_tui.ui.screens.confirm_deposit import ConfirmDepositScreen
from chorus_tui.ui.screens.deposit_form import DepositFormScreen
from tests.ui.conftest import rendered, settle
from tests.ui.test_integration import french, open_form  # noqa: F401 (french is a fixture)

RECTORATE_INVOICE = "FAC-2026-0014"  # no warning; lists the rectorate and the high school as candidates
SERVICE_REQUIRED_INVOICE = "FAC-2026-0001"  # Commune de Beaurivage-sur-Orne requires a service code

pytestmark = pytest.mark.usefixtures("french")


def visible_text(widget: Static) -> str:
    """Return the text the widget shows on screen, its lines joined by spaces."""
    strips = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return " ".join(" ".join(strip.text.split()) for strip in strips).strip()


def footer_labels(screen) -> list[str]:
    return [f"{key.key_display} {key.description}" for key in screen.query_one(Footer).query(FooterKey)]


async def test_status_after_confirmation_fits_80_columns(rig):
    async with rig.app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(rig.app.screen, ConfirmDepositScreen)
        await pilot.press("escape")
        await settle(pilot)

        status = form.query_one("#form-status", Static)
        assert rendered(status) == t("ui.form_not_sent")
        assert visible_text(status) == t("ui.form_not_sent")
        # Every line of it is inside the button row, which ends above the footer, and left of the buttons.
        buttons = form.query_one("#form-buttons")
        assert buttons.region.contains_region(status.region)
        assert buttons.region.bottom <= form.query_one(Footer).region.y
        assert status.region.right <= form.query_one("#submit").region.x


async def test_service_can_be_emptied_for_good(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        service = form.query_one("#service_code-select", Select)
        assert service.value == "DAF"

        # Pick the blank entry at the top of the open list with Enter.
        service.focus()
        await pilot.press("enter", "home", "enter")
        await settle(pilot)
        assert service.value == Select.NULL

        # The directory is read again for another recipient and back: the emptied service stays empty.
        siret_field = form.query_one("#recipient_siret", Input)
        for siret in ("21170753455688", "18594069900019"):
            siret_field.focus()
            await pilot.press("end", *["backspace"] * 14, *siret, "tab")
            await settle(pilot)
        assert siret_field.value == "18594069900019"
        assert rendered(form.query_one("#note-recipient_siret", Static)) == "Rectorat de l'académie de Montclair"
        assert service.display
        assert service.value == Select.NULL
        form_values, _ = form.read_form()
        assert form_values.service_code is None


async def test_confirm_key_shown_at_once(rig):
    async with rig.app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        await pilot.press("ctrl+s")
        await settle(pilot)
        confirmation = rig.app.screen
        assert isinstance(confirmation, ConfirmDepositScreen)
        assert footer_labels(confirmation) == ["Entrée Déposer", "Échap Revenir au formulaire"]

        # With « Revenir au formulaire » focused, Enter goes back and the footer no longer offers to send.
        await pilot.press("tab")
        await pilot.pause()
        assert confirmation.focused.id == "confirm-back"
        assert footer_labels(confirmation) == ["Échap Revenir au formulaire"]
        await pilot.press("enter")
        await settle(pilot)
        assert rig.app.screen is form
        assert rig.simulator.invoices() == []

        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(rig.app.screen, (DepositFormScreen, ConfirmDepositScreen))
        assert [invoice.number for invoice in rig.simulator.invoices()] == [RECTORATE_INVOICE]


async def test_cleared_siret_clears_recipient(rig):
    async with rig.app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, SERVICE_REQUIRED_INVOICE)
        note = form.query_one("#note-recipient_siret", Static)
        service_select = form.query_one("#service_code-select", Select)
        service_field = form.query_one("#service_code", Input)
        assert rendered(note) == "Commune de Beaurivage-sur-Orne"
        assert service_select.display
        assert rendered(form.query_one("#label-service_code", Static)).endswith("*")

        # Empty the SIRET field without leaving it.
        assert form.query_one("#recipient_siret", Input).has_focus
        await pilot.press("end", *["backspace"] * 14)
        await settle(pilot)
        assert rendered(note) == ""
        assert form.recipient_name is None
        assert not service_select.display
        assert service_field.display
        assert service_field.value == "ST"  # printed on the invoice, so kept for the next recipient
        assert rendered(form.query_one("#label-service_code", Static)) == "Service"
        assert not form.query_one("#form-legend", Static).display
        assert not form.query_one("#row-recipient_structure_id").display

        # Typing the SIRET again brings the recipient back without leaving the field.
        await pilot.press(*"21151884000015")
        await settle(pilot)
        assert rendered(note) == "Commune de Beaurivage-sur-Orne"
        assert service_select.display
        assert service_select.value == "ST"
