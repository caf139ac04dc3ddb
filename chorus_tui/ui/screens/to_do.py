"""The "À traiter" screen: invoices that need the supplier, with the reason in plain words.

Enter opens the remedy of the selected invoice: the recycling form
(A_RECYCLER), the completion form (SUSPENDUE), the rejection dialog
(REJETEE) or the deposit form (refused before deposit). A rejected flow
only gets the steps to fix its file, because sending the same file again
would be rejected again. `TriageDialog` is the base of the three remedy dialogs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Footer, Static

from chorus_tui.domain import CheckLevel, CheckResult
from chorus_tui.i18n import t
from chorus_tui.sync.actions import ToDoItem, TriageAction, TriageOutcome, TriageService, TriageState
from chorus_tui.ui.formatting import format_datetime

if TYPE_CHECKING:
    from chorus_tui.ui.app import ChorusApp

log = logging.getLogger(__name__)


def _binding(keys: str, action: str, command_id: str, *, key_display: str | None = None,
             priority: bool = False) -> Binding:
    return Binding(keys, action, t(f"triage.key.{command_id}"), key_display=key_display, priority=priority,
                   id=f"triage_{command_id}", tooltip=t(f"triage.key.{command_id}_tip"))


# The key of the invoice list that opens this screen.
OPEN_BINDING = _binding("t", "triage", "open")

TO_DO_BINDINGS = [
    # A priority binding: the table would otherwise take Enter, and the footer would not show it.
    _binding("enter", "remedy", "remedy", key_display=t("ui.keyname_enter"), priority=True),
    _binding("escape", "close", "close", key_display=t("ui.keyname_escape")),
]

DIALOG_BINDINGS = [
    _binding("ctrl+s", "submit", "submit", priority=True, key_display="Ctrl+S"),
    _binding("escape", "cancel", "cancel", key_display=t("ui.keyname_escape")),
]


def triage_service(app: ChorusApp) -> TriageService:
    """Build the triage service over the application's client, store and directory."""
    context = app.context
    return TriageService(context.client, context.store, context.clock, directory=context.directory,
                         supplier_id=context.supplier.structure_id, supplier_sirets=context.supplier_sirets)


def reasons_text(item: ToDoItem) -> Text:
    """Return the reasons of an invoice: the field to fix in bold, the plain reason, then Chorus Pro's own text."""
    text = Text()
    for reason in item.reasons:
        if text:
            text.append("\n")
        if reason.field_label is not None:
            text.append(f"{reason.field_label} — ", style="bold")
        text.append(str(reason.message))
        if reason.raw:
            text.append("\n" + t("triage.ui.raw_reason", raw=reason.raw), style="italic")
    return text


def outcome_notice(app: ChorusApp, number: str, outcome: TriageOutcome) -> None:
    """Announce how a remedy ended, in a toast that names what Chorus Pro received when it succeeded."""
    detail = str(outcome.message) if outcome.message is not None else ""
    severity = "information" if outcome.state in (TriageState.DONE, TriageState.PENDING) else "warning"
    if outcome.state is TriageState.DONE and detail:
        app.notify(detail, severity=severity, timeout=8)
        return
    key = f"triage.ui.outcome.{outcome.state.value}"
    app.notify(t(key, number=number, detail=detail), severity=severity, timeout=8)


# Width of the to-do dialog and of what surrounds its table's text: the dialog's border and
# padding, each column's cell padding (one cell on either side), and a vertical scrollbar.
DIALOG_MAX_WIDTH = 100
DIALOG_FRAME_WIDTH = 4
CELL_PADDING_WIDTH = 2
SCROLLBAR_WIDTH = 2
MIN_CUSTOMER_WIDTH = 8


