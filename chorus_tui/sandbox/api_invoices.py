"""Invoice endpoints: deposits (soumettre, deposer/flux, ajouter/fichier), tracking and corrections."""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from chorus_tui.sandbox import codes
from chorus_tui.sandbox.directory import (
    DEMO_SUPPLIER,
    PUBLIC_INVOICES_SERVICE_CODE,
    STRUCTURES_BY_SIRET,
    Service,
    Structure,
)
from chorus_tui.sandbox.flows import FlowError, ParsedInvoice, parse_flow
from chorus_tui.sandbox.simulator import Reply, guard, ok, refused
from chorus_tui.sandbox.state import FileRecord, FlowRecord, InvoiceRecord
from chorus_tui.sandbox.wire import (
    BadValue,
    day_start,
    format_date,
    format_datetime,
    get_amount,
    get_int,
    get_str,
    paginate,
    parse_period_bound,
    to_paris,
)

if TYPE_CHECKING:
    from chorus_tui.sandbox.simulator import Simulator

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENT_NAME = 50
MAX_ENGAGEMENT_LENGTH = 50
MAX_COMMENT_LENGTH = 200
DEPOSIT_MODES = ("SAISIE_API", "DEPOT_PDF_API", "DEPOT_PDF_SIGNE_API")
BILLING_FRAMES = ("A1_FACTURE_FOURNISSEUR", "A2_FACTURE_FOURNISSEUR_DEJA_PAYEE", "A9_FACTURE_SOUSTRAITANT",
                  "A12_FACTURE_COTRAITANT")
FRAMES_WITH_VALIDATOR = ("A9_FACTURE_SOUSTRAITANT", "A12_FACTURE_COTRAITANT")
INVOICE_TYPES = ("FACTURE", "AVOIR")
VAT_TYPES = ("TVA_SUR_DEBIT", "TVA_SUR_ENCAISSEMENT", "EXONERATION", "SANS_TVA")
PAYMENT_MODES = ("CHEQUE", "PRELEVEMENT", "VIREMENT", "ESPECE", "AUTRE", "REPORT")
FLOW_SYNTAXES = (
    "IN_DP_E1_UBL_INVOICE", "IN_DP_E1_CII", "IN_DP_E1_PES_FACTURE", "IN_DP_E1_XCBL", "IN_DP_E2_UBL_INVOICE_MIN",
    "IN_DP_E2_CII_MIN", "IN_DP_E2_PES_FACTURE_MIN", "IN_DP_E2_CPP_FACTURE_MIN", "IN_DP_PDFARCHIVE_UBL_INVOICE_MUG",
    "IN_DP_PDFARCHIVE_CII_MUG", "IN_DP_E1_CII_16B", "IN_DP_E2_CII_MIN_16B", "IN_DP_E2_CII_FACTURX",
)
# Attachment extensions Chorus Pro accepts (list published on the Chorus Pro community site).
ALLOWED_EXTENSIONS = {
    "BMP", "GIF", "FAX", "ODT", "PPT", "TIFF", "XLS", "BZ2", "GZ", "JPEG", "P7S", "RTF", "TXT", "XML", "CSV", "GZIP",
    "JPG", "PDF", "SVG", "XHTML", "XLSX", "DOC", "HTM", "ODP", "PNG", "TGZ", "XLC", "ZIP", "DOCX", "HTML", "ODS",
    "PPS", "TIF", "XLM", "PPTX", "XSD", "XSL",
}
RESUMED_PATH = ("MISE_A_DISPOSITION", "SERVICE_FAIT", "MANDATEE", "MISE_EN_PAIEMENT")
FLOW_INTERFACE_CODE = "FSO1110A"  # codeInterfaceDepotFlux, as in the official example


class ServerError(Exception):
    """The request triggers an HTTP 500, as some malformed values do on the real platform."""


# -- shared deposit rules ---------------------------------------------------------------------------


def check_routing(siret: str, service_code: str, engagement: str) -> tuple[Structure, Service | None] | codes.Refusal:
    """Apply the recipient's directory rules to a SIRET, service code and engagement number."""
    structure = STRUCTURES_BY_SIRET.get(siret)
    if structure is None:
        return codes.recipient_unknown(siret)
    if not structure.active:
        return codes.recipient_inactive(siret)
    if structure.structure_type != "PUBLIQUE":
        return codes.recipient_private(siret)
    service = None
    if service_code:
        if service_code == PUBLIC_INVOICES_SERVICE_CODE:
            return codes.service_reserved(service_code)
        service = structure.service_by_code(service_code)
        if service is None:
            return codes.service_unknown(service_code, siret)
        if not service.active:
            return codes.service_inactive(service_code, siret)
    if structure.service_required and not service_code:
        return codes.service_required(siret)
    if not engagement:
        if structure.engagement_required or (service is not None and service.engagement_required):
            return codes.engagement_required(siret)
        if structure.service_or_engagement and not service_code:
            return codes.service_or_engagement_required(siret)
    if len(engagement) > MAX_ENGAGEMENT_LENGTH:
        return codes.value_invalid("numeroBonCommande", engagement)
    if engagement and structure.is_state:
        known = {item.number for item in structure.engagements if item.supplier_id == DEMO_SUPPLIER.id_structure_cpp}
        if engagement not in known:
            return codes.engagement_unknown(engagement, siret)
    return structure, service


