"""Build invoice PDFs inside tests: plain ones with fpdf2, Factur-X ones with the factur-x library."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import facturx
from fpdf import FPDF

from chorus_tui.sources.cii import CiiInvoice, CiiLine, CiiParty, build_cii_xml

SELLER_SIREN = "815881396"  # the demo supplier's SIREN
BUYER_SIRET = "21170753455688"  # Commune de Valmorin


def make_pdf(lines: list[str]) -> bytes:
    """Return a one-page A4 PDF whose text layer contains `lines` (windows-1252 characters only)."""
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in lines:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def write_pdf(path: Path, lines: list[str]) -> Path:
    path.write_bytes(make_pdf(lines))
    return path


def sample_cii(**overrides) -> CiiInvoice:
    """Return an invoice of 2 × 500.00 € at 20 % to the Commune de Valmorin; keyword arguments replace fields."""
    values = dict(
        number="FAC-2026-0901",
        issue_date=date(2026, 3, 12),
        seller=CiiParty("Atelier Verdier Maintenance SARL", SELLER_SIREN, "0002", postcode="45210",
                        street="12 rue des Ateliers", city="Valmorin", vat_number="FR35815881396"),
        buyer=CiiParty("Commune de Valmorin", BUYER_SIRET, "0009", postcode="45210",
                       street="1 place de la Mairie", city="Valmorin"),
        lines=[CiiLine("Maintenance", Decimal("2"), Decimal("500.00"), Decimal("20"))],
        buyer_reference="MAIRIE",
        order_reference="EJ-2026-55",
        contract_reference="MAPA-2026-01",
        due_date=date(2026, 4, 11),
        iban="FR7617515900000451234567818",
    )
    values.update(overrides)
    return CiiInvoice(**values)


def write_facturx(path: Path, invoice: CiiInvoice, profile: str, lines: list[str] | None = None) -> Path:
    """Write a Factur-X PDF: `lines` as the visible text, the CII XML of `invoice` embedded."""
    xml = build_cii_xml(invoice, profile)
    visible = lines if lines is not None else [f"Facture {invoice.number}"]
    path.write_bytes(facturx.generate_from_binary(make_pdf(visible), xml, check_xsd=True, check_schematron=False))
    return path
