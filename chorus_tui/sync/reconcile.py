"""Match the invoices already on Chorus Pro to the local ones, by invoice number.

Reconciliation walks every supplier invoice deposited over a date range,
one calendar month at a time and every page of each month. After each page
it saves what it found so far, and after each month a checkpoint, so that an
interrupted run resumes at the first month it had not finished and still
reports what the earlier months found.

Exact number matches are linked, with their status history. Near matches
(case, spaces, separators, leading zeros) are only proposed: the user
confirms each one with `Reconciler.confirm`. Portal drafts are listed apart,
because they were never sent. A rejected invoice must be re-issued under a
new number, so an invoice deposited again under the number of a rejected
(or replaced) local invoice is reported apart and never attached to it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from chorus_tui.chorus.errors import BusinessError, ChorusUnavailable
from chorus_tui.chorus.models.factures import InvoiceSearch, InvoiceSummary
from chorus_tui.clock import Clock
from chorus_tui.statuses import DEPOSITABLE_STATUSES, DEPOSITED, DRAFT, REJECTED, fold_text
from chorus_tui.store import InvoiceRow, Store
from chorus_tui.sync.timezones import as_aware

log = logging.getLogger(__name__)

CHECKPOINT_PREFIX = "reconcile.done_through"
FINDINGS_PREFIX = "reconcile.findings"
PENDING_KEY = "reconcile.pending"  # "<from>/<to>" of the run in progress or interrupted
LAST_RUN_KEY = "reconcile.last_run"  # when the last run finished
LAST_REPORT_KEY = "reconcile.last_report"  # what the last finished run found, for the dialog opened later
SEARCH_PAGE_SIZE = 100
MONTH_WALKS = 3
DEFAULT_RANGE_DAYS = 400  # without local invoice dates: a little more than a year of deposits


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


@dataclass(frozen=True)
class ReconcileProgress:
    """Position of a running reconciliation, sent after each page of search results."""

    month: int  # 1-based position of the month being walked, among all months of the range
    months: int
    month_start: date
    page: int
    pages: int
    invoices_seen: int
    linked: int
    proposed: int
    drafts: int

    @property
    def fraction(self) -> float:
        """Share of the range walked, between 0 and 1."""
        if not self.months:
            return 1.0
        within = self.page / self.pages if self.pages else 1.0
        return min(1.0, (self.month - 1 + within) / self.months)


ProgressCallback = Callable[[ReconcileProgress], None]


@dataclass
class ReconcileReport:
    """What one reconciliation found over [date_from, date_to], the months walked before a resume included."""

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
    # Chorus Pro invoices carrying the number of a local invoice that is rejected, replaced or linked to
    # another Chorus Pro invoice: a re-issue under the old number, never attached.
    reused_numbers: list[Link] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)
    unmatched: list[InvoiceSummary] = field(default_factory=list)  # on Chorus Pro, not in the store
    history_missing: list[int] = field(default_factory=list)  # Chorus Pro ids linked without their history
    # Months whose pages, walked MONTH_WALKS times, still held fewer invoices than the announced total.
    incomplete_months: list[date] = field(default_factory=list)


@dataclass(frozen=True)
class PendingRun:
    """A reconciliation that started and did not finish."""

    date_from: date
    date_to: date
    resume_from: date  # first month still to walk


@dataclass(frozen=True)
class _Month:
    position: int  # 1-based, among all months of the range
    count: int  # months in the range
    start: date
    end: date


@dataclass(frozen=True)
class _LocalIndex:
    exact: dict[str, list[int]]  # local number -> local invoice ids
    near: dict[str, list[tuple[str, list[int]]]]  # normalised number -> (local number, ids)


def normalise_number(number: str) -> str:
    """Return the number without case, accents, spaces, separators or leading zeros of its digit groups."""
    parts = re.findall(r"[^\W\d_]+|\d+", fold_text(number))
    return "".join(part.lstrip("0") or "0" if part.isdigit() else part for part in parts)


def month_ranges(start: date, end: date) -> list[tuple[date, date]]:
    """Cut [start, end] into calendar months (the first and last ones may be partial)."""
    ranges = []
    current = start
    while current <= end:
        next_month = (current.replace(day=1) + timedelta(days=32)).replace(day=1)
        ranges.append((current, min(end, next_month - timedelta(days=1))))
        current = next_month
    return ranges


class Reconciler:
    """Links local invoices to the invoices Chorus Pro already holds."""

    def __init__(self, client, store: Store, clock: Clock, *, page_size: int = SEARCH_PAGE_SIZE,
                 import_history: bool = True) -> None:
        self.client = client
        self.store = store
        self.clock = clock
        self.page_size = page_size
        self.import_history = import_history

    # --- state kept in the store ---------------------------------------------------------------

    def checkpoint_key(self, date_from: date, date_to: date) -> str:
        return f"{CHECKPOINT_PREFIX}.{date_from.isoformat()}.{date_to.isoformat()}"

    def findings_key(self, date_from: date, date_to: date) -> str:
        return f"{FINDINGS_PREFIX}.{date_from.isoformat()}.{date_to.isoformat()}"

    def pending_run(self) -> PendingRun | None:
        """Return the reconciliation that was interrupted, if any, and where it resumes."""
        value = self.store.get_state(PENDING_KEY)
        if not value:
            return None
        try:
            first, last = (date.fromisoformat(part) for part in value.split("/"))
        except ValueError:
            log.warning("ignoring an unreadable reconciliation marker %r", value)
            return None
        done_through = self.store.get_state(self.checkpoint_key(first, last))
        resume_from = date.fromisoformat(done_through) + timedelta(days=1) if done_through else first
        return PendingRun(first, last, resume_from)

    def last_run(self) -> datetime | None:
        """Return when the last reconciliation finished, or None when none ever did."""
        return self.store.get_checkpoint(LAST_RUN_KEY)

    def last_report(self) -> ReconcileReport | None:
        """Return what the last finished run found, without the proposals settled since.

        A run from `chorus-tui sync --reconcile` leaves its near matches here
        for the user to confirm in the dialog.
        """
        text = self.store.get_state(LAST_REPORT_KEY)
        if not text:
            return None
        try:
            bounds = json.loads(text)
            report = ReconcileReport(date.fromisoformat(bounds["date_from"]), date.fromisoformat(bounds["date_to"]))
        except (ValueError, TypeError, KeyError) as error:
            log.warning("ignoring an unreadable last reconciliation report (%s)", error)
            return None
        _load_findings(report, text)
        report.months = int(bounds.get("months", 0))
        if bounds.get("resumed_from"):
            report.resumed_from = date.fromisoformat(bounds["resumed_from"])
        self._drop_settled_proposals(report)
        return report

    def oldest_invoice_date(self) -> date | None:
        # NOTE: Store has no public query for the earliest invoice date; this reads it directly.
        record = self.store._query_one("SELECT MIN(invoice_date) FROM invoices")
        return date.fromisoformat(record[0]) if record and record[0] else None

    def default_range(self, today: date) -> tuple[date, date]:
        """Return the range to walk by default: from the oldest local invoice (a deposit never precedes it)."""
        oldest = self.oldest_invoice_date()
        start = oldest if oldest is not None and oldest <= today else today - timedelta(days=DEFAULT_RANGE_DAYS)
        return start, today

    def suggested_range(self, today: date) -> tuple[date, date]:
        """Return the interrupted run's range up to today, or else the default range."""
        pending = self.pending_run()
        if pending is None:
            return self.default_range(today)
        # `reconcile` carries an interrupted run over to a later end date.
        return pending.date_from, max(pending.date_to, today)

    # --- the walk ------------------------------------------------------------------------------

    async def reconcile(self, date_from: date, date_to: date, *,
                        progress: ProgressCallback | None = None) -> ReconcileReport:
        """Walk the deposits of [date_from, date_to], resuming after the last completed month.

        `progress` is called after each page. Chorus Pro errors of the search
        propagate; the months already walked are not walked again next time.
        """
        if date_from > date_to:
            raise ValueError(f"reconciliation range is empty: {date_from} is after {date_to}")
        key = self.checkpoint_key(date_from, date_to)
        findings_key = self.findings_key(date_from, date_to)
        report = ReconcileReport(date_from, date_to)
        all_months = month_ranges(date_from, date_to)

        pending = self.pending_run()
        if pending is not None and (pending.date_from, pending.date_to) != (date_from, date_to):
            self._take_over(pending, date_from, date_to)
        done_through = self.store.get_state(key)
        start = date_from
        if done_through:
            report.resumed_from = date.fromisoformat(done_through) + timedelta(days=1)
            start = report.resumed_from
        _load_findings(report, self.store.get_state(findings_key))
        self.store.set_state(PENDING_KEY, _range_text(date_from, date_to))

        local = self._local_index()
        first_month = len(all_months) - len(month_ranges(start, date_to)) if start <= date_to else len(all_months)
        for position, (month_start, month_end) in enumerate(month_ranges(start, date_to), start=first_month + 1):
            month = _Month(position, len(all_months), month_start, month_end)
            await self._walk_month(month, local, report, findings_key, progress)
            report.months += 1
            self.store.set_state(key, month_end.isoformat())

        self._drop_settled_proposals(report)
        self.store.delete_state(key)
        self.store.delete_state(findings_key)
        self.store.delete_state(PENDING_KEY)
        self.store.set_state(LAST_REPORT_KEY, _dump_findings(report))
        self.store.set_checkpoint(LAST_RUN_KEY, self.clock.now())
        log.info("reconciliation %s..%s: %d linked, %d proposed, %d drafts, %d reused numbers, %d unmatched",
                 date_from, date_to, len(report.linked), len(report.proposed), len(report.drafts),
                 len(report.reused_numbers), len(report.unmatched))
        return report

    def _take_over(self, pending: PendingRun, date_from: date, date_to: date) -> None:
        """Drop the state of an interrupted run over another range, or carry it over when only its end moved.

        A run started the same day and interrupted resumes the next day with a later end date.
        """
        old_keys = (self.checkpoint_key(pending.date_from, pending.date_to),
                    self.findings_key(pending.date_from, pending.date_to))
        if pending.date_from == date_from and pending.date_to < date_to:
            for old_key, new_key in zip(old_keys, (self.checkpoint_key(date_from, date_to),
                                                   self.findings_key(date_from, date_to)), strict=True):
                value = self.store.get_state(old_key)
                if value is not None:
                    self.store.set_state(new_key, value)
            log.info("reconciliation interrupted over %s..%s resumes over %s..%s",
                     pending.date_from, pending.date_to, date_from, date_to)
        for old_key in old_keys:
            self.store.delete_state(old_key)

    async def _walk_month(self, month: _Month, local: _LocalIndex, report: ReconcileReport, findings_key: str,
                          progress: ProgressCallback | None) -> None:
        """Read every page of one month's deposits, walking the month again when invoices were missed.

        Pages are sorted by deposit date, and many invoices share a date.
        NOTE: the order among them is undocumented, so an invoice may move
        between pages during the walk. The walk is repeated, up to
        MONTH_WALKS times, until the invoices read match the announced total.
        """
        search = InvoiceSearch(deposited_from=month.start, deposited_to=month.end, page_size=self.page_size,
                               sort_column="DateDepot", sort_direction="Ascendant")
        seen: set[int] = set()
        for _ in range(MONTH_WALKS):
            total = None
            async for page in self.client.iter_invoice_pages(search):
                report.pages += 1
                linked_before = len(report.linked)
                paging = page.paging
                if paging is not None and paging.total is not None:
                    total = paging.total
                for summary in page.invoices:
                    if summary.invoice_id in seen:
                        continue
                    seen.add(summary.invoice_id)
                    report.invoices_seen += 1
                    await self._match(summary, local, report)
                if len(report.linked) > linked_before:
                    # Links are made at once, so a resumed run must still report them.
                    self.store.set_state(findings_key, _dump_findings(report))
                if progress is not None:
                    progress(ReconcileProgress(
                        month=month.position, months=month.count, month_start=month.start,
                        page=paging.page if paging else 1, pages=paging.pages if paging else 1,
                        invoices_seen=report.invoices_seen, linked=len(report.linked),
                        proposed=len(report.proposed), drafts=len(report.drafts)))
            if total is None or len(seen) >= total:
                break
            log.warning("deposits of %s..%s: %d of %d invoices read; walking the month again",
                        month.start, month.end, len(seen), total)
        else:
            report.incomplete_months.append(month.start)
            log.warning("deposits of %s..%s: still %d of %d invoices read after %d walks",
                        month.start, month.end, len(seen), total, MONTH_WALKS)
        self.store.set_state(findings_key, _dump_findings(report))

    async def confirm(self, proposal: Link) -> bool:
        """Apply a near match the user confirmed; return False when it no longer applies.

        The local invoice may have been linked or deposited since the proposal,
        or the Chorus Pro invoice linked to another local invoice.
        """
        row = self.store.get_invoice(proposal.invoice_id)
        if row is None or row.replaced_by is not None and proposal.status_code != REJECTED:
            return False
        at = self.clock.now()
        if not self.store.link_existing_invoice(row.id, chorus_invoice_id=proposal.chorus_invoice_id,
                                                status_code=proposal.status_code, at=at):
            return False
        log.info("near match confirmed: local %s linked to Chorus Pro invoice %d (%s)",
                 proposal.local_number, proposal.chorus_invoice_id, proposal.chorus_number)
        await self._import_history(row.id, proposal.chorus_invoice_id, proposal.status_code, at, None, None)
        return True

    # --- matching ------------------------------------------------------------------------------

    def _local_index(self) -> _LocalIndex:
        exact = self.store.all_numbers()
        near: dict[str, list[tuple[str, list[int]]]] = {}
        for number, ids in exact.items():
            near.setdefault(normalise_number(number), []).append((number, ids))
        return _LocalIndex(exact, near)

    def _same_year_rows(self, ids: list[int], summary: InvoiceSummary) -> list[InvoiceRow]:
        rows = []
        for invoice_id in ids:
            row = self.store.get_invoice(invoice_id)
            # Numbers are unique per supplier and year: the same number another year is another invoice.
            if row is None or (row.invoice_date and summary.invoice_date
                               and row.invoice_date.year != summary.invoice_date.year):
                continue
            rows.append(row)
        return rows

    @staticmethod
    def _can_take(row: InvoiceRow, status: str) -> bool:
        """Tell whether a local invoice may be linked to a Chorus Pro invoice at `status`.

        An invoice replaced by another keeps its number for the rejected deposit only.
        """
        if row.chorus_invoice_id is not None or row.status_code not in DEPOSITABLE_STATUSES:
            return False
        return row.replaced_by is None or status == REJECTED

    async def _match(self, summary: InvoiceSummary, local: _LocalIndex, report: ReconcileReport) -> None:
        if self.store.find_by_chorus_id(summary.invoice_id) is not None:
            # A page walked again after a resume repeats the links made before the interruption.
            if all(link.chorus_invoice_id != summary.invoice_id for link in report.linked):
                report.already_linked += 1
            return
        number = summary.invoice_number or ""
        status = summary.status or DEPOSITED
        # NOTE: no field report confirms whether rechercher/fournisseur returns portal drafts, or under which
        # deposit date. The simulator returns them with the status BROUILLON.
        if status == DRAFT:
            _append_once(report.drafts, Draft(summary.invoice_id, summary.invoice_number, summary.invoice_date,
                                              summary.recipient_name))
            return

        same_number = self._same_year_rows(local.exact.get(number, []), summary)
        exact = [row for row in same_number if self._can_take(row, status)]
        if len(exact) == 1:
            await self._link(exact[0], summary, status, report)
            return
        if len(exact) > 1:
            for row in exact:
                _append_once(report.ambiguous, _link_of(row, summary, status))
            return
        if same_number:
            # The number is taken by a rejected, replaced or already linked local invoice.
            for row in same_number:
                _append_once(report.reused_numbers, _link_of(row, summary, status))
            return

        near = []
        if number:
            for local_number, ids in local.near.get(normalise_number(number), []):
                if local_number != number:
                    near.extend(row for row in self._same_year_rows(ids, summary) if self._can_take(row, status))
        if near:
            for row in near:
                _append_once(report.proposed, _link_of(row, summary, status))
        elif all(item.invoice_id != summary.invoice_id for item in report.unmatched):
            report.unmatched.append(summary)

    async def _link(self, row: InvoiceRow, summary: InvoiceSummary, status: str, report: ReconcileReport) -> None:
        at = as_aware(summary.status_changed_at) or self.clock.now()
        if not self.store.link_existing_invoice(row.id, chorus_invoice_id=summary.invoice_id, status_code=status,
                                                at=at, comment=summary.status_comment,
                                                flow_number=summary.flow_number):
            return
        report.linked.append(_link_of(row, summary, status))
        if not await self._import_history(row.id, summary.invoice_id, status, at, summary.status_comment,
                                          summary.rejection_handled):
            report.history_missing.append(summary.invoice_id)

    async def _import_history(self, invoice_id: int, chorus_invoice_id: int, status: str, at: datetime,
                              comment: str | None, rejection_handled: bool | None) -> bool:
        """Store the status history of a newly linked invoice; return False when Chorus Pro did not return it."""
        if not self.import_history:
            return True
        try:
            history = (await self.client.invoice_history(chorus_invoice_id)).statuses
        except (BusinessError, ChorusUnavailable) as error:
            # The link is kept, and the timeline only lacks the earlier statuses.
            log.warning("history of Chorus Pro invoice %d failed (%s); linked without it",
                        chorus_invoice_id, error.message.key)
            return False
        entries = []
        actor = None
        for entry in history:
            names = " ".join(name for name in (entry.user_first_name, entry.user_last_name) if name) or None
            entries.append((entry.status, as_aware(entry.changed_at) or at, entry.comment or None, names))
            if entry.status == status:
                comment = comment or entry.comment or None
                actor = names
        self.store.record_status(invoice_id, status, at=at, comment=comment, actor=actor, history=entries,
                                 rejection_handled=rejection_handled)
        return True

    def _drop_settled_proposals(self, report: ReconcileReport) -> None:
        """Forget the proposals whose local invoice was linked later in the run (by an exact match)."""
        open_proposals = []
        for proposal in report.proposed:
            row = self.store.get_invoice(proposal.invoice_id)
            if row is not None and row.chorus_invoice_id is None:
                open_proposals.append(proposal)
        report.proposed = open_proposals


