"""The confirmation shown before the deposit form closes on edits that would be lost.

The deposit form keeps nothing once closed, so Escape after a change prompts
first. The dialog dismisses with True to close the form, False to go back to it.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from chorus_tui.i18n import t


class DiscardEditsScreen(ModalScreen[bool]):
    """Prompt « Abandonner les modifications ? ». Enter discards the edits, Escape goes back to the form."""

    # Enter is a priority binding so that the footer shows it whichever button has the focus.
    # When the « Continuer la saisie » button has the focus, check_action passes Enter to that button.
    BINDINGS = [
        Binding("enter", "discard", t("deposit_form.discard"), key_display=t("ui.keyname_enter"), priority=True,
                id="discard_edits", tooltip=t("deposit_form.discard_tip")),
        Binding("escape", "keep", t("deposit_form.keep_editing"), key_display=t("ui.keyname_escape"),
                id="keep_editing", tooltip=t("deposit_form.keep_editing_tip")),
    ]

    def __init__(self) -> None:
        super().__init__(id="discard-edits")

    def compose(self) -> ComposeResult:
        with Vertical(id="discard-dialog"):
            yield Static(t("deposit_form.discard_question"), id="discard-title")
            yield Static(t("deposit_form.discard_detail"), id="discard-detail")
            with Horizontal(id="discard-buttons"):
                yield Button(t("deposit_form.discard"), id="discard", variant="error", compact=True)
                yield Button(t("deposit_form.keep_editing"), id="keep-editing", compact=True)
            yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#discard", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "discard" and self.focused is not None and self.focused.id == "keep-editing":
            return False  # Enter presses the focused « Continuer la saisie » button instead
        return True

    @on(Button.Pressed)
    def _button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "discard")

    def action_discard(self) -> None:
        self.dismiss(True)

    def action_keep(self) -> None:
        self.dismiss(False)