def check_invoice(sim: Simulator, number: str, invoice_date: date, deposit_day: date, ht: Decimal, vat: Decimal,
                  ttc: Decimal) -> codes.Refusal | None:
    """Apply the per-invoice rules: date not in the future, number not a date, no duplicate, totals add up."""
    if invoice_date > deposit_day:
        return codes.date_in_future(invoice_date.isoformat())
    if number in (deposit_day.strftime("%Y%m%d"), deposit_day.isoformat()):
        return codes.value_invalid("numeroFacture", number)
    for existing in sim.ledger.invoices.values():
        if (not existing.draft and existing.number == number and existing.supplier_id == DEMO_SUPPLIER.id_structure_cpp
                and existing.invoice_date.year == invoice_date.year):
            return codes.duplicate_number(number)
    if abs(ht + vat - ttc) > Decimal("0.01"):
        return codes.amounts_inconsistent(ht, vat, ttc)
    return None


def create_invoice(sim: Simulator, invoice: InvoiceRecord, structure: Structure, at: datetime) -> InvoiceRecord:
    """Store a newly deposited invoice as DEPOSEE at `at` and plan the rest of its life cycle."""
    sim.ledger.invoices[invoice.id] = invoice
    sim.ledger.record_status(invoice, "DEPOSEE", at)
    sim.ledger.schedule(invoice, sim.ledger.plan_fate(invoice.id), at, structure.payment_status_not_reported)
    log.info("simulator stored invoice %s (id %d) for %s", invoice.number, invoice.id, structure.siret)
    return invoice


def _check_vat_lines(body: dict[str, Any], ht: Decimal, vat: Decimal) -> codes.Refusal | None:
    """Check that the VAT summary lines (`ligneTva`), when sent, add up to the totals.

    NOTE: no source says how strictly Chorus Pro compares them. The simulator allows one cent of
    rounding per line.
    """
    lines = [item for item in body.get("ligneTva") or [] if isinstance(item, dict)]
    if not lines:
        return None
    bases = [get_amount(item, "ligneTvaMontantBaseHtParTaux") or Decimal("0") for item in lines]
    amounts = [get_amount(item, "ligneTvaMontantTvaParTaux") or Decimal("0") for item in lines]
    tolerance = Decimal("0.01") * len(lines)
    if abs(sum(bases) - ht) > tolerance:
        return codes.vat_lines_inconsistent("ligneTvaMontantBaseHtParTaux", sum(bases), ht)
    if abs(sum(amounts) - vat) > tolerance:
        return codes.vat_lines_inconsistent("ligneTvaMontantTvaParTaux", sum(amounts), vat)
    return None


def _parse_invoice_date(raw: str) -> date:
    if "T" in raw or " " in raw:
        # The real platform returned HTTP 500 for a date with a time part (reported by facture-electronique).
        raise ServerError(f"dateFacture {raw!r} has a time part")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadValue("dateFacture", raw) from None


def _main_attachment(body: dict[str, Any]) -> dict[str, Any] | None:
    # NOTE: the Swagger describes an object; working clients send a one-element list. Both are read.
    value = body.get("pieceJointePrincipale")
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, dict) else None


# -- factures/v1/soumettre ---------------------------------------------------------------------------


def submit_invoice(sim: Simulator, body: dict[str, Any]) -> Reply:
    try:
        return _submit_invoice(sim, body)
    except ServerError as error:
        log.info("simulator returns HTTP 500 to soumettre: %s", error)
        return Reply(500, {"error": "Internal Server Error", "message": "Erreur technique"})


