"""read_invoice on bad files, FolderSource, and invoice fields read from plain text."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from chorus_tui.domain import InvoiceKind
from chorus_tui.sources import FolderSource, demo_invoice_folder, read_invoice, read_invoice_bytes, read_invoices
from chorus_tui.sources import reader
from chorus_tui.sources.text import clean_text
from chorus_tui.sources.textfields import parse_amount, parse_french_date, read_text_fields

from .builders import make_pdf, write_pdf


def error_keys(invoice):
    return [message.key for message in invoice.errors]


def test_missing_file(tmp_path):
    invoice = read_invoice(tmp_path / "absent.pdf")
    assert error_keys(invoice) == ["sources.file_not_found"]
    assert str(tmp_path / "absent.pdf") in str(invoice.errors[0])


def test_empty_file(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert error_keys(read_invoice(path)) == ["sources.file_empty"]


def test_not_a_pdf(tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_text("Facture FAC-2026-0001")
    assert error_keys(read_invoice(path)) == ["sources.not_a_pdf"]


def test_directory_named_pdf(tmp_path):
    path = tmp_path / "folder.pdf"
    path.mkdir()
    assert error_keys(read_invoice(path)) == ["sources.not_a_pdf"]


def test_truncated_pdf(tmp_path):
    path = tmp_path / "cut.pdf"
    path.write_bytes(make_pdf(["Facture FAC-2026-0001"])[:300])
    assert error_keys(read_invoice(path)) == ["sources.pdf_damaged"]


def test_encrypted_pdf(tmp_path):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Facture FAC-2026-0001"]))))
    writer.encrypt(user_password="secret", owner_password="owner")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    invoice = read_invoice(path)
    assert error_keys(invoice) == ["sources.pdf_encrypted"]
    assert invoice.file_size == path.stat().st_size


def test_size_and_sha256(tmp_path):
    path = write_pdf(tmp_path / "ok.pdf", ["Facture N° FAC-2026-0100"])
    invoice = read_invoice(path)
    data = path.read_bytes()
    assert invoice.file_size == len(data)
    assert invoice.file_sha256 == hashlib.sha256(data).hexdigest()
    assert invoice.source_key == "ok.pdf"
    assert invoice.facturx_xml is None


def test_read_from_bytes():
    invoice = read_invoice_bytes(make_pdf(["Facture N° FAC-2026-0101", "Total TTC 12,00 €"]), source_key="pennylane:42")
    assert invoice.errors == []
    assert invoice.file_path is None
    assert invoice.invoice_number == "FAC-2026-0101"


def test_folder_scan_sorted_any_case(tmp_path):
    write_pdf(tmp_path / "b.PDF", ["Facture N° FAC-2026-0002"])
    write_pdf(tmp_path / "a.pdf", ["Facture N° FAC-2026-0001"])
    (tmp_path / "c.txt").write_text("not an invoice")
    (tmp_path / "d.pdf").write_text("broken")
    invoices = FolderSource(tmp_path).scan()
    assert [invoice.source_key for invoice in invoices] == ["a.pdf", "b.PDF", "d.pdf"]
    assert invoices[2].errors
    assert FolderSource(tmp_path / "missing").scan() == []



def test_read_invoices_as_one_by_one(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "READ_BATCH_SIZE", 3)
    (tmp_path / "broken.pdf").write_text("broken")
    (tmp_path / "empty.pdf").write_bytes(b"")
    paths = [*sorted(demo_invoice_folder().glob("*.pdf")), tmp_path / "broken.pdf", tmp_path / "absent.pdf",
             tmp_path / "empty.pdf"]
    supplier_siret = "81588139669879"  # the demo supplier's

    batched = read_invoices(iter(paths), supplier_sirets=iter([supplier_siret]))
    one_by_one = [read_invoice(path, supplier_sirets=[supplier_siret]) for path in paths]

    assert len(paths) > 2 * reader.READ_BATCH_SIZE
    assert batched == one_by_one
    assert [error_keys(invoice) for invoice in batched[-3:]] == [
        ["sources.not_a_pdf"], ["sources.file_not_found"], ["sources.file_empty"]
    ]
    # The supplier's SIRET is set aside in every batch, so its iterator was read once, not run out.
    set_aside = [
        invoice.source_key
        for invoice in batched
        if invoice.detection
        and any(candidate.reason.key == "detect.reason_supplier" for candidate in invoice.detection.candidates)
    ]
    assert set_aside[0] in {path.name for path in paths[:3]}
    assert set_aside[-1] in {path.name for path in paths[-9:-3]}


INVOICE_TEXT = """Atelier Verdier Maintenance SARL
FACTURE N° FAC-2026-0042
Date : 12 mars 2026
Échéance : 11/04/2026
Client
Commune de Valmorin
1 place de la Mairie
Désignation Qté Prix unitaire HT TVA Montant HT
Maintenance 1 1 000,00 € 20 % 1 000,00 €
Total HT 1 000,00 €
TVA 20 % 200,00 €
Total TTC 1 200,00 €
Net à payer 1 200,00 €"""


def test_text_fields_plain_invoice():
    fields = read_text_fields(INVOICE_TEXT)
    assert fields.invoice_number == "FAC-2026-0042"
    assert fields.invoice_date == date(2026, 3, 12)
    assert fields.customer_name == "Commune de Valmorin"
    assert fields.kind == InvoiceKind.INVOICE
    assert fields.amounts.total_ht == Decimal("1000.00")
    assert fields.amounts.total_vat == Decimal("200.00")  # summed from the VAT line
    assert fields.amounts.total_ttc == Decimal("1200.00")
    assert fields.amounts.amount_due == Decimal("1200.00")
    assert [(line.rate, line.vat) for line in fields.amounts.vat_lines] == [(Decimal("20"), Decimal("200.00"))]


def test_text_fields_credit_note():
    fields = read_text_fields("AVOIR N° FAC-2026-0043\nFacture d'origine : FAC-2026-0042\nDate : 01/04/2026")
    assert fields.kind == InvoiceKind.CREDIT_NOTE
    assert fields.invoice_number == "FAC-2026-0043"
    assert fields.original_invoice_number == "FAC-2026-0042"


def test_text_fields_vat_exemption():
    fields = read_text_fields("Total HT 500,00 €\nTVA non applicable, art. 293 B du CGI\nNet à payer 500,00 €")
    assert fields.amounts.vat_lines[0].rate == Decimal("0")
    assert fields.amounts.vat_lines[0].exemption_reason == "TVA non applicable, art. 293 B du CGI"
    assert fields.amounts.total_ttc == Decimal("500.00")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,56", "1234.56"),
        ("1 234,56 €", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1234.56", "1234.56"),
        ("-218,48 €", "-218.48"),
        ("12 345 678,90", "12345678.90"),
        ("1.234", "1234"),
        ("0,5", "0.5"),
    ],
)
def test_parse_amount(text, expected):
    assert parse_amount(text) == Decimal(expected)


def test_parse_amount_rejects_garbage():
    assert parse_amount("€") is None
    assert parse_amount("abc") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/03/2026", date(2026, 3, 12)),
        ("12.03.26", date(2026, 3, 12)),
        ("2026-03-12", date(2026, 3, 12)),
        ("12 mars 2026", date(2026, 3, 12)),
        ("1er avril 2026", date(2026, 4, 1)),
        ("le 3 février 2026", date(2026, 2, 3)),
        ("5 AOÛT 2026", date(2026, 8, 5)),
        ("31/02/2026", None),
    ],
)
def test_parse_french_date(text, expected):
    assert parse_french_date(text) == expected


def test_issue_date_skips_due_date():
    fields = read_text_fields("Échéance : 11/04/2026\nDate de facture : 12/03/2026")
    assert fields.invoice_date == date(2026, 3, 12)


def test_blank_pdf_warns_no_text(tmp_path):
    invoice = read_invoice(write_pdf(tmp_path / "scan.pdf", []))
    assert invoice.errors == []
    assert invoice.invoice_number is None
    assert "sources.no_text" in [warning.key for warning in invoice.detection.warnings]


def test_already_paid_invoice(tmp_path):
    invoice = read_invoice(write_pdf(tmp_path / "paid.pdf", ["Facture N° FAC-2026-0700", "Facture acquittée le 02/03/2026"]))
    assert invoice.already_paid
    assert not read_invoice(write_pdf(tmp_path / "due.pdf", ["Facture N° FAC-2026-0701"])).already_paid


def test_credit_note_on_invoice_phrase():
    fields = read_text_fields("Avoir N° AV-2026-0003\nAvoir sur facture n° FAC-2026-0042\nDate : 01/04/2026")
    assert fields.kind == InvoiceKind.CREDIT_NOTE
    assert fields.invoice_number == "AV-2026-0003"
    assert fields.original_invoice_number == "FAC-2026-0042"


@given(st.text(max_size=400))
@settings(max_examples=200, deadline=None)
def test_text_fields_never_raise(text):
    fields = read_text_fields(clean_text(text))
    assert fields.invoice_date is None or 1900 <= fields.invoice_date.year <= 9999


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_parse_amount_round_trips_french_format(value):
    french = f"{value:,.2f}".replace(",", " ").replace(".", ",")
    assert parse_amount(french) == value
    assert parse_amount(f"{value:.2f}") == value


def test_broken_facturx_xml_falls_back_to_text(tmp_path):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Facture N° FAC-2026-0800", "SIRET : 211 707 534 55688"]))))
    writer.add_attachment("factur-x.xml", b"<rsm:CrossIndustryInvoice broken")
    path = tmp_path / "broken.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    invoice = read_invoice(path)
    assert invoice.errors == []
    assert not invoice.is_facturx
    assert invoice.invoice_number == "FAC-2026-0800"
    assert invoice.detection.recipient_siret == "21170753455688"
    assert "sources.facturx_unreadable" in [warning.key for warning in invoice.detection.warnings]


def test_other_xml_attachment_ignored(tmp_path):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Facture N° FAC-2026-0801"]))))
    writer.add_attachment("bordereau.xml", b"<bordereau/>")
    path = tmp_path / "other.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    invoice = read_invoice(path)
    assert not invoice.is_facturx
    assert invoice.detection.warnings[0].key == "detect.no_recipient_siret"
