"""The main screen: counts per category, the invoice list, its filter and the to-do view."""

from __future__ import annotations

import dataclasses
import enum
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from chorus_tui.i18n import t
from chorus_tui.statuses import DEPOSITABLE_STATUSES, Category
from chorus_tui.store import InvoiceOrder, InvoiceRow
from chorus_tui.ui.keys import INVOICE_BINDINGS
from chorus_tui.ui.messages import InvoicesChanged, SourceScanned
from chorus_tui.ui.screens.reconcile import OPEN_BINDING as RECONCILE_BINDING
from chorus_tui.ui.screens.to_do import OPEN_BINDING as TRIAGE_BINDING
from chorus_tui.ui.widgets.invoice_table import InvoiceTable, file_errors, recipient_siret_blocked

if TYPE_CHECKING:
    from chorus_tui.ui.app import ChorusApp

log = logging.getLogger(__name__)


class View(enum.StrEnum):
    """Selection of invoices shown by the list."""

    ALL = "all"
    TO_DO = "to_do"  # action required first, then to deposit; oldest first in each


# Header counters: (message key, categories summed, CSS class).
COUNTERS = (
    ("integration.count_to_deposit", (Category.TO_DEPOSIT,), "to-deposit"),
    ("ui.count_to_do", (Category.ACTION_REQUIRED,), "to-do"),
    ("ui.count_in_progress", (Category.IN_PROGRESS,), "in-progress"),
    ("ui.count_paid", (Category.PAID, Category.FINISHED), "paid"),
    ("ui.count_rejected", (Category.REJECTED,), "rejected"),
)

_TO_DO_PARTS = (Category.ACTION_REQUIRED, Category.TO_DEPOSIT)

# Below this width the header hides the counters that are zero, so that the profile name stays readable.
WIDE_HEADER = 100

# Seconds without a keystroke before the filter runs (Enter runs it at once).
FILTER_DELAY = 0.25


