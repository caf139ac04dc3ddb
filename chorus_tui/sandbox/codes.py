"""Return codes (`codeRetour`) and labels (`libelle`) that the simulator sends.

Chorus Pro returns `codeRetour` (0 = success) and `libelle` in every response. The official catalogue
of error codes (the "Annexe messages d'erreur" of the external specifications) was not available,
so apart from the codes below marked "known", each code and wording is the simulator's own choice.
Labels are French because Chorus Pro writes them in French.

Business refusals are sent with HTTP 400, as go-choruspro and PISTE report (a JSON body with
`codeRetour` and `libelle`).
"""

from __future__ import annotations

from dataclasses import dataclass

SUCCESS = 0
SUCCESS_LABEL = "TRA_MSG_00.000"  # known: generic success label of the Swagger examples
DEPOSIT_SUCCESS_LABEL = "GCU_MSG_01_000"  # known: success label of soumettre, deposer/flux, ajouter/fichier


@dataclass(frozen=True)
class Refusal:
    """A business refusal: the `codeRetour` and the French `libelle` Chorus Pro would send."""

    code: int
    label: str
    http_status: int = 400

    def body(self) -> dict[str, object]:
        return {"codeRetour": self.code, "libelle": self.label}


# Known: flow file larger than 10 MB on deposer/flux (GDP_MSG_11.022 in the API annex V5.00).
FLOW_TOO_LARGE = 20001
# Flow file unreadable: bad base64, unknown syntax, or no invoice XML inside.
FLOW_INVALID = 20002
# Known: attachment larger than 10 MB on ajouter/fichier.
ATTACHMENT_TOO_LARGE = 20003
RECIPIENT_UNKNOWN = 20101
RECIPIENT_INACTIVE = 20102
RECIPIENT_PRIVATE = 20103
SERVICE_REQUIRED = 20104
SERVICE_UNKNOWN = 20105
SERVICE_INACTIVE = 20106
SERVICE_RESERVED = 20107  # FACTURES_PUBLIQUES
ENGAGEMENT_REQUIRED = 20108
ENGAGEMENT_UNKNOWN = 20109
SERVICE_OR_ENGAGEMENT_REQUIRED = 20110
DUPLICATE_NUMBER = 20111
DATE_IN_FUTURE = 20112
AMOUNTS_INCONSISTENT = 20113
FIELD_MISSING = 20114
ATTACHMENT_UNKNOWN = 20115
SUPPLIER_NOT_ATTACHED = 20116
BANK_ACCOUNT_INVALID = 20117
VALUE_INVALID = 20118
INVOICE_NOT_FOUND = 20120
ACTION_NOT_ALLOWED = 20121
STRUCTURE_NOT_FOUND = 20122
SERVICE_NOT_FOUND = 20123
FLOW_NOT_FOUND = 20124
ATTACHMENT_NAME_INVALID = 20125
BODY_INVALID = 20126


def flow_too_large(size: int) -> Refusal:
    return Refusal(FLOW_TOO_LARGE, f"GDP_MSG_11.022 : le fichier du flux dépasse 10 Mo ({size} octets).")


def attachment_too_large(size: int) -> Refusal:
    return Refusal(ATTACHMENT_TOO_LARGE, f"La pièce jointe dépasse la taille maximale de 10 Mo ({size} octets).")


def recipient_unknown(siret: str) -> Refusal:
    return Refusal(RECIPIENT_UNKNOWN, f"Le destinataire {siret} n'existe pas dans l'annuaire Chorus Pro.")


def recipient_inactive(siret: str) -> Refusal:
    return Refusal(RECIPIENT_INACTIVE, f"La structure destinataire {siret} est inactive.")


def recipient_private(siret: str) -> Refusal:
    return Refusal(RECIPIENT_PRIVATE, f"La structure {siret} est une structure privée : elle ne peut pas recevoir "
                                      "cette facture.")


def service_required(siret: str) -> Refusal:
    return Refusal(SERVICE_REQUIRED, f"Le code service est obligatoire pour le destinataire {siret}.")


def service_unknown(code: str, siret: str) -> Refusal:
    return Refusal(SERVICE_UNKNOWN, f"Le service {code} n'existe pas pour le destinataire {siret}.")


