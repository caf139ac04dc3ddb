"""Read the invoices inside a deposited flow (Factur-X PDF, CII or UBL XML, or an archive of them).

The simulator reads only what Chorus Pro checks on deposit. These are the invoice number, date
and type, the buyer's SIRET (the recipient), the buyer reference (the service code, BT-10), the
order reference (the engagement number), the seller's SIRET and the totals.
"""

from __future__ import annotations

import io
import logging
import tarfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

log = logging.getLogger(__name__)

CII_NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
UBL_NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CREDIT_NOTE_TYPE_CODES = {"381", "261", "262", "296", "308", "396", "502", "503"}


class FlowError(ValueError):
    """The flow cannot be read at all (the whole flow is rejected)."""


@dataclass
class ParsedInvoice:
    """The fields of one invoice of a flow that deposit rules look at."""

    number: str
    issue_date: date | None
    invoice_type: str  # FACTURE or AVOIR
    buyer_siret: str
    service_code: str
    engagement: str
    contract: str
    seller_siret: str
    currency: str
    total_ht: Decimal | None
    total_vat: Decimal | None
    total_ttc: Decimal | None
    amount_due: Decimal | None
    rule_error: str = ""  # why Chorus Pro rejects the XML itself, empty when no rule is broken


_PAYMENT_CODE_MISSING = "Le champ (…SpecifiedTradeSettlementPaymentMeans.TypeCode.value) est obligatoire."
_GROSS_PRICE_WITHOUT_ALLOWANCE = (
    "Le champ (…AppliedTradeAllowanceCharge.ActualAmount) est obligatoire si "
    "(…GrossPriceProductTradePrice) est renseigné (ligne {line})."
)


def _cii_rule_error(transaction: etree._Element, is_credit_note: bool) -> str:
    """Return the rejection label of the first XML rule that field reports show Chorus Pro applies.

    NOTE: the rules come from suppliers' rejection messages, not from a published list. The
    reported payment means rejection had an empty element. No report shows a rejection for an
    invoice without any payment means element, so the simulator accepts that one.
    """
    ns = CII_NS
    means = transaction.findall("ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementPaymentMeans", ns)
    if not is_credit_note and any(not _text(element, "ram:TypeCode", ns) for element in means):
        return _PAYMENT_CODE_MISSING
    for position, line in enumerate(transaction.findall("ram:IncludedSupplyChainTradeLineItem", ns), start=1):
        for gross in line.findall("ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice", ns):
            if gross.find("ram:AppliedTradeAllowanceCharge/ram:ActualAmount", ns) is None:
                line_id = _text(line, "ram:AssociatedDocumentLineDocument/ram:LineID", ns) or str(position)
                return _GROSS_PRICE_WITHOUT_ALLOWANCE.format(line=line_id)
    return ""


def _text(node: etree._Element, path: str, namespaces: dict[str, str]) -> str:
    found = node.find(path, namespaces)
    return (found.text or "").strip() if found is not None else ""


def _amount(node: etree._Element, path: str, namespaces: dict[str, str]) -> Decimal | None:
    raw = _text(node, path, namespaces)
    if not raw:
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def _parse_cii(root: etree._Element) -> ParsedInvoice:
    ns = CII_NS
    transaction = root.find("rsm:SupplyChainTradeTransaction", ns)
    if transaction is None:
        raise FlowError("CII sans SupplyChainTradeTransaction")
    agreement = "ram:ApplicableHeaderTradeAgreement"
    totals = "ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    raw_date = _text(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString", ns)
    try:
        issue_date = datetime.strptime(raw_date, "%Y%m%d").date() if raw_date else None
    except ValueError:
        issue_date = None
    type_code = _text(root, "rsm:ExchangedDocument/ram:TypeCode", ns)
    is_credit_note = type_code in CREDIT_NOTE_TYPE_CODES
    return ParsedInvoice(
        number=_text(root, "rsm:ExchangedDocument/ram:ID", ns),
        issue_date=issue_date,
        invoice_type="AVOIR" if is_credit_note else "FACTURE",
        buyer_siret=_text(transaction, f"{agreement}/ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID", ns),
        service_code=_text(transaction, f"{agreement}/ram:BuyerReference", ns),
        engagement=_text(transaction, f"{agreement}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID", ns),
        contract=_text(transaction, f"{agreement}/ram:ContractReferencedDocument/ram:IssuerAssignedID", ns),
        seller_siret=_text(transaction, f"{agreement}/ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID", ns),
        currency=_text(transaction, "ram:ApplicableHeaderTradeSettlement/ram:InvoiceCurrencyCode", ns) or "EUR",
        total_ht=_amount(transaction, f"{totals}/ram:TaxBasisTotalAmount", ns),
        total_vat=_amount(transaction, f"{totals}/ram:TaxTotalAmount", ns),
        total_ttc=_amount(transaction, f"{totals}/ram:GrandTotalAmount", ns),
        amount_due=_amount(transaction, f"{totals}/ram:DuePayableAmount", ns),
        rule_error=_cii_rule_error(transaction, is_credit_note),
    )