def _submit_invoice(sim: Simulator, body: dict[str, Any]) -> Reply:
    mode = get_str(body, "modeDepot")
    if not mode:
        return refused(codes.field_missing("modeDepot"))
    if mode not in DEPOSIT_MODES:
        return refused(codes.value_invalid("modeDepot", mode))
    pdf_mode = mode != "SAISIE_API"

    number = get_str(body, "numeroFactureSaisi")
    raw_date = get_str(body, "dateFacture")
    required = [
        ("destinataire.codeDestinataire", get_str(body, "destinataire.codeDestinataire")),
        ("fournisseur.idFournisseur", get_int(body, "fournisseur.idFournisseur")),
        ("cadreDeFacturation.codeCadreFacturation", get_str(body, "cadreDeFacturation.codeCadreFacturation")),
        ("references.deviseFacture", get_str(body, "references.deviseFacture")),
        ("references.typeFacture", get_str(body, "references.typeFacture")),
        ("references.typeTva", get_str(body, "references.typeTva")),
        ("montantTotal.montantHtTotal", get_amount(body, "montantTotal.montantHtTotal")),
        ("montantTotal.montantTVA", get_amount(body, "montantTotal.montantTVA")),
        ("montantTotal.montantTtcTotal", get_amount(body, "montantTotal.montantTtcTotal")),
        ("montantTotal.montantAPayer", get_amount(body, "montantTotal.montantAPayer")),
    ]
    if pdf_mode:
        required = [("numeroFactureSaisi", number), ("dateFacture", raw_date), *required]
    for name, value in required:
        if value in (None, ""):
            return refused(codes.field_missing(name))

    invoice_date = _parse_invoice_date(raw_date) if raw_date else sim.today()
    supplier_id = get_int(body, "fournisseur.idFournisseur")
    if supplier_id != DEMO_SUPPLIER.id_structure_cpp:
        return refused(codes.supplier_not_attached(supplier_id))
    bank_account = get_int(body, "fournisseur.codeCoordonneesBancairesFournisseur")
    if bank_account is not None and bank_account not in {account.id for account in DEMO_SUPPLIER.bank_accounts}:
        return refused(codes.bank_account_invalid(bank_account))

    frame = get_str(body, "cadreDeFacturation.codeCadreFacturation")
    if frame not in BILLING_FRAMES:
        return refused(codes.value_invalid("cadreDeFacturation.codeCadreFacturation", frame))
    if frame in FRAMES_WITH_VALIDATOR and not get_str(body, "cadreDeFacturation.codeStructureValideur"):
        return refused(codes.field_missing("cadreDeFacturation.codeStructureValideur"))
    invoice_type = get_str(body, "references.typeFacture")
    if invoice_type not in INVOICE_TYPES:
        return refused(codes.value_invalid("references.typeFacture", invoice_type))
    vat_type = get_str(body, "references.typeTva")
    if vat_type not in VAT_TYPES:
        return refused(codes.value_invalid("references.typeTva", vat_type))
    if vat_type == "EXONERATION" and not get_str(body, "references.motifExonerationTva"):
        return refused(codes.field_missing("references.motifExonerationTva"))
    payment_mode = get_str(body, "references.modePaiement")
    if payment_mode and payment_mode not in PAYMENT_MODES:
        return refused(codes.value_invalid("references.modePaiement", payment_mode))
    comment = get_str(body, "commentaire")
    if len(comment) > MAX_COMMENT_LENGTH:
        return refused(codes.value_invalid("commentaire", comment))

    attachment = _main_attachment(body)
    attachment_id = get_int(attachment, "pieceJointePrincipaleId") if attachment else None
    if pdf_mode:
        if attachment_id is None:
            return refused(codes.field_missing("pieceJointePrincipale.pieceJointePrincipaleId"))
        if attachment_id not in sim.ledger.files:
            return refused(codes.attachment_unknown(attachment_id))
    complementary = []
    for item in body.get("pieceJointeComplementaire") or []:
        extra_id = get_int(item, "pieceJointeComplementaireId") if isinstance(item, dict) else None
        if extra_id is None or extra_id not in sim.ledger.files:
            return refused(codes.attachment_unknown(extra_id))
        complementary.append(extra_id)

    siret = get_str(body, "destinataire.codeDestinataire")
    service_code = get_str(body, "destinataire.codeServiceExecutant")
    engagement = get_str(body, "references.numeroBonCommande")
    routing = check_routing(siret, service_code, engagement)
    if isinstance(routing, codes.Refusal):
        return refused(routing)
    structure, service = routing

    if not number:
        # NOTE: whether SAISIE_API always replaces numeroFactureSaisi is unconfirmed. The simulator keeps a
        # given number and generates one (year + 16 digits) only when none is sent.
        number = sim.ledger.new_generated_number(invoice_date.year)
    ht = get_amount(body, "montantTotal.montantHtTotal")
    vat = get_amount(body, "montantTotal.montantTVA")
    ttc = get_amount(body, "montantTotal.montantTtcTotal")
    problem = check_invoice(sim, number, invoice_date, sim.today(), ht, vat, ttc) or _check_vat_lines(body, ht, vat)
    if problem is not None:
        return refused(problem)

    now = sim.clock.now()
    attachment_name = get_str(attachment, "pieceJointePrincipaleDesignation") if attachment else ""
    invoice = InvoiceRecord(
        id=sim.ledger.new_invoice_id(), number=number, invoice_type=invoice_type, deposit_mode=mode,
        invoice_date=invoice_date, deposited_at=now, recipient_id=structure.id_structure_cpp,
        recipient_siret=siret, recipient_name=structure.designation, supplier_id=supplier_id,
        service_code=service_code, service_id=service.id if service else None,
        service_name=service.label if service else "", engagement=engagement,
        contract=get_str(body, "references.numeroMarche"),
        origin_number=get_str(body, "references.numeroFactureOrigine"),
        currency=get_str(body, "references.deviseFacture"), total_ht=ht, total_vat=vat, total_ttc=ttc,
        amount_due=get_amount(body, "montantTotal.montantAPayer"), vat_type=vat_type,
        vat_exemption_reason=get_str(body, "references.motifExonerationTva"), billing_frame=frame,
        payment_mode=payment_mode, bank_account_id=bank_account, attachment_id=attachment_id,
        attachment_name=attachment_name, complementary_attachments=complementary, supplier_comment=comment,
        lines=[item for item in body.get("lignePoste") or [] if isinstance(item, dict)],
        vat_lines=[item for item in body.get("ligneTva") or [] if isinstance(item, dict)],
    )
    create_invoice(sim, invoice, structure, now)
    fingerprint = hashlib.sha256(f"{invoice.id}:{invoice.number}:{now.isoformat()}".encode()).hexdigest()
    return ok({
        "identifiantFactureCPP": invoice.id,
        "numeroFacture": invoice.number,
        "statutFacture": invoice.status,
        "dateDepot": format_date(to_paris(now).date()),
        "identifiantStructure": siret,
        "empreinteCertificatDepot": fingerprint,
    }, label=codes.DEPOSIT_SUCCESS_LABEL, changed=True)


# -- transverses/v1/ajouter/fichier -----------------------------------------------------------------


def _decode_base64(raw: str) -> bytes | None:
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return None


