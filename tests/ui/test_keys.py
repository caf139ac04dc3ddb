"""Pilot tests of the filter, to-do view, help and refresh keys of the invoice list."""

from __future__ import annotations

import shutil

from textual.widgets import Input, Static

from chorus_tui.sources.folder import FolderSource, demo_invoice_folder
from chorus_tui.ui.keys import APP_BINDINGS, FORM_BINDINGS, INVOICE_BINDINGS, TIMELINE_BINDINGS, help_sections
from chorus_tui.ui.screens.help import HelpScreen
from chorus_tui.ui.widgets.invoice_table import InvoiceTable
from tests.ui.conftest import settle


async def test_filter_narrows_and_escape_clears(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = rig.app.screen.query_one(InvoiceTable)
        field = rig.app.screen.query_one("#filter", Input)
        assert not field.display

        await pilot.press("slash")
        assert field.display
        assert field.has_focus
        await pilot.press(*"valmorin")
        # Enter runs the filter without waiting for the typing pause and goes back to the list.
        await pilot.press("enter")
        assert table.has_focus
        assert table.row_count == 2
        assert {table.row_at(index).customer for index in range(2)} == {"Commune de Valmorin"}

        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == 14
        assert not field.display


async def test_filter_matches_siret_and_status(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = rig.app.screen.query_one(InvoiceTable)
        await pilot.press("slash", *"21151884000015", "enter")
        assert table.row_count == 1
        assert table.selected_row.number == "FAC-2026-0001"

        await pilot.press("escape", "slash", *"a deposer", "enter")
        assert table.row_count == 14


async def test_to_do_view_lists_oldest_first(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = rig.app.screen.query_one(InvoiceTable)
        assert table.selected_row.number == "FAC-2026-0014"
        await pilot.press("a")
        await pilot.pause()
        assert table.row_count == 14
        assert table.selected_row.number == "FAC-2026-0001"
        assert rig.app.screen.query_one("#count-to-do", Static).has_class("active")
        await pilot.press("a")
        await pilot.pause()
        assert table.selected_row.number == "FAC-2026-0014"


async def test_help_lists_every_key(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(rig.app.screen, HelpScreen)
        text = "\n".join(str(widget.render()) for widget in rig.app.screen.query(".help-keys"))
        for _, bindings in help_sections():
            for binding in bindings:
                assert binding.description in text, binding.id
                assert binding.tooltip in text, binding.id
        await pilot.press("escape")
        assert not isinstance(rig.app.screen, HelpScreen)


async def test_bindings_have_ids_and_tooltips():
    for binding in (*APP_BINDINGS, *INVOICE_BINDINGS, *FORM_BINDINGS, *TIMELINE_BINDINGS):
        assert binding.id
        assert binding.description
        assert binding.tooltip


async def test_refresh_reads_new_files(rig, tmp_path):
    folder = tmp_path / "invoices"
    folder.mkdir()
    pdfs = sorted(demo_invoice_folder().glob("*.pdf"))
    shutil.copy(pdfs[0], folder)
    rig.app.context.source = FolderSource(folder)
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = rig.app.screen.query_one(InvoiceTable)
        assert table.row_count == 1

        for pdf in pdfs[1:3]:
            shutil.copy(pdf, folder)
        await pilot.press("r")
        await settle(pilot)
        assert table.row_count == 3
        counter = rig.app.screen.query_one("#count-to-deposit", Static)
        assert str(counter.render()) == "À déposer 3"


async def test_palette_offers_list_commands(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        commands = {command.title for command in rig.app.get_system_commands(rig.app.screen)}
        for binding in INVOICE_BINDINGS:
            if binding.key != "escape":
                assert binding.description in commands, binding.id
        assert "Aide" in commands

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Filtrer")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        field = rig.app.screen.query_one("#filter", Input)
        assert field.display


async def test_narrow_terminal_keeps_every_footer_key(rig):
    from textual.widgets._footer import FooterKey

    async with rig.app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = rig.app.screen.query_one(InvoiceTable)
        keys = [column.key for column in table.columns(table.scrollable_content_region.width)]
        assert "siret" not in keys
        assert keys[-1] == "status"

        footer_keys = list(rig.app.screen.query(FooterKey))
        assert {key.key for key in footer_keys} >= {"d", "enter", "slash", "q"}
        for key in footer_keys:
            assert key.region.right <= 80, key.key


async def test_timeline_shows_unreadable_file(rig, tmp_path):
    folder = tmp_path / "invoices"
    folder.mkdir()
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 not really a PDF")
    rig.app.context.source = FolderSource(folder)
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = rig.app.screen.query_one(InvoiceTable)
        assert table.row_count == 1
        messages = [notification.message for notification in rig.app._notifications]
        assert any("illisible" in text for text in messages)

        await pilot.press("enter")
        await settle(pilot)
        summary = str(rig.app.screen.query_one("#timeline-summary").render())
        assert "Fichier :" in summary


async def test_missing_folder_is_reported(rig, tmp_path):
    rig.app.context.source = FolderSource(tmp_path / "gone")
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        warnings = [n.message for n in rig.app._notifications if n.severity == "warning"]
        assert any("gone" in text and "n'existe pas" in text for text in warnings)


async def test_shift_r_opens_reconciliation(rig):
    from chorus_tui.ui.screens.reconcile import ReconcileScreen

    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(rig.app.screen, ReconcileScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert rig.app.screen.id == "invoices"
