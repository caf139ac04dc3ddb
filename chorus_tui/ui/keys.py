"""Every command of the application, defined once.

Each `Binding` carries an `id`, a short description and a tooltip from the
message catalogue. The same objects feed the footer, the command palette
(`ChorusApp.get_system_commands`) and the help screen, so a key renamed here
is renamed everywhere. The catalogue language is read when this module is
imported, which the command line does after `--lang` is applied.
"""

from __future__ import annotations

from textual.binding import Binding

from chorus_tui.i18n import t


def _command(key: str, action: str, command_id: str, *, show: bool = True, priority: bool = False,
             key_display: str | None = None) -> Binding:
    return Binding(
        key,
        action,
        t(f"ui.key.{command_id}"),
        show=show,
        priority=priority,
        key_display=key_display,
        id=command_id,
        tooltip=t(f"ui.key.{command_id}_tip"),
    )


APP_BINDINGS = [
    _command("question_mark", "help", "help", key_display="?"),
    # A priority binding, so that F1 opens the help over any screen, even from a text field.
    _command("f1", "help", "help_anywhere", show=False, priority=True, key_display="F1"),
    _command("q", "quit", "quit"),
]

INVOICE_BINDINGS = [
    _command("d", "deposit", "deposit"),
    _command("enter", "timeline", "timeline", key_display=t("ui.keyname_enter")),
    _command("slash", "filter", "filter", key_display="/"),
    _command("escape", "clear_filter", "clear_filter", show=False, key_display=t("ui.keyname_escape")),
    # Hidden from the footer, which must fit in 80 columns; listed in the help and the palette.
    _command("a", "toggle_to_do", "to_do", show=False),
    _command("r", "refresh_source", "refresh"),
    _command("p", "poll_now", "poll", show=False),
    # Needed when the technical account's password expired or was refused; rare, so out of the footer.
    _command("c", "connection", "connection", show=False),
]

FORM_BINDINGS = [
    _command("ctrl+s", "submit", "submit", priority=True, key_display="Ctrl+S"),
    _command("escape", "cancel", "cancel", key_display=t("ui.keyname_escape")),
    # The application's F1 works here too; this copy only puts it in the form's footer.
    _command("f1", "app.help", "help_anywhere", key_display="F1"),
    # A text field takes `?` as a character, so `?` opens the help only from lists and buttons.
    _command("question_mark", "app.help", "help_outside_fields", show=False, key_display="?"),
]

# Keys the form's fields handle themselves (Textual's focus chain, Input, Select), listed in the help
# only: these Binding objects are bound to no screen.
FORM_FIELD_KEYS = [
    _command("tab", "focus_next", "next_field", key_display=t("deposit_form.keyname_tab")),
    _command("shift+tab", "focus_previous", "previous_field", key_display=t("deposit_form.keyname_shift_tab")),
    _command("ctrl+u", "clear_field", "clear_field", key_display="Ctrl+U"),
    _command("enter", "open_list", "open_list", key_display=t("ui.keyname_enter")),
]

TIMELINE_BINDINGS = [
    _command("escape", "close", "close", key_display=t("ui.keyname_escape")),
]


def help_sections() -> list[tuple[str, list[Binding]]]:
    """Return the sections of the help screen and the palette: (title key, bindings), one per screen."""
    from chorus_tui.ui.screens.confirm_deposit import ConfirmDepositScreen
    from chorus_tui.ui.screens.invoices import InvoicesScreen
    from chorus_tui.ui.screens.reconcile import RECONCILE_BINDINGS
    from chorus_tui.ui.screens.to_do import DIALOG_BINDINGS, TO_DO_BINDINGS
    from chorus_tui.ui.widgets.siret_candidates import SiretCandidateList

    return [
        ("ui.help_section_invoices", list(InvoicesScreen.BINDINGS)),
        ("ui.help_section_form", [*FORM_BINDINGS, *FORM_FIELD_KEYS, *SiretCandidateList.BINDINGS]),
        ("deposit_form.help_section_confirm", list(ConfirmDepositScreen.BINDINGS)),
        ("ui.help_section_timeline", TIMELINE_BINDINGS),
        ("ui.help_section_to_do", TO_DO_BINDINGS),
        ("ui.help_section_triage", DIALOG_BINDINGS),
        ("ui.help_section_reconcile", RECONCILE_BINDINGS),
        ("ui.help_section_app", APP_BINDINGS),
    ]
