"""A Factur-X invoice reads from its text only the fields its XML lacks."""

from __future__ import annotations

from decimal import Decimal

from chorus_tui.domain import Amounts, VatLine
from chorus_tui.sources import read_invoice
from chorus_tui.sources.reader import _merge_amounts
from chorus_tui.sources.text import clean_text
from chorus_tui.sources.textfields import TextFieldReader, read_text_fields

from .builders import sample_cii, write_facturx

TEXT_TOTALS = ["Facture FAC-2026-0901", "Total HT 900,00 €", "TVA 20 % 900,00 € 180,00 €", "Total TTC 1 080,00 €"]


class UnreadText:
    """Text fields that fail the test when their amounts are read."""

    @property
    def amounts(self) -> Amounts:
        raise AssertionError("the text's amounts were read although the XML has them all")


def complete_amounts() -> Amounts:
    return Amounts(
        total_ht=Decimal("1000.00"),
        total_vat=Decimal("200.00"),
        total_ttc=Decimal("1200.00"),
        amount_due=Decimal("1200.00"),
        vat_lines=[VatLine(Decimal("20"), Decimal("1000.00"), Decimal("200.00"))],
    )


def test_complete_xml_amounts_skip_text():
    primary = complete_amounts()

    merged = _merge_amounts(primary, UnreadText())

    assert merged == primary


def test_missing_xml_total_read_from_text():
    primary = complete_amounts()
    primary.amount_due = None
    text_fields = TextFieldReader(clean_text("Net à payer 1 150,00 €"))

    merged = _merge_amounts(primary, text_fields)

    assert merged.amount_due == Decimal("1150.00")
    assert merged.total_ttc == Decimal("1200.00")


def test_reader_fields_match_read_text_fields():
    text = clean_text("\n".join(["AVOIR N° A-7", "Facture d'origine : F-3", "Date : 05/01/2026", "Client", "Mairie"]
                                + TEXT_TOTALS[1:]))
    reader = TextFieldReader(text)
    fields = read_text_fields(text)

    assert (reader.kind, reader.invoice_number, reader.original_invoice_number) == (
        fields.kind, fields.invoice_number, fields.original_invoice_number
    )
    assert (reader.invoice_date, reader.customer_name, reader.amounts) == (
        fields.invoice_date, fields.customer_name, fields.amounts
    )


def test_facturx_amounts_from_xml_not_text(tmp_path):
    path = write_facturx(tmp_path / "fx.pdf", sample_cii(), "en16931", TEXT_TOTALS)

    amounts = read_invoice(path).amounts

    assert amounts.total_ht == Decimal("1000.00")
    assert amounts.total_ttc == Decimal("1200.00")
    assert [line.vat for line in amounts.vat_lines] == [Decimal("200.00")]
