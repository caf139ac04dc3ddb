"""Deposit form's cadre de facturation on the PDF route: what a change of cadre checks again."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, Static

from chorus_tui.ui.screens.confirm_deposit import ConfirmDepositScreen
from chorus_tui.validation.billing_frame import A2, A9
from tests.ui.conftest import rendered, settle
from tests.ui.test_integration import french, open_form  # noqa: F401 (french is a fixture)

PLAIN_INVOICE = "FAC-2026-0003"  # a PDF invoice with an amount to pay, cadre A1 and no mandataire

pytestmark = pytest.mark.usefixtures("french")


async def choose_frame(pilot, form, frame: str) -> None:
    """Pick `frame` in the form's cadre list with the keyboard, as a user does."""
    select = form.query_one("#billing_frame", Select)
    select.focus()
    await pilot.press("enter")
    options = [value for _, value in select._options]
    await pilot.press("home", *["down"] * options.index(frame), "enter")
    await settle(pilot)
    assert select.value == frame


async def test_cadre_change_checks_form_again(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, PLAIN_INVOICE)
        amount_due = form.query_one("#amounts-amount_due", Input)
        assert amount_due.disabled
        validator_error = form.query_one("#error-validator_siret", Static)
        frame_error = form.query_one("#error-billing_frame", Static)
        status = form.query_one("#form-status", Static)

        # Cadre A9 needs the main contractor's SIRET, which the form shows at once.
        await choose_frame(pilot, form, A9)
        assert validator_error.display
        assert validator_error.has_class("blocking")
        assert "A9" in rendered(validator_error)
        assert "1 point bloquant" in rendered(status)

        # Cadre A2 needs no validator but a zero amount to pay, which this invoice does not have.
        await choose_frame(pilot, form, A2)
        assert not validator_error.display
        assert frame_error.display
        assert frame_error.has_class("blocking")
        assert "choisissez un autre cadre" in rendered(frame_error)
        assert "saisissez 0" not in rendered(frame_error)
        assert "1 point bloquant" in rendered(status)

        # Ctrl+S finds the same block, so no summary opens.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(rig.app.screen, ConfirmDepositScreen)
        assert "choisissez un autre cadre" in rendered(frame_error)
        assert rig.simulator.invoices() == []
