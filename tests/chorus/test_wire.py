"""JSON numbers, dates and the tolerant readings of uncertain response fields."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from chorus_tui.chorus.deposit import submit_request_from_form
from chorus_tui.chorus.models.structures import StructureDetails
from chorus_tui.chorus.models.transverses import BankAccountsResponse, FlowReport
from chorus_tui.chorus.models.utilisateurs import UserAttachmentsResponse
from chorus_tui.chorus.models.factures import InvoiceSummary
from chorus_tui.chorus.wire import decode_json, encode_json, parse_wire_date, parse_wire_datetime
from chorus_tui.domain import DepositRoute, InvoiceKind

from tests.chorus.cases import form_for, open_structure


def test_decimal_written_as_exact_number():
    text = encode_json({"montant": Decimal("1200.10"), "taux": Decimal("5.5"), "big": Decimal("12345678901234567.89")})
    assert text == b'{"montant":1200.10,"taux":5.5,"big":12345678901234567.89}'


def test_decimal_exponent_written_plainly():
    assert encode_json([Decimal("1E+2"), Decimal("0.000001")]) == b"[100,0.000001]"


def test_float_and_nan_refused():
    with pytest.raises(TypeError, match="float"):
        encode_json({"x": 0.1})
    with pytest.raises(ValueError, match="finite"):
        encode_json({"x": Decimal("NaN")})


def test_dates_and_text_written():
    assert encode_json({"d": date(2026, 3, 2), "s": "Élève « n° 3 »", "b": True, "n": None}) == (
        '{"d":"2026-03-02","s":"Élève « n° 3 »","b":true,"n":null}'.encode()
    )


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**12, max_value=10**12))
def test_decimal_roundtrip_exact(value):
    assert decode_json(encode_json({"v": value}))["v"] == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02", datetime(2026, 3, 2, tzinfo=timezone(timedelta(hours=1)))),
        ("2019-01-02 09:00", datetime(2019, 1, 2, 9, 0, tzinfo=timezone(timedelta(hours=1)))),
        ("2018-02-16T15:10:25.536+01:00", datetime(2018, 2, 16, 15, 10, 25, 536000, tzinfo=timezone(timedelta(hours=1)))),
        ("2026-07-01T08:00:00Z", datetime(2026, 7, 1, 8, tzinfo=timezone.utc)),
    ],
)
def test_lenient_datetime_formats(text, expected):
    parsed = parse_wire_datetime(text)
    assert parsed == expected
    assert parsed.tzinfo is not None


def test_lenient_date_keeps_written_day():
    assert parse_wire_date("2018-02-16T23:30:00+01:00") == date(2018, 2, 16)
    assert parse_wire_date("") is None
    with pytest.raises(ValueError, match="'demain'"):
        parse_wire_date("demain")


def test_submit_request_wire_shape():
    form = form_for(open_structure(), "FAC-1", engagement_number="EJ-9", service_code="SVC")
    wire = submit_request_from_form(form, 77, "FAC-1.pdf").to_wire()
    body = json.loads(encode_json(wire), parse_float=Decimal)
    assert body["modeDepot"] == "DEPOT_PDF_API"
    assert body["dateFacture"] == "2026-02-27"
    assert body["pieceJointePrincipale"] == {"pieceJointePrincipaleDesignation": "FAC-1.pdf", "pieceJointePrincipaleId": 77}
    assert body["references"]["numeroBonCommande"] == "EJ-9"
    assert body["destinataire"] == {"codeDestinataire": form.recipient_siret, "codeServiceExecutant": "SVC"}
    assert body["montantTotal"]["montantTtcTotal"] == Decimal("1200.12")
    assert body["ligneTva"] == [{"ligneTvaTauxManuel": 20, "ligneTvaMontantBaseHtParTaux": Decimal("1000.10"),
                                 "ligneTvaMontantTvaParTaux": Decimal("200.02")}]
    assert "idUtilisateurCourant" not in body
    assert b"1000.10" in encode_json(wire)


def test_credit_note_keeps_original_number():
    form = form_for(open_structure(), "AV-1", kind=InvoiceKind.CREDIT_NOTE, original_invoice_number="FAC-1",
                    payment_mode=None)
    body = submit_request_from_form(form, 1, "AV-1.pdf").to_wire()
    assert body["references"]["typeFacture"] == "AVOIR"
    assert body["references"]["numeroFactureOrigine"] == "FAC-1"
    assert "modePaiement" not in body["references"]


def test_flow_route_refused_for_soumettre():
    form = form_for(open_structure(), "F-1", route=DepositRoute.FLOW)
    with pytest.raises(ValueError, match="deposit_flow"):
        submit_request_from_form(form, None, None)


def test_pdf_route_needs_attachment():
    with pytest.raises(ValueError, match="no attachment"):
        submit_request_from_form(form_for(open_structure(), "F-2"), None, None)


@pytest.mark.parametrize("key", ["listeCoordonneeBancaire", "listeCoordonneesBancaires"])
def test_bank_accounts_both_keys(key):
    entry = {"idCoordonneeBancaire": 4107, "nomCoordonneeBancaire": "Compte"} if key.endswith("Bancaire") else {
        "codeCoordonneesBancaires": 4107, "iban": "FR76", "bic": "BIC"}
    response = BankAccountsResponse.model_validate({"codeRetour": 0, key: [entry]})
    assert [account.account_id for account in response.accounts] == [4107]


@pytest.mark.parametrize("key", ["listeStructureRattachement", "listeRattachements"])
def test_attachments_both_keys(key):
    response = UserAttachmentsResponse.model_validate({"codeRetour": 0, key: [{"idStructure": 5, "extraField": 1}]})
    assert response.attachments[0].structure_id == 5
    assert response.attachments[0].model_extra == {"extraField": 1}


@pytest.mark.parametrize("key", ["etatCourantDepotFlux", "etatCourantFlux"])
def test_flow_state_both_keys(key):
    assert FlowReport.model_validate({"codeRetour": 0, key: "IN_INTEGRE"}).state == "IN_INTEGRE"


def test_rules_from_structure_parameters():
    details = StructureDetails.model_validate({
        "codeRetour": 0,
        "parametres": {"gestionNumeroEJOuCodeService": True, "statutMiseEnPaiementNestPasRemonte": True},
        "informationGenerales": {"dateExpirationMotPasseCompteTech": "2027-03-01T00:00:00.000+01:00"},
    })
    rules = details.rules
    assert rules.service_or_engagement
    assert not rules.service_required
    assert rules.payment_status_not_reported
    assert rules.password_expiry == date(2027, 3, 1)


def test_summary_amounts_stay_decimal():
    summary = InvoiceSummary.model_validate(decode_json(
        '{"identifiantFactureCPP": 1, "montantTTC": 1200.10, "dateHeureEtatCourant": "2026-03-02 10:15"}'
    ))
    assert summary.amount_ttc == Decimal("1200.10")
    assert str(summary.amount_ttc) == "1200.10"
    assert summary.status_changed_at.hour == 10
