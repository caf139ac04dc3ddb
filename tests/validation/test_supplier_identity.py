"""The supplier's own identifiers, as given by configuration or --supplier-siret: a SIRET or a SIREN."""

from __future__ import annotations

from chorus_tui.domain import CheckLevel, DepositForm, SourceInvoice
from chorus_tui.validation import check_form
from tests.validation.conftest import TODAY

SUPPLIER_SIRET = "81588139669879"


def supplier_results(supplier_sirets: frozenset[str]) -> list:
    invoice = SourceInvoice(source_key="FAC-2026-0042.pdf", file_path=None, invoice_number="FAC-2026-0042")
    form = DepositForm(invoice_number="FAC-2026-0042", invoice_date=TODAY, recipient_siret="21170753455688")
    return [result for result in check_form(invoice, form, today=TODAY, supplier_sirets=supplier_sirets)
            if result.field == "supplier_siret"]


def test_valid_supplier_siret_adds_nothing():
    assert supplier_results(frozenset({SUPPLIER_SIRET})) == []


def test_valid_supplier_siren_adds_nothing():
    assert supplier_results(frozenset({SUPPLIER_SIRET[:9]})) == []


def test_mistyped_supplier_siren_is_blocking():
    (result,) = supplier_results(frozenset({"815881397"}))
    assert result.level is CheckLevel.BLOCKING
    assert result.message.key == "checks.siren_checksum"
    assert "815881397" in str(result.message)


def test_mistyped_supplier_siret_is_blocking():
    (result,) = supplier_results(frozenset({SUPPLIER_SIRET[:-1] + "8"}))
    assert result.level is CheckLevel.BLOCKING
    assert result.message.key == "checks.siret_checksum"
