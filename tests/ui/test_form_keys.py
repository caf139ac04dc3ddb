"""Keys of the deposit form: the help from any field, leaving with or without edits."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from chorus_tui.ui.screens.discard_edits import DiscardEditsScreen
from chorus_tui.ui.screens.help import HelpScreen
from chorus_tui.ui.screens.invoices import InvoicesScreen
from tests.ui.conftest import settle
from tests.ui.test_form_faults import footer_labels
from tests.ui.test_integration import french, open_form  # noqa: F401 (french is a fixture)
from tests.ui.test_keys import help_lines

RECTORATE_INVOICE = "FAC-2026-0014"  # detected SIRET 18594069900019, with a second candidate

pytestmark = pytest.mark.usefixtures("french")


async def test_f1_opens_help_from_siret_field(rig):
    async with rig.app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        siret = form.query_one("#recipient_siret", Input)
        assert siret.has_focus
        assert "F1 Aide" in footer_labels(form)

        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(rig.app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert rig.app.screen is form
        assert siret.value == "18594069900019"


async def test_question_mark_typed_in_field(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        comment = form.query_one("#comment", Input)
        comment.focus()
        await pilot.press("question_mark")
        await settle(pilot)
        assert rig.app.screen is form
        assert comment.value == "?"


async def test_question_mark_opens_help_from_list(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        await pilot.press("tab")
        assert form.query_one("#recipient-candidates").has_focus
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(rig.app.screen, HelpScreen)
        assert form.query_one("#recipient_siret", Input).value == "18594069900019"


async def test_focus_keeps_siret_unselected(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        # A printable key typed on arrival in the field adds to the SIRET instead of replacing it.
        await pilot.press("x")
        await settle(pilot)
        assert form.query_one("#recipient_siret", Input).value == "18594069900019x"


async def test_help_lists_form_and_summary_keys(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        help_screen = rig.app.screen
        assert isinstance(help_screen, HelpScreen)
        text = " ".join(" ".join(help_lines(help_screen)).split())
        for expected in ("F1", "Maj+Tab", "Champ suivant", "Ctrl+U", "Ouvrir la liste",
                         "Revenir au formulaire", "Remplir le SIRET"):
            assert expected in text, expected
        titles = [str(widget.render()) for widget in help_screen.query(".help-section")]
        assert "Confirmation du dépôt" in titles
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(rig.app.screen, InvoicesScreen)


async def test_escape_without_edits_closes(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_form(pilot, RECTORATE_INVOICE)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(rig.app.screen, InvoicesScreen)


async def test_escape_after_edit_asks_first(rig):
    async with rig.app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        engagement = form.query_one("#engagement_number", Input)
        engagement.focus()
        await pilot.press("ctrl+u", *"EJ-999", "escape")
        await settle(pilot)

        question = rig.app.screen
        assert isinstance(question, DiscardEditsScreen)
        assert str(question.query_one("#discard-title", Static).render()) == "Abandonner les modifications\u00a0?"
        assert footer_labels(question) == ["Entrée Abandonner", "Échap Continuer la saisie"]

        # Escape keeps the edit; Enter then discards it.
        await pilot.press("escape")
        await settle(pilot)
        assert rig.app.screen is form
        assert engagement.value == "EJ-999"
        await pilot.press("escape", "enter")
        await settle(pilot)
        assert isinstance(rig.app.screen, InvoicesScreen)
        assert rig.simulator.invoices() == []


async def test_picked_candidate_counts_as_edit(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, RECTORATE_INVOICE)
        await pilot.press("tab", "down", "enter")
        await settle(pilot)
        assert form.query_one("#recipient_siret", Input).value == "19799229069576"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(rig.app.screen, DiscardEditsScreen)


async def test_help_opens_at_form_section(rig):
    async with rig.app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_form(pilot, RECTORATE_INVOICE)
        await pilot.press("f1")
        await settle(pilot)
        help_screen = rig.app.screen
        assert isinstance(help_screen, HelpScreen)
        body = help_screen.query_one("#help-body")
        title = next(widget for widget in help_screen.query(".help-section")
                     if str(widget.render()) == "Formulaire de dépôt")
        assert body.scroll_y > 0
        assert title.region.y == body.region.y
