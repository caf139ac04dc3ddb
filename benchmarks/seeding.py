"""Fill a simulator and a store with many deposited invoices, quickly, for the benchmarks."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from chorus_tui.domain import Amounts, Detection, SourceInvoice
from chorus_tui.sandbox.directory import STRUCTURES

RECIPIENTS = [structure for structure in STRUCTURES if structure.active][:20]
STATUSES = ("MISE_A_DISPOSITION", "SERVICE_FAIT", "MANDATEE", "MISE_EN_PAIEMENT", "SUSPENDUE")


def seed_number(index: int) -> str:
    return f"F-2026-{index:06d}"


def source_invoice(index: int) -> SourceInvoice:
    """Return local invoice `index`, addressed to one of 20 directory structures."""
    recipient = RECIPIENTS[index % len(RECIPIENTS)]
    ht = Decimal(100 + index % 5000).quantize(Decimal("0.01"))
    vat = (ht * Decimal("0.2")).quantize(Decimal("0.01"))
    number = seed_number(index)
    return SourceInvoice(
        source_key=f"{number}.pdf",
        file_path=Path(f"/invoices/{number}.pdf"),
        invoice_number=number,
        invoice_date=date(2026, 1, 1) + timedelta(days=index % 300),
        customer_name=recipient.designation,
        amounts=Amounts(total_ht=ht, total_vat=vat, total_ttc=ht + vat, amount_due=ht + vat),
        detection=Detection(recipient_siret=recipient.siret),
    )


def fast_writes(store) -> None:
    """Turn off fsync on `store`'s connection: seeding needs speed, not durability.

    NOTE: this reaches into Store's private connection; the store has no bulk-import API.
    """
    store._conn.execute("PRAGMA synchronous = OFF")


def seed_deposited(store, simulator, count: int, *, status: str, changed_at: datetime) -> dict[int, int]:
    """Add `count` invoices to both sides, linked, in `status` since `changed_at`.

    Returns the map of local invoice id to Chorus Pro invoice id.
    """
    fast_writes(store)
    links: dict[int, int] = {}
    for index in range(1, count + 1):
        source = source_invoice(index)
        local_id = store.upsert_source_invoice(source)
        chorus_id = simulator.add_existing_invoice(
            source.invoice_number, source.invoice_date, source.detection.recipient_siret,
            status=status, amount=source.amounts.total_ttc, amount_ht=source.amounts.total_ht,
            deposited_at=changed_at,
        )
        store.link_existing_invoice(local_id, chorus_invoice_id=chorus_id, status_code=status, at=changed_at)
        links[local_id] = chorus_id
    return links


def seed_unlinked(store, simulator, count: int, *, first_deposit: datetime, days: int) -> None:
    """Add `count` invoices to both sides without linking them, deposited over `days` days from `first_deposit`."""
    fast_writes(store)
    for index in range(1, count + 1):
        source = source_invoice(index)
        store.upsert_source_invoice(source)
        simulator.add_existing_invoice(
            source.invoice_number, source.invoice_date, source.detection.recipient_siret,
            status=STATUSES[index % len(STATUSES)], amount=source.amounts.total_ttc,
            amount_ht=source.amounts.total_ht,
            deposited_at=first_deposit + timedelta(days=index * days / count),
        )
