"""Build a Factur-X CII XML for one invoice, in any Factur-X profile.

Used by the demo-invoice generator and by tests that need Factur-X files;
`facturx.generate_from_binary` then embeds the XML in a PDF. Elements are
written in the order the CII D16B schema requires, and each profile only
gets the elements it allows (MINIMUM has no lines, no VAT breakdown and no
contract reference; BASIC WL has no lines).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from lxml import etree

from chorus_tui.sources.facturx import NAMESPACES

GUIDELINES = {
    "minimum": "urn:factur-x.eu:1p0:minimum",
    "basicwl": "urn:factur-x.eu:1p0:basicwl",
    "basic": "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
    "en16931": "urn:cen.eu:en16931:2017",
    "extended": "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
}
PROFILES_WITH_LINES = frozenset({"basic", "en16931", "extended"})


@dataclass
class CiiParty:
    name: str
    legal_id: str | None = None  # SIRET or SIREN, in SpecifiedLegalOrganization/ID
    legal_scheme: str | None = "0002"
    global_ids: list[tuple[str, str]] = field(default_factory=list)  # (schemeID, value) in GlobalID
    postcode: str | None = None
    street: str | None = None
    city: str | None = None
    country: str = "FR"
    vat_number: str | None = None


@dataclass
class CiiLine:
    name: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    vat_category: str = "S"  # UNTDID 5305: S standard, E exempt, Z zero rate

    @property
    def total(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))


@dataclass
class CiiInvoice:
    number: str
    issue_date: date
    seller: CiiParty
    buyer: CiiParty
    lines: list[CiiLine]
    type_code: str = "380"
    currency: str = "EUR"
    buyer_reference: str | None = None  # BT-10, Chorus Pro service code
    order_reference: str | None = None  # BT-13, engagement number
    contract_reference: str | None = None  # BT-12, contract number
    original_invoice: str | None = None  # BT-25, for credit notes
    due_date: date | None = None
    iban: str | None = None
    exemption_reason: str | None = None  # printed for category E lines


def _sub(parent, tag: str, text: str | None = None, **attributes: str):
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NAMESPACES[prefix]}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def _date_element(parent, tag: str, value: date) -> None:
    holder = _sub(parent, tag)
    _sub(holder, "udt:DateTimeString", value.strftime("%Y%m%d"), format="102")


def vat_breakdown(invoice: CiiInvoice) -> list[tuple[Decimal, str, Decimal, Decimal]]:
    """Return (rate, category, base, VAT) per VAT rate, VAT rounded per rate."""
    groups: dict[tuple[Decimal, str], Decimal] = {}
    for line in invoice.lines:
        key = (line.vat_rate, line.vat_category)
        groups[key] = groups.get(key, Decimal("0")) + line.total
    return [
        (rate, category, base, (base * rate / 100).quantize(Decimal("0.01")))
        for (rate, category), base in groups.items()
    ]


def build_cii_xml(invoice: CiiInvoice, profile: str = "en16931") -> bytes:
    """Return the CII XML of `invoice` for one Factur-X profile ("minimum" … "extended")."""
    if profile not in GUIDELINES:
        raise ValueError(f"unknown Factur-X profile {profile!r}; choose one of {', '.join(GUIDELINES)}")
    root = etree.Element(f"{{{NAMESPACES['rsm']}}}CrossIndustryInvoice", nsmap=NAMESPACES)
    context = _sub(root, "rsm:ExchangedDocumentContext")
    _sub(_sub(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", GUIDELINES[profile])
    document = _sub(root, "rsm:ExchangedDocument")
    _sub(document, "ram:ID", invoice.number)
    _sub(document, "ram:TypeCode", invoice.type_code)
    _date_element(document, "ram:IssueDateTime", invoice.issue_date)

    transaction = _sub(root, "rsm:SupplyChainTradeTransaction")
    if profile in PROFILES_WITH_LINES:
        for index, line in enumerate(invoice.lines, start=1):
            _add_line(transaction, index, line)
    _add_agreement(transaction, invoice, profile)
    _sub(transaction, "ram:ApplicableHeaderTradeDelivery")
    _add_settlement(transaction, invoice, profile)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _add_line(transaction, index: int, line: CiiLine) -> None:
    item = _sub(transaction, "ram:IncludedSupplyChainTradeLineItem")
    _sub(_sub(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(index))
    _sub(_sub(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.name)
    agreement = _sub(item, "ram:SpecifiedLineTradeAgreement")
    _sub(_sub(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", _amount(line.unit_price))
    _sub(_sub(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", f"{line.quantity}", unitCode="C62")
    settlement = _sub(item, "ram:SpecifiedLineTradeSettlement")
    tax = _sub(settlement, "ram:ApplicableTradeTax")
    _sub(tax, "ram:TypeCode", "VAT")
    _sub(tax, "ram:CategoryCode", line.vat_category)
    _sub(tax, "ram:RateApplicablePercent", f"{line.vat_rate}")
    summation = _sub(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _sub(summation, "ram:LineTotalAmount", _amount(line.total))


def _add_party(parent, tag: str, party: CiiParty, profile: str) -> None:
    element = _sub(parent, tag)
    if profile != "minimum":
        for scheme, value in party.global_ids:
            _sub(element, "ram:GlobalID", value, schemeID=scheme)
    _sub(element, "ram:Name", party.name)
    if party.legal_id:
        attributes = {"schemeID": party.legal_scheme} if party.legal_scheme else {}
        _sub(_sub(element, "ram:SpecifiedLegalOrganization"), "ram:ID", party.legal_id, **attributes)
    is_seller = tag.endswith("SellerTradeParty")
    if profile != "minimum" or is_seller:
        address = _sub(element, "ram:PostalTradeAddress")
        if profile != "minimum":
            if party.postcode:
                _sub(address, "ram:PostcodeCode", party.postcode)
            if party.street:
                _sub(address, "ram:LineOne", party.street)
            if party.city:
                _sub(address, "ram:CityName", party.city)
        _sub(address, "ram:CountryID", party.country)
    if party.vat_number and (profile != "minimum" or is_seller):
        _sub(_sub(element, "ram:SpecifiedTaxRegistration"), "ram:ID", party.vat_number, schemeID="VA")


def _add_agreement(transaction, invoice: CiiInvoice, profile: str) -> None:
    agreement = _sub(transaction, "ram:ApplicableHeaderTradeAgreement")
    if invoice.buyer_reference:
        _sub(agreement, "ram:BuyerReference", invoice.buyer_reference)
    _add_party(agreement, "ram:SellerTradeParty", invoice.seller, profile)
    _add_party(agreement, "ram:BuyerTradeParty", invoice.buyer, profile)
    if invoice.order_reference:
        _sub(_sub(agreement, "ram:BuyerOrderReferencedDocument"), "ram:IssuerAssignedID", invoice.order_reference)
    if invoice.contract_reference and profile != "minimum":
        _sub(_sub(agreement, "ram:ContractReferencedDocument"), "ram:IssuerAssignedID", invoice.contract_reference)


def _add_settlement(transaction, invoice: CiiInvoice, profile: str) -> None:
    settlement = _sub(transaction, "ram:ApplicableHeaderTradeSettlement")
    _sub(settlement, "ram:InvoiceCurrencyCode", invoice.currency)
    breakdown = vat_breakdown(invoice)
    total_ht = sum((base for _, _, base, _ in breakdown), Decimal("0"))
    total_vat = sum((vat for _, _, _, vat in breakdown), Decimal("0"))

    if profile != "minimum":
        if invoice.iban:
            means = _sub(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
            _sub(means, "ram:TypeCode", "30")
            _sub(_sub(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", invoice.iban)
        for rate, category, base, vat in breakdown:
            tax = _sub(settlement, "ram:ApplicableTradeTax")
            _sub(tax, "ram:CalculatedAmount", _amount(vat))
            _sub(tax, "ram:TypeCode", "VAT")
            if category == "E" and invoice.exemption_reason:
                _sub(tax, "ram:ExemptionReason", invoice.exemption_reason)
            _sub(tax, "ram:BasisAmount", _amount(base))
            _sub(tax, "ram:CategoryCode", category)
            _sub(tax, "ram:RateApplicablePercent", f"{rate}")
        if invoice.due_date:
            _date_element(_sub(settlement, "ram:SpecifiedTradePaymentTerms"), "ram:DueDateDateTime", invoice.due_date)

    summation = _sub(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    if profile != "minimum":
        _sub(summation, "ram:LineTotalAmount", _amount(total_ht))
    _sub(summation, "ram:TaxBasisTotalAmount", _amount(total_ht))
    _sub(summation, "ram:TaxTotalAmount", _amount(total_vat), currencyID=invoice.currency)
    _sub(summation, "ram:GrandTotalAmount", _amount(total_ht + total_vat))
    _sub(summation, "ram:DuePayableAmount", _amount(total_ht + total_vat))
    if invoice.original_invoice and profile != "minimum":
        _sub(_sub(settlement, "ram:InvoiceReferencedDocument"), "ram:IssuerAssignedID", invoice.original_invoice)