def fit_text(text: str, width: int) -> str:
    """Cut `text` to `width` cells, ending with an ellipsis when something was cut."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


class ToDoScreen(ModalScreen[None]):
    """Invoices that need an action, the longest waiting first, with their reasons."""

    CSS_PATH = "to_do.tcss"
    BINDINGS = TO_DO_BINDINGS

    def __init__(self, selected_invoice_id: int | None = None) -> None:
        super().__init__(id="to-do")
        self.items: list[ToDoItem] = []
        self._selected_invoice_id = selected_invoice_id

    @property
    def chorus_app(self) -> ChorusApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(id="to-do-dialog"):
            yield Static(t("triage.ui.to_do_title"), id="to-do-title")
            yield DataTable(id="to-do-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="to-do-reasons")
            yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.reload()

    def on_resize(self) -> None:
        self._fill_table()

    def reload(self) -> None:
        """Link replacement numbers typed earlier, then read the list again, keeping the selected invoice."""
        service = triage_service(self.chorus_app)
        linked = service.link_pending_replacements()
        if linked:
            self.chorus_app.invoices_changed(*linked)
        current = self.selected_item
        if current is not None:
            self._selected_invoice_id = current.invoice.id
        self.items = service.to_do()
        self._fill_table()
        self.query_one("#to-do-title", Static).update(t("triage.ui.to_do_title_count", count=len(self.items)))

    def _fill_table(self) -> None:
        """Show the items in columns sized to the screen, the customer's name cut to what is left."""
        table = self.query_one(DataTable)
        current = self.selected_item
        keep = current.invoice.id if current is not None else self._selected_invoice_id
        rows = [(format_datetime(item.since), item.invoice.number or item.invoice.source_key,
                 item.invoice.customer or "", t(f"triage.action_short.{item.action.value}"))
                for item in self.items]
        headers = (t("triage.ui.col_since"), t("triage.ui.col_number"), t("triage.ui.col_customer"),
                   t("triage.ui.col_action"))
        widths = [max([len(headers[column]), *(len(row[column]) for row in rows)]) for column in range(4)]
        inner = min(DIALOG_MAX_WIDTH, self.app.size.width) - DIALOG_FRAME_WIDTH
        room = inner - CELL_PADDING_WIDTH * len(headers) - SCROLLBAR_WIDTH
        widths[2] = max(MIN_CUSTOMER_WIDTH, min(widths[2], room - widths[0] - widths[1] - widths[3]))

        table.clear(columns=True)
        for header, width in zip(headers, widths):
            table.add_column(fit_text(header, width), width=width)
        for item, row in zip(self.items, rows):
            table.add_row(*(fit_text(text, width) for text, width in zip(row, widths)), key=str(item.invoice.id))
        for index, item in enumerate(self.items):
            if item.invoice.id == keep:
                table.move_cursor(row=index)
        self._show_reasons(self.selected_item)

    @property
    def selected_item(self) -> ToDoItem | None:
        table = self.query_one(DataTable)
        if not self.items or table.cursor_row is None or not 0 <= table.cursor_row < len(self.items):
            return None
        return self.items[table.cursor_row]

    def _show_reasons(self, item: ToDoItem | None) -> None:
        reasons = self.query_one("#to-do-reasons", Static)
        if item is None:
            reasons.update(t("triage.ui.to_do_empty"))
            return
        text = Text()
        text.append(str(item.action_message) + "\n", style="bold")
        text.append_text(reasons_text(item))
        reasons.update(text)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_reasons(self.selected_item)

    def action_remedy(self) -> None:
        item = self.selected_item
        if item is None:
            return
        offline_actions = (TriageAction.ON_PORTAL, TriageAction.FIX_FILE)
        if self.chorus_app.context.client is None and item.action not in offline_actions:
            self.notify(t("triage.ui.no_connection"), severity="error")
            return
        number = item.invoice.number or item.invoice.source_key
        if item.action is TriageAction.RECYCLE:
            from chorus_tui.ui.screens.recycle import RecycleScreen

            self.app.push_screen(RecycleScreen(item), lambda outcome: self._remedy_done(number, outcome))
        elif item.action is TriageAction.COMPLETE:
            from chorus_tui.ui.screens.complete import CompleteScreen

            self.app.push_screen(CompleteScreen(item), lambda outcome: self._remedy_done(number, outcome))
        elif item.action in (TriageAction.ACKNOWLEDGE_REJECTION, TriageAction.REPLACE):
            from chorus_tui.ui.screens.rejection import RejectionScreen

            self.app.push_screen(RejectionScreen(item), lambda outcome: self._remedy_done(number, outcome))
        elif item.action is TriageAction.DEPOSIT_AGAIN:
            self.dismiss(None)
            self.chorus_app.open_deposit_form(item.invoice.id)
        elif item.action is TriageAction.FIX_FILE:
            self.notify(t("triage.ui.fix_file", number=number), severity="warning", timeout=15)
        else:
            self.notify(t("triage.ui.on_portal", number=number), timeout=8)

    def _remedy_done(self, number: str, outcome: TriageOutcome | None) -> None:
        self.reload()
        if outcome is None:
            return
        self.chorus_app.invoices_changed(outcome.invoice_id)
        outcome_notice(self.chorus_app, number, outcome)

    def action_close(self) -> None:
        self.dismiss(None)