def upload_attachment(sim: Simulator, body: dict[str, Any]) -> Reply:
    raw = get_str(body, "pieceJointeFichier")
    name = get_str(body, "pieceJointeNom")
    mime_type = get_str(body, "pieceJointeTypeMime")
    extension = get_str(body, "pieceJointeExtension")
    for field_name, value in (("pieceJointeFichier", raw), ("pieceJointeNom", name),
                              ("pieceJointeTypeMime", mime_type), ("pieceJointeExtension", extension)):
        if not value:
            return refused(codes.field_missing(field_name))
    content = _decode_base64(raw)
    if content is None:
        return refused(codes.value_invalid("pieceJointeFichier", "(base64 invalide)"))
    if len(content) > MAX_FILE_BYTES:
        return refused(codes.attachment_too_large(len(content)))
    stem, dot, name_extension = name.rpartition(".")
    if (len(name) > MAX_ATTACHMENT_NAME or not dot or not stem
            or name_extension.upper() not in ALLOWED_EXTENSIONS or extension.upper() not in ALLOWED_EXTENSIONS):
        return refused(codes.attachment_name_invalid(name))
    record = FileRecord(id=sim.ledger.new_file_id(), name=name, mime_type=mime_type, extension=extension.upper(),
                        size=len(content), sha256=hashlib.sha256(content).hexdigest(), uploaded_at=sim.clock.now())
    sim.ledger.files[record.id] = record
    return ok({"pieceJointeId": record.id}, label=codes.DEPOSIT_SUCCESS_LABEL, changed=True)


# -- factures/v1/deposer/flux and transverses/v1/consulterCRDetaille -------------------------------------


def deposit_flow(sim: Simulator, body: dict[str, Any]) -> Reply:
    raw = get_str(body, "fichierFlux")
    file_name = get_str(body, "nomFichier")
    syntax = get_str(body, "syntaxeFlux")
    for field_name, value in (("fichierFlux", raw), ("nomFichier", file_name), ("syntaxeFlux", syntax)):
        if not value:
            return refused(codes.field_missing(field_name))
    if syntax not in FLOW_SYNTAXES:
        return refused(codes.value_invalid("syntaxeFlux", syntax))
    content = _decode_base64(raw)
    if content is None:
        return refused(codes.flow_invalid("le contenu de fichierFlux n'est pas du base64 valide."))
    if len(content) > MAX_FILE_BYTES:
        return refused(codes.flow_too_large(len(content)))

    now = sim.clock.now()
    flow = FlowRecord(number=sim.ledger.new_flow_number(), file_name=file_name, syntax=syntax, deposited_at=now,
                      size=len(content), sha256=hashlib.sha256(content).hexdigest(), state_at=now)
    try:
        parsed = parse_flow(file_name, content)
        if syntax == "IN_DP_E2_CII_FACTURX" and not content.startswith(b"%PDF") and len(parsed) == 1:
            raise FlowError("la syntaxe IN_DP_E2_CII_FACTURX attend un PDF Factur-X")
        flow.invoices = [_encode_parsed(item) for item in parsed]
    except FlowError as error:
        flow.technical_errors = [{"codeErreur": "FLUX_ILLISIBLE", "libelleErreur": str(error),
                                  "natureErreur": "TECHNIQUE"}]
    flow.next_step_at = now + sim.ledger.step_delay(flow.number, 0)
    sim.ledger.flows[flow.number] = flow
    log.info("simulator received flow %s (%s, %d bytes)", flow.number, syntax, flow.size)
    return ok({"numeroFluxDepot": flow.number, "dateDepot": format_datetime(now), "syntaxeFlux": syntax},
              label=codes.DEPOSIT_SUCCESS_LABEL, changed=True)


def _encode_parsed(item: ParsedInvoice) -> dict[str, Any]:
    fields = asdict(item)
    fields["issue_date"] = item.issue_date.isoformat() if item.issue_date else None
    for name in ("total_ht", "total_vat", "total_ttc", "amount_due"):
        fields[name] = str(fields[name]) if fields[name] is not None else None
    return fields


def _flow_deposit_mode(syntax: str) -> str:
    # NOTE: the modeDepot that Chorus Pro shows for flow deposits is a guess from the enum names.
    if syntax.startswith("IN_DP_E1"):
        return "EDI_XML_STRUCT"
    if syntax.startswith("IN_DP_PDFARCHIVE"):
        return "EDI_PDF_ARCHIVE"
    return "EDI_MIXTE"


