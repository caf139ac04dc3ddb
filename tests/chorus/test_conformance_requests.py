"""Every request body the client sends, checked against the Swagger files or the reference field table.

A recording transport wraps the simulator while the client runs each operation once. Factures and
Structures bodies are validated against AIFE's Swagger request definitions with unknown keys
forbidden; Transverses, Utilisateurs and Engagements juridiques have no official Swagger, so their
bodies are checked against the field names and JSON types the reference documentation gives.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from chorus_tui.chorus.models.factures import (
    AdditionalAttachment,
    InvoiceReferences,
    InvoiceSearch,
    RecipientCriterion,
)
from chorus_tui.chorus.deposit import submit_request_from_form
from chorus_tui.domain import DepositRoute, InvoiceKind
from chorus_tui.sandbox.directory import DEMO_SUPPLIER
from tests.chorus.cases import cii_invoice, form_for, open_structure, pdf_request, pick, service_structure
from tests.chorus.conftest import RecordingTransport
from tests.openapi_schema import SwaggerSchemas

# Operations of the two Swagger files the client calls; each must be exercised below.
SWAGGER_OPERATIONS = {
    "structures/v1/rechercher",
    "structures/v1/consulter",
    "structures/v1/rechercher/services",
    "structures/v1/consulter/service",
    "factures/v1/soumettre",
    "factures/v1/deposer/flux",
    "factures/v1/rechercher/fournisseur",
    "factures/v1/consulter/fournisseur",
    "factures/v1/consulter/historique",
    "factures/v1/recycler",
    "factures/v1/completer",
    "factures/v1/traiterRejet",
}

# Field names and JSON types of the operations without an official Swagger, as the reference
# documentation lists them. A nested dict describes an object; "object" alone accepts any object.
REFERENCE_FIELDS: dict[str, dict[str, object]] = {
    "transverses/v1/recuperer/structures/actives/fournisseur": {},
    "transverses/v1/recuperer/coordbanc/valides": {"idStructure": int},
    "transverses/v1/ajouter/fichier": {
        "pieceJointeFichier": str,
        "pieceJointeNom": str,
        "pieceJointeTypeMime": str,
        "pieceJointeExtension": str,
        "idUtilisateurCourant": int,
    },
    "transverses/v1/consulterCRDetaille": {"numeroFluxDepot": str, "syntaxeFlux": str},
    "transverses/v1/recuperer/tauxtva": {"codeLangue": str},
    "transverses/v1/recuperer/motifs/exonerationtva": {"codeLangue": str},
    "transverses/v1/recuperer/modereglements": {},
    "utilisateurs/v1/monCompte/recuperer/rattachements": {
        "parametresRecherche": {
            "nbResultatsParPage": int,
            "pageResultatDemandee": int,
            "triColonne": str,
            "triSens": str,
        }
    },
    "engagementsJuridiques/v1/rechercher": {
        "structureReceptriceEngagementJuridique": str,
        "numeroEngagementJuridique": str,
        "etatCourantEngagementJuridique": str,
    },
}


def check_reference_fields(path: str, body: object, fields: dict[str, object]) -> list[str]:
    """Return the differences between `body` and the documented `fields` (unknown key, wrong type)."""
    problems = []
    if not isinstance(body, dict):
        return [f"{path}: body is {type(body).__name__}, not an object"]
    for key, value in body.items():
        expected = fields.get(key)
        where = f"{path}.{key}"
        if expected is None:
            problems.append(f"{where}: not a documented field")
        elif isinstance(expected, dict):
            problems.extend(check_reference_fields(where, value, expected))
        elif expected is int and (isinstance(value, bool) or not isinstance(value, int)):
            problems.append(f"{where}: {value!r} is not an integer")
        elif expected is not int and not isinstance(value, expected):
            problems.append(f"{where}: {value!r} is not {expected.__name__}")
    return problems


@pytest.fixture
def swagger(shared_dir) -> SwaggerSchemas:
    return SwaggerSchemas.from_dir(shared_dir / "openapi")


@pytest.fixture
def recorder(simulator) -> RecordingTransport:
    return RecordingTransport(simulator.transport())


async def run_every_operation(client, simulator, clock) -> None:
    """Call each client operation at least once, with optional fields filled where it has some."""
    structure = open_structure()
    routed = service_structure()
    await client.search_structure(structure.siret)
    await client.get_structure(routed.id_structure_cpp)
    await client.list_services(routed.id_structure_cpp)
    await client.get_service(routed.id_structure_cpp, routed.services[0].id)
    await client.supplier_structures()
    await client.user_attachments()
    await client.bank_accounts(DEMO_SUPPLIER.id_structure_cpp)
    state = pick(lambda s: s.is_state and s.active and s.engagements)
    await client.search_engagements(DEMO_SUPPLIER.id_structure_cpp, state.engagements[0].number)
    await client.vat_rates()
    await client.vat_exemption_reasons()
    await client.payment_modes()

    service = next(item for item in routed.services if item.active and item.code != "FACTURES_PUBLIQUES")
    pdf = await client.submit_invoice(await pdf_request(
        client, routed, "CONF-0001", service_code=service.code, contract_number="M-2026-7", comment="Commande 12"
    ))
    data_entry = form_for(structure, "CONF-0002", route=DepositRoute.DATA_ENTRY)
    await client.submit_invoice(submit_request_from_form(data_entry, None, None))
    credit_note = await pdf_request(
        client, structure, "CONF-0003", kind=InvoiceKind.CREDIT_NOTE, original_invoice_number="CONF-0001",
        payment_mode=None,
    )
    await client.submit_invoice(credit_note)

    flow = await client.deposit_flow("CONF-0100.xml", cii_invoice("CONF-0100", structure.siret), "IN_DP_E1_CII_16B")
    await client.flow_report(flow.flow_number)
    await client.flow_report(flow.flow_number, syntax="IN_DP_E1_CII_16B")

    today = clock.now().date()
    await client.search_invoices(InvoiceSearch(
        invoice_number="CONF-0001",
        flow_number=flow.flow_number,
        supplier_id=DEMO_SUPPLIER.id_structure_cpp,
        supplier_service_id=1,
        recipients=[RecipientCriterion(recipient_id=routed.id_structure_cpp, service_ids=[service.id],
                                       company_name=routed.designation)],
        search_recipient_siren=False,
        invoice_type="FACTURE",
        billing_frame="A1_FACTURE_FOURNISSEUR",
        statuses=["DEPOSEE", "MISE_A_DISPOSITION"],
        deposited_from=today - timedelta(days=30),
        deposited_to=today,
        invoice_date_from=today - timedelta(days=60),
        invoice_date_to=today,
        status_changed_from=today - timedelta(days=1),
        status_changed_to=today,
        amount_ht_min=Decimal("0.01"),
        amount_ht_max=Decimal("99999.99"),
        amount_ttc_min=Decimal("0.01"),
        amount_ttc_max=Decimal("99999.99"),
        amount_due_min=Decimal("0"),
        amount_due_max=Decimal("99999.99"),
        bank_account_id=DEMO_SUPPLIER.bank_accounts[0].id,
        creator_user_ids=[1],
        contract_number="M-2026-7",
        engagement_number="EJ-1",
        original_invoice_number="CONF-0000",
        deposit_mode="DEPOT_PDF_API",
        validator_structure_id=2,
        fetch_size=True,
        rejection_handled=False,
        page_size=20,
        sort_column="DateDepot",
        sort_direction="Descendant",
    ))
    await client.search_invoices(InvoiceSearch(status_changed_from=clock.now() - timedelta(hours=1)))
    await client.get_invoice(pdf.invoice_id)
    await client.invoice_history(pdf.invoice_id)

    simulator.set_status(pdf.invoice_id, "A_RECYCLER", "Mauvais service")
    await client.recycle_invoice(
        pdf.invoice_id,
        recipient_siret=routed.siret,
        service_code=service.code,
        engagement_number="EJ-2",
        references=InvoiceReferences(vat_type="TVA_SUR_DEBIT", payment_mode="VIREMENT"),
        comment="Service corrigé",
    )
    simulator.set_status(pdf.invoice_id, "SUSPENDUE", "Pièce manquante")
    extra = await client.upload_attachment("annexe.pdf", b"%PDF-1.7 annexe", "application/pdf")
    await client.complete_invoice(
        pdf.invoice_id,
        [AdditionalAttachment(designation="Annexe", attachment_type="AUTRE", line_number=1, attachment_id=extra)],
        comment="Annexe jointe",
    )
    simulator.set_status(pdf.invoice_id, "REJETEE", "Doublon")
    await client.handle_rejection(pdf.invoice_id)


async def test_swagger_operations_bodies_conform(recorder, simulator, clock, make_client, swagger):
    async with make_client(recorder) as client:
        await run_every_operation(client, simulator, clock)
    bodies = recorder.api_bodies()
    checked = set()
    failures = []
    for path, body in bodies:
        family = path.split("/", 1)[0]
        if family not in ("factures", "structures"):
            continue
        checked.add(path)
        try:
            swagger.validate_request(f"/cpro/{path}", body, strict=True)
        except Exception as error:  # jsonschema.ValidationError, reported per body
            failures.append(f"{path}: {getattr(error, 'message', error)}")
    assert failures == []
    assert checked == SWAGGER_OPERATIONS


async def test_other_families_match_reference_fields(recorder, simulator, clock, make_client):
    async with make_client(recorder) as client:
        await run_every_operation(client, simulator, clock)
    checked = set()
    problems = []
    for path, body in recorder.api_bodies():
        if path.split("/", 1)[0] in ("factures", "structures"):
            continue
        assert path in REFERENCE_FIELDS, f"{path} has no entry in the reference field table"
        checked.add(path)
        problems.extend(check_reference_fields(path, body, REFERENCE_FIELDS[path]))
    assert problems == []
    assert checked == set(REFERENCE_FIELDS)


def test_reference_check_catches_misspelling():
    problems = check_reference_fields("t", {"idStructur": 1, "codeLangue": 3}, {"idStructure": int, "codeLangue": str})
    assert problems == ["t.idStructur: not a documented field", "t.codeLangue: 3 is not str"]


def test_swagger_check_catches_misspelling(swagger):
    with pytest.raises(Exception, match="triSense"):
        swagger.validate_request(
            "/cpro/factures/v1/rechercher/fournisseur",
            {"rechercheFactureParFournisseur": {"triSense": "Ascendant"}},
            strict=True,
        )


async def test_amounts_sent_as_json_numbers(recorder, simulator, make_client):
    async with make_client(recorder) as client:
        await client.submit_invoice(await pdf_request(client, open_structure(), "CONF-NUM"))
    (submit,) = [request for request in recorder.requests if request.url.path.endswith("/soumettre")]
    assert b'"montantTtcTotal":1200.12' in submit.content
    assert json.loads(submit.content)["montantTotal"]["montantHtTotal"] == 1000.10
