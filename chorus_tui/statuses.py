"""Invoice statuses: every Chorus Pro code, the flow states and the local ones.

Each status has a label (message key `statuses.code.<CODE>`), a Textual theme
colour variable and one category. The category drives the list tabs and the
"action required" view, and `is_polled` decides which invoices the sync
engine still follows.

Chorus Pro sets the 56 invoice codes of its `statutFacture` enum; the flow
report (`consulterCRDetaille`) sets the `IN_*` states while a Factur-X flow is
being integrated; the tool itself sets the local codes before Chorus Pro has
the invoice.
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from chorus_tui.i18n import catalogue, current_language, t


class Category(enum.StrEnum):
    """Group of statuses as the supplier sees them, one per list tab."""

    TO_DEPOSIT = "to_deposit"
    IN_PROGRESS = "in_progress"
    ACTION_REQUIRED = "action_required"
    PAID = "paid"
    REJECTED = "rejected"
    FINISHED = "finished"


class StatusOrigin(enum.StrEnum):
    """Origin of a status: Chorus Pro for the invoice, Chorus Pro for the flow, or this tool."""

    CHORUS = "chorus"
    FLOW = "flow"
    LOCAL = "local"


# Local statuses, set by this tool before Chorus Pro has the invoice.
TO_DEPOSIT = "A_DEPOSER"
SENDING = "ENVOI_EN_COURS"
DEPOSIT_REFUSED = "DEPOT_REFUSE"

# Chorus Pro codes the sync engine reasons about.
DEPOSITED = "DEPOSEE"
TO_RECYCLE = "A_RECYCLER"
SUSPENDED = "SUSPENDUE"
COMPLETED = "COMPLETEE"
REJECTED = "REJETEE"
PAYMENT_ISSUED = "MISE_EN_PAIEMENT"
DRAFT = "BROUILLON"

# Flow states of `consulterCRDetaille`.
FLOW_RECEIVED = "IN_RECU"
FLOW_INTEGRATED = "IN_INTEGRE"
FLOW_PARTLY_INTEGRATED = "IN_INTEGRE_PARTIEL"
FLOW_REJECTED = "IN_REJETE"
FLOW_INCIDENT = "IN_INCIDENTE"
FLOW_PENDING_STATES = frozenset({
    "IN_RECU",
    "IN_TRAITE_SE_CPP",
    "IN_EN_ATTENTE_TRAITEMENT_CPP",
    "IN_EN_COURS_TRAITEMENT_CPP",
    "IN_EN_ATTENTE_RETRAITEMENT_CPP",
})
FLOW_FAILED_STATES = frozenset({FLOW_REJECTED, FLOW_INCIDENT})
FLOW_DONE_STATES = frozenset({FLOW_INTEGRATED, FLOW_PARTLY_INTEGRATED})

# Accounting statuses after which a recipient that never reports MISE_EN_PAIEMENT
# (structure parameter `statutMiseEnPaiementNestPasRemonte`) sets no further status.
ACCOUNTING_STATUSES = frozenset({"MANDATEE", "MISE_A_DISPOSITION_COMPTABLE", "COMPTABILISEE"})
PAYMENT_NOT_REPORTED_FINAL_AFTER = timedelta(days=60)

# Statuses from which the invoice may be deposited (again): never sent, refused
# by Chorus Pro before it existed there, or dropped by its flow.
DEPOSITABLE_STATUSES = frozenset({TO_DEPOSIT, DEPOSIT_REFUSED, FLOW_REJECTED, FLOW_INCIDENT})

CATEGORY_COLOURS: dict[Category, str] = {
    Category.TO_DEPOSIT: "$secondary",
    Category.IN_PROGRESS: "$accent",
    Category.ACTION_REQUIRED: "$warning",
    Category.PAID: "$success",
    Category.REJECTED: "$error",
    Category.FINISHED: "$text-muted",
}


@dataclass(frozen=True)
class StatusInfo:
    """The fixed description of one status code."""

    code: str
    category: Category
    origin: StatusOrigin
    colour: str

    @property
    def label_key(self) -> str:
        return f"statuses.code.{self.code}"

    @property
    def label(self) -> str:
        return status_label(self.code)


_A = Category.ACTION_REQUIRED
_F = Category.FINISHED
_I = Category.IN_PROGRESS

# The 56 codes of the Factures swagger enum `statutFacture`, plus
# ABSENCE_VALIDATION_MOE_DELAI_REGLEMENTAIRE, which another client's enum lists.
_CHORUS_CATEGORIES: dict[str, Category] = {
    "BROUILLON": _A,  # a portal draft was never sent: someone must submit it
    "A_VALIDER_1": _I,
    "ERREUR_FOURNISSEUR_SUR_VALIDEUR": _A,  # the supplier named the wrong validator
    "REFUSEE_1": _A,
    "VALIDEE_1": _I,
    "ABSENCE_VALIDATION_1_HORS_DELAI": _I,
    "A_VALIDER_2": _I,
    "ERREUR_COTRAITANT_SUR_VALIDEUR": _A,
    "REFUSEE_2": _A,
    "VALIDEE_2": _I,
    "ABSENCE_VALIDATION_2_HORS_DELAI": _I,
    "DEPOSEE": _I,
    "ERREUR_FOURNISSEUR_SUR_MOE": _A,
    "EN_COURS_ACHEMINEMENT": _I,
    "MISE_A_DISPOSITION": _I,
    "A_RECYCLER": _A,
    "SUSPENDUE": _A,
    "REJETEE": Category.REJECTED,
    "MANDATEE": _I,
    "MISE_EN_PAIEMENT": Category.PAID,
    "COMPTABILISEE": _I,
    "MISE_A_DISPOSITION_COMPTABLE": _I,
    "ABANDONNEE": _F,
    "SUPPRIMEE": _F,
    "ASSOCIEE": _I,
    "EN_COURS_TRAITEMENT_PIVOT_S": _I,
    "A_VALIDER_MOE": _I,
    "REFUSEE_MOE": _A,
    "EN_ATTENTE_RECYCLAGE_FOURNISSEUR": _A,
    "ERREUR_MOE_SUR_FOURNISSEUR": _A,
    "ERREUR_MOA_SUR_FOURNISSEUR": _A,
    "INTERPRETEE_OCR": _A,  # read by `deposer/pdf`, waits for `soumettre`
    "COMPLETEE": _I,
    "ERREUR_FOURNISSEUR_SUR_MOA": _A,
    "ERREUR_MOE_SUR_MOA": _I,
    "ERREUR_DESTINATAIRE_PD": _I,
    "ERREUR_DESTINATAIRE_EA": _I,
    "SERVICE_FAIT": _I,
    "NON_CONFORME": _A,
    "A_ASSOCIER_MOE": _I,
    "ERREUR_DE_MOE": _I,
    "MISE_A_DISPOSITION_MOE": _I,
    "PRISE_EN_COMPTE_MOE": _I,
    "A_ASSOCIER_MOA": _I,
    "ERREUR_DE_MOA": _I,
    "REFUSEE_MOA": _A,
    "A_ASSOCIER_FOURNISSEUR": _A,
    "REFUSEE_FOURNISSEUR": _I,
    "A_COMPLETER": _A,
    "TRANSMISE_MOA": _I,
    "PRISE_EN_COMPTE_DESTINATAIRE": _I,
    "REMPLACEE_PAR_A22": _F,
    "DUPLIQUE_APRES_REFUS": _F,
    "MISE_A_DISPOSITION_MOA": _I,
    "PRISE_EN_COMPTE_MOA": _I,
    "TECHNIQUE_INCONNU": _I,
    "ABSENCE_VALIDATION_MOE_DELAI_REGLEMENTAIRE": _I,
}

# NOTE: the QP_* states probably belong to the qualification portal's format
# tests; they are listed so that an unexpected one still gets a label.
_FLOW_CATEGORIES: dict[str, Category] = {
    **{code: _I for code in FLOW_PENDING_STATES},
    FLOW_INTEGRATED: _I,  # until the invoice search returns the invoice's own status
    FLOW_PARTLY_INTEGRATED: _I,
    FLOW_REJECTED: _A,
    FLOW_INCIDENT: _A,
    "QP_RECEVABLE": _I,
    "QP_RECEVABLE_AVEC_ERREUR": _A,
    "QP_IRRECEVABLE": _A,
}

_LOCAL_CATEGORIES: dict[str, Category] = {
    TO_DEPOSIT: Category.TO_DEPOSIT,
    SENDING: _I,
    DEPOSIT_REFUSED: _A,
}


def _build_table() -> dict[str, StatusInfo]:
    table: dict[str, StatusInfo] = {}
    for origin, categories in (
        (StatusOrigin.CHORUS, _CHORUS_CATEGORIES),
        (StatusOrigin.FLOW, _FLOW_CATEGORIES),
        (StatusOrigin.LOCAL, _LOCAL_CATEGORIES),
    ):
        for code, category in categories.items():
            table[code] = StatusInfo(code, category, origin, CATEGORY_COLOURS[category])
    return table


STATUSES: dict[str, StatusInfo] = _build_table()
CHORUS_STATUS_CODES = frozenset(_CHORUS_CATEGORIES)


def status_info(code: str) -> StatusInfo:
    """Return the description of `code`; an unknown code is shown as is, in progress."""
    info = STATUSES.get(code)
    if info is not None:
        return info
    origin = StatusOrigin.FLOW if code.startswith("IN_") else StatusOrigin.CHORUS
    return StatusInfo(code, Category.IN_PROGRESS, origin, "$text-muted")


def status_label(code: str, lang: str | None = None) -> str:
    """Return the label of `code` in `lang` (default: current language), or the raw code when unknown."""
    key = f"statuses.code.{code}"
    messages = catalogue(lang or current_language())
    return messages.get(key, code)


def status_short_label(code: str, lang: str | None = None) -> str:
    """Return the label of `code` for the list's narrow status column: its short form, when it has one."""
    messages = catalogue(lang or current_language())
    return messages.get(f"statuses.short.{code}") or status_label(code, lang)


