"""Follow deposited invoices on Chorus Pro: flows until integrated, then statuses until the end.

One poll costs one flow report per flow still being integrated, plus a
search by flow number once it is integrated. It then reads the pages of one
search of the invoices whose status changed since the previous poll, and
calls the history once per invoice whose status did change. Invoices that did
not change cost nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from chorus_tui.chorus.errors import BusinessError, ChorusError
from chorus_tui.chorus.models.factures import InvoiceSearch, InvoiceSummary
from chorus_tui.clock import Clock
from chorus_tui.statuses import (
    DEPOSITED,
    FLOW_DONE_STATES,
    FLOW_FAILED_STATES,
    FLOW_PARTLY_INTEGRATED,
    FLOW_REJECTED,
)
from chorus_tui.store import InvoiceRow, Store
from chorus_tui.sync.deposit import DepositOutcome, DepositService
from chorus_tui.sync.timezones import as_aware, paris_day_window

log = logging.getLogger(__name__)

# Checkpoint: start time of the last poll whose results were all stored.
CHECKPOINT_KEY = "poll.status_window_end"
# Each window starts this long before the previous poll began, so that a change
# recorded by Chorus Pro while that poll ran is not missed.
WINDOW_OVERLAP = timedelta(hours=1)
SEARCH_PAGE_SIZE = 100
# Sync-state prefix of each recipient's `statutMiseEnPaiementNestPasRemonte` ("1" or "0").
PAYMENT_REPORTING_PREFIX = "recipient.payment_not_reported"


@dataclass(frozen=True)
class StatusUpdate:
    """A status change stored by one poll."""

    invoice_id: int
    number: str | None
    old_status: str
    new_status: str
    comment: str | None


@dataclass
class PollReport:
    """Summary of one poll: what it read and stored."""

    started_at: datetime
    finished_at: datetime | None = None
    changes: list[StatusUpdate] = field(default_factory=list)
    window: tuple[date, date] | None = None
    pages: int = 0
    invoices_seen: int = 0
    unmatched: int = 0  # invoices changed on Chorus Pro that no local invoice is linked to
    # Results skipped because their invoice number differs from the local invoice linked to the same
    # Chorus Pro id (a simulator restarted without its state, or ids reused across accounts).
    mismatched: int = 0
    flows_checked: int = 0
    history_calls: int = 0
    resolved: list[DepositOutcome] = field(default_factory=list)  # unanswered deposits checked again


class Poller:
    """Reads status changes from Chorus Pro into the store."""

    def __init__(self, client, store: Store, clock: Clock, *, deposit_service: DepositService | None = None) -> None:
        self.client = client
        self.store = store
        self.clock = clock
        # With a deposit service, each poll first checks again the deposits whose response was lost.
        self.deposit_service = deposit_service

    async def poll_once(self) -> PollReport:
        """Run one poll; ChorusError from the client propagates, and the checkpoint is then left unchanged."""
        report = PollReport(started_at=self.clock.now())
        if self.deposit_service is not None:
            report.resolved = await self.deposit_service.resolve_unknown()
        await self._follow_flows(report)
        await self._poll_statuses(report)
        await self._learn_payment_reporting()
        self.store.refresh_time_categories()
        report.finished_at = self.clock.now()
        log.info("poll stored %d changes (%d pages, %d history calls, %d flows)",
                 len(report.changes), report.pages, report.history_calls, report.flows_checked)
        return report

    # --- flows -------------------------------------------------------------------

    async def _follow_flows(self, report: PollReport) -> None:
        for flow_number, rows in self.store.pending_flows().items():
            try:
                flow = await self.client.flow_report(flow_number)
            except BusinessError as error:
                # One unknown flow number must not stop the poll of everything else.
                log.warning("flow %s of invoices %s: report request failed (%s)", flow_number,
                            [row.id for row in rows], error.message.key)
                continue
            report.flows_checked += 1
            state = flow.state
            at = as_aware(flow.state_changed_at) or self.clock.now()
            if state in FLOW_FAILED_STATES:
                reasons = _flow_reasons(flow)
                for row in rows:
                    reason = reasons.get(row.number) or reasons.get(None)
                    self.store.record_flow_rejected(row.id, state, at=at, reason=reason)
                    report.changes.append(StatusUpdate(row.id, row.number, row.status_code, state, reason))
            elif state in FLOW_DONE_STATES:
                await self._identify_flow_invoices(flow_number, flow, rows, at, report)
            elif state:
                for row in rows:
                    if row.status_code != state:
                        self.store.record_flow_state(row.id, state, at=at)
                        report.changes.append(StatusUpdate(row.id, row.number, row.status_code, state, None))

    async def _identify_flow_invoices(self, flow_number: str, flow, rows: list[InvoiceRow], at: datetime,
                                      report: PollReport) -> None:
        hits = await self.client.search_invoices(
            InvoiceSearch(flow_number=flow_number, page_size=SEARCH_PAGE_SIZE)
        )
        by_number = {hit.invoice_number: hit for hit in hits if hit.invoice_number}
        reasons = _flow_reasons(flow)
        for row in rows:
            hit = by_number.get(row.number)
            if hit is not None:
                status = hit.status or DEPOSITED
                self.store.record_flow_integrated(
                    row.id, chorus_invoice_id=hit.invoice_id, status_code=status,
                    at=as_aware(hit.status_changed_at) or at, comment=hit.status_comment,
                )
                report.changes.append(StatusUpdate(row.id, row.number, row.status_code, status, hit.status_comment))
            elif flow.state == FLOW_PARTLY_INTEGRATED or row.number in reasons:
                # An invoice missing from a partly integrated flow was rejected, even
                # when listeErreurDP does not name it.
                reason = reasons.get(row.number) or reasons.get(None)
                self.store.record_flow_rejected(row.id, FLOW_REJECTED, at=at, reason=reason)
                report.changes.append(StatusUpdate(row.id, row.number, row.status_code, FLOW_REJECTED, reason))
            elif row.status_code != flow.state:
                # Integrated, but the search does not return it yet: look again next poll.
                self.store.record_flow_state(row.id, flow.state, at=at)
                report.changes.append(StatusUpdate(row.id, row.number, row.status_code, flow.state, None))

    # --- recipients that never report payment ----------------------------------------

    async def _learn_payment_reporting(self) -> None:
        """Read `statutMiseEnPaiementNestPasRemonte` of each recipient whose invoice reached an accounting status.

        The value is kept per SIRET in the sync state, so each recipient costs
        two directory calls once. A failed lookup is retried at the next poll.
        """
        for siret in self.store.recipients_with_unknown_payment_reporting():
            key = f"{PAYMENT_REPORTING_PREFIX}.{siret}"
            known = self.store.get_state(key)
            if known is None:
                try:
                    hits = await self.client.search_structure(siret)
                    if len(hits) != 1:
                        log.info("recipient %s: %d structures found; payment reporting left unknown",
                                 siret, len(hits))
                        continue
                    details = await self.client.get_structure(hits[0].structure_id)
                except ChorusError as error:
                    log.warning("cannot read the parameters of recipient %s: %s", siret, error.message.key)
                    continue
                known = "1" if details.rules.payment_status_not_reported else "0"
                self.store.set_state(key, known)
            self.store.set_payment_not_reported(siret, known == "1")

    # --- statuses ----------------------------------------------------------------

    def _window_start(self) -> datetime | None:
        checkpoint = self.store.get_checkpoint(CHECKPOINT_KEY)
        if checkpoint is not None:
            return checkpoint - WINDOW_OVERLAP
        tracked = self.store.polled_invoices()
        known = [row.status_changed_at for row in tracked if row.status_changed_at is not None]
        if not tracked:
            return None
        return min(known) - WINDOW_OVERLAP if known else self.clock.now() - timedelta(days=1)

    async def _poll_statuses(self, report: PollReport) -> None:
        start = self._window_start()
        if start is None:
            return  # nothing was ever deposited: nothing to follow
        window = paris_day_window(start, report.started_at)
        report.window = window
        search = InvoiceSearch(status_changed_from=window[0], status_changed_to=window[1],
                               page_size=SEARCH_PAGE_SIZE)

        # Several pages may repeat an invoice when statuses move during the search.
        seen: dict[int, InvoiceSummary] = {}
        async for page in self.client.iter_invoice_pages(search):
            report.pages += 1
            for summary in _page_invoices(page):
                seen[summary.invoice_id] = summary
        report.invoices_seen = len(seen)

        changed: list[tuple[InvoiceRow, InvoiceSummary]] = []
        for summary in seen.values():
            row = self.store.find_by_chorus_id(summary.invoice_id)
            if row is None:
                report.unmatched += 1
            elif not _same_number(row, summary):
                report.mismatched += 1
                log.warning("Chorus Pro invoice %d is number %r on Chorus Pro but local invoice %d is %r; "
                            "its status is not applied", summary.invoice_id, summary.invoice_number,
                            row.id, row.number)
            elif _has_changed(row, summary):
                changed.append((row, summary))
            elif summary.rejection_handled and not row.rejection_handled:
                self.store.mark_rejection_handled(row.id, actor=None)

        for row, summary in changed:
            await self._store_change(row, summary, report)
        self.store.set_checkpoint(CHECKPOINT_KEY, report.started_at)

    async def _store_change(self, row: InvoiceRow, summary: InvoiceSummary, report: PollReport) -> None:
        report.history_calls += 1
        try:
            history = (await self.client.invoice_history(summary.invoice_id)).statuses
        except BusinessError as error:
            # The search result alone still gives the status, its date and its comment.
            log.warning("history of Chorus Pro invoice %d failed (%s); storing the status without it",
                        summary.invoice_id, error.message.key)
            history = []
        at = as_aware(summary.status_changed_at) or self.clock.now()
        entries = []
        current_comment = summary.status_comment
        current_actor = None
        for entry in history:
            entry_at = as_aware(entry.changed_at) or at
            actor = _actor(entry)
            entries.append((entry.status, entry_at, entry.comment or None, actor))
            if entry.status == summary.status:
                current_comment = current_comment or entry.comment or None
                current_actor = actor
        self.store.record_status(
            row.id, summary.status, at=at, comment=current_comment, actor=current_actor, history=entries,
            rejection_handled=summary.rejection_handled,
        )
        report.changes.append(StatusUpdate(row.id, row.number, row.status_code, summary.status, current_comment))


def _same_number(row: InvoiceRow, summary: InvoiceSummary) -> bool:
    """Tell whether a search result can belong to `row`; a side without a number cannot contradict."""
    if not row.number or not summary.invoice_number:
        return True
    return row.number.strip().casefold() == summary.invoice_number.strip().casefold()


def _has_changed(row: InvoiceRow, summary: InvoiceSummary) -> bool:
    if not summary.status:
        return False
    if summary.status != row.status_code:
        return True
    changed_at = as_aware(summary.status_changed_at)
    # The same status set again later (after a recycling, for instance) is a change too.
    return changed_at is not None and row.status_changed_at is not None and changed_at > row.status_changed_at


def _page_invoices(page) -> list[InvoiceSummary]:
    """Return the invoices of one search page, whether the client yields pages or plain lists."""
    invoices = getattr(page, "invoices", page)
    return list(invoices or [])


def _actor(entry) -> str | None:
    names = [entry.user_first_name, entry.user_last_name]
    text = " ".join(name for name in names if name)
    return text or None


def _flow_reasons(flow) -> dict[str | None, str]:
    """Map each invoice number of a flow report's `listeErreurDP` to its reason; None keys the flow-wide reason."""
    reasons: dict[str | None, str] = {}
    for error in flow.invoice_errors:
        if error.message:
            key = error.invoice_number or None
            reasons[key] = f"{reasons[key]} ; {error.message}" if key in reasons else error.message
    technical = [error.message for error in flow.technical_errors if error.message]
    if technical and None not in reasons:
        reasons[None] = " ; ".join(technical)
    return reasons