def _integrate_flow_invoice(sim: Simulator, flow: FlowRecord, item: dict[str, Any], at: datetime) -> str | None:
    """Create the invoice of one flow entry; return the refusal label when a rule rejects it."""
    # NOTE: whether Chorus Pro also takes the supplier's SIREN in SpecifiedLegalOrganization/ID is
    # uncertain (scheme 0002 covers both), so a SIREN naming the one supplier structure is accepted too.
    if item["seller_siret"] not in (DEMO_SUPPLIER.siret, DEMO_SUPPLIER.siret[:9]):
        return (f"L'identifiant fournisseur {item['seller_siret'] or '(absent)'} (SellerTradeParty/"
                "SpecifiedLegalOrganization/ID) est inconnu ou n'est pas rattaché au compte.")
    for name, label in (("number", "numéro de facture"), ("issue_date", "date de facture"),
                        ("buyer_siret", "SIRET du destinataire"), ("total_ht", "montant HT"),
                        ("total_vat", "montant de TVA"), ("total_ttc", "montant TTC")):
        if not item[name]:
            return f"Le champ obligatoire « {label} » est absent de la facture."
    if item.get("rule_error"):  # absent from flows stored before the simulator read these rules
        return item["rule_error"]
    routing = check_routing(item["buyer_siret"], item["service_code"], item["engagement"])
    if isinstance(routing, codes.Refusal):
        return routing.label
    structure, service = routing
    invoice_date = date.fromisoformat(item["issue_date"])
    ht, vat, ttc = Decimal(item["total_ht"]), Decimal(item["total_vat"]), Decimal(item["total_ttc"])
    problem = check_invoice(sim, item["number"], invoice_date, to_paris(flow.deposited_at).date(), ht, vat, ttc)
    if problem is not None:
        return problem.label
    invoice = InvoiceRecord(
        id=sim.ledger.new_invoice_id(), number=item["number"], invoice_type=item["invoice_type"],
        deposit_mode=_flow_deposit_mode(flow.syntax), invoice_date=invoice_date, deposited_at=flow.deposited_at,
        recipient_id=structure.id_structure_cpp, recipient_siret=structure.siret,
        recipient_name=structure.designation, supplier_id=DEMO_SUPPLIER.id_structure_cpp,
        service_code=item["service_code"], service_id=service.id if service else None,
        service_name=service.label if service else "", engagement=item["engagement"], contract=item["contract"],
        currency=item["currency"], total_ht=ht, total_vat=vat, total_ttc=ttc,
        amount_due=Decimal(item["amount_due"]) if item["amount_due"] else ttc, flow_number=flow.number,
        bank_account_id=DEMO_SUPPLIER.bank_accounts[0].id,
    )
    create_invoice(sim, invoice, structure, at)
    flow.invoice_ids.append(invoice.id)
    return None


def advance_flows(sim: Simulator, now: datetime) -> bool:
    """Move every flow whose next step is due: IN_RECU, IN_EN_COURS_TRAITEMENT_CPP, then its outcome."""
    changed = False
    for flow in sim.ledger.flows.values():
        while flow.next_step_at is not None and flow.next_step_at <= now:
            at = flow.next_step_at
            flow.steps_taken += 1
            changed = True
            if flow.steps_taken == 1:
                flow.state, flow.state_at = "IN_EN_COURS_TRAITEMENT_CPP", at
                flow.next_step_at = at + sim.ledger.step_delay(flow.number, 1)
                continue
            flow.next_step_at = None
            flow.state_at = at
            if flow.technical_errors:
                flow.state = "IN_REJETE"
                continue
            for item in flow.invoices:
                label = _integrate_flow_invoice(sim, flow, item, at)
                if label is not None:
                    flow.dp_errors.append({"identifiantFournisseur": item["seller_siret"],
                                           "identifiantDestinataire": item["buyer_siret"],
                                           "numeroDP": item["number"], "libelleErreurDP": label})
            if not flow.dp_errors:
                flow.state = "IN_INTEGRE"
            elif flow.invoice_ids:
                flow.state = "IN_INTEGRE_PARTIEL"
            else:
                flow.state = "IN_REJETE"
            log.info("simulator flow %s ended %s (%d invoices)", flow.number, flow.state, len(flow.invoice_ids))
    return changed


def flow_report(sim: Simulator, body: dict[str, Any]) -> Reply:
    number = get_str(body, "numeroFluxDepot")
    if not number:
        return refused(codes.field_missing("numeroFluxDepot"))
    flow = sim.ledger.flows.get(number)
    if flow is None:
        return refused(codes.flow_not_found(number))
    return ok({
        "codeInterfaceDepotFlux": FLOW_INTERFACE_CODE,
        "numeroFluxDepot": flow.number,
        "dateDepotFlux": format_datetime(flow.deposited_at),
        "dateHeureEtatCourantFlux": format_datetime(flow.state_at),
        "etatCourantDepotFlux": flow.state,
        "nomFichier": flow.file_name,
        "syntaxeFlux": flow.syntax,
        "listeErreurDP": flow.dp_errors,
        "listeErreurTechnique": flow.technical_errors,
    })


# -- factures/v1/rechercher/fournisseur -----------------------------------------------------------------

SORT_KEYS = {
    "NumeroFacture": lambda i: i.number,
    "DateFacture": lambda i: i.invoice_date,
    "DateDepot": lambda i: i.deposited_at,
    "Statut": lambda i: i.status,
    "MontantHT": lambda i: i.total_ht,
    "MontantTTC": lambda i: i.total_ttc,
    "MontantAPayer": lambda i: i.amount_due,
    "NumeroFluxDepot": lambda i: i.flow_number,
    "ModeDepot": lambda i: i.deposit_mode,
    "CodeDestinataire": lambda i: i.recipient_siret,
    "DesignationDestinataire": lambda i: i.recipient_name,
    "CodeServiceExecutant": lambda i: i.service_code,
    "TypeFacture": lambda i: i.invoice_type,
    "NumeroBonCommande": lambda i: i.engagement,
    "NumeroMarche": lambda i: i.contract,
}


