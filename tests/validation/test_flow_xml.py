"""The Factur-X XML a flow deposit sends unchanged: payment means and gross prices."""

from __future__ import annotations

import pytest
from lxml import etree

from chorus_tui.domain import CheckLevel, DepositRoute, InvoiceKind
from chorus_tui.sources import read_invoice
from chorus_tui.validation import check_form, form_from_invoice
from chorus_tui.validation.flow_xml import check_flow_xml
from tests.detection.builders import sample_cii, write_facturx
from tests.validation.conftest import TODAY

RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"


def facturx_invoice(tmp_path, profile: str = "en16931", **overrides):
    return read_invoice(write_facturx(tmp_path / "flow.pdf", sample_cii(**overrides), profile))


def edit_xml(invoice, edit) -> None:
    """Apply `edit` to the parsed XML of `invoice` and store the result back."""
    root = etree.fromstring(invoice.facturx_xml)
    edit(root)
    invoice.facturx_xml = etree.tostring(root)


def add_gross_price(root, *, with_allowance: bool) -> None:
    for agreement in root.iter(f"{{{RAM}}}SpecifiedLineTradeAgreement"):
        gross = etree.Element(f"{{{RAM}}}GrossPriceProductTradePrice")
        etree.SubElement(gross, f"{{{RAM}}}ChargeAmount").text = "500.00"
        if with_allowance:
            allowance = etree.SubElement(gross, f"{{{RAM}}}AppliedTradeAllowanceCharge")
            etree.SubElement(allowance, f"{{{RAM}}}ActualAmount").text = "0.00"
        agreement.insert(0, gross)


def set_payment_code(root, code: str) -> None:
    for means in root.iter(f"{{{RAM}}}SpecifiedTradeSettlementPaymentMeans"):
        means.find(f"{{{RAM}}}TypeCode").text = code


def keys(results) -> list[str]:
    return [result.message.key for result in results]


def test_transfer_with_iban_passes(tmp_path):
    results = check_flow_xml(facturx_invoice(tmp_path))
    assert keys(results) == ["checks.flow_payment_means_ok"]
    assert results[0].level is CheckLevel.PASS


def test_invoice_without_payment_means_warns(tmp_path):
    results = check_flow_xml(facturx_invoice(tmp_path, iban=None))
    assert keys(results) == ["checks.flow_payment_means_absent"]
    assert results[0].level is CheckLevel.WARNING
    assert results[0].field == "payment_mode"


@pytest.mark.parametrize(
    ("code", "key", "level"),
    [
        ("", "checks.flow_payment_means_missing", CheckLevel.BLOCKING),
        ("58", "checks.flow_payment_means_doubtful", CheckLevel.WARNING),
    ],
)
def test_payment_type_code_checked(tmp_path, code, key, level):
    invoice = facturx_invoice(tmp_path)
    edit_xml(invoice, lambda root: set_payment_code(root, code))
    results = check_flow_xml(invoice)
    assert keys(results) == [key]
    assert results[0].level is level
    assert results[0].field == "payment_mode"


def test_transfer_without_iban_warns(tmp_path):
    invoice = facturx_invoice(tmp_path)

    def drop_account(root):
        for account in list(root.iter(f"{{{RAM}}}PayeePartyCreditorFinancialAccount")):
            account.getparent().remove(account)

    edit_xml(invoice, drop_account)
    results = check_flow_xml(invoice)
    assert keys(results) == ["checks.flow_transfer_without_iban"]


def test_credit_note_with_payment_means_warns(tmp_path):
    invoice = facturx_invoice(tmp_path, type_code="381")
    assert invoice.kind is InvoiceKind.CREDIT_NOTE
    results = check_flow_xml(invoice)
    assert keys(results) == ["checks.flow_payment_means_on_credit_note"]
    assert results[0].level is CheckLevel.WARNING


def test_credit_note_without_payment_means_passes(tmp_path):
    invoice = facturx_invoice(tmp_path, type_code="381", iban=None)
    assert check_flow_xml(invoice) == []


def test_gross_price_without_allowance_is_blocking(tmp_path):
    invoice = facturx_invoice(tmp_path)
    edit_xml(invoice, lambda root: add_gross_price(root, with_allowance=False))
    results = [result for result in check_flow_xml(invoice) if result.field == "attachment_path"]
    assert keys(results) == ["checks.flow_gross_price_without_allowance"]
    assert results[0].level is CheckLevel.BLOCKING
    assert results[0].message.params["line"] == "1"


def test_gross_price_with_zero_allowance_passes(tmp_path):
    invoice = facturx_invoice(tmp_path)
    edit_xml(invoice, lambda root: add_gross_price(root, with_allowance=True))
    assert keys(check_flow_xml(invoice)) == ["checks.flow_payment_means_ok"]


def test_flow_form_runs_xml_checks(tmp_path):
    invoice = facturx_invoice(tmp_path)
    edit_xml(invoice, lambda root: set_payment_code(root, ""))
    form = form_from_invoice(invoice, supplier_id=1, bank_account_id=1)
    assert form.route is DepositRoute.FLOW
    results = check_form(invoice, form, today=TODAY)
    assert "checks.flow_payment_means_missing" in keys(results)


def test_pdf_route_ignores_xml_payment_means(tmp_path):
    """A MINIMUM profile goes by the PDF deposit, where the form's payment mode is what Chorus Pro reads."""
    invoice = facturx_invoice(tmp_path, profile="minimum", iban=None)
    form = form_from_invoice(invoice, supplier_id=1, bank_account_id=1)
    assert form.route is DepositRoute.PDF
    results = check_form(invoice, form, today=TODAY)
    assert "checks.flow_payment_means_absent" not in keys(results)


def test_shared_sample_gross_prices_judged_per_line(shared_dir):
    """Line 1 of this sample pairs its gross price with a 10 % allowance; lines 2 and 3 have none."""
    invoice = read_invoice(shared_dir / "samples" / "factur-x" / "fail_Facture_FR_EN16931.pdf")
    results = check_flow_xml(invoice)
    assert keys(results) == ["checks.flow_payment_means_ok", "checks.flow_gross_price_without_allowance",
                             "checks.flow_gross_price_without_allowance"]
    assert [result.message.params["line"] for result in results[1:]] == ["2", "3"]
