"""VAT summary lines that print a rate and an amount but no base."""

from __future__ import annotations

from decimal import Decimal

from chorus_tui.sources.text import clean_text
from chorus_tui.sources.textfields import read_text_fields
from chorus_tui.validation.amounts import check_amounts

ONE_RATE_INVOICE = """Atelier Verdier Maintenance SARL
FACTURE N° NC3-001
Date : 01/12/2026
Client : Commune de Valmorin
Entretien des pompes - décembre 2026
Total HT : 100,00 €
TVA 20 % : 20,00 €
Total TTC : 120,00 €"""


def amounts_of(text: str):
    return read_text_fields(clean_text(text)).amounts


def vat_line_results(amounts):
    return [result for result in check_amounts(amounts) if result.field == "amounts.vat_lines"]


def test_one_rate_base_is_total_ht():
    amounts = amounts_of(ONE_RATE_INVOICE)

    assert [(line.rate, line.base_ht, line.vat) for line in amounts.vat_lines] == [
        (Decimal("20"), Decimal("100.00"), Decimal("20.00"))
    ]
    assert amounts.total_vat == Decimal("20.00")


def test_one_rate_invoice_passes_vat_checks():
    assert vat_line_results(amounts_of(ONE_RATE_INVOICE)) == []


def test_total_ht_after_vat_line_is_base():
    amounts = amounts_of("TVA 5,5 % 11,00 €\nTotal HT 200,00 €\nTotal TTC 211,00 €")

    assert [(line.rate, line.base_ht) for line in amounts.vat_lines] == [(Decimal("5.5"), Decimal("200.00"))]


def test_several_rates_without_bases_dropped():
    amounts = amounts_of("Total HT : 150,00 €\nTVA 20 % : 20,00 €\nTVA 10 % : 5,00 €\nTotal TTC : 175,00 €")

    assert amounts.vat_lines == []
    assert amounts.total_vat == Decimal("25.00")
    assert vat_line_results(amounts) == []


def test_several_rates_keep_printed_total_vat():
    amounts = amounts_of(
        "Total HT : 150,00 €\nTVA 20 % : 20,00 €\nTVA 10 % : 5,00 €\nTotal TVA : 25,00 €\nTotal TTC : 175,00 €"
    )

    assert amounts.vat_lines == []
    assert amounts.total_vat == Decimal("25.00")


def test_one_rate_without_total_ht_dropped():
    amounts = amounts_of("TVA 20 % : 20,00 €\nTotal TTC : 120,00 €")

    assert amounts.vat_lines == []
    assert amounts.total_vat == Decimal("20.00")


def test_printed_base_kept():
    amounts = amounts_of("Total HT : 150,00 €\nTVA 20 % 100,00 € 20,00 €\nTVA 10 % 50,00 € 5,00 €")

    assert [(line.rate, line.base_ht, line.vat) for line in amounts.vat_lines] == [
        (Decimal("20"), Decimal("100.00"), Decimal("20.00")),
        (Decimal("10"), Decimal("50.00"), Decimal("5.00")),
    ]
