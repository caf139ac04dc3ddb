"""Read-only rows the store returns, and the enums of its columns."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from chorus_tui.cached import cached_attribute
from chorus_tui.domain import DepositRoute, InvoiceKind
from chorus_tui.i18n import Message
from chorus_tui.statuses import Category, status_label


class EventKind(enum.StrEnum):
    """Kind of a timeline entry: a Chorus Pro status, or something this tool did."""

    STATUS = "status"
    IMPORTED = "imported"
    DETECTED = "detected"
    CHECKED = "checked"
    DEPOSIT_STARTED = "deposit_started"
    DEPOSITED = "deposited"
    DEPOSIT_REFUSED = "deposit_refused"
    DEPOSIT_UNKNOWN = "deposit_unknown"
    DEPOSIT_FAILED = "deposit_failed"
    DEPOSIT_ADOPTED = "deposit_adopted"
    FLOW_STATE = "flow_state"
    FLOW_INTEGRATED = "flow_integrated"
    FLOW_REJECTED = "flow_rejected"
    RECYCLED = "recycled"
    COMPLETED = "completed"
    REJECTION_HANDLED = "rejection_handled"
    REPLACED = "replaced"
    REPLACES = "replaces"  # this invoice re-issues a rejected one, under a new number
    RECONCILED = "reconciled"  # linked to an invoice found on Chorus Pro by its number


class AttemptState(enum.StrEnum):
    """State of one deposit attempt in the journal."""

    SENDING = "sending"  # recorded before the request left; a crash leaves it here
    ACCEPTED = "accepted"  # Chorus Pro returned an invoice id or a flow number
    REJECTED = "rejected"  # Chorus Pro refused it with a business error
    UNKNOWN = "unknown"  # no response: Chorus Pro may or may not have the invoice
    FAILED = "failed"  # never reached Chorus Pro, or its flow was rejected later


OPEN_ATTEMPT_STATES = (AttemptState.SENDING, AttemptState.UNKNOWN)


class InvoiceOrder(enum.StrEnum):
    """Sort orders of `Store.page_invoices`; each ends with the id so that pages are stable."""

    DATE_DESC = "date_desc"
    DATE_ASC = "date_asc"
    NUMBER = "number"
    CUSTOMER = "customer"
    AMOUNT_DESC = "amount_desc"
    STATUS_CHANGED_DESC = "status_changed_desc"


@dataclass(frozen=True)
class InvoiceRow:
    """One local invoice with its Chorus Pro state, as the list and the detail view show it."""

    id: int
    source_key: str
    file_path: Path | None
    number: str | None
    customer: str | None
    recipient_siret: str | None
    invoice_date: date | None
    kind: InvoiceKind
    original_invoice_number: str | None
    total_ht: Decimal | None
    total_vat: Decimal | None
    total_ttc: Decimal | None
    amount_due: Decimal | None
    currency: str
    facturx_profile: str | None
    file_sha256: str | None
    detection_json: str
    chorus_invoice_id: int | None
    flow_number: str | None
    deposit_route: DepositRoute | None
    status_code: str
    status_changed_at: datetime | None
    status_comment: str | None
    category: Category
    rejection_handled: bool
    replaced_by: int | None
    payment_not_reported: bool | None
    imported_at: datetime

    @property
    def status_label(self) -> str:
        return status_label(self.status_code)

    @cached_attribute
    def detection(self) -> dict[str, Any]:
        """Detection data as stored at import (JSON object), parsed on first use.

        The invoice list reads it for each row it draws, to mark unreadable
        files. Callers share the parsed object and must not change it.
        """
        return json.loads(self.detection_json)


@dataclass(frozen=True)
class EventRow:
    """One entry of an invoice's timeline.

    `comment` is text from Chorus Pro (a rejection reason, for instance);
    `message` is this tool's own text, rendered in the current language.
    """

    id: int
    invoice_id: int
    at: datetime
    kind: EventKind
    status_code: str | None
    comment: str | None
    actor: str | None
    message: Message | None


@dataclass(frozen=True)
class DepositAttempt:
    """One row of the deposit journal: what was sent, by which route, and what came of it."""

    id: int
    invoice_id: int
    route: DepositRoute
    payload_digest: str
    invoice_number: str
    recipient_siret: str | None
    invoice_date: date | None
    state: AttemptState
    chorus_invoice_id: int | None
    flow_number: str | None
    attachment_id: int | None
    started_at: datetime
    finished_at: datetime | None
    error: Message | None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_ATTEMPT_STATES