def service_inactive(code: str, siret: str) -> Refusal:
    return Refusal(SERVICE_INACTIVE, f"Le service {code} du destinataire {siret} est inactif.")


def service_reserved(code: str) -> Refusal:
    return Refusal(SERVICE_RESERVED, f"Le service {code} est réservé aux factures entre entités publiques.")


def engagement_required(siret: str) -> Refusal:
    return Refusal(ENGAGEMENT_REQUIRED, f"Le numéro d'engagement est obligatoire pour le destinataire {siret}.")


def engagement_unknown(number: str, siret: str) -> Refusal:
    return Refusal(ENGAGEMENT_UNKNOWN, f"Le numéro d'engagement {number} est inconnu pour le destinataire {siret}.")


def service_or_engagement_required(siret: str) -> Refusal:
    return Refusal(SERVICE_OR_ENGAGEMENT_REQUIRED,
                   f"Le code service ou le numéro d'engagement est obligatoire pour le destinataire {siret}.")


def duplicate_number(number: str) -> Refusal:
    return Refusal(DUPLICATE_NUMBER, f"Une demande de paiement portant le numéro {number} a déjà été déposée "
                                     "cette année par ce fournisseur pour cette structure.")


def date_in_future(value: str) -> Refusal:
    return Refusal(DATE_IN_FUTURE, f"La date de facture {value} est postérieure à la date de dépôt.")


def amounts_inconsistent(ht: object, vat: object, ttc: object) -> Refusal:
    return Refusal(AMOUNTS_INCONSISTENT,
                   f"Montants incohérents : HT {ht} + TVA {vat} est différent du TTC {ttc}.")


def vat_lines_inconsistent(field: str, line_total: object, invoice_total: object) -> Refusal:
    return Refusal(AMOUNTS_INCONSISTENT,
                   f"Récapitulatif de TVA incohérent : la somme des {field} ({line_total}) diffère du total de la "
                   f"facture ({invoice_total}).")


def field_missing(name: str) -> Refusal:
    return Refusal(FIELD_MISSING, f"Le champ {name} est obligatoire.")


def value_invalid(name: str, value: object) -> Refusal:
    return Refusal(VALUE_INVALID, f"La valeur {value!r} du champ {name} est invalide.")


def attachment_unknown(attachment_id: object) -> Refusal:
    return Refusal(ATTACHMENT_UNKNOWN, f"La pièce jointe {attachment_id} est introuvable.")


def supplier_not_attached(structure_id: object) -> Refusal:
    return Refusal(SUPPLIER_NOT_ATTACHED,
                   f"Le compte n'est pas rattaché à la structure {structure_id} dans l'espace factures émises.")


def bank_account_invalid(account_id: object) -> Refusal:
    return Refusal(BANK_ACCOUNT_INVALID, f"Les coordonnées bancaires {account_id} ne sont pas valides.")


def invoice_not_found(invoice_id: object) -> Refusal:
    return Refusal(INVOICE_NOT_FOUND, f"La facture {invoice_id} est introuvable.")


def action_not_allowed(action: str, status: str) -> Refusal:
    return Refusal(ACTION_NOT_ALLOWED, f"L'action {action} est impossible sur une facture au statut {status}.")


def structure_not_found(structure_id: object) -> Refusal:
    return Refusal(STRUCTURE_NOT_FOUND, f"La structure {structure_id} est introuvable.")


def service_not_found(service_id: object) -> Refusal:
    return Refusal(SERVICE_NOT_FOUND, f"Le service {service_id} est introuvable.")


def flow_not_found(flow_number: object) -> Refusal:
    return Refusal(FLOW_NOT_FOUND, f"Le flux {flow_number} est introuvable.")


def flow_invalid(reason: str) -> Refusal:
    return Refusal(FLOW_INVALID, f"Le flux est illisible : {reason}")


def attachment_name_invalid(name: str) -> Refusal:
    return Refusal(ATTACHMENT_NAME_INVALID,
                   f"Le nom de fichier {name!r} est invalide : 50 caractères au plus, avec une extension autorisée.")


def body_invalid(reason: str) -> Refusal:
    return Refusal(BODY_INVALID, f"La requête est mal formée : {reason}")