def _in_period(value: datetime | None, low: datetime | None, high: datetime | None) -> bool:
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _matches(invoice: InvoiceRecord, body: dict[str, Any], windows: dict[str, tuple]) -> bool:
    text_filters = (
        ("numeroFacture", invoice.number), ("numeroFluxDepot", invoice.flow_number),
        ("typeFacture", invoice.invoice_type), ("numeroBonCommande", invoice.engagement),
        ("numeroMarche", invoice.contract), ("numeroFactureOrigine", invoice.origin_number),
        ("modeDepot", invoice.deposit_mode), ("cadreFacturation", invoice.billing_frame),
    )
    for name, actual in text_filters:
        wanted = get_str(body, name)
        if wanted and wanted != actual:
            return False
    supplier = get_int(body, "idFournisseur")
    if supplier is not None and supplier != invoice.supplier_id:
        return False
    account = get_int(body, "coordonneeBancaire")
    if account is not None and account != invoice.bank_account_id:
        return False
    statuses = body.get("statutCourant")
    if isinstance(statuses, str):
        statuses = [statuses]
    if statuses and invoice.status not in statuses:
        return False
    if isinstance(body.get("rejetTraite"), bool) and body["rejetTraite"] != invoice.rejection_handled:
        return False
    recipients = body.get("listeDestinataire")
    if isinstance(recipients, list) and recipients:
        wanted_ids = {get_int(item, "idDestinataire") for item in recipients if isinstance(item, dict)}
        if invoice.recipient_id not in wanted_ids:
            return False
    for field_name, actual in (("montantHT", invoice.total_ht), ("montantTTC", invoice.total_ttc),
                               ("montantApayer", invoice.amount_due)):
        low, high = get_amount(body, f"{field_name}Min"), get_amount(body, f"{field_name}Max")
        if (low is not None and actual < low) or (high is not None and actual > high):
            return False
    checks = (
        ("periodeDateDepot", invoice.deposited_at),
        ("periodeDateFacture", day_start(invoice.invoice_date)),
        ("periodeDateHeureEtatCourant", invoice.status_at),
    )
    for prefix, actual in checks:
        low, high = windows[prefix]
        if not _in_period(actual, low, high):
            return False
    return True


def search_invoices(sim: Simulator, body: dict[str, Any]) -> Reply:
    windows = {
        prefix: (parse_period_bound(body.get(f"{prefix}Du"), end=False, field=f"{prefix}Du"),
                 parse_period_bound(body.get(f"{prefix}Au"), end=True, field=f"{prefix}Au"))
        for prefix in ("periodeDateDepot", "periodeDateFacture", "periodeDateHeureEtatCourant")
    }
    hits = [invoice for invoice in sorted(sim.ledger.invoices.values(), key=lambda i: i.id)
            if _matches(invoice, body, windows)]
    params = "rechercheFactureParFournisseur"
    # NOTE: the real default order is undocumented, so the simulator sorts by invoice id unless triColonne is set.
    sort_key = SORT_KEYS.get(get_str(body, f"{params}.triColonne"))
    if sort_key is not None:
        hits.sort(key=sort_key, reverse=get_str(body, f"{params}.triSens") == "Descendant")
    maximum = get_int(body, f"{params}.nbResultatsMaximum")
    if maximum:
        hits = hits[:maximum]
    page, paging = paginate(hits, get_int(body, f"{params}.pageResultatDemandee"),
                            get_int(body, f"{params}.nbResultatsParPage"))
    return ok({"listeFactures": [_search_row(invoice) for invoice in page], "parametresRetour": paging})


def _search_row(invoice: InvoiceRecord) -> dict[str, Any]:
    return {
        "identifiantFactureCPP": invoice.id,
        "numeroFacture": invoice.number,
        "typeFacture": invoice.invoice_type,
        "typeDemandePaiement": "FACTURE",
        "dateFacture": format_date(invoice.invoice_date),
        "dateDepot": format_date(to_paris(invoice.deposited_at).date()),
        "montantHT": invoice.total_ht,
        "montantTTC": invoice.total_ttc,
        "montantAPayer": invoice.amount_due,
        "devise": invoice.currency,
        "statut": invoice.status,
        "dateHeureEtatCourant": format_datetime(invoice.status_at),
        "commentaireEtatCourant": invoice.status_comment,
        "rejetTraite": invoice.rejection_handled,
        "numeroFluxDepot": invoice.flow_number,
        "modeDepot": invoice.deposit_mode,
        "codeDestinataire": invoice.recipient_siret,
        "designationDestinataire": invoice.recipient_name,
        "idDestinataire": invoice.recipient_id,
        "codeServiceExecutant": invoice.service_code,
        "nomServiceExecutant": invoice.service_name,
        "idServiceExecutant": invoice.service_id,
        "codeFournisseur": DEMO_SUPPLIER.siret,
        "typeIdentifiantFournisseur": "SIRET",
        "designationFournisseur": DEMO_SUPPLIER.designation,
        "numeroMarche": invoice.contract,
        "numeroBonCommande": invoice.engagement,
        "numeroFactureOrigine": invoice.origin_number,
    }


# -- factures/v1/consulter/fournisseur and consulter/historique ---------------------------------------


def _find_invoice(sim: Simulator, invoice_id: int | None, field_name: str) -> InvoiceRecord | codes.Refusal:
    if invoice_id is None:
        return codes.field_missing(field_name)
    invoice = sim.ledger.invoices.get(invoice_id)
    if invoice is None:
        return codes.invoice_not_found(invoice_id)
    return invoice


