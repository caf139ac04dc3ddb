"""Amounts typed in the deposit form when the invoice prints none: what is read as a number."""

from __future__ import annotations

from decimal import Decimal

import pytest
from textual.widgets import Input, Static

from chorus_tui.sources.folder import FolderSource
from chorus_tui.ui.formatting import AmbiguousAmountError, parse_amount
from tests.detection.builders import write_pdf
from tests.ui.conftest import make_rig, rendered, settle
from tests.ui.test_integration import french, open_form  # noqa: F401 (french is a fixture)

pytestmark = pytest.mark.usefixtures("french")

# Texts that Decimal reads but that are no amount: not finite, in exponent notation, or too large
# for the checks' cent rounding to stay exact.
NOT_AMOUNTS = ["inf", "-Infinity", "NaN", "sNaN", "1e3", "2E-2", "1_000", "1" * 16]


@pytest.mark.parametrize("text", NOT_AMOUNTS)
def test_parse_amount_rejects_non_amounts(text):
    with pytest.raises(ValueError):
        parse_amount(text)


# One separator after 1 to 3 digits and before exactly 3: one thousand in French, one in English.
@pytest.mark.parametrize(("text", "digits"), [("1.000", "1000"), ("1,000", "1000"), ("12,345", "12345"),
                                              ("-1.200", "-1200")])
def test_parse_amount_rejects_ambiguous_separator(text, digits):
    with pytest.raises(AmbiguousAmountError) as raised:
        parse_amount(text)

    assert raised.value.digits == digits


@pytest.mark.parametrize(("text", "expected"), [
    ("1.000.000", Decimal("1000000")),
    ("1,000,000", Decimal("1000000")),
    ("1.200,00", Decimal("1200.00")),
    ("1,200.00", Decimal("1200.00")),
    ("1234,567", Decimal("1234.567")),
    ("1.5", Decimal("1.5")),
    ("1 234,56", Decimal("1234.56")),
    ("-12,5", Decimal("-12.5")),
    ("+7", Decimal("7")),
    ("0,001", Decimal("0.001")),
    ("9" * 15 + ",99", Decimal("9" * 15 + ".99")),
])
def test_parse_amount_reads_plain_numbers(text, expected):
    assert parse_amount(text) == expected


def amountless_invoice_rig(tmp_path, number: str):
    """Return a rig whose folder contains invoice `number`, which prints no amount, so its amount fields take typing."""
    folder = tmp_path / "invoices"
    folder.mkdir()
    write_pdf(folder / f"{number}.pdf", [
        f"FACTURE N° {number}",
        "Date : 12/03/2026",
        "Client : Commune de Valmorin",
        "SIRET du destinataire : 21170753455688",
    ])
    return make_rig(tmp_path / "invoices.sqlite3", FolderSource(folder))


@pytest.mark.parametrize("text", ["inf", "1e40"])
async def test_typed_non_amount_blocks_submit(tmp_path, text):
    rig = amountless_invoice_rig(tmp_path, "FAC-2026-0960")
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "FAC-2026-0960")
        total_ht = form.query_one("#amounts-total_ht", Input)
        assert not total_ht.disabled
        total_ht.focus()
        await pilot.press(*text, "ctrl+s")
        await settle(pilot)

        error = form.query_one("#error-amounts-total_ht", Static)
        assert error.display
        assert f"« {text} » n'est pas un montant" in rendered(error).replace("\u00a0", " ")
        assert not form.checking
        assert "bloquant" in rendered(form.query_one("#form-status", Static))
        assert total_ht.value == text
        assert rig.simulator.invoices() == []


async def test_typed_ambiguous_amount_blocks_submit(tmp_path):
    rig = amountless_invoice_rig(tmp_path, "FAC-2026-0961")
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "FAC-2026-0961")
        total_ttc = form.query_one("#amounts-total_ttc", Input)
        total_ttc.focus()
        await pilot.press(*"1.000", "ctrl+s")
        await settle(pilot)

        error = rendered(form.query_one("#error-amounts-total_ttc", Static)).replace("\u00a0", " ")
        assert "« 1.000 » est ambigu" in error
        assert "Saisissez 1000" in error
        assert "bloquant" in rendered(form.query_one("#form-status", Static))
        assert rig.simulator.invoices() == []
