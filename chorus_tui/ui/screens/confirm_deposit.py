"""The last step before a deposit: what will be sent, where, and the warnings the checks found.

A deposit on Chorus Pro cannot be taken back, so the deposit form opens this
dialog once no check is blocking. It dismisses with True to send, False to go
back to the form.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from chorus_tui.domain import InvoiceKind
from chorus_tui.i18n import t
from chorus_tui.ui.typography import french_spacing


@dataclass(frozen=True)
class DepositSummary:
    """Values shown by the confirmation, each already formatted for display."""

    number: str
    kind: InvoiceKind
    environment: str
    recipient_name: str
    recipient_siret: str
    service_code: str | None
    engagement_number: str | None
    amount: str
    route: str
    warnings: tuple[str, ...] = ()
    contract_number: str | None = None
    # True when the values come from the Factur-X XML that a flow deposit sends unchanged.
    from_file: bool = False
    # Cadre de facturation, shown when it is not A1, and the mandataire who validates the invoice.
    billing_frame: str | None = None
    mandataire: str | None = None


class ConfirmDepositScreen(ModalScreen[bool]):
    """Ask before an irreversible deposit; Enter or « Déposer » sends, Escape goes back to the form."""

    # Enter is a priority binding so that the footer shows it at once: otherwise the focused
    # « Déposer » button's own hidden Enter binding hides it. check_action hands Enter back to
    # the « Revenir » button when that one has the focus.
    BINDINGS = [
        Binding("enter", "confirm", t("ui.confirm.send"), key_display=t("ui.keyname_enter"), priority=True,
                id="confirm_send", tooltip=t("ui.confirm.send_tip")),
        Binding("escape", "back", t("ui.confirm.back"), key_display=t("ui.keyname_escape"),
                id="confirm_back", tooltip=t("ui.confirm.back_tip")),
    ]

    def __init__(self, summary: DepositSummary) -> None:
        super().__init__(id="confirm-deposit")
        self.summary = summary

    def compose(self) -> ComposeResult:
        summary = self.summary
        question = "ui.confirm.question_credit_note" if summary.kind is InvoiceKind.CREDIT_NOTE \
            else "ui.confirm.question"
        with Vertical(id="confirm-dialog"):
            yield Static(t(question, number=summary.number, environment=summary.environment), id="confirm-title")
            with VerticalScroll(id="confirm-body"):
                yield Static(self._details(), id="confirm-details")
                if summary.warnings:
                    yield Static(self._warnings(), id="confirm-warnings")
            with Horizontal(id="confirm-buttons"):
                yield Button(t("ui.confirm.send"), id="confirm-send", variant="primary", compact=True)
                yield Button(t("ui.confirm.back"), id="confirm-back", compact=True)
            yield Footer(compact=True, show_command_palette=False)

    def _details(self) -> Text:
        summary = self.summary
        none = t("ui.confirm.none")
        recipient = " · ".join(part for part in (summary.recipient_name, summary.recipient_siret) if part)
        rows = [
            (t("ui.confirm.recipient"), self._sent(recipient or none)),
            (t("ui.field.service_code"), self._sent(summary.service_code or none)),
            (t("ui.field.engagement_number"), self._sent(summary.engagement_number or none)),
            (t("ui.field.contract_number"), self._sent(summary.contract_number or none)),
            (t("ui.field.amounts-total_ttc"), summary.amount or none),
            (t("ui.confirm.route"), summary.route),
        ]
        if summary.billing_frame:
            rows.append((t("ui.field.billing_frame"), summary.billing_frame))
        if summary.mandataire:
            rows.append((t("deposit_form.mandataire"), summary.mandataire))
        text = Text()
        for position, (label, value) in enumerate(rows):
            if position:
                text.append("\n")
            text.append(t("ui.confirm.label", label=label) + " ", style="bold")
            text.append(value)
        return text

    def _sent(self, value: str) -> str:
        """Return `value` as shown in the summary, saying where a flow deposit takes it from."""
        return t("deposit_form.from_file", value=value) if self.summary.from_file else value

    def _warnings(self) -> Text:
        text = Text(t("ui.confirm.warnings"), style="bold")
        for warning in self.summary.warnings:
            text.append(f"\n! {french_spacing(warning)}")
        return text

    def on_mount(self) -> None:
        self.query_one("#confirm-send", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm" and self.focused is not None and self.focused.id == "confirm-back":
            return False  # Enter presses the focused « Revenir » button instead
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-send")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