class InvoicesScreen(Screen[None]):
    """The invoice list with its header counters; every action starts from the selected invoice."""

    # Reconciliation is rare (once per profile): out of the footer, which must fit in 80 columns.
    BINDINGS = [*INVOICE_BINDINGS, TRIAGE_BINDING, dataclasses.replace(RECONCILE_BINDING, show=False)]
    AUTO_FOCUS = "InvoiceTable"

    def __init__(self) -> None:
        super().__init__(id="invoices")
        self.view = View.ALL
        self.filter_text = ""
        self._filter_timer: Timer | None = None

    @property
    def chorus_app(self) -> ChorusApp:
        return self.app  # type: ignore[return-value]

    # -- layout ------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        context = self.chorus_app.context
        with Horizontal(id="topbar"):
            yield Static(t("ui.app_title"), id="app-title")
            yield Static(context.profile_label, id="profile")
            for _, _, css_class in COUNTERS:
                yield Static("", classes=f"counter {css_class}", id=f"count-{css_class}")
        yield Static("", id="banner")
        yield Input(placeholder=t("ui.filter_placeholder"), id="filter", compact=True)
        yield InvoiceTable(self._count_rows, self._fetch_rows, empty_text=t("ui.table_empty"), id="invoices-table")
        yield Static("", id="detail")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.show_banner()
        self.reload()
        self.action_refresh_source()

    @property
    def table(self) -> InvoiceTable:
        return self.query_one(InvoiceTable)

    # -- data source of the table -------------------------------------------------------------------

    def _filter(self) -> str | None:
        return self.filter_text.strip() or None

    def _count_rows(self) -> int:
        store = self.chorus_app.context.store
        if self.view is View.TO_DO:
            return sum(store.count_invoices(self._filter(), category) for category in _TO_DO_PARTS)
        return store.count_invoices(self._filter())

    def _fetch_rows(self, offset: int, limit: int) -> Sequence[InvoiceRow]:
        store = self.chorus_app.context.store
        if self.view is View.ALL:
            return store.page_invoices(offset, limit, self._filter(), order=InvoiceOrder.DATE_DESC)

        # The to-do view chains two category queries so that each stays one indexed page read.
        rows: list[InvoiceRow] = []
        for category in _TO_DO_PARTS:
            size = store.count_invoices(self._filter(), category)
            if offset < size and len(rows) < limit:
                rows.extend(store.page_invoices(offset, limit - len(rows), self._filter(), category,
                                                order=InvoiceOrder.DATE_ASC))
            offset = max(offset - size, 0)
        return rows

    def reload(self, *, keep_cursor: bool = True) -> None:
        """Read the counters and the visible rows again from the store."""
        self._update_counters()
        if keep_cursor:
            self.table.reload()
        else:
            self.table.set_source(self._count_rows, self._fetch_rows)
        self._update_detail(self.table.selected_row)

    def show_banner(self) -> None:
        """Show in the banner why polling is paused, else the technical password's expiry warning.

        The expiry warning appears 30 and 7 days before the password expires, and after.
        """
        from chorus_tui.connection import password_expiry_warning
        from chorus_tui.ui.formatting import paris_today

        context = self.chorus_app.context
        refused = self.chorus_app.credentials_refused
        if refused is not None:
            text = t("ui.polling_paused", reason=str(refused.message))
        else:
            warning = password_expiry_warning(context.password_expiry, paris_today(context.clock))
            text = str(warning) if warning is not None else ""
        banner = self.query_one("#banner", Static)
        banner.update(text)
        banner.display = bool(text)
        banner.set_class(refused is not None, "refused")

    def _update_counters(self) -> None:
        counts = self.chorus_app.context.store.counts_by_category()
        narrow = self.app.size.width < WIDE_HEADER
        for key, categories, css_class in COUNTERS:
            total = sum(counts.get(category, 0) for category in categories)
            counter = self.query_one(f"#count-{css_class}", Static)
            counter.update(t(key, count=total))
            counter.display = bool(total) or not narrow
        # The terminal's own title already names the application: below 100 columns its room goes to the counters.
        self.query_one("#app-title", Static).display = not narrow
        # The two counters of invoices to handle double as the tab of the to-do view.
        for css_class in ("to-deposit", "to-do"):
            self.query_one(f"#count-{css_class}", Static).set_class(self.view is View.TO_DO, "active")

    def on_resize(self) -> None:
        self._update_counters()

    def _update_detail(self, row: InvoiceRow | None) -> None:
        detail = self.query_one("#detail", Static)
        if row is None:
            detail.update("")
            return
        parts = [row.status_label]
        errors = file_errors(row)
        if errors:
            parts.append(str(errors[0]))
        elif recipient_siret_blocked(row):
            parts.append(t("deposit_form.detail_siret_blocked"))
        if row.status_comment:
            parts.append(t("ui.detail_comment", comment=row.status_comment))
        if row.chorus_invoice_id:
            parts.append(t("ui.detail_chorus_id", id=row.chorus_invoice_id))
        if row.file_path:
            parts.append(row.file_path.name)
        detail.update(" · ".join(parts))

    # -- events --------------------------------------------------------------------------------------

    @on(InvoiceTable.RowHighlighted)
    def _row_highlighted(self, event: InvoiceTable.RowHighlighted) -> None:
        self._update_detail(event.row)

    @on(InvoiceTable.RowSelected)
    def _row_selected(self, event: InvoiceTable.RowSelected) -> None:
        self.chorus_app.open_timeline(event.row.id)

    @on(InvoicesChanged)
    def _invoices_changed(self, event: InvoicesChanged) -> None:
        self.reload()

    @on(SourceScanned)
    def _source_scanned(self, event: SourceScanned) -> None:
        store = self.chorus_app.context.store
        unreadable = 0
        for invoice in event.invoices:
            store.upsert_source_invoice(invoice)
            if invoice.errors:
                unreadable += 1
        log.info("source scanned: %d invoices, %d with errors", len(event.invoices), unreadable)
        self._link_replacements()
        self.reload()
        folder = getattr(self.chorus_app.context.source, "folder", None)
        if folder is not None and not folder.is_dir():
            self.notify(t("ui.source_folder_missing", folder=folder), severity="warning", timeout=10)
            return
        self.notify(t("ui.source_scanned", count=len(event.invoices), folder=self._folder_name(folder)), timeout=3)
        if unreadable:
            self.notify(t("ui.source_unreadable", count=unreadable), severity="warning")

    def _folder_name(self, folder: Path | None) -> str:
        """Name the invoice folder in a toast: its last part, or "demo invoices" for the bundled one.

        A whole path (the demo's is deep in site-packages) wraps mid-word in a toast.
        """
        from chorus_tui.sources.folder import demo_invoice_folder

        if folder is None:
            return ""
        if folder == demo_invoice_folder():
            return t("ui.demo_folder")
        return folder.name or str(folder)

    def _link_replacements(self) -> None:
        """Link the rejected invoices whose replacement number was typed before its file was in the folder."""
        from chorus_tui.ui.screens.to_do import triage_service

        linked = triage_service(self.chorus_app).link_pending_replacements()
        if linked:
            log.info("linked %d rejected invoices to their replacement after the scan", len(linked))

    # -- filter ---------------------------------------------------------------------------------------

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.display = True
        # Keys typed right after `/` may already be queued for the list; ChorusApp.on_key hands them over.
        self.set_focus(field)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        # Each query scans the search column; wait for a pause in the typing before running it.
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, self._apply_filter)

    def _apply_filter(self) -> None:
        self._filter_timer = None
        text = self.query_one("#filter", Input).value
        if text != self.filter_text:
            self.filter_text = text
            self.reload(keep_cursor=False)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._apply_filter()
        self.table.focus()

    def action_clear_filter(self) -> None:
        """Close the filter; the list goes back to its first row only when a filter was applied."""
        field = self.query_one("#filter", Input)
        if not field.display and not self.filter_text:
            return
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        field.value = ""
        field.display = False
        if self.filter_text:
            self.filter_text = ""
            self.reload(keep_cursor=False)
        self.table.focus()

    # -- commands -------------------------------------------------------------------------------------

    def action_toggle_to_do(self) -> None:
        self.view = View.ALL if self.view is View.TO_DO else View.TO_DO
        self.reload(keep_cursor=False)

    def action_deposit(self) -> None:
        row = self.table.selected_row
        if row is None:
            self.notify(t("ui.no_invoice_selected"), severity="warning")
            return
        if row.status_code not in DEPOSITABLE_STATUSES:
            self.notify(t("ui.already_deposited", number=row.number or row.source_key, status=row.status_label),
                        severity="warning")
            return
        errors = file_errors(row)
        if errors:
            # The form would only list fields that an unreadable file cannot fill.
            self.notify(str(errors[0]), severity="error")
            return
        self.chorus_app.open_deposit_form(row.id)

    def action_timeline(self) -> None:
        row = self.table.selected_row
        if row is not None:
            self.chorus_app.open_timeline(row.id)

    def action_triage(self) -> None:
        """Open the invoices to handle, with their reasons, on the selected invoice when it is one of them."""
        from chorus_tui.ui.screens.to_do import ToDoScreen

        row = self.table.selected_row
        self.app.push_screen(ToDoScreen(row.id if row is not None else None))

    def action_reconcile(self) -> None:
        """Open the reconciliation dialog (invoices deposited on Chorus Pro before this tool)."""
        if self.chorus_app.context.client is None:
            self.notify(t("ui.polling_unavailable"), severity="warning")
            return
        from chorus_tui.ui.screens.reconcile import ReconcileScreen

        self.app.push_screen(ReconcileScreen())

    def action_connection(self) -> None:
        self.chorus_app.open_connection()

    def action_poll_now(self) -> None:
        self.chorus_app.poll_now()

    def action_refresh_source(self) -> None:
        self.notify(t("ui.source_scanning"), timeout=2)
        self._scan_source()

    @work(thread=True, name="scan-source", group="source", exclusive=True, exit_on_error=False)
    def _scan_source(self) -> None:
        """Read the source folder in a thread (PDF parsing blocks) and hand the result to the screen."""
        invoices = self.chorus_app.context.source.scan()
        self.post_message(SourceScanned(invoices))
