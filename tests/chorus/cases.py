"""Directory picks and builders shared by the client tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from chorus_tui.chorus.deposit import submit_request_from_form
from chorus_tui.chorus.models.factures import SubmitInvoiceRequest
from chorus_tui.domain import Amounts, DepositForm, DepositRoute, VatLine
from chorus_tui.sandbox.directory import DEMO_SUPPLIER, STRUCTURES, Structure


def pick(predicate) -> Structure:
    return next(structure for structure in STRUCTURES if predicate(structure))


def open_structure() -> Structure:
    """An active public structure that requires neither service nor engagement."""
    return pick(
        lambda s: s.active
        and s.structure_type == "PUBLIQUE"
        and not (s.service_required or s.engagement_required or s.service_or_engagement)
        and not s.payment_status_not_reported
        and not s.is_state
        and all(not service.engagement_required for service in s.services)
    )


def service_structure() -> Structure:
    return pick(lambda s: s.active and s.service_required and not s.engagement_required and len(s.services) > 12)


def form_for(structure: Structure, number: str, *, route: DepositRoute = DepositRoute.PDF, **changes) -> DepositForm:
    amounts = Amounts(
        total_ht=Decimal("1000.10"),
        total_vat=Decimal("200.02"),
        total_ttc=Decimal("1200.12"),
        amount_due=Decimal("1200.12"),
        vat_lines=[VatLine(rate=Decimal("20"), base_ht=Decimal("1000.10"), vat=Decimal("200.02"))],
    )
    form = DepositForm(
        invoice_number=number,
        invoice_date=date(2026, 2, 27),
        recipient_siret=structure.siret,
        amounts=amounts,
        supplier_id=DEMO_SUPPLIER.id_structure_cpp,
        bank_account_id=DEMO_SUPPLIER.bank_accounts[0].id,
        route=route,
    )
    for name, value in changes.items():
        setattr(form, name, value)
    return form


async def pdf_request(client, structure: Structure, number: str, **changes) -> SubmitInvoiceRequest:
    attachment_id = await client.upload_attachment(f"{number}.pdf", b"%PDF-1.7 test", "application/pdf")
    return submit_request_from_form(form_for(structure, number, **changes), attachment_id, f"{number}.pdf")


def cii_invoice(number: str, buyer_siret: str, *, issue_day: str = "20260227") -> bytes:
    """A minimal CII invoice the simulator can read from a flow."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
 <rsm:ExchangedDocument><ram:ID>{number}</ram:ID><ram:TypeCode>380</ram:TypeCode>
  <ram:IssueDateTime><udt:DateTimeString format="102">{issue_day}</udt:DateTimeString></ram:IssueDateTime>
 </rsm:ExchangedDocument>
 <rsm:SupplyChainTradeTransaction>
  <ram:ApplicableHeaderTradeAgreement>
   <ram:SellerTradeParty><ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">{DEMO_SUPPLIER.siret}</ram:ID>
   </ram:SpecifiedLegalOrganization></ram:SellerTradeParty>
   <ram:BuyerTradeParty><ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">{buyer_siret}</ram:ID>
   </ram:SpecifiedLegalOrganization></ram:BuyerTradeParty>
  </ram:ApplicableHeaderTradeAgreement>
  <ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
   <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    <ram:TaxBasisTotalAmount>100.00</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID="EUR">20.00</ram:TaxTotalAmount>
    <ram:GrandTotalAmount>120.00</ram:GrandTotalAmount><ram:DuePayableAmount>120.00</ram:DuePayableAmount>
   </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
  </ram:ApplicableHeaderTradeSettlement>
 </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>""".encode()
