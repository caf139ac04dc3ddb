"""The reconciliation dialog: link the invoices already deposited on Chorus Pro to the local ones.

The user chooses the deposit period (by default from the oldest local
invoice to today) and starts the search. A progress bar follows the months
and pages as the worker walks them. The exact matches are applied as they
are found. Each near match waits in a list until the user confirms it with
Space, and portal drafts are listed apart. Closing the dialog during a
search cancels it, and the next search over the same period resumes where
it stopped.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import date
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, ProgressBar, Static
from textual.worker import Worker, WorkerState

from chorus_tui.i18n import t
from chorus_tui.statuses import status_label
from chorus_tui.sync.reconcile import SEARCH_PAGE_SIZE, Link, ReconcileProgress, Reconciler, ReconcileReport
from chorus_tui.ui.formatting import format_date, format_datetime, paris_today

if TYPE_CHECKING:
    from chorus_tui.ui.app import ChorusApp

log = logging.getLogger(__name__)

WORKER_NAME = "reconcile"
WORKER_GROUP = "sync"


def _binding(keys: str, action: str, command_id: str, *, key_display: str | None = None,
             priority: bool = False) -> Binding:
    return Binding(keys, action, t(f"reconcile.key.{command_id}"), key_display=key_display, priority=priority,
                   id=f"reconcile_{command_id}", tooltip=t(f"reconcile.key.{command_id}_tip"))


# The application key that opens this dialog (Shift+R; plain r reads the invoice folder again).
OPEN_BINDING = _binding("R", "reconcile", "open", key_display="R")

RECONCILE_BINDINGS = [
    _binding("ctrl+s", "start", "start", priority=True, key_display="Ctrl+S"),
    _binding("space", "confirm", "confirm", key_display=t("reconcile.key.confirm_key")),
    _binding("escape", "close", "close", key_display=t("ui.keyname_escape")),
]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FRENCH_DATE = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def parse_day(text: str) -> date:
    """Read a date typed as 31/01/2026 or 2026-01-31; raise ValueError naming the text otherwise."""
    cleaned = text.strip()
    try:
        if _ISO_DATE.match(cleaned):
            return date.fromisoformat(cleaned)
        match = _FRENCH_DATE.match(cleaned)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
    except ValueError:
        pass
    raise ValueError(f"not a date: {text!r}")


class ReconcileScreen(ModalScreen[None]):
    """The period, the progress of the search, the near matches to confirm and the portal drafts."""

    CSS_PATH = "reconcile.tcss"
    BINDINGS = RECONCILE_BINDINGS

    class Progressed(Message):
        """The worker walked one more page of search results."""

        def __init__(self, step: ReconcileProgress) -> None:
            super().__init__()
            self.step = step

    class Finished(Message):
        """The worker walked the whole period."""

        def __init__(self, report: ReconcileReport) -> None:
            super().__init__()
            self.report = report

    class FolderImported(Message):
        """The invoice folder was imported before a search started on opening."""

    class Confirmed(Message):
        """The user confirmed a near match; `applied` is False when it no longer applied."""

        def __init__(self, proposal: Link, applied: bool) -> None:
            super().__init__()
            self.proposal = proposal
            self.applied = applied

    def __init__(self, *, autostart: bool = False, page_size: int = SEARCH_PAGE_SIZE) -> None:
        super().__init__(id="reconcile")
        self.autostart = autostart
        self.page_size = page_size
        self.report: ReconcileReport | None = None
        self.proposals: list[Link] = []
        self.confirmed: set[int] = set()  # indexes in `proposals` the user confirmed
        self.confirming: set[int] = set()  # indexes whose confirmation is still running
        self.running = False
        self._range: tuple[date, date] | None = None

    @property
    def chorus_app(self) -> ChorusApp:
        return self.app  # type: ignore[return-value]

    def reconciler(self) -> Reconciler:
        context = self.chorus_app.context
        return Reconciler(context.client, context.store, context.clock, page_size=self.page_size)

    # --- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="reconcile-dialog"):
            yield Static(t("reconcile.title"), id="reconcile-title")
            yield Static(t("reconcile.intro"), id="reconcile-intro")
            with Horizontal(id="reconcile-range"):
                yield Static(t("reconcile.date_from"), classes="field-label")
                yield Input(id="date-from", classes="date-field")
                yield Static(t("reconcile.date_to"), classes="field-label")
                yield Input(id="date-to", classes="date-field")
            yield Static("", id="reconcile-error")
            yield Static("", id="reconcile-note")
            yield ProgressBar(total=100, show_eta=False, id="reconcile-progress")
            yield Static("", id="reconcile-status")
            yield Static(t("reconcile.proposals_title"), id="proposals-title", classes="section-title")
            yield DataTable(id="proposals", cursor_type="row", zebra_stripes=True)
            yield Static(t("reconcile.drafts_title"), id="drafts-title", classes="section-title")
            yield DataTable(id="drafts", cursor_type="row", zebra_stripes=True)
            yield Static(t("reconcile.not_linked_title"), id="not-linked-title", classes="section-title")
            yield DataTable(id="not-linked", cursor_type="row", zebra_stripes=True)
            yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        proposals = self.query_one("#proposals", DataTable)
        proposals.add_columns(t("reconcile.col_confirmed"), t("reconcile.col_local"), t("reconcile.col_chorus"),
                              t("reconcile.col_status"), t("reconcile.col_chorus_id"))
        drafts = self.query_one("#drafts", DataTable)
        drafts.add_columns(t("reconcile.col_number"), t("reconcile.col_date"), t("reconcile.col_recipient"))
        not_linked = self.query_one("#not-linked", DataTable)
        not_linked.add_columns(t("reconcile.col_local"), t("reconcile.col_chorus"), t("reconcile.col_chorus_id"),
                               t("reconcile.col_reason"))
        self.query_one("#reconcile-error", Static).display = False
        self._show_results(visible=False)

        context = self.chorus_app.context
        reconciler = self.reconciler()
        pending = reconciler.pending_run()
        start, end = reconciler.suggested_range(paris_today(context.clock))
        if pending is not None:
            note = t("reconcile.pending", start=format_date(pending.date_from), end=format_date(pending.date_to),
                     resume=format_date(pending.resume_from))
        else:
            last = reconciler.last_run()
            note = t("reconcile.last_run", at=format_datetime(last)) if last else t("reconcile.never_run")
        if self.autostart:
            note = t("reconcile.first_connection") + "\n" + note
        self.query_one("#date-from", Input).value = format_date(start)
        self.query_one("#date-to", Input).value = format_date(end)
        self.query_one("#reconcile-note", Static).update(note)
        self.query_one("#reconcile-status", Static).update(t("reconcile.ready"))
        self.query_one("#date-from", Input).focus()
        last_report = reconciler.last_report() if pending is None and not self.autostart else None
        if last_report is not None:
            # Near matches found earlier (by `chorus-tui sync --reconcile`, say) wait here for confirmation.
            self._fill_results(last_report)
            self.query_one("#reconcile-status", Static).update(
                self.summary_text(last_report) + "\n" + t("reconcile.ready"))
        if context.client is None:
            self.query_one("#reconcile-status", Static).update(t("reconcile.unavailable"))
        elif self.autostart:
            self.running = True
            self._import_folder()

    @work(name="reconcile-import", group=WORKER_GROUP, exit_on_error=False)
    async def _import_folder(self) -> None:
        """Import the invoice folder before a search started on opening.

        The invoice list imports it at the same time, so the store may still
        be empty, and a search over an empty store links nothing.
        """
        context = self.chorus_app.context
        invoices = await asyncio.to_thread(context.source.scan)
        await asyncio.to_thread(context.store.upsert_source_invoices, invoices)
        self.post_message(self.FolderImported())

    @on(FolderImported)
    def _folder_imported(self) -> None:
        self.running = False
        self.chorus_app.invoices_changed()
        # The oldest local invoice may be older now that the folder is imported.
        if self.reconciler().pending_run() is None:
            start, end = self.reconciler().suggested_range(paris_today(self.chorus_app.context.clock))
            self.query_one("#date-from", Input).value = format_date(start)
            self.query_one("#date-to", Input).value = format_date(end)
        self.action_start()

    def _show_results(self, *, visible: bool) -> None:
        sections = ("#proposals-title", "#proposals", "#drafts-title", "#drafts", "#not-linked-title", "#not-linked")
        for selector in sections:
            self.query_one(selector).display = visible

    def _show_error(self, text: str | None) -> None:
        error = self.query_one("#reconcile-error", Static)
        error.display = text is not None
        error.update(text or "")

    # --- starting and following the search -----------------------------------------------------

    def read_range(self) -> tuple[date, date] | None:
        """Return the period typed by the user, or None after showing what is wrong with it."""
        values = []
        for selector in ("#date-from", "#date-to"):
            field = self.query_one(selector, Input)
            try:
                values.append(parse_day(field.value))
            except ValueError:
                self._show_error(t("reconcile.date_invalid", value=field.value))
                field.focus()
                return None
        start, end = values
        today = paris_today(self.chorus_app.context.clock)
        if start > end:
            self._show_error(t("reconcile.range_empty", start=format_date(start), end=format_date(end)))
            return None
        if end > today:
            self._show_error(t("reconcile.date_future", end=format_date(end), today=format_date(today)))
            return None
        self._show_error(None)
        return start, end

    @on(Input.Submitted)
    def _input_submitted(self) -> None:
        self.action_start()

    def action_start(self) -> None:
        if self.running:
            self.notify(t("reconcile.already_running"), severity="warning")
            return
        if self.chorus_app.context.client is None:
            self.notify(t("reconcile.unavailable"), severity="error")
            return
        period = self.read_range()
        if period is None:
            return
        self._range = period
        self.running = True
        self.report = None
        self.query_one("#reconcile-progress", ProgressBar).update(progress=0)
        self._show_results(visible=False)
        log.info("reconciliation requested from %s to %s", *period)
        self._reconcile(*period)

    # Not exclusive: that would cancel a confirmation still running in the same group.
    @work(name=WORKER_NAME, group=WORKER_GROUP, exit_on_error=False)
    async def _reconcile(self, start: date, end: date) -> None:
        """Walk Chorus Pro's deposits over the period; progress and the report reach the screen as messages."""
        report = await self.reconciler().reconcile(start, end, progress=lambda step: self.post_message(
            self.Progressed(step)))
        self.post_message(self.Finished(report))

    @on(Progressed)
    def _progressed(self, message: Progressed) -> None:
        step = message.step
        self.query_one("#reconcile-progress", ProgressBar).update(progress=round(step.fraction * 100))
        self.query_one("#reconcile-status", Static).update(t(
            "reconcile.running", month=step.month, months=step.months, period=format_date(step.month_start),
            page=step.page, pages=step.pages, seen=t("reconcile.running_seen", count=step.invoices_seen),
            linked=t("reconcile.running_linked", count=step.linked),
            proposed=t("reconcile.running_proposed", count=step.proposed),
            drafts=t("reconcile.running_drafts", count=step.drafts)))

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        report = message.report
        self.running = False
        self.report = report
        self.query_one("#reconcile-progress", ProgressBar).update(progress=100)
        self.query_one("#reconcile-note", Static).update(
            t("reconcile.last_run", at=format_datetime(self.chorus_app.context.clock.now())))
        self._fill_results(report)
        summary = self.summary_text(report)
        self.query_one("#reconcile-status", Static).update(summary)
        severity = "warning" if report.proposed or report.drafts or report.reused_numbers else "information"
        self.chorus_app.notify(summary, title=t("reconcile.done_title"), severity=severity, timeout=12)
        self.chorus_app.invoices_changed(*(link.invoice_id for link in report.linked))

    @staticmethod
    def summary_text(report: ReconcileReport) -> str:
        """Return the outcome of a reconciliation in one paragraph."""
        lines = [t("reconcile.summary",
                   linked=t("reconcile.summary_linked", count=len(report.linked)),
                   proposed=t("reconcile.summary_proposed", count=len(report.proposed)),
                   drafts=t("reconcile.summary_drafts", count=len(report.drafts)),
                   unmatched=t("reconcile.summary_unmatched", count=len(report.unmatched)))]
        if report.already_linked:
            lines.append(t("reconcile.summary_already", count=report.already_linked))
        if report.reused_numbers:
            lines.append(t("reconcile.summary_reused", count=len(report.reused_numbers)))
        if report.ambiguous:
            lines.append(t("reconcile.summary_ambiguous", count=len(report.ambiguous)))
        if report.history_missing:
            lines.append(t("reconcile.summary_history", count=len(report.history_missing)))
        if report.incomplete_months:
            months = ", ".join(format_date(month) for month in report.incomplete_months)
            lines.append(t("reconcile.summary_incomplete", months=months))
        return "\n".join(lines)

    def _fill_results(self, report: ReconcileReport) -> None:
        self._show_results(visible=True)
        self._fill_proposals(report.proposed)
        self._fill_drafts(report)
        self._fill_not_linked(report)

    def _fill_proposals(self, proposed: list[Link]) -> None:
        self.proposals = list(proposed)
        self.confirmed = set()
        self.confirming = set()
        table = self.query_one("#proposals", DataTable)
        table.clear()
        for index, proposal in enumerate(self.proposals):
            table.add_row("", proposal.local_number, proposal.chorus_number, status_label(proposal.status_code),
                          str(proposal.chorus_invoice_id), key=str(index))

        title = "reconcile.proposals_title" if self.proposals else "reconcile.proposals_none"
        self.query_one("#proposals-title", Static).update(t(title))
        table.display = bool(self.proposals)
        if self.proposals:
            table.focus()

    def _fill_drafts(self, report: ReconcileReport) -> None:
        table = self.query_one("#drafts", DataTable)
        table.clear()
        for draft in report.drafts:
            table.add_row(draft.number or "?", format_date(draft.invoice_date), draft.recipient_name or "",
                          key=str(draft.chorus_invoice_id))

        title = "reconcile.drafts_title" if report.drafts else "reconcile.drafts_none"
        self.query_one("#drafts-title", Static).update(t(title))
        table.display = bool(report.drafts)

    def _fill_not_linked(self, report: ReconcileReport) -> None:
        table = self.query_one("#not-linked", DataTable)
        table.clear()
        for reason, links in (("reused", report.reused_numbers), ("ambiguous", report.ambiguous)):
            for link in links:
                table.add_row(link.local_number, link.chorus_number, str(link.chorus_invoice_id),
                              t(f"reconcile.reason_{reason}"))

        # Usually every invoice is linked or proposed, so this section shows only when it has rows.
        table.display = self.query_one("#not-linked-title").display = table.row_count > 0

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show why a search or a confirmation failed, and where the next search resumes.

        Worker state messages do not bubble, so the application's handler never receives those of this screen.
        """
        worker = event.worker
        if event.state is not WorkerState.ERROR or worker.group != WORKER_GROUP:
            return
        log.error("worker %s (group %s) failed", worker.name, worker.group, exc_info=worker.error)
        self.chorus_app.show_error(worker.error, context=worker.name)
        if worker.name != WORKER_NAME:
            self.confirming.clear()
            self.running = False
            return
        self.running = False
        pending = self.reconciler().pending_run()
        if pending is not None:
            self.query_one("#reconcile-status", Static).update(
                t("reconcile.failed", resume=format_date(pending.resume_from)))

    # --- near matches --------------------------------------------------------------------------

    @property
    def selected_proposal(self) -> int | None:
        table = self.query_one("#proposals", DataTable)
        if not self.proposals or not table.display or not 0 <= table.cursor_row < len(self.proposals):
            return None
        return table.cursor_row

    def action_confirm(self) -> None:
        if self.running:
            self.notify(t("reconcile.confirm_wait"), severity="warning")
            return
        index = self.selected_proposal
        if index is None:
            self.notify(t("reconcile.confirm_nothing"), severity="warning")
            return
        if index in self.confirmed or index in self.confirming:
            return
        self.confirming.add(index)
        self._confirm(index)

    @work(name="reconcile-confirm", group=WORKER_GROUP, exit_on_error=False)
    async def _confirm(self, index: int) -> None:
        proposal = self.proposals[index]
        applied = await self.reconciler().confirm(proposal)
        self.post_message(self.Confirmed(proposal, applied))

    @on(Confirmed)
    def _confirmed(self, message: Confirmed) -> None:
        proposal = message.proposal
        index = self.proposals.index(proposal)
        self.confirming.discard(index)
        if not message.applied:
            self.notify(t("reconcile.confirm_stale", local=proposal.local_number, chorus=proposal.chorus_number),
                        severity="warning", timeout=8)
            return
        self.confirmed.add(index)
        table = self.query_one("#proposals", DataTable)
        table.update_cell_at((index, 0), "✓")
        self.notify(t("reconcile.confirmed", local=proposal.local_number, chorus=proposal.chorus_number,
                      id=proposal.chorus_invoice_id))
        self.chorus_app.invoices_changed(proposal.invoice_id)

    def action_close(self) -> None:
        """Close the dialog; a running search is cancelled and resumes next time."""
        if self.running:
            self.workers.cancel_group(self, WORKER_GROUP)
            pending = self.reconciler().pending_run()
            resume = pending.resume_from if pending is not None else self._range[0]
            self.chorus_app.notify(t("reconcile.interrupted", resume=format_date(resume)), severity="warning",
                                   timeout=8)
            log.info("reconciliation cancelled; it resumes at %s", resume)
        self.dismiss(None)

