"""Checks of the Factur-X XML that a flow deposit (`deposer/flux`) sends to Chorus Pro unchanged.

The form's payment mode, amounts and cadre de facturation do not reach Chorus Pro on this
route: the XML does.
Two XML faults made Chorus Pro reject every invoice of the suppliers who reported them:
- an invoice whose payment means element (SpecifiedTradeSettlementPaymentMeans) has an empty
  TypeCode, rejected with "…PaymentMeans.TypeCode.value est obligatoire";
- a line with a gross price (GrossPriceProductTradePrice) but no allowance amount
  (AppliedTradeAllowanceCharge/ActualAmount), rejected with "…ActualAmount est obligatoire
  si … GrossPriceProductTradePrice est renseigné".
"""

from __future__ import annotations

import logging

from lxml import etree

from chorus_tui.domain import BILLING_FRAMES, CheckResult, InvoiceKind, SourceInvoice
from chorus_tui.validation.billing_frame import A2, A9, A12, FRAMES_WITH_VALIDATOR, billing_frame_label
from chorus_tui.validation.display import Money
from chorus_tui.validation.results import blocking, passed, warning

logger = logging.getLogger(__name__)

_NAMESPACES = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
# BT-23, the business process, where a Factur-X file states its cadre de facturation.
_BUSINESS_PROCESS = etree.XPath(
    "string(/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext"
    "/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID)", namespaces=_NAMESPACES)
_PAYMENT_MEANS = etree.XPath(
    "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
    "/ram:SpecifiedTradeSettlementPaymentMeans", namespaces=_NAMESPACES)
_LINES = etree.XPath(
    "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem",
    namespaces=_NAMESPACES)
_TYPE_CODE = etree.XPath("string(ram:TypeCode)", namespaces=_NAMESPACES)
_IBAN = etree.XPath("string(ram:PayeePartyCreditorFinancialAccount/ram:IBANID)", namespaces=_NAMESPACES)
_LINE_ID = etree.XPath("string(ram:AssociatedDocumentLineDocument/ram:LineID)", namespaces=_NAMESPACES)
_GROSS_PRICES = etree.XPath("ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice",
                            namespaces=_NAMESPACES)
_ALLOWANCE_AMOUNTS = etree.XPath("ram:AppliedTradeAllowanceCharge/ram:ActualAmount", namespaces=_NAMESPACES)

# UNTDID 4461 codes of a credit transfer, which pays into the supplier's bank account.
_TRANSFER_CODES = frozenset({"30", "31", "42", "58"})
# NOTE: one supplier reports rejections with code 58 (SEPA credit transfer) and others
# report that 30 is accepted. No source confirms whether Chorus Pro rejects 58, so it warns.
_DOUBTFUL_CODES = frozenset({"58"})

PAYMENT_FIELD = "payment_mode"
FILE_FIELD = "attachment_path"
FRAME_FIELD = "billing_frame"


