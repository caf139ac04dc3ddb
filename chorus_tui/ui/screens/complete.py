"""The completion form of a SUSPENDUE invoice: the documents the recipient asked for, and a comment.

The user types or pastes one file path per line. On Ctrl+S every file is
checked (name of 50 characters at most with its extension, an accepted
extension, 10 MB at most) before any upload, then each file is uploaded
and `completer` is sent.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.widgets import Input, Static, TextArea

from chorus_tui.i18n import t
from chorus_tui.sync.actions import ToDoItem, TriageOutcome
from chorus_tui.ui.screens.to_do import TriageDialog


def parse_paths(text: str) -> list[Path]:
    """Return the paths typed one per line, without the quotes a terminal adds to dropped files."""
    paths = []
    for line in text.splitlines():
        value = line.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if value:
            paths.append(Path(value).expanduser())
    return paths


class CompleteScreen(TriageDialog):
    """Ctrl+S checks the documents, uploads them and completes the invoice; Escape cancels."""

    CSS_PATH = ["to_do.tcss", "complete.tcss"]
    FIELDS = ("attachments", "comment")
    TITLE_KEY = "triage.ui.complete_title"

    def __init__(self, item: ToDoItem) -> None:
        super().__init__(item, dialog_id="complete")

    def compose_fields(self) -> ComposeResult:
        yield Static(t("triage.ui.complete_help"), classes="triage-help")
        # Tab leaves the path list for the comment, since a path never contains a tab.
        yield from self.field_row("attachments", TextArea(id="attachments", classes="field-input",
                                                          soft_wrap=False, show_line_numbers=False,
                                                          tab_behavior="focus"))
        # A full-height input, so its box shows where the comment goes.
        yield from self.field_row("comment", Input(id="comment", classes="field-input"))

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#attachments", TextArea).focus()

    def field_for(self, check_field: str) -> str:
        # The attachment checks of the deposit name their field after the deposit form's.
        return "attachments" if check_field == "attachment_path" else check_field

    def paths(self) -> list[Path]:
        return parse_paths(self.query_one("#attachments", TextArea).text)

    async def send(self) -> TriageOutcome:
        comment = self.query_one("#comment", Input).value
        return await self.service.complete(self.invoice_id, self.paths(), comment)