def consult_invoice(sim: Simulator, body: dict[str, Any]) -> Reply:
    found = _find_invoice(sim, get_int(body, "identifiantFactureCPP"), "identifiantFactureCPP")
    if isinstance(found, codes.Refusal):
        return refused(found)
    invoice = found
    structure = STRUCTURES_BY_SIRET.get(invoice.recipient_siret)
    account = next((item for item in DEMO_SUPPLIER.bank_accounts if item.id == invoice.bank_account_id), None)
    attachments = [sim.ledger.files[file_id] for file_id in invoice.complementary_attachments
                   if file_id in sim.ledger.files]
    facture = {
        "identifiantFactureCPP": invoice.id,
        "numeroFacture": invoice.number,
        "statutFacture": invoice.status,
        "modeDepot": invoice.deposit_mode,
        "rejetTraite": invoice.rejection_handled,
        "commentaire": invoice.supplier_comment,
        "destinataire": {
            "idDestinataire": invoice.recipient_id,
            "codeDestinataire": invoice.recipient_siret,
            "libelleDestinataire": invoice.recipient_name,
            "designationDestinataire": invoice.recipient_name,
            "idServiceExecutant": invoice.service_id,
            "codeServiceExecutant": invoice.service_code,
            "libelleServiceExecutant": invoice.service_name,
            "miseEnPaiementDestinataire": not (structure and structure.payment_status_not_reported),
            "adresseDestinataireCodePostal": structure.postal_code if structure else "",
            "adresseDestinataireVille": structure.city if structure else "",
            "adresseDestinataireCodePays": "FR",
        },
        "fournisseur": {
            "idFournisseur": invoice.supplier_id,
            "typeIdentifiantFournisseur": "SIRET",
            "codeFournisseur": DEMO_SUPPLIER.siret,
            "raisonSocialeFournisseur": DEMO_SUPPLIER.designation,
            "designationFournisseur": DEMO_SUPPLIER.designation,
            "coordBancairesFournisseurId": account.id if account else None,
            "coordBancairesFournisseurLibelle": account.name if account else "",
            "coordBancairesFournisseurType": "IBAN" if account else None,
            "coordBancairesBicSwift": account.bic if account else "",
        },
        "cadreDeFacturation": {"codeCadreFacturation": invoice.billing_frame},
        "references": {
            "dateFacture": format_date(invoice.invoice_date),
            "dateDepot": format_date(to_paris(invoice.deposited_at).date()),
            "codeDeviseFacture": invoice.currency,
            "typeFacture": invoice.invoice_type,
            "typeTva": invoice.vat_type or None,
            "motifExonerationTva": invoice.vat_exemption_reason,
            "numeroMarche": invoice.contract,
            "numeroBonCommande": invoice.engagement,
            "numeroFactureOrigine": invoice.origin_number,
            "modePaiement": invoice.payment_mode or None,
        },
        "montantTotal": {
            "montantHtTotal": invoice.total_ht,
            "montantTVA": invoice.total_vat,
            "montantTtcAvantRemiseGlobalTTC": invoice.total_ttc,
            "montantTtcTotal": invoice.total_ttc,
            "montantAPayer": invoice.amount_due,
        },
        "pieceJointePrincipale": {"idPieceJointePrincipale": invoice.attachment_id,
                                  "idLiaisonPieceJointePrincipale": invoice.attachment_id},
        "listeDesPiecesJointes": {
            "pieceJointe": [{"pieceJointeId": item.id, "pieceJointeDesignation": item.name,
                             "pieceJointeExtension": item.extension, "pieceJointeIdLiaison": item.id}
                            for item in attachments],
            "totalListePiecesJointe": len(attachments),
        },
    }
    # Swagger enums reject null, and real responses leave unknown values out.
    for section in ("fournisseur", "references"):
        facture[section] = {key: value for key, value in facture[section].items() if value is not None}
    if invoice.attachment_id is None:
        del facture["pieceJointePrincipale"]
    return ok({"facture": facture})


def invoice_history(sim: Simulator, body: dict[str, Any]) -> Reply:
    found = _find_invoice(sim, get_int(body, "idFacture"), "idFacture")
    if isinstance(found, codes.Refusal):
        return refused(found)
    invoice = found
    params = "paramRechercheHistoStatuts"
    entries = list(invoice.history)
    if get_str(body, f"{params}.triSensListeHistoStatut") == "Descendant":
        entries.reverse()
    page, paging = paginate(entries, get_int(body, f"{params}.pageResultatDemandeeListeHistoStatut"),
                            get_int(body, f"{params}.nbResultatsParPageListeHistoStatut"))
    actions = invoice.actions
    last_action = actions[-1] if actions else None
    reply = {
        "idFacture": invoice.id,
        "numeroFacture": invoice.number,
        "modeDepot": invoice.deposit_mode,
        "statutCourantCode": invoice.status,
        "historiquesDesStatuts": {
            "histoStatut": [{"histoStatutId": entry.id, "histoStatutCode": entry.code,
                             "histoStatutDatePassage": format_datetime(entry.at),
                             "histoStatutCommentaire": entry.comment} for entry in page],
            "pageCouranteHistoStatut": paging["pageCourante"],
            "pagesHistoStatut": paging["pages"],
            "nbResultatsParPageHistoStatut": paging["nbResultatsParPage"],
            "totalHistoStatut": paging["total"],
        },
        "historiquesDesEvenementsComplementaires": {"evenement": [], "pageCouranteEvenement": 1,
                                                    "pagesEvenement": 0, "nbResultatsParPageEvenement": 10,
                                                    "totalEvenement": 0},
        "historiquesDesActionsUtilisateurs": {
            "histoAction": [{"histoActionId": action.id, "histoActionCode": action.code,
                             "histoActionDateHeure": format_datetime(action.at)} for action in actions],
            "pageCouranteHistoAction": 1,
            "pagesHistoAction": 1 if actions else 0,
            "nbResultatsParPageHistoAction": max(len(actions), 10),
            "totalHistoAction": len(actions),
        },
    }
    if last_action is not None:
        reply["derniereAction"] = {"derniereActionId": last_action.id, "derniereActionCode": last_action.code}
    return ok(reply)