def _parse_ubl(root: etree._Element) -> ParsedInvoice:
    ns = UBL_NS
    raw_date = _text(root, "cbc:IssueDate", ns)
    try:
        issue_date = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        issue_date = None
    is_credit_note = etree.QName(root).localname == "CreditNote"
    totals = "cac:LegalMonetaryTotal"
    return ParsedInvoice(
        number=_text(root, "cbc:ID", ns),
        issue_date=issue_date,
        invoice_type="AVOIR" if is_credit_note else "FACTURE",
        buyer_siret=_text(root, "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID", ns),
        service_code=_text(root, "cbc:BuyerReference", ns),
        engagement=_text(root, "cac:OrderReference/cbc:ID", ns),
        contract=_text(root, "cac:ContractDocumentReference/cbc:ID", ns),
        seller_siret=_text(root, "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID", ns),
        currency=_text(root, "cbc:DocumentCurrencyCode", ns) or "EUR",
        total_ht=_amount(root, f"{totals}/cbc:TaxExclusiveAmount", ns),
        total_vat=_amount(root, "cac:TaxTotal/cbc:TaxAmount", ns),
        total_ttc=_amount(root, f"{totals}/cbc:TaxInclusiveAmount", ns),
        amount_due=_amount(root, f"{totals}/cbc:PayableAmount", ns),
    )


def parse_invoice_xml(xml: bytes) -> ParsedInvoice:
    """Read one CII (Factur-X) or UBL invoice. Raises FlowError when it is neither."""
    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        raise FlowError(f"XML invalide ({error})") from None
    name = etree.QName(root).localname
    if name == "CrossIndustryInvoice":
        return _parse_cii(root)
    if name in ("Invoice", "CreditNote"):
        return _parse_ubl(root)
    raise FlowError(f"élément racine {name} inattendu : ni CII ni UBL")


def _xml_from_pdf(content: bytes) -> bytes:
    from facturx import get_xml_from_pdf

    try:
        _, xml = get_xml_from_pdf(content, check_xsd=False)
    except Exception as error:  # factur-x raises plain Exception on unreadable PDFs
        raise FlowError(f"PDF illisible ({error})") from None
    if not xml:
        raise FlowError("le PDF ne contient aucun XML Factur-X")
    return xml


def _parse_member(name: str, content: bytes) -> ParsedInvoice:
    if content.startswith(b"%PDF"):
        return parse_invoice_xml(_xml_from_pdf(content))
    if content.lstrip().startswith(b"<"):
        return parse_invoice_xml(content)
    raise FlowError(f"le fichier {name} n'est ni un PDF ni un XML")


def parse_flow(file_name: str, content: bytes) -> list[ParsedInvoice]:
    """Return the invoices of a flow file: one PDF or XML, or a .zip / .tar.gz of several.

    Raises FlowError when the file, or any member of an archive, cannot be read.
    """
    lower = file_name.lower()
    if lower.endswith((".tar.gz", ".tgz", ".tar")):
        try:
            with tarfile.open(fileobj=io.BytesIO(content)) as archive:
                members = [member for member in archive.getmembers() if member.isfile()]
                return [_parse_member(member.name, archive.extractfile(member).read()) for member in members]
        except tarfile.TarError as error:
            raise FlowError(f"archive tar illisible ({error})") from None
    if lower.endswith(".zip"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = [info.filename for info in archive.infolist() if not info.is_dir()]
                return [_parse_member(name, archive.read(name)) for name in names]
        except zipfile.BadZipFile as error:
            raise FlowError(f"archive zip illisible ({error})") from None
    return [_parse_member(file_name, content)]