def _link_of(row: InvoiceRow, summary: InvoiceSummary, status: str) -> Link:
    return Link(row.id, row.number or "", summary.invoice_number or "", summary.invoice_id, status)


def _append_once(items: list, item: Any) -> None:
    if item not in items:
        items.append(item)


def _range_text(date_from: date, date_to: date) -> str:
    return f"{date_from.isoformat()}/{date_to.isoformat()}"


# --- findings saved between pages, so that a resumed run reports the earlier months too ------------

_LINK_LISTS = ("linked", "proposed", "ambiguous", "reused_numbers")
_UNMATCHED_FIELDS = {"invoice_id", "invoice_number", "invoice_type", "invoice_date", "deposit_date", "amount_ttc",
                     "status", "recipient_siret", "recipient_name"}


def _dump_findings(report: ReconcileReport) -> str:
    data: dict[str, Any] = {name: [asdict(link) for link in getattr(report, name)] for name in _LINK_LISTS}
    data["drafts"] = [{**asdict(draft), "invoice_date": draft.invoice_date.isoformat() if draft.invoice_date
                       else None} for draft in report.drafts]
    # Only the fields a summary shows: an account may hold thousands of invoices absent from the store.
    data["unmatched"] = [summary.model_dump(mode="json", by_alias=True, exclude_none=True, include=_UNMATCHED_FIELDS)
                         for summary in report.unmatched]
    data["history_missing"] = report.history_missing
    data["incomplete_months"] = [month.isoformat() for month in report.incomplete_months]
    data["pages"] = report.pages
    data["date_from"] = report.date_from.isoformat()
    data["date_to"] = report.date_to.isoformat()
    data["resumed_from"] = report.resumed_from.isoformat() if report.resumed_from else None
    data["months"] = report.months
    data["invoices_seen"] = report.invoices_seen
    data["already_linked"] = report.already_linked
    return json.dumps(data, ensure_ascii=False)


def _load_findings(report: ReconcileReport, text: str | None) -> None:
    if not text:
        return
    try:
        data = json.loads(text)
        for name in _LINK_LISTS:
            setattr(report, name, [Link(**item) for item in data.get(name, [])])
        report.drafts = [Draft(item["chorus_invoice_id"], item["number"],
                               date.fromisoformat(item["invoice_date"]) if item["invoice_date"] else None,
                               item["recipient_name"]) for item in data.get("drafts", [])]
        report.unmatched = [InvoiceSummary.model_validate(item) for item in data.get("unmatched", [])]
        report.history_missing = list(data.get("history_missing", []))
        report.incomplete_months = [date.fromisoformat(month) for month in data.get("incomplete_months", [])]
        report.pages = int(data.get("pages", 0))
        report.invoices_seen = int(data.get("invoices_seen", 0))
        report.already_linked = int(data.get("already_linked", 0))
    except (ValueError, TypeError, KeyError) as error:
        # The links themselves are in the invoices table; only the summary of the earlier months is lost.
        log.warning("ignoring unreadable reconciliation findings (%s)", error)
