"""Pilot tests of the filter, to-do view, help and refresh keys of the invoice list."""

from __future__ import annotations

import shutil

from textual.widgets import Input, Static

from chorus_tui.clock import ManualClock
from chorus_tui.sources.folder import FolderSource, demo_invoice_folder
from chorus_tui.statuses import STATUSES
from chorus_tui.ui.keys import APP_BINDINGS, FORM_BINDINGS, INVOICE_BINDINGS, TIMELINE_BINDINGS, help_sections
from chorus_tui.ui.screens.help import HelpScreen
from chorus_tui.ui.widgets.invoice_table import InvoiceTable
from tests.ui.conftest import make_rig, select_invoice, settle
from tests.ui.test_integration import french  # noqa: F401 (a fixture)


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


def help_lines(screen: HelpScreen) -> list[str]:
    """Return the help's key tables as the screen lays them out, one string per line."""
    lines: list[str] = []
    for widget in screen.query(".help-keys"):
        for y in range(widget.content_region.height):
            lines.append(widget.render_line(y).text.rstrip())
    return lines


async def test_help_lists_every_key(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(rig.app.screen, HelpScreen)
        text = " ".join(" ".join(help_lines(rig.app.screen)).split())
        for _, bindings in help_sections():
            for binding in bindings:
                # The screen text had its spaces, no-break ones included, folded the same way.
                assert " ".join(binding.description.split()) in text, binding.id
                assert " ".join(binding.tooltip.split()) in text, binding.id
        await pilot.press("escape")
        assert not isinstance(rig.app.screen, HelpScreen)


async def test_help_wraps_right_of_keys(rig):
    async with rig.app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        lines = [line for line in help_lines(rig.app.screen) if line.strip()]
        continued = [line for line in lines if line.startswith(" ")]
        assert continued, "no description wraps at 80 columns"
        for line in continued:
            # A wrapped description goes on under itself (8 cells in), not under the key.
            assert line.startswith(" " * 8), line


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


def send_burst(app, *keys: str) -> None:
    """Queue key events all at once, as a slow SSH link delivers a burst of typed keys."""
    from textual import events

    for key in keys:
        event = events.Key(key, "/" if key == "slash" else key)
        event.set_sender(app)
        app._driver.send_message(event)


async def test_filter_takes_keys_typed_in_burst(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = rig.app.screen
        polls = rig.app.polls_done
        send_burst(rig.app, "slash", "v", "a", "l")
        await settle(pilot)
        assert screen.query_one("#filter", Input).value == "val"
        assert rig.app.screen is screen
        assert screen.view.value == "all"  # `a` did not switch to the to-do view
        assert rig.app.polls_done == polls


async def test_q_quits_from_every_screen(tmp_path):
    from chorus_tui.ui.screens.timeline import TimelineScreen
    from chorus_tui.ui.screens.to_do import ToDoScreen

    openers = {"timeline": ("enter",), "help": ("question_mark",), "to-do": ("t",)}
    for name, keys in openers.items():
        async with make_rig(tmp_path / f"{name}.sqlite3").app.run_test(size=(100, 30)) as pilot:
            app = pilot.app
            await settle(pilot)
            await pilot.press(*keys)
            await settle(pilot)
            assert isinstance(app.screen, (TimelineScreen, HelpScreen, ToDoScreen)), name
            await pilot.press("q")
            await pilot.pause()
            assert app._exit, name


async def test_q_quits_from_confirmation(rig):
    from chorus_tui.ui.screens.confirm_deposit import ConfirmDepositScreen

    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(rig.app.screen, ConfirmDepositScreen)
        await pilot.press("q")
        await pilot.pause()
        assert rig.app._exit
        assert rig.simulator.invoices() == []


async def test_q_types_into_filter(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "q")
        await pilot.pause()
        assert rig.app.screen.query_one("#filter", Input).value == "q"
        assert not rig.app._exit


async def test_escape_keeps_cursor_without_filter(rig):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = rig.app.screen.query_one(InvoiceTable)
        await pilot.press("down", "down", "down")
        assert table.cursor_row == 3
        await pilot.press("escape")
        await pilot.pause()
        assert table.cursor_row == 3

        # An opened filter left empty changes nothing either.
        await pilot.press("slash", "escape")
        await pilot.pause()
        assert table.cursor_row == 3
        assert table.has_focus


async def test_french_palette_and_lists_have_no_english(rig, french):
    from textual.widgets import Select

    from chorus_tui.ui.widgets.translated import TranslatedCommandPalette

    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        titles = [command.title for command in rig.app.get_system_commands(rig.app.screen)]
        for english in ("Theme", "Quit", "Keys", "Screenshot", "Maximize"):
            assert english not in titles
        assert {"Thème", "Quitter", "Capture d'écran"} <= set(titles)
        helps = " ".join(command.help for command in rig.app.get_system_commands(rig.app.screen))
        assert "the" not in helps.split()

        # The credit note's form has two lists without a preselected value.
        await select_invoice(pilot, "FAC-2026-0008")
        await pilot.press("d")
        await settle(pilot)
        payment = rig.app.screen.query_one("#payment_mode", Select)
        assert payment.prompt == "Choisir…"
        payment.focus()
        await pilot.press("enter")
        await pilot.pause()
        descriptions = {binding.description for _, binding, *_ in rig.app.screen.active_bindings.values()}
        assert "Dismiss menu" not in descriptions
        assert "Fermer la liste" in descriptions
        await pilot.press("escape", "escape")
        await settle(pilot)

        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = rig.app.screen
        assert isinstance(palette, TranslatedCommandPalette)
        assert palette.query_one(Input).placeholder == "Chercher une commande…"
        await pilot.press(*"zzzq")
        await pilot.pause(0.8)
        shown = [str(option.prompt.renderable) for option in palette.query_one("CommandList").options]
        assert shown == ["Aucune commande ne correspond"]


async def test_english_palette_texts(rig):
    from chorus_tui import i18n

    previous = i18n.current_language()
    i18n.set_language("en")
    try:
        async with rig.app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            titles = [command.title for command in rig.app.get_system_commands(rig.app.screen)]
            assert {"Theme", "Quit", "Screenshot"} <= set(titles)
            await pilot.press("ctrl+p")
            await pilot.pause()
            assert rig.app.screen.query_one(Input).placeholder == "Search for a command…"
    finally:
        i18n.set_language(previous)


async def test_long_status_short_in_list(rig, french):
    from chorus_tui.statuses import status_short_label

    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = rig.app.screen.query_one(InvoiceTable)
        row = table.selected_row
        rig.store.record_status(row.id, "MISE_A_DISPOSITION", at=rig.clock.now())
        rig.app.invoices_changed()
        await settle(pilot)
        assert table.cells(table.selected_row)["status"] == "Mise à disposition"
        detail = str(rig.app.screen.query_one("#detail", Static).render())
        assert detail.startswith("Mise à disposition du destinataire")
        for column in table.columns(96):
            if column.key == "status":
                assert column.width >= max(len(status_short_label(code)) for code in STATUSES)


async def test_scan_toast_names_demo_folder(rig, french):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        messages = [notification.message for notification in rig.app._notifications]
        assert "14 factures lues dans « factures de démonstration »." in messages
        assert not any("site-packages" in text for text in messages)


async def test_demo_header_fits_100_columns(tmp_path, french):
    from chorus_tui.factory import build_demo_app
    from tests.ui.conftest import START

    app = build_demo_app(tmp_path / "demo", ManualClock(START), poll_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        profile = app.screen.query_one("#profile", Static)
        assert profile.region.width >= len("Démo (rien n'est envoyé)")
