"""Match the invoices already on Chorus Pro to the local ones, by invoice number.

Reconciliation walks every supplier invoice deposited over a date range,
one calendar month at a time and every page of each month, and saves a
checkpoint after each month so that an interrupted run resumes where it
stopped. Exact number matches are linked; near matches (case, spaces,
separators, leading zeros) are only proposed, because a rejected invoice
re-issued as "FAC-2026-015" must never be attached to "FAC-2026-0015".
Portal drafts are listed apart: they were never sent.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from chorus_tui.chorus.models.factures import InvoiceSearch, InvoiceSummary
from chorus_tui.clock import Clock
from chorus_tui.statuses import DEPOSITABLE_STATUSES, DEPOSITED, DRAFT, fold_text
from chorus_tui.store import InvoiceRow, Store
from chorus_tui.sync.timezones import as_aware

log = logging.getLogger(__name__)

CHECKPOINT_PREFIX = "reconcile.done_through"
SEARCH_PAGE_SIZE = 100


@dataclass(frozen=True)
class Link:
    """A local invoice linked to (or proposed for) a Chorus Pro invoice."""

    invoice_id: int
    local_number: str
    chorus_number: str
    chorus_invoice_id: int
    status_code: str


@dataclass(frozen=True)
class Draft:
    """An invoice saved on the portal but never sent."""

    chorus_invoice_id: int
    number: str | None
    invoice_date: date | None
    recipient_name: str | None


@dataclass
class ReconcileReport:
    date_from: date
    date_to: date
    resumed_from: date | None = None
    months: int = 0
    pages: int = 0
    invoices_seen: int = 0
    already_linked: int = 0
    linked: list[Link] = field(default_factory=list)
    proposed: list[Link] = field(default_factory=list)
    ambiguous: list[Link] = field(default_factory=list)  # several local invoices carry this exact number
    drafts: list[Draft] = field(default_factory=list)
    unmatched: list[InvoiceSummary] = field(default_factory=list)  # on Chorus Pro, not in the store


@dataclass(frozen=True)
class _LocalIndex:
    exact: dict[str, list[int]]  # local number -> local invoice ids
    near: dict[str, list[tuple[str, list[int]]]]  # normalised number -> (local number, ids)


def normalise_number(number: str) -> str:
    """Return the number without case, accents, spaces, separators or leading zeros of its digit groups."""
    parts = re.findall(r"[^\W\d_]+|\d+", fold_text(number))
    return "".join(part.lstrip("0") or "0" if part.isdigit() else part for part in parts)


def _month_ranges(start: date, end: date) -> list[tuple[date, date]]:
    ranges = []
    current = start
    while current <= end:
        next_month = (current.replace(day=1) + timedelta(days=32)).replace(day=1)
        ranges.append((current, min(end, next_month - timedelta(days=1))))
        current = next_month
    return ranges


class Reconciler:
    """Links local invoices to the invoices Chorus Pro already holds."""

    def __init__(self, client, store: Store, clock: Clock) -> None:
        self.client = client
        self.store = store
        self.clock = clock

    def checkpoint_key(self, date_from: date, date_to: date) -> str:
        return f"{CHECKPOINT_PREFIX}.{date_from.isoformat()}.{date_to.isoformat()}"

    async def reconcile(self, date_from: date, date_to: date) -> ReconcileReport:
        """Walk the deposits of [date_from, date_to], resuming after the last completed month."""
        if date_from > date_to:
            raise ValueError(f"reconciliation range is empty: {date_from} is after {date_to}")
        report = ReconcileReport(date_from, date_to)
        key = self.checkpoint_key(date_from, date_to)
        done_through = self.store.get_state(key)
        start = date_from
        if done_through:
            report.resumed_from = date.fromisoformat(done_through) + timedelta(days=1)
            start = report.resumed_from
        local = self._local_index()
        for month_start, month_end in _month_ranges(start, date_to):
            search = InvoiceSearch(deposited_from=month_start, deposited_to=month_end, page_size=SEARCH_PAGE_SIZE,
                                   sort_column="DateDepot", sort_direction="Ascendant")
            async for page in self.client.iter_invoice_pages(search):
                report.pages += 1
                for summary in page.invoices:
                    report.invoices_seen += 1
                    self._match(summary, local, report)
            report.months += 1
            self.store.set_state(key, month_end.isoformat())
        self.store.delete_state(key)
        log.info("reconciliation %s..%s: %d linked, %d proposed, %d drafts, %d unmatched",
                 date_from, date_to, len(report.linked), len(report.proposed), len(report.drafts),
                 len(report.unmatched))
        return report

    def _local_index(self) -> _LocalIndex:
        exact = self.store.all_numbers()
        near: dict[str, list[tuple[str, list[int]]]] = {}
        for number, ids in exact.items():
            near.setdefault(normalise_number(number), []).append((number, ids))
        return _LocalIndex(exact, near)

    def _candidates(self, ids: list[int], summary: InvoiceSummary) -> list[InvoiceRow]:
        rows = []
        for invoice_id in ids:
            row = self.store.get_invoice(invoice_id)
            if row is None or row.chorus_invoice_id is not None or row.status_code not in DEPOSITABLE_STATUSES:
                continue
            # Numbers are unique per supplier and year: the same number another year is another invoice.
            if row.invoice_date and summary.invoice_date and row.invoice_date.year != summary.invoice_date.year:
                continue
            rows.append(row)
        return rows

    def _match(self, summary: InvoiceSummary, local: _LocalIndex, report: ReconcileReport) -> None:
        if self.store.find_by_chorus_id(summary.invoice_id) is not None:
            report.already_linked += 1
            return
        number = summary.invoice_number or ""
        status = summary.status or DEPOSITED
        if status == DRAFT:
            report.drafts.append(Draft(summary.invoice_id, summary.invoice_number, summary.invoice_date,
                                       summary.recipient_name))
            return

        exact = self._candidates(local.exact.get(number, []), summary)
        if len(exact) == 1:
            row = exact[0]
            at = as_aware(summary.status_changed_at) or self.clock.now()
            if self.store.link_existing_invoice(row.id, chorus_invoice_id=summary.invoice_id, status_code=status,
                                                at=at, comment=summary.status_comment,
                                                flow_number=summary.flow_number):
                report.linked.append(Link(row.id, row.number or "", number, summary.invoice_id, status))
            return
        if len(exact) > 1:
            report.ambiguous.extend(Link(row.id, row.number or "", number, summary.invoice_id, status)
                                    for row in exact)
            return

        near = []
        if number:
            for local_number, ids in local.near.get(normalise_number(number), []):
                if local_number != number:
                    near.extend(self._candidates(ids, summary))
        if near:
            report.proposed.extend(Link(row.id, row.number or "", number, summary.invoice_id, status)
                                   for row in near)
        else:
            report.unmatched.append(summary)
