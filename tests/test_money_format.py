"""French amounts and numbers never wrap inside: no-break spaces, measured one cell wide by Rich."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from chorus_tui import i18n
from chorus_tui.ui.formatting import format_money

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("1080"), f"1{NARROW_NBSP}080,00{NBSP}€"),
        (Decimal("1234567.5"), f"1{NARROW_NBSP}234{NARROW_NBSP}567,50{NBSP}€"),
        (Decimal("71.52"), f"71,52{NBSP}€"),
        (Decimal("-1080"), f"-1{NARROW_NBSP}080,00{NBSP}€"),
    ],
)
def test_french_money_uses_no_break_spaces(amount, expected):
    assert format_money(amount, lang="fr") == expected


def test_english_money_unchanged():
    assert format_money(Decimal("1080"), lang="en") == "€1,080.00"


def test_money_cell_width_is_length():
    text = format_money(Decimal("1234567.5"), lang="fr")
    assert cell_len(text) == len(text)


def test_money_column_stays_aligned():
    amounts = [Decimal("5"), Decimal("1080"), Decimal("1234567.5")]
    table = Table("Montant", box=None, show_header=False)
    for amount in amounts:
        table.add_row(format_money(amount, lang="fr"))
    table.columns[0].justify = "right"
    console = Console(width=40, record=True, color_system=None)
    console.print(table)
    lines = [line.rstrip() for line in console.export_text().splitlines() if line.strip()]
    assert len(lines) == len(amounts)
    assert len({len(line) for line in lines}) == 1
    assert all(line.endswith("€") for line in lines)


def test_number_sign_keeps_number():
    previous = i18n.current_language()
    i18n.set_language("fr")
    try:
        text = i18n.t("store.invoice_not_found", id=5000001)
    finally:
        i18n.set_language(previous)
    assert f"n°{NBSP}5000001" in text
