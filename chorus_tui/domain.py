"""Core data types shared by sources, detection, validation, the store, the sync engine and the UI.

Money is `Decimal` everywhere; it becomes a JSON number only in the Chorus Pro
client and a formatted string only in the UI.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from chorus_tui.i18n import Message


class InvoiceKind(enum.StrEnum):
    """Kind of payment request, with Chorus Pro's `typeFacture` spelling as values."""

    INVOICE = "FACTURE"
    CREDIT_NOTE = "AVOIR"


class DepositRoute(enum.StrEnum):
    """Route by which an invoice reaches Chorus Pro."""

    PDF = "DEPOT_PDF_API"  # ajouter/fichier, then soumettre
    DATA_ENTRY = "SAISIE_API"  # soumettre without a document
    FLOW = "FLUX"  # deposer/flux with a Factur-X, CII or UBL file


@dataclass
class VatLine:
    """One VAT summary line: rate in percent, taxable base and VAT amount."""

    rate: Decimal
    base_ht: Decimal
    vat: Decimal
    exemption_reason: str | None = None


@dataclass
class Amounts:
    """Totals of an invoice; None where the document does not print them."""

    total_ht: Decimal | None = None
    total_vat: Decimal | None = None
    total_ttc: Decimal | None = None
    amount_due: Decimal | None = None
    vat_lines: list[VatLine] = field(default_factory=list)
    currency: str = "EUR"


@dataclass
class SiretCandidate:
    """A SIRET found in a document, with why it was or was not chosen as the recipient."""

    siret: str
    source: str  # "facturx", "label", "text"
    score: int
    reason: Message
    checksum_valid: bool = True


@dataclass
class Detection:
    """Chorus Pro data found in an invoice.

    `sources` names, for each field set, where it came from ("facturx",
    "source", "text"), so a disagreement can be explained.
    """

    recipient_siret: str | None = None
    service_code: str | None = None
    engagement_number: str | None = None
    contract_number: str | None = None
    mandataire_siret: str | None = None
    mandataire_name: str | None = None
    recipient_kind: str | None = None  # None (assumed French public), "foreign", "private"
    # True when the invoice states that its supplier is a subcontractor paid directly (frame A9),
    # and then mandataire_siret is the main contractor, who validates the invoice.
    subcontracting: bool = False
    candidates: list[SiretCandidate] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    warnings: list[Message] = field(default_factory=list)


@dataclass
class SourceInvoice:
    """An invoice as read from a source (a PDF file, the demo set, Pennylane)."""

    source_key: str  # stable identity within its source, e.g. the file name
    file_path: Path | None
    invoice_number: str | None = None
    invoice_date: date | None = None
    customer_name: str | None = None
    kind: InvoiceKind = InvoiceKind.INVOICE
    original_invoice_number: str | None = None
    amounts: Amounts = field(default_factory=Amounts)
    detection: Detection = field(default_factory=Detection)
    facturx_profile: str | None = None  # "minimum", "basicwl", "basic", "en16931", "extended", or None
    facturx_xml: bytes | None = None
    already_paid: bool = False
    file_size: int = 0
    file_sha256: str | None = None
    errors: list[Message] = field(default_factory=list)

    @property
    def is_facturx(self) -> bool:
        return self.facturx_xml is not None


class CheckLevel(enum.StrEnum):
    PASS = "pass"
    WARNING = "warning"
    BLOCKING = "blocking"


@dataclass(frozen=True)
class CheckOption:
    """A value the user may pick to resolve a check (one of several structures, an active service)."""

    value: str
    label: str


@dataclass
class CheckResult:
    """Outcome of one pre-deposit check, attached to the form field it concerns."""

    field: str
    level: CheckLevel
    message: Message
    options: list[CheckOption] = field(default_factory=list)


# Billing frames `soumettre` accepts (codeCadreFacturation).
BILLING_FRAMES = (
    "A1_FACTURE_FOURNISSEUR",
    "A2_FACTURE_FOURNISSEUR_DEJA_PAYEE",
    "A9_FACTURE_SOUSTRAITANT",
    "A12_FACTURE_COTRAITANT",
)
VAT_TYPES = ("TVA_SUR_DEBIT", "TVA_SUR_ENCAISSEMENT", "EXONERATION", "SANS_TVA")
PAYMENT_MODES = ("CHEQUE", "PRELEVEMENT", "VIREMENT", "ESPECE", "AUTRE", "REPORT")


@dataclass
class DepositForm:
    """Values the user confirmed in the deposit form, which the checks and the deposit read."""

    invoice_number: str
    invoice_date: date | None
    recipient_siret: str
    recipient_structure_id: int | None = None  # idStructureCPP, chosen when the SIRET matches several structures
    service_code: str | None = None
    engagement_number: str | None = None
    contract_number: str | None = None
    billing_frame: str = "A1_FACTURE_FOURNISSEUR"
    validator_siret: str | None = None  # mandataire, required with A9 and A12
    vat_type: str = "TVA_SUR_DEBIT"
    vat_exemption_reason: str | None = None
    kind: InvoiceKind = InvoiceKind.INVOICE
    original_invoice_number: str | None = None
    amounts: Amounts = field(default_factory=Amounts)
    supplier_id: int | None = None  # idStructureCPP of the supplier
    bank_account_id: int | None = None  # idCoordonneeBancaire
    payment_mode: str | None = "VIREMENT"
    attachment_path: Path | None = None
    comment: str | None = None
    route: DepositRoute = DepositRoute.PDF
    # The recipient's name in the Chorus Pro directory, never sent: the invoice list shows it after the deposit.
    recipient_name: str | None = None
