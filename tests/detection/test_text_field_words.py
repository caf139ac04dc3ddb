"""Text fields skip lines without the words their patterns need, so each alternative is tested here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chorus_tui.domain import InvoiceKind
from chorus_tui.sources.text import clean_text
from chorus_tui.sources.textfields import read_text_fields


def fields_of(*lines: str):
    return read_text_fields(clean_text("\n".join(lines)))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Date de facture : 05/01/2026", date(2026, 1, 5)),
        ("Fait le 12 mars 2026", date(2026, 3, 12)),
        ("Émise le 3/4/2026", date(2026, 4, 3)),
        ("Paris, le 1er avril 2026", date(2026, 4, 1)),
    ],
)
def test_issue_date_labels(line, expected):
    # Without its label, the date line would lose to the unlabelled date above it.
    assert fields_of("Atelier Verdier", "Réf. 15/02/2026", "Échéance : 30/06/2026", line).invoice_date == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("AVOIR N° A-2026-01", InvoiceKind.CREDIT_NOTE),
        ("Facture d'avoir A-2026-02", InvoiceKind.CREDIT_NOTE),
        ("FACTURE N° F-2026-03", InvoiceKind.INVOICE),
        ("Facture avoir mixte", InvoiceKind.INVOICE),
    ],
)
def test_kind_from_title(title, expected):
    assert fields_of("Atelier Verdier", title).kind == expected


@pytest.mark.parametrize(
    "mention",
    [
        "TVA non applicable, art. 293 B du CGI",
        "Exonération de TVA, article 262 ter I du CGI",
        "Exonérée de TVA",
        "Autoliquidation par le preneur",
        "Art. 283-2 du CGI",
    ],
)
def test_exemption_mentions(mention):
    amounts = fields_of("Total HT 100,00 €", mention).amounts

    assert len(amounts.vat_lines) == 1
    assert amounts.vat_lines[0].rate == 0
    assert amounts.vat_lines[0].exemption_reason == mention.strip(" .;")


def test_vat_number_line_not_vat_summary():
    amounts = fields_of("TVA intracommunautaire FR35815881396 20 % 12,00", "TVA 20 % 100,00 € 20,00 €").amounts

    assert [(line.rate, line.base_ht, line.vat) for line in amounts.vat_lines] == [
        (Decimal("20"), Decimal("100.00"), Decimal("20.00"))
    ]


@pytest.mark.parametrize("label", ["TVA", "T.V.A.", "T.VA", "TV.A", "Tva collectée", "(TVA)"])
def test_vat_summary_label_forms(label):
    amounts = fields_of(f"{label} 20 % 100,00 € 20,00 €").amounts

    assert [(line.rate, line.base_ht, line.vat) for line in amounts.vat_lines] == [
        (Decimal("20"), Decimal("100.00"), Decimal("20.00"))
    ]


def test_vat_inside_word_not_summary():
    assert fields_of("Activa 20 % 100,00 € 20,00 €").amounts.vat_lines == []


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("Total TTC 1 200,00 €", "total_ttc"),
        ("Montant T.T.C. 1 200,00 €", "total_ttc"),
        ("Total toutes taxes 1 200,00 €", "total_ttc"),
        ("Total T.V.A. 200,00 €", "total_vat"),
        ("Montant de la TVA 200,00 €", "total_vat"),
        ("Total taxes 200,00 €", "total_vat"),
    ],
)
def test_total_label_forms(line, field):
    amounts = fields_of("Total HT 1 000,00 €", line).amounts

    assert getattr(amounts, field) == (Decimal("1200.00") if field == "total_ttc" else Decimal("200.00"))
