"""Conversions between Python values and the store's columns, and the builders of its rows.

Times are stored as UTC text of fixed width, so that they sort as text;
money as the text of its Decimal; messages as JSON of their key and parameters.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from chorus_tui.domain import DepositRoute, InvoiceKind, SourceInvoice
from chorus_tui.i18n import Message
from chorus_tui.statuses import Category
from chorus_tui.store.rows import AttemptState, DepositAttempt, EventKind, EventRow, InvoiceRow

INVOICE_COLUMNS = (
    "id, source_key, file_path, number, customer, recipient_siret, invoice_date, kind, original_invoice_number, "
    "total_ht, total_vat, total_ttc, amount_due, currency, facturx_profile, file_sha256, detection_json, "
    "chorus_invoice_id, flow_number, deposit_route, status_code, status_changed_at, status_comment, category, "
    "rejection_handled, replaced_by, payment_not_reported, imported_at"
)
DEPOSIT_COLUMNS = (
    "id, invoice_id, route, payload_digest, invoice_number, recipient_siret, invoice_date, state, "
    "chorus_invoice_id, flow_number, attachment_id, started_at, finished_at, error_json"
)
EVENT_COLUMNS = "id, invoice_id, at, kind, status_code, comment, actor, message_json"


def to_timestamp(moment: datetime) -> str:
    """Return a UTC timestamp that sorts as text (fixed width, always with microseconds)."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: the store keeps timezone-aware times only")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def from_timestamp(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def parse_decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def encode_message(message: Message | None) -> str | None:
    if message is None:
        return None
    return json.dumps({"key": message.key, "params": message.params}, ensure_ascii=False, default=str)


def decode_message(value: str | None) -> Message | None:
    if not value:
        return None
    data = json.loads(value)
    return Message(data["key"], data.get("params", {}))


def _json_default(value: Any) -> Any:
    if isinstance(value, Message):
        return {"key": value.key, "params": value.params}
    if isinstance(value, (Decimal, Path, date)):
        return str(value)
    if is_dataclass(value):
        return asdict(value)
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


def encode_detection(source: SourceInvoice) -> str:
    data = {
        "detection": source.detection,
        "errors": source.errors,
        "already_paid": source.already_paid,
        "vat_lines": source.amounts.vat_lines,
    }
    return json.dumps(data, ensure_ascii=False, default=_json_default)


def invoice_row(record: Sequence[Any]) -> InvoiceRow:
    (
        invoice_id, source_key, file_path, number, customer, siret, invoice_date, kind, original_number,
        total_ht, total_vat, total_ttc, amount_due, currency, facturx_profile, file_sha256, detection_json,
        chorus_id, flow_number, route, status_code, status_changed_at, status_comment, category,
        rejection_handled, replaced_by, payment_not_reported, imported_at,
    ) = record
    return InvoiceRow(
        id=invoice_id,
        source_key=source_key,
        file_path=Path(file_path) if file_path else None,
        number=number,
        customer=customer,
        recipient_siret=siret,
        invoice_date=parse_date(invoice_date),
        kind=InvoiceKind(kind),
        original_invoice_number=original_number,
        total_ht=parse_decimal(total_ht),
        total_vat=parse_decimal(total_vat),
        total_ttc=parse_decimal(total_ttc),
        amount_due=parse_decimal(amount_due),
        currency=currency,
        facturx_profile=facturx_profile,
        file_sha256=file_sha256,
        detection_json=detection_json,
        chorus_invoice_id=chorus_id,
        flow_number=flow_number,
        deposit_route=DepositRoute(route) if route else None,
        status_code=status_code,
        status_changed_at=from_timestamp(status_changed_at),
        status_comment=status_comment,
        category=Category(category),
        rejection_handled=bool(rejection_handled),
        replaced_by=replaced_by,
        payment_not_reported=None if payment_not_reported is None else bool(payment_not_reported),
        imported_at=from_timestamp(imported_at),
    )


def attempt_row(record: Sequence[Any]) -> DepositAttempt:
    (
        attempt_id, invoice_id, route, digest, number, siret, invoice_date, state, chorus_id, flow_number,
        attachment_id, started_at, finished_at, error_json,
    ) = record
    return DepositAttempt(
        id=attempt_id,
        invoice_id=invoice_id,
        route=DepositRoute(route),
        payload_digest=digest,
        invoice_number=number,
        recipient_siret=siret,
        invoice_date=parse_date(invoice_date),
        state=AttemptState(state),
        chorus_invoice_id=chorus_id,
        flow_number=flow_number,
        attachment_id=attachment_id,
        started_at=from_timestamp(started_at),
        finished_at=from_timestamp(finished_at),
        error=decode_message(error_json),
    )


def event_row(record: Sequence[Any]) -> EventRow:
    event_id, invoice_id, at, kind, status_code, comment, actor, message_json = record
    return EventRow(
        id=event_id,
        invoice_id=invoice_id,
        at=from_timestamp(at),
        kind=EventKind(kind),
        status_code=status_code,
        comment=comment,
        actor=actor,
        message=decode_message(message_json),
    )