class TriageDialog(ModalScreen[TriageOutcome | None]):
    """Base of the remedy dialogs: the invoice and its reasons, fields with their errors, a status line.

    A subclass sets `TITLE_KEY`, composes its fields in `compose_fields` with
    `field_row`, and implements `send`, which returns the service's outcome.
    The reasons and fields scroll between the title and the status line, so
    the Send and Cancel buttons stay in view. Blocking checks keep the dialog
    open with each message under its field, and the cursor moves to the first
    field in error. The dialog closes once Chorus Pro applied the remedy, or
    when it may have applied it but gave no response.
    """

    BINDINGS = DIALOG_BINDINGS
    FIELDS: tuple[str, ...] = ()
    TITLE_KEY = ""

    def __init__(self, item: ToDoItem, *, dialog_id: str) -> None:
        super().__init__(id=dialog_id)
        self.item = item
        self.invoice_id = item.invoice.id
        self.sending = False

    @property
    def chorus_app(self) -> ChorusApp:
        return self.app  # type: ignore[return-value]

    @property
    def service(self) -> TriageService:
        return triage_service(self.chorus_app)

    @property
    def number(self) -> str:
        return self.item.invoice.number or self.item.invoice.source_key

    def compose(self) -> ComposeResult:
        with Vertical(id=f"{self.id}-dialog", classes="triage-dialog"):
            yield Static(Text(t(self.TITLE_KEY, number=self.number), style="bold"), classes="triage-title")
            with VerticalScroll(classes="triage-body"):
                yield Static(reasons_text(self.item), classes="triage-reasons")
                yield from self.compose_fields()
            yield Static("", id="triage-status")
            with Horizontal(classes="triage-buttons"):
                yield Button(t("triage.ui.button_send"), id="triage-send", variant="primary", compact=True)
                yield Button(t("triage.ui.button_cancel"), id="triage-cancel", compact=True)
            yield Footer(compact=True, show_command_palette=False)

    def compose_fields(self) -> ComposeResult:
        """Yield the dialog's help text and field rows, in their focus order."""
        yield from ()

    def field_row(self, name: str, *widgets) -> ComposeResult:
        with Horizontal(classes="field-row", id=f"row-{name}"):
            yield Static(t(f"triage.ui.field.{name}"), classes="field-label")
            yield from widgets
        yield Static("", id=f"error-{name}", classes="field-error")

    def on_mount(self) -> None:
        for name in self.FIELDS:
            self.query_one(f"#error-{name}", Static).display = False

    @on(Button.Pressed, "#triage-send")
    def _send_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#triage-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#triage-status", Static)
        status.update(text)
        status.set_class(error, "error")

    def show_checks(self, checks: Iterable[CheckResult]) -> list[str]:
        """Show each check under its field; return the blocking messages of fields the dialog lacks."""
        by_field: dict[str, list[CheckResult]] = {}
        for check in checks:
            name = check.field if check.field in self.FIELDS else self.field_for(check.field)
            by_field.setdefault(name, []).append(check)
        first_blocked: str | None = None
        for name in self.FIELDS:
            label = self.query_one(f"#error-{name}", Static)
            problems = [check for check in by_field.pop(name, []) if check.level is not CheckLevel.PASS]
            blocked = any(check.level is CheckLevel.BLOCKING for check in problems)
            label.display = bool(problems)
            label.update("\n".join(str(check.message) for check in problems))
            label.set_class(blocked, "blocking")
            self.query_one(f"#row-{name}").set_class(blocked, "has-error")
            if blocked and first_blocked is None:
                first_blocked = name
        if first_blocked is not None:
            self.focus_field(first_blocked)
        return [str(check.message) for checks in by_field.values() for check in checks
                if check.level is CheckLevel.BLOCKING]

    def focus_field(self, name: str) -> None:
        """Put the cursor in the first control of field `name` and scroll its row into view."""
        row = self.query_one(f"#row-{name}")
        controls = [widget for widget in row.query("*") if widget.focusable]
        if controls:
            controls[0].focus()
        self.call_after_refresh(row.scroll_visible)

    def field_for(self, check_field: str) -> str:
        """Return the dialog field that shows checks of `check_field` (a subclass maps its aliases)."""
        return check_field

    async def send(self) -> TriageOutcome:
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        if self.sending:
            return
        self.sending = True
        self.set_status(t("triage.ui.sending"))
        self._send()

    @work(name="triage-send", group="triage", exclusive=True, exit_on_error=False)
    async def _send(self) -> None:
        try:
            outcome = await self.send()
        except Exception:
            # The application's worker handler logs the error and shows it in a toast.
            self.set_status(t("triage.ui.send_failed"), error=True)
            raise
        finally:
            self.sending = False
        self.handle_outcome(outcome)

    def handle_outcome(self, outcome: TriageOutcome) -> None:
        """Close on success or doubt; keep the dialog open with the reason otherwise."""
        log.info("triage %s of invoice %d: %s", self.id, self.invoice_id, outcome.state.value)
        if outcome.state in (TriageState.DONE, TriageState.PENDING, TriageState.UNKNOWN):
            self.dismiss(outcome)
            return
        unplaced = self.show_checks(outcome.checks)
        message = str(outcome.message) if outcome.message is not None else ""
        if outcome.state is TriageState.BLOCKED:
            self.set_status("\n".join([message, *unplaced]), error=True)
        else:
            self.set_status(t(f"triage.ui.outcome.{outcome.state.value}", number=self.number, detail=message),
                            error=True)
