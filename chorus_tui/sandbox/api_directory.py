"""Directory and reference-list endpoints: Structures, Transverses lists, Utilisateurs, Engagements."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from chorus_tui.sandbox import codes
from chorus_tui.sandbox.directory import DEMO_SUPPLIER, STRUCTURES, Service, Structure
from chorus_tui.sandbox.simulator import Reply, guard, ok, refused
from chorus_tui.sandbox.wire import format_datetime, get_int, get_path, get_str, paginate

if TYPE_CHECKING:
    from chorus_tui.sandbox.simulator import Simulator

# The supplier's own structure, so that `structures/v1/rechercher` and `consulter` find it too.
SUPPLIER_STRUCTURE = Structure(
    DEMO_SUPPLIER.id_structure_cpp, DEMO_SUPPLIER.siret, DEMO_SUPPLIER.designation, DEMO_SUPPLIER.postal_code,
    DEMO_SUPPLIER.city, DEMO_SUPPLIER.address, structure_type="PRIVEE", email=DEMO_SUPPLIER.email,
)
ALL_STRUCTURES: tuple[Structure, ...] = (SUPPLIER_STRUCTURE, *STRUCTURES)
_BY_ID = {structure.id_structure_cpp: structure for structure in ALL_STRUCTURES}

# Services exist in the simulated directory since this date (dateCreation, dateDebutValidite).
SERVICES_CREATED_AT = datetime(2019, 1, 2, 8, 0, tzinfo=timezone.utc)

# NOTE: the rate codes are the simulator's own; no source gives the real `codeTauxTva` values.
VAT_RATES = (
    ("TVA20", "TVA 20 %", 20.0),
    ("TVA10", "TVA 10 %", 10.0),
    ("TVA55", "TVA 5,5 %", 5.5),
    ("TVA21", "TVA 2,1 %", 2.1),
    ("TVA85", "TVA 8,5 % (DOM)", 8.5),
    ("TVA0", "TVA 0 %", 0.0),
)
# NOTE: codes invented for the simulator; the real list comes from recuperer/motifs/exonerationtva.
VAT_EXEMPTIONS = (
    ("EXO_261_4_4", "Exonération de TVA, article 261-4-4° du CGI (enseignement)"),
    ("EXO_261_4_1", "Exonération de TVA, article 261-4-1° du CGI (soins médicaux)"),
    ("EXO_293_B", "TVA non applicable, article 293 B du CGI (franchise en base)"),
    ("EXO_283_2", "Autoliquidation, article 283-2 du CGI"),
)
PAYMENT_MODES = ("CHEQUE", "PRELEVEMENT", "VIREMENT", "ESPECE", "AUTRE", "REPORT")
CURRENCIES = (
    ("EUR", "Euro"),
    ("USD", "Dollar des États-Unis"),
    ("GBP", "Livre sterling"),
    ("CHF", "Franc suisse"),
    ("XPF", "Franc CFP"),
)


def vat_number(siret: str) -> str:
    """Return the French intra-community VAT number of the SIREN inside `siret`."""
    siren = int(siret[:9])
    key = (12 + 3 * (siren % 97)) % 97
    return f"FR{key:02d}{siret[:9]}"


def _status_label(active: bool) -> str:
    return "ACTIVE" if active else "INACTIVE"


def _sorted(items: list[Any], column: str, direction: str, keys: dict[str, Any]) -> list[Any]:
    key = keys.get(column)
    if key is None:
        return items
    return sorted(items, key=key, reverse=direction == "Descendant")


# -- structures/v1 -----------------------------------------------------------------------------------


def search_structures(sim: Simulator, body: dict[str, Any]) -> Reply:
    criteria = body.get("structure") if isinstance(body.get("structure"), dict) else {}
    identifier = get_str(criteria, "identifiantStructure")
    id_type = get_str(criteria, "typeIdentifiantStructure")
    name = (get_str(criteria, "raisonSocialeStructure") or get_str(criteria, "libelleStructure")
            or get_str(criteria, "nomStructure")).casefold()
    status = get_str(criteria, "statutStructure")
    structure_type = get_str(criteria, "typeStructure")
    postal_code = get_str(criteria, "adresseCodePostal")
    city = get_str(criteria, "adresseVille").casefold()
    exclude_private = get_path(body, "restreindreStructuresPrivees") is True

    hits = []
    for structure in ALL_STRUCTURES:
        if identifier and structure.siret != identifier:
            continue
        if id_type and id_type != "SIRET":
            continue
        if name and name not in structure.designation.casefold():
            continue
        if status and (status == "ACTIF") != structure.active:
            continue
        if structure_type and structure.structure_type != structure_type:
            continue
        if exclude_private and structure.structure_type == "PRIVEE":
            continue
        if postal_code and structure.postal_code != postal_code:
            continue
        if city and city not in structure.city.casefold():
            continue
        hits.append(structure)

    hits = _sorted(hits, get_str(body, "parametres.triColonne"), get_str(body, "parametres.triSens"), {
        "IdentifiantStructure": lambda s: s.siret,
        "DesignationStructure": lambda s: s.designation,
        "TypeIdentifiantStructure": lambda s: "SIRET",
        "Statut": lambda s: _status_label(s.active),
    })
    page, paging = paginate(hits, get_int(body, "parametres.pageResultatDemandee"),
                            get_int(body, "parametres.nbResultatsParPage"))
    return ok({
        "listeStructures": [
            {"idStructureCPP": s.id_structure_cpp, "identifiantStructure": s.siret,
             "designationStructure": s.designation, "typeIdentifiantStructure": "SIRET",
             "statut": _status_label(s.active)}
            for s in page
        ],
        "parametresRetour": paging,
    })


def _address(structure: Structure) -> dict[str, Any]:
    return {"adresse": structure.address, "complementAdresse1": "", "complementAdresse2": "",
            "codePostal": structure.postal_code, "ville": structure.city, "pays": "FR",
            "telephone": "", "indicatifTelephone": "", "fax": "", "indicatifFax": ""}


def _find_structure(structure_id: int | None, field_name: str) -> Structure | codes.Refusal:
    if structure_id is None:
        return codes.field_missing(field_name)
    structure = _BY_ID.get(structure_id)
    if structure is None:
        return codes.structure_not_found(structure_id)
    return structure


def consult_structure(sim: Simulator, body: dict[str, Any]) -> Reply:
    # NOTE: the Swagger names the key idStructureCPP, but go-choruspro sends idStructure. Both are read.
    structure_id = get_int(body, "idStructureCPP")
    if structure_id is None:
        structure_id = get_int(body, "idStructure")
    structure = _find_structure(structure_id, "idStructureCPP")
    if isinstance(structure, codes.Refusal):
        return refused(structure)

    general: dict[str, Any] = {
        "idStructureCPP": structure.id_structure_cpp,
        "identifiantStructure": structure.siret,
        "typeIdentifiantStructure": "SIRET",
        "raisonSocialeStructure": structure.designation,
        "libelleStructure": structure.designation,
        "emailStructure": structure.email,
        "numeroTVA": vat_number(structure.siret),
        "structurePriveePublique": structure.structure_type,
        "listeStructureDupliquees": [],
        "estValideurDeleguee": False,
    }
    if structure is SUPPLIER_STRUCTURE:
        general["dateExpirationMotPasseCompteTech"] = format_datetime(DEMO_SUPPLIER.technical_password_expiry)
    return ok({
        "parametres": {
            "codeServiceDoitEtreRenseigne": structure.service_required,
            "numeroEJDoitEtreRenseigne": structure.engagement_required,
            "gestionNumeroEJOuCodeService": structure.service_or_engagement,
            "statutMiseEnPaiementNestPasRemonte": structure.payment_status_not_reported,
            "connexionEDI": False,
            "recevoirDonneesViaEDI": False,
            "estMoaUniquement": False,
            "getaMoa": False,
            "estValideurDelegue": False,
            "nonDiffusibleInsee": False,
        },
        "informationGenerales": general,
        "adressePostaleDuSiege": _address(structure),
    })


def _service_row(service: Service) -> dict[str, Any]:
    return {"idService": service.id, "codeService": service.code, "libelleService": service.label,
            "estActif": service.active, "statutService": "ACTIF" if service.active else "INACTIF",
            "dateDbtService": "2019-01-02 09:00", "dateFinService": None if service.active else "2024-12-31 23:59"}


def search_services(sim: Simulator, body: dict[str, Any]) -> Reply:
    structure = _find_structure(get_int(body, "idStructure"), "idStructure")
    if isinstance(structure, codes.Refusal):
        return refused(structure)
    params = "parametresRechercherServicesStructure"
    services = _sorted(list(structure.services), get_str(body, f"{params}.triColonne"),
                       get_str(body, f"{params}.triSens"), {
                           "CodeService": lambda s: s.code,
                           "LibelleService": lambda s: s.label,
                           "EstActif": lambda s: s.active,
                       })
    page, paging = paginate(services, get_int(body, f"{params}.pageResultatDemandee"),
                            get_int(body, f"{params}.nbResultatsParPage"))
    return ok({"listeServices": [_service_row(service) for service in page], "parametresRetour": paging})


def consult_service(sim: Simulator, body: dict[str, Any]) -> Reply:
    structure = _find_structure(get_int(body, "idStructure"), "idStructure")
    if isinstance(structure, codes.Refusal):
        return refused(structure)
    service_id = get_int(body, "idService")
    if service_id is None:
        return refused(codes.field_missing("idService"))
    service = next((item for item in structure.services if item.id == service_id), None)
    if service is None:
        return refused(codes.service_not_found(service_id))
    created = format_datetime(SERVICES_CREATED_AT)
    return ok({
        "informationsGenerales": {"codeService": service.code, "nomService": service.label,
                                  "descriptionService": service.label},
        "parametres": {
            "numeroEngagement": service.engagement_required,
            "miseEnPaiement": not structure.payment_status_not_reported,
            "dateCreation": created,
            "dateDebutValidite": created,
            "dateFinValidite": None if service.active else format_datetime(datetime(2024, 12, 31, 22, 59,
                                                                                    tzinfo=timezone.utc)),
            "dateModification": created,
        },
        "adressePostale": _address(structure),
    })


# -- transverses/v1 (reference lists and supplier data) -----------------------------------------------


def supplier_structures(sim: Simulator, body: dict[str, Any]) -> Reply:
    return ok({"listeStructures": [{"idStructureCPP": DEMO_SUPPLIER.id_structure_cpp,
                                    "identifiant": DEMO_SUPPLIER.siret,
                                    "designationStructure": DEMO_SUPPLIER.designation}]})


def bank_accounts(sim: Simulator, body: dict[str, Any]) -> Reply:
    structure_id = get_int(body, "idStructure")
    if structure_id is None:
        return refused(codes.field_missing("idStructure"))
    if structure_id != DEMO_SUPPLIER.id_structure_cpp:
        return refused(codes.supplier_not_attached(structure_id))
    accounts = [{"idCoordonneeBancaire": account.id, "nomCoordonneeBancaire": account.name}
                for account in DEMO_SUPPLIER.bank_accounts]
    _, paging = paginate(accounts, 1, max(len(accounts), 1))
    return ok({"listeCoordonneeBancaire": accounts, **paging})


def vat_rates(sim: Simulator, body: dict[str, Any]) -> Reply:
    return ok({"listeTauxTva": [{"codeTauxTva": code, "libelleTauxTva": label, "valeurTauxTva": value}
                                for code, label, value in VAT_RATES]})


def vat_exemptions(sim: Simulator, body: dict[str, Any]) -> Reply:
    # NOTE: list key and field names follow go-choruspro; no official Transverses Swagger was found.
    return ok({"listeMotifsExonerationTva": [{"codeMotifExonerationTva": code, "libelleMotifExonerationTva": label}
                                             for code, label in VAT_EXEMPTIONS]})


def payment_modes(sim: Simulator, body: dict[str, Any]) -> Reply:
    return ok({"listeModePaiement": [{"modePaiement": mode} for mode in PAYMENT_MODES]})


def currencies(sim: Simulator, body: dict[str, Any]) -> Reply:
    return ok({"listeDevises": [{"codeDevise": code, "libelleDevise": label} for code, label in CURRENCIES]})


def health_check(sim: Simulator, body: dict[str, Any]) -> Reply:
    return Reply(200, {"body": "OK", "statusCode": "OK", "statusCodeValue": 200})


# -- utilisateurs/v1 and engagementsJuridiques/v1 --------------------------------------------------------


def user_attachments(sim: Simulator, body: dict[str, Any]) -> Reply:
    rows = [{
        "idStructure": DEMO_SUPPLIER.id_structure_cpp,
        "identifiantStructure": DEMO_SUPPLIER.siret,
        "designationStructure": DEMO_SUPPLIER.designation,
        "typeIdentifiantStructure": "SIRET",
        "roleUtilisateur": "GESTIONNAIRE",
        "statutRattachementStructure": "ACTIF",
        "statutUtilisateur": "ACTIF",
        "idRattachementStructure": 700001,
        "listeServicesRattache": [],
    }]
    page, paging = paginate(rows, get_int(body, "parametresRecherche.pageResultatDemandee"),
                            get_int(body, "parametresRecherche.nbResultatsParPage"))
    return ok({"listeStructureRattachement": page, "parametresRetour": paging})


def search_engagements(sim: Simulator, body: dict[str, Any]) -> Reply:
    # NOTE: only the request keys are sourced, so the response's field names mirror them.
    supplier = get_str(body, "structureReceptriceEngagementJuridique")
    number = get_str(body, "numeroEngagementJuridique")
    state = get_str(body, "etatCourantEngagementJuridique")
    hits = []
    for structure in STRUCTURES:
        for engagement in structure.engagements:
            if number and engagement.number != number:
                continue
            if supplier and supplier != str(engagement.supplier_id):
                continue
            if state and engagement.status != state:
                continue
            hits.append({
                "numeroEngagementJuridique": engagement.number,
                "libelleEngagementJuridique": engagement.label,
                "etatCourantEngagementJuridique": engagement.status,
                "structureReceptriceEngagementJuridique": str(engagement.supplier_id),
                "identifiantStructureEmettrice": structure.siret,
                "designationStructureEmettrice": structure.designation,
                "montantEngagementJuridique": engagement.amount,
            })
    page, paging = paginate(hits, get_int(body, "parametres.pageResultatDemandee"),
                            get_int(body, "parametres.nbResultatsParPage"))
    return ok({"listeEngagementJuridique": page, "parametresRetour": paging})


ROUTES = {path: guard(handler) for path, handler in {
    "/cpro/structures/v1/rechercher": search_structures,
    "/cpro/structures/v1/consulter": consult_structure,
    "/cpro/structures/v1/rechercher/services": search_services,
    "/cpro/structures/v1/consulter/service": consult_service,
    "/cpro/transverses/v1/recuperer/structures/actives/fournisseur": supplier_structures,
    "/cpro/transverses/v1/recuperer/coordbanc/valides": bank_accounts,
    "/cpro/transverses/v1/recuperer/tauxtva": vat_rates,
    "/cpro/transverses/v1/recuperer/motifs/exonerationtva": vat_exemptions,
    "/cpro/transverses/v1/recuperer/modereglements": payment_modes,
    "/cpro/transverses/v1/recuperer/devises": currencies,
    "/cpro/transverses/v1/health-check": health_check,
    "/cpro/utilisateurs/v1/monCompte/recuperer/rattachements": user_attachments,
    "/cpro/engagementsJuridiques/v1/rechercher": search_engagements,
}.items()}
