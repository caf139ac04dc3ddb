"""Flow rules that field reports show Chorus Pro applies to a Factur-X XML: payment means and gross prices."""

from __future__ import annotations

from datetime import date

import facturx
from lxml import etree

from chorus_tui.sources.cii import build_cii_xml
from tests.detection.builders import make_pdf, sample_cii
from tests.sandbox.test_flows import deposit_flow, happy_api, wait_for_outcome  # noqa: F401 (fixture)
from tests.validation.test_flow_xml import add_gross_price, set_payment_code

# Before the simulator's first day, so that the invoice is not dated in the future.
ISSUE_DATE = date(2026, 2, 20)


def flow_pdf(edit=None, profile: str = "en16931", **overrides) -> bytes:
    root = etree.fromstring(build_cii_xml(sample_cii(number="FX-RULE", issue_date=ISSUE_DATE, **overrides), profile))
    if edit is not None:
        edit(root)
    return facturx.generate_from_binary(make_pdf(["Facture FX-RULE"]), etree.tostring(root), check_xsd=False,
                                        check_schematron=False)


def outcome(api, clock, content: bytes) -> dict:
    number = deposit_flow(api, content).json()["numeroFluxDepot"]
    return wait_for_outcome(api, clock, number)


def test_complete_flow_integrated(happy_api, clock):
    report = outcome(happy_api, clock, flow_pdf())
    assert report["etatCourantDepotFlux"] == "IN_INTEGRE"


def test_empty_payment_code_rejected(happy_api, clock):
    report = outcome(happy_api, clock, flow_pdf(lambda root: set_payment_code(root, "")))
    assert report["etatCourantDepotFlux"] == "IN_REJETE"
    assert "SpecifiedTradeSettlementPaymentMeans.TypeCode" in report["listeErreurDP"][0]["libelleErreurDP"]


def test_absent_payment_means_accepted(happy_api, clock):
    # Only an empty payment means element is a reported rejection, so an absent one is accepted.
    report = outcome(happy_api, clock, flow_pdf(iban=None))
    assert report["etatCourantDepotFlux"] == "IN_INTEGRE"


def test_credit_note_with_empty_payment_code_accepted(happy_api, clock):
    content = flow_pdf(lambda root: set_payment_code(root, ""), type_code="381", original_invoice="FAC-2026-0901")
    report = outcome(happy_api, clock, content)
    assert report["etatCourantDepotFlux"] == "IN_INTEGRE"


def test_gross_price_without_allowance_rejected(happy_api, clock):
    report = outcome(happy_api, clock, flow_pdf(lambda root: add_gross_price(root, with_allowance=False)))
    assert report["etatCourantDepotFlux"] == "IN_REJETE"
    assert "GrossPriceProductTradePrice" in report["listeErreurDP"][0]["libelleErreurDP"]


def test_gross_price_with_allowance_integrated(happy_api, clock):
    report = outcome(happy_api, clock, flow_pdf(lambda root: add_gross_price(root, with_allowance=True)))
    assert report["etatCourantDepotFlux"] == "IN_INTEGRE"
