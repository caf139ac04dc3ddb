"""The help screen: every key of the application, read from the same bindings as the footer."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from chorus_tui.i18n import t
from chorus_tui.ui.keys import help_sections


# Help section to open at, by the id of the screen the help is opened from.
SECTION_OF_SCREEN = {
    "deposit-form": "ui.help_section_form",
    "confirm-deposit": "deposit_form.help_section_confirm",
}


class HelpScreen(ModalScreen[None]):
    """A list of keys per screen; Escape or `?` closes it, `q` quits as everywhere."""

    BINDINGS = [
        Binding("escape,question_mark", "close", t("ui.key.close"), key_display=t("ui.keyname_escape"),
                id="help_close", tooltip=t("ui.key.close_tip")),
    ]

    def __init__(self) -> None:
        super().__init__(id="help")

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static(t("ui.help_title"), id="help-title")
            with VerticalScroll(id="help-body"):
                for title_key, bindings in help_sections():
                    yield Static(t(title_key), classes="help-section", name=title_key)
                    yield Static(self._key_table(bindings), classes="help-keys")
                yield Static(t("ui.help_palette"), classes="help-section")
                yield Static(t("ui.help_palette_text"), classes="help-keys")
            yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        """Open at the section of the screen the help was opened from, when it has one."""
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 1 and stack[-1] is self else None
        section = SECTION_OF_SCREEN.get(below.id or "") if below is not None else None
        if section is None:
            return
        for title in self.query(".help-section"):
            if title.name == section:
                self.call_after_refresh(self.query_one("#help-body").scroll_to_widget, title, top=True, animate=False)
                return

    def _key_table(self, bindings: list[Binding]) -> Table:
        # A grid, so that a description wrapped on a narrow terminal stays right of its key.
        table = Table.grid(padding=(0, 1))
        table.add_column(style="bold", min_width=7, no_wrap=True)
        table.add_column()
        for binding in bindings:
            key = binding.key_display or self.app.get_key_display(binding)
            table.add_row(key, f"{binding.description} — {binding.tooltip}")
        return table

    def action_close(self) -> None:
        self.dismiss(None)
