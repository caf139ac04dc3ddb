"""The timeline of one invoice: Chorus Pro statuses with their comments, and what this tool did."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from chorus_tui.domain import DepositRoute
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


def _route_of(event: EventRow) -> DepositRoute | None:
    """Return the deposit route a send event names in its message key ("store.event_deposited.FLUX")."""
    if event.message is None:
        return None
    try:
        return DepositRoute(event.message.key.rsplit(".", 1)[-1])
    except ValueError:
        return None


def timeline_entries(events: list[EventRow], invoice: InvoiceRow) -> list[tuple[EventRow, str]]:
    """Pair each event worth a line with its headline, oldest first.

    The deposit service records "sending" then "sent" for one deposit: they
    become one line, which names the route and, for the last deposit, the
    Chorus Pro number (or the flow number). A status read twice in a row
    (the poll stores the history it reads) is shown once.
    """
    last_sent = max((index for index, event in enumerate(events) if event.kind is EventKind.DEPOSITED), default=None)
    entries: list[tuple[EventRow, str]] = []
    previous_status: str | None = None
    for index, event in enumerate(events):
        following = events[index + 1] if index + 1 < len(events) else None
        if event.kind is EventKind.DEPOSIT_STARTED and following is not None \
                and following.kind is EventKind.DEPOSITED:
            continue
        if event.kind is EventKind.STATUS:
            if event.status_code == previous_status:
                continue
            previous_status = event.status_code
        if event.kind is EventKind.DEPOSITED:
            entries.append((event, _sent_title(event, invoice if index == last_sent else None)))
            continue
        entries.append((event, event_title(event)))
    return entries


def _sent_title(event: EventRow, invoice: InvoiceRow | None) -> str:
    """Return "Envoyée à Chorus Pro (Dépôt PDF), n° 5000001"; the number only when `invoice` is given."""
    route = _route_of(event)
    if route is None:
        return event_title(event)
    text = t("ui.event_sent", route=t(f"integration.route_{route.name.lower()}"))
    if invoice is not None and invoice.chorus_invoice_id:
        text += t("ui.event_sent_number", id=invoice.chorus_invoice_id)
    elif invoice is not None and invoice.flow_number:
        text += t("ui.event_sent_flow", flow=invoice.flow_number)
    return text


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


# Height of the event list on a tall terminal; a shorter one gets what is left under the summary.
TIMELINE_MAX_EVENT_LINES = 22


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
                for event, title in timeline_entries(list(store.events(self.invoice_id)), invoice):
                    yield self._event_widget(event, title)
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

    def _event_widget(self, event: EventRow, title: str) -> Static:
        is_status = event.kind is EventKind.STATUS
        text = Text()
        text.append(format_datetime(event.at), style="bold")
        text.append("  ")
        text.append(title, style="bold" if is_status else "")
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

    def on_mount(self) -> None:
        self.call_after_refresh(self.fit_events)

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_events)

    def fit_events(self) -> None:
        """Let the events take only the height left under the summary, so the dialog opens at its top.

        Otherwise a long history on a short terminal pushes the footer out and the title out of sight.
        """
        summary = self.query_one("#timeline-summary", Static)
        # Border (2 lines) and footer (1 line) of the dialog around the summary and the events.
        room = self.size.height - summary.outer_size.height - 3
        events = self.query_one("#timeline-events", VerticalScroll)
        events.styles.max_height = max(min(room, TIMELINE_MAX_EVENT_LINES), 3)
        events.scroll_home(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
