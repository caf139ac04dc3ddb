"""The rejection dialog of a REJETEE invoice: acknowledge the rejection, then name its replacement.

A rejected invoice cannot be corrected and its number cannot be deposited
again. The first Ctrl+S marks the rejection as handled on Chorus Pro
(`traiterRejet`). The second links the new invoice that replaces it, picked
among the local invoices or typed as a new number, in both timelines.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from chorus_tui.i18n import Message, t
from chorus_tui.statuses import Category
from chorus_tui.store import InvoiceOrder, InvoiceRow
from chorus_tui.sync.actions import ToDoItem, TriageOutcome, TriageState
from chorus_tui.ui.formatting import format_date, format_money
from chorus_tui.ui.screens.connection import TranslatedSelect
from chorus_tui.ui.screens.to_do import TriageDialog

# Invoices offered as replacements: not rejected themselves, most recent first.
REPLACEMENT_CATEGORIES = (Category.TO_DEPOSIT, Category.IN_PROGRESS, Category.ACTION_REQUIRED, Category.PAID)
MAX_REPLACEMENT_CHOICES = 200


class RejectionScreen(TriageDialog):
    """Ctrl+S acknowledges the rejection, then records the replacement; Escape closes."""

    CSS_PATH = ["to_do.tcss", "rejection.tcss"]
    FIELDS = ("replacement", "new_number")
    TITLE_KEY = "triage.ui.rejection_title"

    def __init__(self, item: ToDoItem) -> None:
        super().__init__(item, dialog_id="rejection")
        self.acknowledged = item.invoice.rejection_handled

    def compose_fields(self) -> ComposeResult:
        yield Static(t("triage.ui.rejection_help", number=self.number), classes="triage-help")
        yield Static("", id="rejection-step", classes="triage-step")
        yield from self.field_row("replacement", TranslatedSelect(self._choices(), id="replacement", compact=True,
                                                                  prompt=t("triage.ui.replacement_pick"),
                                                                  classes="field-input"))
        yield from self.field_row("new_number", Input(id="new_number", compact=True, classes="field-input",
                                                      placeholder=t("triage.ui.new_number_placeholder")))

    def on_mount(self) -> None:
        super().on_mount()
        self._show_step()

    def _choices(self) -> list[tuple[str, int]]:
        """Return the local invoices that may replace the rejected one, same recipient first."""
        store = self.chorus_app.context.store
        rejected = self.item.invoice
        rows = store.page_invoices(0, MAX_REPLACEMENT_CHOICES, category=REPLACEMENT_CATEGORIES,
                                   order=InvoiceOrder.DATE_DESC)
        rows = [row for row in rows if row.id != rejected.id and row.number and row.number != rejected.number]
        rows.sort(key=lambda row: row.recipient_siret != rejected.recipient_siret)
        return [(self._choice_label(row), row.id) for row in rows]

    @staticmethod
    def _choice_label(row: InvoiceRow) -> str:
        parts = [row.number or "", row.customer or "", format_date(row.invoice_date),
                 format_money(row.total_ttc, row.currency), row.status_label]
        return " · ".join(part for part in parts if part)

    def _show_step(self) -> None:
        step = self.query_one("#rejection-step", Static)
        for name in self.FIELDS:
            self.query_one(f"#row-{name}").display = self.acknowledged
        if self.acknowledged:
            step.update(t("triage.ui.rejection_step_replace"))
            self.query_one("#replacement", Select).focus()
        else:
            step.update(t("triage.ui.rejection_step_acknowledge"))

    def field_for(self, check_field: str) -> str:
        # Checks name the replacement "invoice_number": show them under the control the user filled.
        if check_field != "invoice_number":
            return check_field
        return "new_number" if self.query_one("#new_number", Input).value.strip() else "replacement"

    async def send(self) -> TriageOutcome:
        if not self.acknowledged:
            return await self.service.acknowledge_rejection(self.invoice_id)
        picked = self.query_one("#replacement", Select).value
        typed = self.query_one("#new_number", Input).value.strip()
        if typed:
            return self.service.link_replacement(self.invoice_id, new_number=typed)
        if picked is Select.NULL:
            return TriageOutcome(TriageState.BLOCKED, self.invoice_id,
                                 message=Message("triage.ui.replacement_missing"))
        return self.service.link_replacement(self.invoice_id, new_invoice_id=int(picked))

    def handle_outcome(self, outcome: TriageOutcome) -> None:
        """After the acknowledgement, stay open for the replacement; otherwise behave like any remedy."""
        if not self.acknowledged and outcome.state is TriageState.DONE:
            self.acknowledged = True
            self.chorus_app.invoices_changed(self.invoice_id)
            self.set_status(t("triage.ui.rejection_acknowledged", number=self.number))
            self._show_step()
            return
        super().handle_outcome(outcome)
