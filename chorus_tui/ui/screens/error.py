"""A dialog for an error that needs reading, with a key that copies its detail."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from chorus_tui.i18n import t


class ErrorScreen(ModalScreen[None]):
    """A title, the full detail, and keys to copy it or close the dialog."""

    BINDINGS = [
        Binding("escape", "close", t("ui.key.close"), key_display=t("ui.keyname_escape"), id="error_close",
                tooltip=t("ui.key.close_tip")),
        Binding("c", "copy", t("ui.key.copy"), id="error_copy", tooltip=t("ui.key.copy_tip")),
    ]

    def __init__(self, title: str, detail: str) -> None:
        super().__init__(id="error")
        self.error_title = title
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="error-dialog"):
            yield Static(self.error_title, id="error-title")
            with VerticalScroll(id="error-body"):
                yield Static(self.detail, id="error-detail", markup=False)
            yield Footer(compact=True, show_command_palette=False)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(f"{self.error_title}\n{self.detail}")
        self.notify(t("ui.copied"), timeout=2)

    def action_close(self) -> None:
        self.dismiss(None)
