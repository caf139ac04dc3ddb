"""Deposit an invoice on Chorus Pro exactly once.

The store journals each attempt before the request leaves, in the same
transaction that marks the invoice "envoi en cours". When an attempt ends
without a response (OutcomeUnknown, a crash, a killed process), the next
attempt on that invoice, or `recover_pending` at start-up, first searches
Chorus Pro for the invoice number: the invoice found is adopted, and the
invoice is sent again only when none exists.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from chorus_tui.chorus.deposit import submit_request_from_form
from chorus_tui.chorus.errors import BusinessError, ChorusError, FileTooLarge, OutcomeUnknown
from chorus_tui.chorus.models.factures import InvoiceSearch, InvoiceSummary
from chorus_tui.clock import Clock
from chorus_tui.domain import DepositForm, DepositRoute
from chorus_tui.i18n import Message
from chorus_tui.statuses import DEPOSITABLE_STATUSES, DEPOSITED, DRAFT, FLOW_RECEIVED, TO_DEPOSIT
from chorus_tui.store import AttemptState, DepositAttempt, Store, StoreError
from chorus_tui.sync.payload import FACTURX_FLOW_SYNTAX, attachment_name, payload_digest
from chorus_tui.sync.timezones import as_aware

log = logging.getLogger(__name__)

# A flow is searchable by invoice number only once Chorus Pro has integrated it,
# which can take hours. Until this delay has passed, a flow send without a
# response is neither adopted nor sent again.
# NOTE: the integration delay of real flows is not documented; 6 hours is an estimate.
FLOW_UNKNOWN_GRACE = timedelta(hours=6)
# An attempt still "sending" after this long belongs to a process that died,
# because the client's default RetryPolicy gives up after 120 s of retries.
STALE_SENDING_AFTER = timedelta(minutes=15)


class DepositState(enum.StrEnum):
    """Result of one `DepositService.deposit` call."""

    ACCEPTED = "accepted"  # Chorus Pro returned the invoice id (PDF, data entry) or the flow number
    ADOPTED = "adopted"  # an earlier send without a response had created it; found by number and linked
    REFUSED = "refused"  # Chorus Pro refused it; the invoice may be corrected and deposited again
    UNKNOWN = "unknown"  # sent, no response, not found yet; resolved by the next attempt or at start-up
    FAILED = "failed"  # not sent: Chorus Pro unreachable, credentials refused, file unreadable
    NOT_ALLOWED = "not_allowed"  # already deposited, being sent, or its number already used


@dataclass(frozen=True)
class DepositOutcome:
    state: DepositState
    invoice_id: int
    attempt_id: int | None = None
    chorus_invoice_id: int | None = None
    flow_number: str | None = None
    status_code: str | None = None
    message: Message | None = None


class DepositService:
    """Sends invoices to Chorus Pro through a `ChorusClient`, journaling every step in the store."""

    def __init__(self, client, store: Store, clock: Clock, *, flow_grace: timedelta = FLOW_UNKNOWN_GRACE) -> None:
        self.client = client
        self.store = store
        self.clock = clock
        self.flow_grace = flow_grace
        self._locks: dict[int, asyncio.Lock] = {}

    def _lock(self, invoice_id: int) -> asyncio.Lock:
        return self._locks.setdefault(invoice_id, asyncio.Lock())

    # --- public API ----------------------------------------------------------------

    async def deposit(self, invoice_id: int, form: DepositForm) -> DepositOutcome:
        """Deposit one invoice by the route of `form`; never creates a second Chorus Pro invoice."""
        async with self._lock(invoice_id):
            open_attempt = self.store.open_attempt(invoice_id)
            if open_attempt is not None:
                resolved = await self._resolve_safely(open_attempt)
                if resolved.state is not DepositState.FAILED:
                    return resolved
            return await self._send(invoice_id, form)

    async def recover_pending(self, *, min_age: timedelta = timedelta(0)) -> list[DepositOutcome]:
        """Resolve every attempt left "envoi en cours" by a crash or a lost response; call before any deposit.

        Another process may be sending right now (the TUI while `chorus-tui
        sync` runs from cron): give `min_age` so that attempts younger than
        that are left to their sender.
        """
        return await self._resolve_open(lambda attempt: self._age(attempt) >= min_age)

    async def resolve_unknown(self) -> list[DepositOutcome]:
        """Check again the attempts whose response was lost, and those left "sending" for too long.

        The poller calls this at each poll, so that a flow received despite a
        lost response is adopted once Chorus Pro has integrated it. Attempts
        being sent by this process are never touched: each invoice's lock is held.
        """
        return await self._resolve_open(
            lambda attempt: attempt.state is AttemptState.UNKNOWN or self._age(attempt) >= STALE_SENDING_AFTER
        )

    def _age(self, attempt: DepositAttempt) -> timedelta:
        return self.clock.now() - attempt.started_at

    async def _resolve_open(self, selected: Callable[[DepositAttempt], bool]) -> list[DepositOutcome]:
        outcomes = []
        for attempt in self.store.open_attempts():
            if not selected(attempt):
                continue
            async with self._lock(attempt.invoice_id):
                current = self.store.open_attempt(attempt.invoice_id)
                if current is not None and selected(current):
                    outcomes.append(await self._resolve_safely(current))
        return outcomes

    # --- resolution of an attempt without a response ----------------------------------

    async def _resolve_safely(self, attempt: DepositAttempt, *, finalize: bool = True) -> DepositOutcome:
        try:
            return await self._resolve(attempt, finalize=finalize)
        except ChorusError as error:
            log.warning("could not check deposit attempt %d of invoice %d on Chorus Pro: %s",
                        attempt.id, attempt.invoice_id, error.message.key)
            return DepositOutcome(DepositState.UNKNOWN, attempt.invoice_id, attempt.id,
                                  message=Message("sync.deposit_still_unknown", {"number": attempt.invoice_number}))

    async def _resolve(self, attempt: DepositAttempt, *, finalize: bool) -> DepositOutcome:
        """Adopt the invoice an unanswered attempt created; else, if `finalize`, free the invoice to be sent again."""
        hit = await self._find_on_chorus(attempt)
        if hit is not None:
            status = hit.status or DEPOSITED
            self.store.finish_deposit_accepted(
                attempt.id,
                chorus_invoice_id=hit.invoice_id,
                flow_number=hit.flow_number,
                status_code=status,
                at=as_aware(hit.status_changed_at) or self.clock.now(),
                adopted=True,
                comment=hit.status_comment,
            )
            log.info("adopted Chorus Pro invoice %d for local invoice %d (attempt %d)",
                     hit.invoice_id, attempt.invoice_id, attempt.id)
            return DepositOutcome(DepositState.ADOPTED, attempt.invoice_id, attempt.id,
                                  chorus_invoice_id=hit.invoice_id, flow_number=hit.flow_number,
                                  status_code=status,
                                  message=Message("sync.deposit_adopted", {"number": attempt.invoice_number}))

        too_early = attempt.route is DepositRoute.FLOW and self.clock.now() - attempt.started_at < self.flow_grace
        if too_early or not finalize:
            return DepositOutcome(DepositState.UNKNOWN, attempt.invoice_id, attempt.id,
                                  message=Message("sync.deposit_still_unknown", {"number": attempt.invoice_number}))

        self.store.finish_deposit_failed(
            attempt.id, Message("sync.deposit_not_found", {"number": attempt.invoice_number}),
            restore_status=TO_DEPOSIT,
        )
        log.info("attempt %d of invoice %d created nothing on Chorus Pro; the invoice may be sent again",
                 attempt.id, attempt.invoice_id)
        return DepositOutcome(DepositState.FAILED, attempt.invoice_id, attempt.id)

    async def _find_on_chorus(self, attempt: DepositAttempt) -> InvoiceSummary | None:
        hits = await self.client.search_invoices(InvoiceSearch(invoice_number=attempt.invoice_number))
        candidates = [hit for hit in hits if self._matches(hit, attempt)]
        if not candidates:
            return None
        # Prefer the most recent deposit when a number was reused in another year.
        return max(candidates, key=lambda hit: (hit.deposit_date is not None, hit.deposit_date, hit.invoice_id))

    def _matches(self, hit: InvoiceSummary, attempt: DepositAttempt) -> bool:
        if hit.invoice_number != attempt.invoice_number or hit.status == DRAFT:
            return False
        if attempt.recipient_siret and hit.recipient_siret and hit.recipient_siret != attempt.recipient_siret:
            return False
        if attempt.invoice_date and hit.invoice_date and hit.invoice_date.year != attempt.invoice_date.year:
            return False
        owner = self.store.find_by_chorus_id(hit.invoice_id)
        return owner is None or owner.id == attempt.invoice_id

    # --- sending -----------------------------------------------------------------

    async def _send(self, invoice_id: int, form: DepositForm) -> DepositOutcome:
        row = self.store.require_invoice(invoice_id)
        if row.status_code not in DEPOSITABLE_STATUSES:
            return DepositOutcome(DepositState.NOT_ALLOWED, invoice_id, chorus_invoice_id=row.chorus_invoice_id,
                                  status_code=row.status_code,
                                  message=Message("sync.already_deposited", {"number": row.number or "?"}))
        path = form.attachment_path or row.file_path
        content = None
        if form.route is not DepositRoute.DATA_ENTRY:
            try:
                content = _read_file(path)
            except OSError as error:
                log.warning("cannot read %s for invoice %d: %s", path, invoice_id, error)
                return DepositOutcome(DepositState.FAILED, invoice_id,
                                      message=Message("sync.file_unreadable", {"path": str(path), "error": str(error)}))
        try:
            attempt_id = self.store.begin_deposit(
                invoice_id, route=form.route, payload_digest=payload_digest(form, content),
                invoice_number=form.invoice_number, recipient_siret=form.recipient_siret,
                invoice_date=form.invoice_date, recipient_name=form.recipient_name,
            )
        except StoreError as error:
            return DepositOutcome(DepositState.NOT_ALLOWED, invoice_id, message=error.message)

        if form.route is DepositRoute.FLOW:
            return await self._send_flow(invoice_id, attempt_id, path, content)
        return await self._send_submit(invoice_id, attempt_id, form, path, content)

    async def _send_submit(self, invoice_id: int, attempt_id: int, form: DepositForm, path: Path | None,
                           content: bytes | None) -> DepositOutcome:
        attachment_id = None
        label = None
        if content is not None and path is not None:
            label = attachment_name(path)
            try:
                attachment_id = await self.client.upload_attachment(label, content, "application/pdf")
            except (BusinessError, FileTooLarge) as error:
                return self._refused(invoice_id, attempt_id, error)
            except Exception as error:  # noqa: BLE001 - no invoice exists before soumettre, whatever failed
                return self._failed(invoice_id, attempt_id, error)
            self.store.record_attachment(attempt_id, attachment_id)
        try:
            request = submit_request_from_form(form, attachment_id, label)
        except ValueError as error:
            return self._failed(invoice_id, attempt_id, error)
        try:
            result = await self.client.submit_invoice(request)
        except (BusinessError, FileTooLarge) as error:
            return self._refused(invoice_id, attempt_id, error)
        except OutcomeUnknown as error:
            return await self._unknown(invoice_id, attempt_id, error)
        except ChorusError as error:
            return self._failed(invoice_id, attempt_id, error)
        except Exception as error:  # noqa: BLE001 - an unexpected failure after sending may hide a created invoice
            log.exception("unexpected error while submitting invoice %d (attempt %d)", invoice_id, attempt_id)
            return await self._unknown(invoice_id, attempt_id, error)

        status = result.status or DEPOSITED
        self.store.finish_deposit_accepted(attempt_id, chorus_invoice_id=result.invoice_id, flow_number=None,
                                           status_code=status, chorus_number=result.invoice_number)
        log.info("deposited invoice %d as Chorus Pro invoice %d", invoice_id, result.invoice_id)
        return DepositOutcome(DepositState.ACCEPTED, invoice_id, attempt_id, chorus_invoice_id=result.invoice_id,
                              status_code=status)

    async def _send_flow(self, invoice_id: int, attempt_id: int, path: Path | None,
                         content: bytes | None) -> DepositOutcome:
        if path is None or content is None:
            return self._failed(invoice_id, attempt_id, ValueError("no Factur-X file to send"))
        try:
            result = await self.client.deposit_flow(path.name, content, FACTURX_FLOW_SYNTAX)
        except (BusinessError, FileTooLarge) as error:
            return self._refused(invoice_id, attempt_id, error)
        except OutcomeUnknown as error:
            return await self._unknown(invoice_id, attempt_id, error)
        except ChorusError as error:
            return self._failed(invoice_id, attempt_id, error)
        except Exception as error:  # noqa: BLE001 - an unexpected failure after sending may hide a received flow
            log.exception("unexpected error while depositing the flow of invoice %d (attempt %d)",
                          invoice_id, attempt_id)
            return await self._unknown(invoice_id, attempt_id, error)

        self.store.finish_deposit_accepted(attempt_id, chorus_invoice_id=None, flow_number=result.flow_number,
                                           status_code=FLOW_RECEIVED)
        log.info("deposited invoice %d in flow %s", invoice_id, result.flow_number)
        return DepositOutcome(DepositState.ACCEPTED, invoice_id, attempt_id, flow_number=result.flow_number,
                              status_code=FLOW_RECEIVED)

    # --- endings -----------------------------------------------------------------

    def _refused(self, invoice_id: int, attempt_id: int, error: ChorusError) -> DepositOutcome:
        log.info("Chorus Pro rejected invoice %d (attempt %d): %s", invoice_id, attempt_id, error.message.key)
        self.store.finish_deposit_rejected(attempt_id, error.message)
        return DepositOutcome(DepositState.REFUSED, invoice_id, attempt_id, message=error.message)

    def _failed(self, invoice_id: int, attempt_id: int, error: Exception) -> DepositOutcome:
        message = _error_message(error)
        log.warning("deposit of invoice %d not sent (attempt %d): %s", invoice_id, attempt_id, message.key)
        self.store.finish_deposit_failed(attempt_id, message, restore_status=TO_DEPOSIT)
        return DepositOutcome(DepositState.FAILED, invoice_id, attempt_id, message=message)

    async def _unknown(self, invoice_id: int, attempt_id: int, error: Exception) -> DepositOutcome:
        message = _error_message(error)
        log.warning("no response to the deposit of invoice %d (attempt %d): %s", invoice_id, attempt_id, message.key)
        attempt = self.store.finish_deposit_unknown(attempt_id, message)
        # Look once right away: a send committed before its response was lost is found now.
        # When nothing is found, the attempt stays unknown and the next attempt searches again.
        return await self._resolve_safely(attempt, finalize=False)


def _read_file(path: Path | None) -> bytes:
    if path is None:
        raise FileNotFoundError("the invoice has no file")
    return Path(path).read_bytes()


def _error_message(error: Exception) -> Message:
    if isinstance(error, ChorusError):
        return error.message
    return Message("sync.unexpected_error", {"error": f"{type(error).__name__}: {error}"})

