"""The timeline of one invoice: Chorus Pro statuses with their comments, and what this tool did."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from chorus_tui.i18n import Message, t
from chorus_tui.statuses import status_info
from chorus_tui.store import EventKind, EventRow, InvoiceRow
from chorus_tui.ui.formatting import format_date, format_datetime, format_invoice_total, invoice_heading
from chorus_tui.ui.keys import TIMELINE_BINDINGS

if TYPE_CHECKING:
    from chorus_tui.ui.app import ChorusApp


def event_title(event: EventRow) -> str:
    """Return the headline of one timeline entry: the status label, or this tool's own message."""
    if event.kind is EventKind.STATUS and event.status_code:
        return status_info(event.status_code).label
    if event.message is not None:
        return str(event.message)
    if event.status_code:
        return status_info(event.status_code).label
    return t(f"ui.event.{event.kind.value}")


def file_problems(invoice: InvoiceRow) -> list[str]:
    """Return the problems found when the invoice file was read, in the current language."""
    problems = []
    for error in invoice.detection.get("errors") or []:
        if isinstance(error, dict) and "key" in error:
            try:
                problems.append(str(Message(error["key"], error.get("params") or {})))
            except (KeyError, IndexError):
                # A message key or placeholder this version does not know: show the raw key.
                problems.append(error["key"])
    return problems


class TimelineScreen(ModalScreen[None]):
    """One invoice's history, oldest first, readable at 80 columns."""

    BINDINGS = TIMELINE_BINDINGS

    def __init__(self, invoice_id: int) -> None:
        super().__init__(id="timeline")
        self.invoice_id = invoice_id

    @property
    def chorus_app(self) -> ChorusApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        store = self.chorus_app.context.store
        invoice = store.require_invoice(self.invoice_id)
        with Vertical(id="timeline-dialog"):
            yield Static(self._summary(invoice), id="timeline-summary")
            with VerticalScroll(id="timeline-events"):
                for event in store.events(self.invoice_id):
                    yield self._event_widget(event)
            yield Footer(compact=True, show_command_palette=False)

    def _summary(self, invoice: InvoiceRow) -> Text:
        heading = invoice_heading(invoice, "ui.timeline_title", "ui.timeline_title_credit_note")
        title = Text(heading, style="bold", no_wrap=True, overflow="ellipsis")
        details = [invoice.customer or "", format_date(invoice.invoice_date),
                   format_invoice_total(invoice.total_ttc, invoice.currency, invoice.kind)]
        if any(details):
            title.append("\n" + " · ".join(part for part in details if part))
        current = [t("ui.timeline_current", status=invoice.status_label)]
        if invoice.chorus_invoice_id:
            current.append(t("ui.detail_chorus_id", id=invoice.chorus_invoice_id))
        if invoice.recipient_siret:
            current.append(t("ui.timeline_siret", siret=invoice.recipient_siret))
        title.append("\n" + " · ".join(current))
        for problem in file_problems(invoice):
            title.append("\n" + t("ui.timeline_file_problem", problem=problem), style="bold")
        return title

    def _event_widget(self, event: EventRow) -> Static:
        is_status = event.kind is EventKind.STATUS
        text = Text()
        text.append(format_datetime(event.at), style="bold")
        text.append("  ")
        text.append(event_title(event), style="bold" if is_status else "")
        if event.actor:
            text.append(f"  ({event.actor})")
        if event.comment:
            text.append("\n" + t("ui.timeline_comment", comment=event.comment))
        classes = "event"
        if is_status and event.status_code:
            classes += f" status {status_info(event.status_code).category.value}"
        else:
            classes += " local"
        return Static(text, classes=classes)

    def action_close(self) -> None:
        self.dismiss(None)
