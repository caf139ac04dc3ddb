"""Reasons of Chorus Pro turned into form fields: known XML paths, known wordings, unknown text."""

from __future__ import annotations

import pytest

from chorus_tui.sync.actions import explain_reason, explain_reasons

PATH_CASES = [
    ("/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/"
     "ram:BuyerReference.value est obligatoire", "service_code", "triage.reason.field_missing"),
    ("SupplyChainTradeTransaction.ApplicableHeaderTradeAgreement.BuyerReference.value est obligatoire",
     "service_code", "triage.reason.field_missing"),
    ("SupplyChainTradeTransaction.ApplicableHeaderTradeAgreement.BuyerOrderReferencedDocument."
     "IssuerAssignedID.value est obligatoire", "engagement_number", "triage.reason.field_missing"),
    ("ApplicableHeaderTradeSettlement.SpecifiedTradeSettlementPaymentMeans.TypeCode.value est obligatoire",
     "payment_mode", "triage.reason.field_missing"),
    ("SpecifiedTradeSettlementPaymentMeans.TypeCode.value : valeur 58 non autorisée", "payment_mode",
     "triage.reason.field_invalid"),
    ("ApplicableHeaderTradeAgreement.ContractReferencedDocument.IssuerAssignedID.value est obligatoire",
     "contract_number", "triage.reason.field_missing"),
    ("BuyerTradeParty.SpecifiedLegalOrganization.ID.value invalide", "recipient_siret",
     "triage.reason.field_invalid"),
    ("PayeePartyCreditorFinancialAccount.IBANID.value est obligatoire", "bank_account_id",
     "triage.reason.field_missing"),
    ("SpecifiedTradeSettlementHeaderMonetarySummation.GrandTotalAmount.value incohérent", "amounts.total_ttc",
     "triage.reason.field_invalid"),
    ("IncludedSupplyChainTradeLineItem.SpecifiedLineTradeAgreement.AppliedTradeAllowanceCharge.ActualAmount "
     "est obligatoire si GrossPriceProductTradePrice est renseigné", "lines.gross_price",
     "triage.reason.gross_price"),
    ("cac:OrderReference/cbc:ID est obligatoire", "engagement_number", "triage.reason.field_missing"),
]

TEXT_CASES = [
    ("Code service absent.", "service_code", "triage.reason.field_missing"),
    ("Service destinataire erroné.", "service_code", "triage.reason.field_invalid"),
    ("Numéro d'engagement inconnu.", "engagement_number", "triage.reason.field_invalid"),
    ("Facture adressée à la mauvaise structure.", "recipient_siret", "triage.reason.field_invalid"),
    ("Montant erroné : le total TTC ne correspond pas au bon de commande.", "amounts.total_ttc",
     "triage.reason.amount_wrong"),
    ("Facture en double.", "invoice_number", "triage.reason.duplicate"),
    ("Bon de livraison manquant.", "attachments", "triage.reason.documents_missing"),
    ("Attestation de service fait manquante.", "attachments", "triage.reason.documents_missing"),
    ("RIB illisible : merci de joindre un RIB à jour.", "bank_account_id", "triage.reason.bank_details"),
]


@pytest.mark.parametrize(("raw", "field", "key"), PATH_CASES + TEXT_CASES)
def test_known_reason_names_field(raw, field, key):
    explanation = explain_reason(raw)
    assert explanation.field == field
    assert explanation.message.key == key
    assert explanation.raw == raw


def test_service_path_renders_form_label():
    explanation = explain_reason("…ApplicableHeaderTradeAgreement.BuyerReference.value est obligatoire")
    assert str(explanation.message) == "Champ « Code service » absent alors que le destinataire l'exige."
    assert str(explanation.field_label) == "Code service"


def test_engagement_path_renders_form_label():
    explanation = explain_reason("…BuyerOrderReferencedDocument.IssuerAssignedID.value est obligatoire")
    assert "N° d'engagement" in str(explanation.message)


def test_unknown_text_kept_raw():
    explanation = explain_reason("Erreur technique 4711 lors du contrôle")
    assert explanation.field is None
    assert explanation.field_label is None
    assert explanation.message.key == "triage.reason.unknown"
    assert explanation.raw == "Erreur technique 4711 lors du contrôle"


def test_empty_reason_says_none_given():
    for raw in (None, "", "   "):
        explanation = explain_reason(raw)
        assert explanation.field is None
        assert explanation.message.key == "triage.reason.none"


def test_several_reasons_split():
    explanations = explain_reasons("Code service absent ; BuyerOrderReferencedDocument.IssuerAssignedID.value "
                                   "est obligatoire")
    assert [item.field for item in explanations] == ["service_code", "engagement_number"]
    assert explanations[1].raw.startswith("BuyerOrderReferencedDocument")


def test_reason_renders_in_english():
    explanation = explain_reason("ApplicableHeaderTradeAgreement.BuyerReference.value est obligatoire")
    assert explanation.message.render("en") == "Field “Service code” is missing, but the recipient requires it."


SUPPLIER_IDENTIFIER_CASES = [
    "L'identifiant fournisseur 815881396 (SellerTradeParty/SpecifiedLegalOrganization/ID) est inconnu",
    "Identifiant du fournisseur inconnu dans Chorus Pro.",
    "SIRET fournisseur non reconnu.",
]


@pytest.mark.parametrize("raw", SUPPLIER_IDENTIFIER_CASES)
def test_supplier_identifier_blames_the_file(raw):
    explanation = explain_reason(raw)
    text = str(explanation.message)
    assert explanation.field == "supplier_siret"
    assert explanation.message.key == "triage.reason.supplier_identifier"
    assert "ne convient pas au destinataire" not in text
    assert "SIRET à 14 chiffres de votre structure" in text
    assert "réimportez-le (touche r)" in text
