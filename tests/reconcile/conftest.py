"""Fixtures of the reconciliation tests: the simulator in virtual time, a client over it, a store on a real file."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

from chorus_tui.domain import Amounts, Detection, SourceInvoice
from chorus_tui.store import Store
from tests.sync.conftest import RECIPIENT_SIRET, client, clock, simulator, store  # noqa: F401

PDF_BYTES = b"%PDF-1.4\n% facture de test\n%%EOF\n"


def add_local(store: Store, folder: Path, number: str, invoice_date: date = date(2026, 1, 5)) -> int:
    """Import a local invoice numbered `number` (never deposited by the tool) and return its id."""
    path = folder / f"{number.replace('/', '_').replace(' ', '_')}.pdf"
    path.write_bytes(PDF_BYTES + number.encode())
    amounts = Amounts(total_ht=Decimal("1000.00"), total_vat=Decimal("200.00"), total_ttc=Decimal("1200.00"),
                      amount_due=Decimal("1200.00"))
    source = SourceInvoice(source_key=path.name, file_path=path, invoice_number=number, invoice_date=invoice_date,
                           customer_name="Commune de Valmorin", amounts=amounts,
                           detection=Detection(recipient_siret=RECIPIENT_SIRET))
    return store.upsert_source_invoice(source)


def deposited_on(day: date) -> datetime:
    """Return a deposit time on `day`, in the morning (UTC)."""
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=timezone.utc)
