"""The supplier's three remedies after a deposit, each recorded in the invoice's timeline.

- A_RECYCLER: `recycle` sends the invoice to a corrected recipient, service
  or engagement number and keeps its number.
- SUSPENDUE: `complete` uploads the missing documents and completes it.
- REJETEE: `handle_rejection` marks the rejection as handled, and
  `link_replacement` records the new invoice (with a new number) that
  replaces it.
"""

from __future__ import annotations

import enum
import logging
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from chorus_tui.chorus.errors import BusinessError, ChorusError, FileTooLarge, OutcomeUnknown
from chorus_tui.chorus.models.factures import AdditionalAttachment
from chorus_tui.clock import Clock
from chorus_tui.i18n import Message
from chorus_tui.statuses import COMPLETED, REJECTED, SUSPENDED, TO_RECYCLE, status_label
from chorus_tui.store import EventKind, InvoiceRow, Store
from chorus_tui.sync.payload import attachment_name

log = logging.getLogger(__name__)


class CorrectionState(enum.StrEnum):
    DONE = "done"
    REFUSED = "refused"  # Chorus Pro rejected the correction; its message gives the reason
    UNKNOWN = "unknown"  # sent, no response: the next poll shows whether it was applied
    FAILED = "failed"  # not sent (Chorus Pro unreachable, file unreadable)
    NOT_ALLOWED = "not_allowed"  # the invoice is not in the status this remedy applies to


@dataclass(frozen=True)
class CorrectionOutcome:
    state: CorrectionState
    invoice_id: int
    status_code: str | None = None
    message: Message | None = None


class CorrectionService:
    """Applies recycling, completion and rejection handling through a `ChorusClient`."""

    def __init__(self, client, store: Store, clock: Clock) -> None:
        self.client = client
        self.store = store
        self.clock = clock

    def _check(self, invoice_id: int, expected_status: str) -> InvoiceRow | CorrectionOutcome:
        row = self.store.require_invoice(invoice_id)
        if row.chorus_invoice_id is None or row.status_code != expected_status:
            return CorrectionOutcome(
                CorrectionState.NOT_ALLOWED, invoice_id, row.status_code,
                Message("sync.correction_not_allowed", {"number": row.number or "?",
                                                         "status": status_label(row.status_code),
                                                         "expected": status_label(expected_status)}),
            )
        return row

    async def recycle(
        self,
        invoice_id: int,
        *,
        recipient_siret: str,
        service_code: str | None = None,
        engagement_number: str | None = None,
        comment: str | None = None,
    ) -> CorrectionOutcome:
        """Send an A_RECYCLER invoice to a corrected recipient, service or engagement number."""
        row = self._check(invoice_id, TO_RECYCLE)
        if isinstance(row, CorrectionOutcome):
            return row
        try:
            result = await self.client.recycle_invoice(
                row.chorus_invoice_id, recipient_siret=recipient_siret, service_code=service_code,
                engagement_number=engagement_number, comment=comment,
            )
        except ChorusError as error:
            return self._failure(invoice_id, "recycle", error)
        status = result.status or None
        self.store.record_correction(
            invoice_id, EventKind.RECYCLED, status_code=status, at=self.clock.now(), comment=comment,
            recipient_siret=recipient_siret,
            message=Message("sync.event_recycled", {"siret": recipient_siret, "service": service_code or "-",
                                                    "engagement": engagement_number or "-"}),
        )
        return CorrectionOutcome(CorrectionState.DONE, invoice_id, status)

    async def complete(self, invoice_id: int, attachments: Sequence[Path], *,
                       comment: str | None = None) -> CorrectionOutcome:
        """Upload the missing documents of a SUSPENDUE invoice and complete it."""
        row = self._check(invoice_id, SUSPENDED)
        if isinstance(row, CorrectionOutcome):
            return row
        uploaded = []
        try:
            for path in attachments:
                name = attachment_name(path)
                mime_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
                file_id = await self.client.upload_attachment(name, Path(path).read_bytes(), mime_type)
                uploaded.append(AdditionalAttachment(designation=name, attachment_id=file_id))
            await self.client.complete_invoice(row.chorus_invoice_id, uploaded or None, comment)
        except OSError as error:
            log.warning("cannot read an attachment for invoice %d: %s", invoice_id, error)
            return CorrectionOutcome(CorrectionState.FAILED, invoice_id,
                                     message=Message("sync.file_unreadable", {"path": str(error.filename),
                                                                              "error": error.strerror or ""}))
        except ChorusError as error:
            return self._failure(invoice_id, "complete", error)
        # NOTE: one source reads the status after `completer` as COMPLETEE, another as a
        # return to MISE_A_DISPOSITION; COMPLETEE is stored and the next poll corrects it.
        self.store.record_correction(
            invoice_id, EventKind.COMPLETED, status_code=COMPLETED, at=self.clock.now(), comment=comment,
            message=Message("sync.event_completed", {"count": len(uploaded)}),
        )
        return CorrectionOutcome(CorrectionState.DONE, invoice_id, COMPLETED)

    async def handle_rejection(self, invoice_id: int) -> CorrectionOutcome:
        """Mark the rejection of a REJETEE invoice as handled on Chorus Pro and locally."""
        row = self._check(invoice_id, REJECTED)
        if isinstance(row, CorrectionOutcome):
            return row
        try:
            await self.client.handle_rejection(row.chorus_invoice_id)
        except ChorusError as error:
            return self._failure(invoice_id, "handle_rejection", error)
        self.store.mark_rejection_handled(invoice_id)
        return CorrectionOutcome(CorrectionState.DONE, invoice_id, REJECTED)

    def link_replacement(self, rejected_invoice_id: int, new_invoice_id: int) -> None:
        """Record that `new_invoice_id`, with a new number, replaces the rejected invoice."""
        self.store.link_replacement(rejected_invoice_id, new_invoice_id)

    def _failure(self, invoice_id: int, action: str, error: ChorusError) -> CorrectionOutcome:
        if isinstance(error, (BusinessError, FileTooLarge)):
            state = CorrectionState.REFUSED
        elif isinstance(error, OutcomeUnknown):
            state = CorrectionState.UNKNOWN
        else:
            state = CorrectionState.FAILED
        log.warning("%s of invoice %d: %s (%s)", action, invoice_id, state.value, error.message.key)
        return CorrectionOutcome(state, invoice_id, message=error.message)
