"""Read the fields detection needs from a Factur-X / ZUGFeRD 2 CII XML.

Every Factur-X profile (MINIMUM, BASIC WL, BASIC, EN16931, EXTENDED) uses the
same CII elements for the fields read here; lower profiles simply leave
some of them out, and absent elements give None.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache

from lxml import etree

from chorus_tui.domain import Amounts, InvoiceKind, VatLine

log = logging.getLogger(__name__)

NAMESPACES = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}

# UNTDID 1001 document type codes that mean a credit note in EN 16931.
CREDIT_NOTE_TYPE_CODES = frozenset({"381", "261", "262", "296", "308", "396", "420", "458", "532"})

_AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
_SETTLEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"


class FacturxError(Exception):
    """The embedded XML is not a readable CII invoice."""


@dataclass(frozen=True)
class PartyIdentifier:
    """One identifier of a trade party: its ISO 6523 scheme ("0002", "0009", "0224"…) and value."""

    scheme: str | None
    value: str
    element: str  # "legal" (SpecifiedLegalOrganization/ID), "global" (GlobalID) or "id" (ID)


@dataclass
class FacturxData:
    """Invoice fields read from a CII XML; None where the XML does not carry them."""

    profile: str | None = None
    invoice_number: str | None = None
    invoice_date: date | None = None
    type_code: str | None = None
    kind: InvoiceKind = InvoiceKind.INVOICE
    original_invoice_number: str | None = None
    buyer_name: str | None = None
    buyer_identifiers: list[PartyIdentifier] = field(default_factory=list)
    buyer_country: str | None = None
    buyer_vat_number: str | None = None
    seller_name: str | None = None
    seller_identifiers: list[PartyIdentifier] = field(default_factory=list)
    seller_vat_number: str | None = None
    buyer_reference: str | None = None  # BT-10, the Chorus Pro service code
    order_reference: str | None = None  # BT-13, the engagement number
    contract_reference: str | None = None  # BT-12, the contract (marché) number
    amounts: Amounts = field(default_factory=Amounts)


def profile_from_guideline(guideline: str | None) -> str | None:
    """Map the GuidelineSpecifiedDocumentContextParameter ID to a profile name."""
    if not guideline:
        return None
    lowered = guideline.lower()
    for marker, profile in (
        ("extended", "extended"),
        ("basicwl", "basicwl"),
        ("minimum", "minimum"),
        (":basic", "basic"),
        ("en16931", "en16931"),
        ("xrechnung", "en16931"),
    ):
        if marker in lowered:
            return profile
    return None


def parse_facturx_xml(xml: bytes) -> FacturxData:
    """Parse a CII XML and return its invoice fields; raise FacturxError if it is not one."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as error:
        raise FacturxError(f"invalid XML: {error}") from None
    if etree.QName(root).localname != "CrossIndustryInvoice" or etree.QName(root).namespace != NAMESPACES["rsm"]:
        raise FacturxError(f"root element {root.tag!r} is not a CII CrossIndustryInvoice")

    data = FacturxData()
    data.profile = profile_from_guideline(
        _text(root, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID")
    )
    data.invoice_number = _text(root, "rsm:ExchangedDocument/ram:ID")
    data.type_code = _text(root, "rsm:ExchangedDocument/ram:TypeCode")
    if data.type_code in CREDIT_NOTE_TYPE_CODES:
        data.kind = InvoiceKind.CREDIT_NOTE
    data.invoice_date = _date(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString")
    data.original_invoice_number = _text(
        root, f"{_SETTLEMENT}/ram:InvoiceReferencedDocument/ram:IssuerAssignedID"
    )

    buyer = _find(root, f"{_AGREEMENT}/ram:BuyerTradeParty")
    if buyer is not None:
        data.buyer_name = _text(buyer, "ram:Name")
        data.buyer_identifiers = _party_identifiers(buyer)
        data.buyer_country = _text(buyer, "ram:PostalTradeAddress/ram:CountryID")
        data.buyer_vat_number = _text(buyer, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']")
    seller = _find(root, f"{_AGREEMENT}/ram:SellerTradeParty")
    if seller is not None:
        data.seller_name = _text(seller, "ram:Name")
        data.seller_identifiers = _party_identifiers(seller)
        data.seller_vat_number = _text(seller, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']")

    data.buyer_reference = _text(root, f"{_AGREEMENT}/ram:BuyerReference")
    data.order_reference = _text(root, f"{_AGREEMENT}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID")
    data.contract_reference = _text(root, f"{_AGREEMENT}/ram:ContractReferencedDocument/ram:IssuerAssignedID")
    data.amounts = _amounts(root)
    return data


def _party_identifiers(party) -> list[PartyIdentifier]:
    found: list[PartyIdentifier] = []
    for path, element in (
        ("ram:SpecifiedLegalOrganization/ram:ID", "legal"),
        ("ram:GlobalID", "global"),
        ("ram:ID", "id"),
    ):
        for node in _find_all(party, path):
            value = (node.text or "").strip()
            if value:
                found.append(PartyIdentifier(node.get("schemeID"), value, element))
    return found


def _amounts(root) -> Amounts:
    settlement = _find(root, _SETTLEMENT)
    amounts = Amounts()
    if settlement is None:
        return amounts
    currency = _text(settlement, "ram:InvoiceCurrencyCode")
    if currency:
        amounts.currency = currency
    summation = _find(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    if summation is not None:
        amounts.total_ht = _decimal(_text(summation, "ram:TaxBasisTotalAmount"))
        amounts.total_vat = _tax_total(summation, amounts.currency)
        amounts.total_ttc = _decimal(_text(summation, "ram:GrandTotalAmount"))
        amounts.amount_due = _decimal(_text(summation, "ram:DuePayableAmount"))
    for tax in _find_all(settlement, "ram:ApplicableTradeTax"):
        rate = _decimal(_text(tax, "ram:RateApplicablePercent"))
        base = _decimal(_text(tax, "ram:BasisAmount"))
        vat = _decimal(_text(tax, "ram:CalculatedAmount"))
        reason = _text(tax, "ram:ExemptionReason") or _text(tax, "ram:ExemptionReasonCode")
        amounts.vat_lines.append(
            VatLine(
                rate=rate if rate is not None else Decimal("0"),
                base_ht=base if base is not None else Decimal("0"),
                vat=vat if vat is not None else Decimal("0"),
                exemption_reason=reason,
            )
        )
    return amounts


def _tax_total(summation, currency: str) -> Decimal | None:
    """Return TaxTotalAmount in the invoice currency (BT-110); BT-111 repeats it in the VAT currency."""
    nodes = _find_all(summation, "ram:TaxTotalAmount")
    for node in nodes:
        if node.get("currencyID") in (None, currency):
            return _decimal(node.text)
    return _decimal(nodes[0].text) if nodes else None


@cache
def _xpath(path: str) -> etree.XPath:
    """Compile `path` once; lxml's XPath objects take their own lock on each call (xpath.pxi), so threads can share them."""
    return etree.XPath(path, namespaces=NAMESPACES)


def _find_all(node, path: str) -> list:
    """Return the elements at `path` below `node`, in document order, like `node.findall(path, NAMESPACES)`.

    A compiled XPath took 1.2 µs per lookup on a Factur-X invoice, against 5.7 µs
    for lxml's ElementPath `find` (lxml 6.2, Python 3.11).
    """
    return _xpath(path)(node)


def _find(node, path: str):
    """Return the first element at `path` below `node`, or None, like `node.find(path, NAMESPACES)`."""
    found = _xpath(path)(node)
    return found[0] if found else None


def _text(node, path: str) -> str | None:
    found = _find(node, path)
    if found is None or found.text is None:
        return None
    value = " ".join(found.text.split())
    return value or None


def _date(node, path: str) -> date | None:
    value = _text(node, path)
    if not value or len(value) < 8 or not value[:8].isdigit():
        return None
    try:
        return date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        log.info("ignoring invalid Factur-X date %r", value)
        return None


def _decimal(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value.strip())
    except InvalidOperation:
        log.info("ignoring invalid Factur-X amount %r", value)
        return None