# -- factures/v1/recycler, completer, traiterRejet ------------------------------------------------------


def _invoice_in_status(sim: Simulator, body: dict[str, Any], status: str, action: str) -> InvoiceRecord | codes.Refusal:
    """Find the invoice named by `identifiantFactureCPP` and check that `action` is allowed in its status."""
    found = _find_invoice(sim, get_int(body, "identifiantFactureCPP"), "identifiantFactureCPP")
    if isinstance(found, InvoiceRecord) and found.status != status:
        return codes.action_not_allowed(action, found.status)
    return found


def recycle_invoice(sim: Simulator, body: dict[str, Any]) -> Reply:
    invoice = _invoice_in_status(sim, body, "A_RECYCLER", "recycler")
    if isinstance(invoice, codes.Refusal):
        return refused(invoice)
    siret = get_str(body, "destinataire.codeDestinataire") or invoice.recipient_siret
    service_code = get_str(body, "destinataire.codeServiceExecutant")
    engagement = get_str(body, "reference.numeroBonCommande")
    routing = check_routing(siret, service_code, engagement)
    if isinstance(routing, codes.Refusal):
        return refused(routing)
    structure, service = routing

    invoice.recipient_id = structure.id_structure_cpp
    invoice.recipient_siret = structure.siret
    invoice.recipient_name = structure.designation
    invoice.service_code = service_code
    invoice.service_id = service.id if service else None
    invoice.service_name = service.label if service else ""
    invoice.engagement = engagement
    now = sim.clock.now()
    comment = get_str(body, "commentaire") or "Facture recyclée par le fournisseur."
    sim.ledger.record_status(invoice, "EN_COURS_ACHEMINEMENT", now, comment)
    sim.ledger.schedule(invoice, [[code, ""] for code in RESUMED_PATH], now, structure.payment_status_not_reported)
    return ok({"identifiantFactureCPP": invoice.id, "numeroFacture": invoice.number, "statutFacture": invoice.status,
               "dateDepot": format_date(to_paris(invoice.deposited_at).date())}, changed=True)


def complete_invoice(sim: Simulator, body: dict[str, Any]) -> Reply:
    invoice = _invoice_in_status(sim, body, "SUSPENDUE", "completer")
    if isinstance(invoice, codes.Refusal):
        return refused(invoice)
    added = []
    for item in body.get("pieceJointeComplementaire") or []:
        file_id = get_int(item, "pieceJointeComplementaireId") if isinstance(item, dict) else None
        if file_id is None or file_id not in sim.ledger.files:
            return refused(codes.attachment_unknown(file_id))
        added.append(file_id)
    invoice.complementary_attachments.extend(added)
    now = sim.clock.now()
    comment = get_str(body, "commentaire") or "Facture complétée par le fournisseur."
    sim.ledger.record_status(invoice, "COMPLETEE", now, comment)
    structure = STRUCTURES_BY_SIRET.get(invoice.recipient_siret)
    not_reported = structure.payment_status_not_reported if structure else False
    sim.ledger.schedule(invoice, [[code, ""] for code in RESUMED_PATH], now, not_reported)
    return ok({"identifiantFactureCPP": invoice.id, "numeroFacture": invoice.number,
               "dateTraitement": format_datetime(now)}, changed=True)


def handle_rejection(sim: Simulator, body: dict[str, Any]) -> Reply:
    requested = body.get("listeDemandePaiement")
    if not isinstance(requested, list) or not requested:
        return refused(codes.field_missing("listeDemandePaiement"))
    invoices = []
    for item in requested:
        found = _find_invoice(sim, get_int(item, "idDemandePaiement") if isinstance(item, dict) else None,
                              "listeDemandePaiement.idDemandePaiement")
        if isinstance(found, codes.Refusal):
            return refused(found)
        if found.status != "REJETEE":
            return refused(codes.action_not_allowed("traiterRejet", found.status))
        invoices.append(found)
    for invoice in invoices:
        invoice.rejection_handled = True
        sim.record_action(invoice, "TRAITEMENT_REJET")
    return ok({}, changed=True)


ROUTES = {path: guard(handler) for path, handler in {
    "/cpro/factures/v1/soumettre": submit_invoice,
    "/cpro/factures/v1/deposer/flux": deposit_flow,
    "/cpro/factures/v1/rechercher/fournisseur": search_invoices,
    "/cpro/factures/v1/consulter/fournisseur": consult_invoice,
    "/cpro/factures/v1/consulter/historique": invoice_history,
    "/cpro/factures/v1/recycler": recycle_invoice,
    "/cpro/factures/v1/completer": complete_invoice,
    "/cpro/factures/v1/traiterRejet": handle_rejection,
    "/cpro/transverses/v1/ajouter/fichier": upload_attachment,
    "/cpro/transverses/v1/consulterCRDetaille": flow_report,
}.items()}
