"""The dialog that picks another connection profile, on which the application then reopens."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from chorus_tui.i18n import t
from chorus_tui.profiles import ProfileInfo


class ProfileScreen(ModalScreen[str | None]):
    """A list of the configured profiles with the active one disabled. Enter dismisses with the chosen name."""

    BINDINGS = [
        Binding("escape", "close", t("ui.key.close"), key_display=t("ui.keyname_escape"), id="profile_close",
                tooltip=t("ui.key.close_tip")),
    ]

    def __init__(self, profiles: list[ProfileInfo]) -> None:
        super().__init__(id="profiles")
        self.profiles = profiles

    def compose(self) -> ComposeResult:
        options = []
        for profile in self.profiles:
            environment = t(f"ui.environment.{profile.environment.value}")
            label = f"{profile.name} · {environment}"
            if profile.is_active:
                label = t("integration.switch_profile_current", profile=label)
            options.append(Option(label, id=profile.name, disabled=profile.is_active))
        with Vertical(id="profile-dialog"):
            yield Static(t("integration.switch_profile_title"), id="profile-title")
            yield OptionList(*options, id="profile-list")
            yield Footer(compact=True, show_command_palette=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)
