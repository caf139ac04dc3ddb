"""Fixtures of the sync tests: a simulator in virtual time, a client wired to it, a store on a real file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr

from chorus_tui.chorus.client import ChorusClient
from chorus_tui.chorus.retry import RetryPolicy
from chorus_tui.chorus.settings import ConnectionSettings, Credentials, Environment
from chorus_tui.clock import ManualClock
from chorus_tui.domain import Amounts, DepositForm, DepositRoute, Detection, SourceInvoice, VatLine
from chorus_tui.sandbox.directory import DEMO_SUPPLIER
from chorus_tui.sandbox.simulator import Simulator
from chorus_tui.store import Store

# Commune de Valmorin in the simulated directory: neither service nor engagement required.
RECIPIENT_SIRET = "21170753455688"
RECIPIENT_SERVICE = "MAIRIE"
PDF_BYTES = b"%PDF-1.4\n% facture de test\n%%EOF\n"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def simulator(clock: ManualClock) -> Simulator:
    return Simulator(clock, seed=7)


def make_client(simulator: Simulator, clock: ManualClock, *, retry: RetryPolicy | None = None) -> ChorusClient:
    credentials = Credentials(
        client_id="demo-client",
        client_secret=SecretStr("client-secret"),
        technical_login=DEMO_SUPPLIER.technical_login,
        technical_password=SecretStr("technical-password"),
    )
    return ChorusClient(
        ConnectionSettings.for_environment(Environment.DEMO),
        credentials,
        transport=simulator.transport(),
        clock=clock,
        retry=retry or RetryPolicy.seeded(3),
    )


@pytest.fixture
async def client(simulator, clock):
    async with make_client(simulator, clock) as opened:
        yield opened


@pytest.fixture
def store(tmp_path, clock):
    with Store(tmp_path / "chorus.sqlite3", clock=clock) as opened:
        yield opened


def add_invoice(store: Store, folder: Path, index: int, *, route: DepositRoute = DepositRoute.PDF,
                invoice_date: date = date(2026, 2, 20)) -> tuple[int, DepositForm]:
    """Import a local PDF invoice and return its id with the form a user would confirm."""
    number = f"FAC-2026-{index:04d}"
    path = folder / f"{number}.pdf"
    path.write_bytes(PDF_BYTES + number.encode())
    amounts = Amounts(
        total_ht=Decimal("1000.00"), total_vat=Decimal("200.00"), total_ttc=Decimal("1200.00"),
        amount_due=Decimal("1200.00"),
        vat_lines=[VatLine(rate=Decimal("20"), base_ht=Decimal("1000.00"), vat=Decimal("200.00"))],
    )
    source = SourceInvoice(
        source_key=path.name, file_path=path, invoice_number=number, invoice_date=invoice_date,
        customer_name="Commune de Valmorin", amounts=amounts,
        detection=Detection(recipient_siret=RECIPIENT_SIRET, service_code=RECIPIENT_SERVICE),
    )
    invoice_id = store.upsert_source_invoice(source)
    form = DepositForm(
        invoice_number=number, invoice_date=invoice_date, recipient_siret=RECIPIENT_SIRET,
        service_code=RECIPIENT_SERVICE, amounts=amounts, supplier_id=DEMO_SUPPLIER.id_structure_cpp,
        bank_account_id=DEMO_SUPPLIER.bank_accounts[0].id, attachment_path=path, route=route,
    )
    return invoice_id, form


def facturx_xml(number: str, *, buyer_siret: str = RECIPIENT_SIRET, issue_date: date = date(2026, 2, 20)) -> bytes:
    from chorus_tui.sources.cii import CiiInvoice, CiiLine, CiiParty, build_cii_xml

    invoice = CiiInvoice(
        number=number,
        issue_date=issue_date,
        seller=CiiParty(name=DEMO_SUPPLIER.designation, legal_id=DEMO_SUPPLIER.siret),
        buyer=CiiParty(name="Commune de Valmorin", legal_id=buyer_siret),
        lines=[CiiLine("Maintenance", Decimal("1"), Decimal("1000.00"), Decimal("20"))],
        buyer_reference=RECIPIENT_SERVICE,
    )
    return build_cii_xml(invoice)


def facturx_pdf(number: str, **options) -> bytes:
    """Return a Factur-X PDF (a one-page PDF with its CII XML embedded)."""
    from facturx import generate_from_binary
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text=f"Facture {number}")
    return generate_from_binary(bytes(document.output()), facturx_xml(number, **options), check_xsd=False)
