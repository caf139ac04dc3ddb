"""The recipient SIRET field: live lookup of spaced SIRETs, notes read whole, no stale "searching" note."""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.widgets import Input, Static

from chorus_tui.ui.screens.confirm_deposit import ConfirmDepositScreen
from chorus_tui.ui.widgets.siret_candidates import SiretCandidateList
from tests.ui.conftest import rendered, settle
from tests.ui.test_integration import french, open_form  # noqa: F401 (french is a fixture)

RECTORATE_INVOICE = "FAC-2026-0014"  # candidates 18594069900019 (rectorate) and 19799229069576 (high school)

pytestmark = pytest.mark.usefixtures("french")


def visible_text(widget: Static) -> str:
    """Return the text the widget shows on screen, padding included, its lines joined by spaces."""
    width, height = widget.outer_size
    strips = widget.render_lines(Region(0, 0, width, height))
    return " ".join(" ".join(strip.text.split()) for strip in strips).strip()


async def test_spaced_siret_looked_up_and_marked(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        await pilot.press("ctrl+u", *"197 992 290 69576")
        await settle(pilot)
        note = form.query_one("#note-recipient_siret", Static)
        assert rendered(note) == "Lycée polyvalent des Quatre-Vents"
        assert form.query_one("#recipient-candidates", SiretCandidateList).chosen == "19799229069576"


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_siret_notes_read_whole(rig, size):
    async with rig.app.run_test(size=size) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        note = form.query_one("#note-recipient_siret", Static)
        assert visible_text(note) == "Rectorat de l'académie de Montclair"

        await pilot.press("ctrl+u", *"12345678901234")
        await settle(pilot)
        assert visible_text(note) == "clé de contrôle incorrecte"

        await pilot.press("ctrl+u", *"21170753455689")
        await settle(pilot)
        assert visible_text(note) == "clé de contrôle incorrecte"


async def test_fifteenth_digit_named_in_note(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        await pilot.press("ctrl+u", *"244914529000150")
        await settle(pilot)
        assert rendered(form.query_one("#note-recipient_siret", Static)) == "15 chiffres\u00a0: un SIRET en a 14"


async def test_outdated_lookup_leaves_note_alone(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        await pilot.press("ctrl+u", *"244914529000150")
        await settle(pilot)
        note = form.query_one("#note-recipient_siret", Static)
        shown = rendered(note)

        # A lookup of the 14-digit value that starts only now, after the 15th digit, changes nothing.
        await form._look_up_recipient("24491452900015")
        await settle(pilot)
        assert rendered(note) == shown
        assert form.query_one("#recipient_siret", Input).value == "244914529000150"


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_error_lines_keep_guillemets_attached(rig, size):
    async with rig.app.run_test(size=size) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        await pilot.press("ctrl+u", *"12345678901234", "ctrl+s")
        await settle(pilot)
        error = form.query_one("#error-recipient_siret", Static)
        width, height = error.outer_size
        lines = [strip.text.strip() for strip in error.render_lines(Region(0, 0, width, height))]
        lines = [line for line in lines if line]
        assert len(lines) > 1
        for line in lines:
            assert not line.endswith("«"), line
            assert not line.startswith(("»", ":", ";", "?", "!")), line


def test_french_spacing_marks():
    from chorus_tui.ui.typography import french_spacing

    assert french_spacing("de « 123 » : fin ; oui ? non !") == \
        "de «\u00a0123\u00a0»\u00a0: fin\u00a0; oui\u00a0? non\u00a0!"
    assert french_spacing("no:change") == "no:change"


async def test_spaced_siret_deposited_without_spaces(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        # The high school offers no service, so the rectorate's DAF is emptied too.
        await pilot.press("ctrl+u", *"197 992 290 69576")
        await settle(pilot)
        form.query_one("#service_code", Input).focus()
        await pilot.press("ctrl+u", "ctrl+s")
        await settle(pilot)

        confirmation = rig.app.screen
        assert isinstance(confirmation, ConfirmDepositScreen)
        assert confirmation.summary.recipient_siret == "19799229069576"
        await pilot.press("enter")
        await settle(pilot)
        assert [invoice.recipient_siret for invoice in rig.simulator.invoices()] == ["19799229069576"]