def category_label(category: Category) -> str:
    return t(f"statuses.category.{category.value}")


def _payment_not_reported_is_final(
    code: str,
    payment_not_reported: bool,
    status_changed_at: datetime | None,
    now: datetime | None,
) -> bool:
    if not payment_not_reported or code not in ACCOUNTING_STATUSES:
        return False
    if status_changed_at is None or now is None:
        return False
    return now - status_changed_at >= PAYMENT_NOT_REPORTED_FINAL_AFTER


def category_of(
    code: str,
    *,
    payment_not_reported: bool = False,
    status_changed_at: datetime | None = None,
    now: datetime | None = None,
) -> Category:
    """Return the category of an invoice in status `code`.

    A recipient whose structure never reports MISE_EN_PAIEMENT leaves its
    invoices at an accounting status; such an invoice counts as finished once
    that status has not changed for 60 days.
    """
    if _payment_not_reported_is_final(code, payment_not_reported, status_changed_at, now):
        return Category.FINISHED
    return status_info(code).category


def is_polled(
    code: str,
    *,
    rejection_handled: bool = False,
    replaced: bool = False,
    payment_not_reported: bool = False,
    status_changed_at: datetime | None = None,
    now: datetime | None = None,
) -> bool:
    """Tell whether the sync engine still follows an invoice in status `code`.

    Local statuses are not polled (the deposit service resolves an interrupted
    send), nor are failed flows (the invoice must be deposited again). Action
    statuses stay polled so that the user sees when the invoice resumes. A
    rejected invoice is followed until its rejection is handled and a new
    invoice replaces it.
    """
    info = status_info(code)
    if info.origin is StatusOrigin.LOCAL or code in FLOW_FAILED_STATES:
        return False
    category = category_of(
        code, payment_not_reported=payment_not_reported, status_changed_at=status_changed_at, now=now
    )
    if category in (Category.PAID, Category.FINISHED):
        return False
    if category is Category.REJECTED:
        return not (rejection_handled and replaced)
    return True


def fold_text(text: str) -> str:
    """Return `text` without accents and case, for searches typed without them."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def codes_matching_label(text: str, lang: str | None = None) -> set[str]:
    """Return the known status codes whose label or code contains `text` (accents and case ignored)."""
    needle = fold_text(text.strip())
    if not needle:
        return set()
    return {
        code
        for code in STATUSES
        if needle in fold_text(status_label(code, lang)) or needle in fold_text(code)
    }
