"""Build small Factur-X PDFs (CII XML embedded in a PDF/A-3) for flow deposit tests."""

from __future__ import annotations

from datetime import date

from fpdf import FPDF

from chorus_tui.sandbox.directory import DEMO_SUPPLIER


def cii_xml(number: str, buyer_siret: str, *, issue_date: date = date(2026, 2, 27), service: str = "",
            engagement: str = "", seller_siret: str = DEMO_SUPPLIER.siret, ht: str = "500.00",
            vat: str = "100.00", ttc: str = "600.00", type_code: str = "380") -> bytes:
    buyer_reference = f"<ram:BuyerReference>{service}</ram:BuyerReference>" if service else ""
    order = (f"<ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>{engagement}</ram:IssuerAssignedID>"
             "</ram:BuyerOrderReferencedDocument>") if engagement else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
 <rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>
  <ram:ID>urn:factur-x.eu:1p0:minimum</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
 </rsm:ExchangedDocumentContext>
 <rsm:ExchangedDocument><ram:ID>{number}</ram:ID><ram:TypeCode>{type_code}</ram:TypeCode>
  <ram:IssueDateTime><udt:DateTimeString format="102">{issue_date:%Y%m%d}</udt:DateTimeString></ram:IssueDateTime>
 </rsm:ExchangedDocument>
 <rsm:SupplyChainTradeTransaction>
  <ram:ApplicableHeaderTradeAgreement>{buyer_reference}
   <ram:SellerTradeParty><ram:Name>{DEMO_SUPPLIER.designation}</ram:Name>
    <ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">{seller_siret}</ram:ID></ram:SpecifiedLegalOrganization>
    <ram:PostalTradeAddress><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>
    <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">FR35815881396</ram:ID></ram:SpecifiedTaxRegistration>
   </ram:SellerTradeParty>
   <ram:BuyerTradeParty><ram:Name>Acheteur public</ram:Name>
    <ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">{buyer_siret}</ram:ID></ram:SpecifiedLegalOrganization>
   </ram:BuyerTradeParty>{order}
  </ram:ApplicableHeaderTradeAgreement>
  <ram:ApplicableHeaderTradeDelivery/>
  <ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
   <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    <ram:TaxBasisTotalAmount>{ht}</ram:TaxBasisTotalAmount>
    <ram:TaxTotalAmount currencyID="EUR">{vat}</ram:TaxTotalAmount>
    <ram:GrandTotalAmount>{ttc}</ram:GrandTotalAmount>
    <ram:DuePayableAmount>{ttc}</ram:DuePayableAmount>
   </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
  </ram:ApplicableHeaderTradeSettlement>
 </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>""".encode()


def facturx_pdf(number: str, buyer_siret: str, **fields: object) -> bytes:
    """Return a Factur-X PDF whose embedded CII XML carries `number`, `buyer_siret` and `fields`."""
    from facturx import generate_from_binary

    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text=f"Facture {number}")
    pdf = bytes(document.output())
    return generate_from_binary(pdf, cii_xml(number, buyer_siret, **fields), check_xsd=False)
