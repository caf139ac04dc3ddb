"""Textual widgets whose built-in English texts are replaced by the message catalogue's.

Textual 8.2.8 hard-codes a few English texts that a French user would see.
They are the « Select » prompt and the « Dismiss menu » footer key of an open
list, and the command palette's « Search for commands… » and « No matches
found ».
"""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.widgets import Select
from textual.widgets.option_list import Option

# NOTE: SelectCurrent and SelectOverlay are private to Textual (checked with 8.2.8); Select.compose
# yields them, and Select finds its overlay by type, so a subclass of the overlay takes its place.
from textual.widgets._select import SelectCurrent, SelectOverlay

from chorus_tui.i18n import t


class TranslatedSelectOverlay(SelectOverlay):
    """The open list of a Select, with its Escape key described in the current language."""

    BINDINGS = [Binding("escape", "dismiss", t("ui.select_dismiss"), key_display=t("ui.keyname_escape"))]


class TranslatedSelect(Select):
    """A Select whose prompt and open list speak the current language."""

    def __init__(self, *args, prompt: str | None = None, **kwargs) -> None:
        super().__init__(*args, prompt=prompt or t("ui.select_prompt"), **kwargs)

    def compose(self) -> ComposeResult:
        yield SelectCurrent(self.prompt)
        yield TranslatedSelectOverlay(type_to_search=self._type_to_search).data_bind(compact=Select.compact)


class TranslatedCommandPalette(CommandPalette):
    """The command palette with its placeholder and its "no match" line in the current language."""

    def __init__(self, *args, placeholder: str | None = None, **kwargs) -> None:
        super().__init__(*args, placeholder=placeholder or t("ui.palette_placeholder"), **kwargs)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # NOTE: replaces a private method of Textual's CommandPalette (checked with 8.2.8), whose
        # only English text is the line shown when a search finds nothing.
        self._stop_no_matches_countdown()

        def show_no_match() -> None:
            if not search_value:
                # An empty search lists what can be discovered: having nothing to list is not news.
                self._list_visible = False
                return
            line = Align.center(Text(t("ui.palette_no_match"), style="not bold"))
            self.query_one(CommandList).add_option(Option(line, disabled=True, id=self._NO_MATCHES))
            self._list_visible = True

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_match)