def _parse(xml: bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(xml, parser=parser)


def _invoice_root(invoice: SourceInvoice):
    """Return the parsed Factur-X XML of `invoice`, or None when it has none or it cannot be parsed."""
    if invoice.facturx_xml is None:
        return None
    try:
        return _parse(invoice.facturx_xml)
    except etree.XMLSyntaxError as error:
        # The reader already fell back to the text and warned, so there is nothing more to check.
        logger.warning("Factur-X XML of %s could not be parsed again: %s", invoice.source_key, error)
        return None


def check_flow_xml(invoice: SourceInvoice) -> list[CheckResult]:
    """Check the payment means and the line prices of the invoice's Factur-X XML."""
    root = _invoice_root(invoice)
    if root is None:
        return []
    results = check_payment_means(root, invoice.kind)
    results.extend(check_gross_prices(root))
    return results


def check_flow_billing_frame(invoice: SourceInvoice) -> list[CheckResult]:
    """Check the cadre de facturation of the invoice's Factur-X XML (see check_business_process)."""
    root = _invoice_root(invoice)
    return [] if root is None else check_business_process(root, invoice)


def flow_business_process(invoice: SourceInvoice) -> str | None:
    """Return the BT-23 value of the invoice's Factur-X XML, or None when it states none."""
    root = _invoice_root(invoice)
    return (_BUSINESS_PROCESS(root).strip() or None) if root is not None else None


def chorus_billing_frame(value: str) -> str | None:
    """Return the `soumettre` cadre code that a BT-23 value names ("A9" or "A9_FACTURE_SOUSTRAITANT"), else None."""
    value = value.strip().upper()
    for code in BILLING_FRAMES:
        if value in (code, code.split("_", 1)[0]):
            return code
    return None


def check_business_process(root, invoice: SourceInvoice) -> list[CheckResult]:
    """Check the cadre de facturation that the XML states in BT-23 against what the invoice calls for.

    A flow sends neither the form's cadre nor its mandataire, so an invoice that detection finds to
    be a subcontractor's or a co-contractor's needs cadre A9 or A12 in the XML itself.
    NOTE: no source states how Chorus Pro reads BT-23 in a flow: whether it takes the A1…A12
    codes of `soumettre` there, the e-invoicing reform's codes (S1, B1, M1…), or which cadre
    it applies when BT-23 is absent. Where the XML's cadre seems wrong the result therefore
    warns and never blocks. Where the validating structure sits in the XML is not documented
    either, so the mandataire of cadres A9 and A12 is not checked on this route.
    """
    value = _BUSINESS_PROCESS(root).strip()
    frame = chorus_billing_frame(value) if value else None
    detection = invoice.detection
    if detection.subcontracting or detection.mandataire_siret:
        if frame in FRAMES_WITH_VALIDATOR:
            return [passed(FRAME_FIELD, "flow_frame_ok", value=billing_frame_label(frame))]
        expected = billing_frame_label(A9 if detection.subcontracting else A12)
        if not value:
            return [warning(FRAME_FIELD, "flow_frame_missing", expected=expected)]
        return [warning(FRAME_FIELD, "flow_frame_differs", value=value, expected=expected)]
    due = invoice.amounts.amount_due
    if frame == A2 and due is not None and due != 0:
        return [warning(FRAME_FIELD, "flow_frame_a2_not_paid", due=Money(due, invoice.amounts.currency))]
    if not value:
        return [passed(FRAME_FIELD, "flow_frame_absent")]
    return [passed(FRAME_FIELD, "flow_frame_ok", value=billing_frame_label(frame) if frame else value)]


def check_payment_means(root, kind: InvoiceKind) -> list[CheckResult]:
    """Check that an invoice states how it is paid and that a credit note does not."""
    means = _PAYMENT_MEANS(root)
    codes = [_TYPE_CODE(element).strip() for element in means]
    if kind is InvoiceKind.CREDIT_NOTE:
        if means:
            return [warning(PAYMENT_FIELD, "flow_payment_means_on_credit_note", codes=", ".join(codes) or "—")]
        return []
    if not means:
        # NOTE: the reported rejection had an empty payment means element. Whether Chorus Pro also
        # rejects an XML without the element is not confirmed, so that case only warns.
        return [warning(PAYMENT_FIELD, "flow_payment_means_absent")]
    results: list[CheckResult] = []
    for element, code in zip(means, codes):
        if not code:
            results.append(blocking(PAYMENT_FIELD, "flow_payment_means_missing"))
        elif code in _DOUBTFUL_CODES:
            results.append(warning(PAYMENT_FIELD, "flow_payment_means_doubtful", code=code))
        if code in _TRANSFER_CODES and not _IBAN(element).strip():
            results.append(warning(PAYMENT_FIELD, "flow_transfer_without_iban", code=code))
    if not results:
        results.append(passed(PAYMENT_FIELD, "flow_payment_means_ok", codes=", ".join(codes)))
    return results


def check_gross_prices(root) -> list[CheckResult]:
    """Block each line that gives a gross price without the allowance amount Chorus Pro then requires."""
    results: list[CheckResult] = []
    for position, line in enumerate(_LINES(root), start=1):
        for gross_price in _GROSS_PRICES(line):
            if not _ALLOWANCE_AMOUNTS(gross_price):
                line_id = _LINE_ID(line).strip() or str(position)
                results.append(blocking(FILE_FIELD, "flow_gross_price_without_allowance", line=line_id))
    return results
