"""Storage of the simulated Chorus Pro: invoices, flows, uploaded files and their life cycle.

Status changes are computed lazily: every request first calls `Ledger.catch_up(now)`, which
applies each planned step whose time has come, dated with its planned time. There is no
background thread, so a `ManualClock` drives the whole life cycle in virtual time.

Delays and fates come from `random.Random` instances seeded with the simulator seed and the
invoice id, so they do not depend on the order of requests.
"""

from __future__ import annotations

import json
import logging
import os
import random
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

STATE_FORMAT_VERSION = 1

HAPPY_PATH = ("EN_COURS_ACHEMINEMENT", "MISE_A_DISPOSITION", "SERVICE_FAIT", "MANDATEE", "MISE_EN_PAIEMENT")
# Statuses where the automatic life cycle waits for the supplier (completer, recycler) or stops.
WAITING_STATUSES = {"SUSPENDUE", "A_RECYCLER"}
FINAL_STATUSES = {"REJETEE", "MISE_EN_PAIEMENT", "SUPPRIMEE", "ABANDONNEE"}

REJECTION_REASONS = (
    "Montant erroné : le total TTC ne correspond pas au bon de commande.",
    "Code service absent.",
    "Facture en double.",
    "Numéro d'engagement inconnu.",
)
SUSPENSION_REASONS = (
    "Bon de livraison manquant.",
    "Attestation de service fait manquante.",
    "RIB illisible : merci de joindre un RIB à jour.",
)
RECYCLING_REASONS = (
    "Service destinataire erroné.",
    "Facture adressée à la mauvaise structure.",
    "Numéro d'engagement à corriger.",
)

# Default shares of deposited invoices that end REJETEE, SUSPENDUE and A_RECYCLER, drawn per invoice.
DEFAULT_FAILURE_SHARES = (0.10, 0.08, 0.07)

FLOW_FINAL_STATES = {"IN_INTEGRE", "IN_INTEGRE_PARTIEL", "IN_REJETE", "IN_INCIDENTE"}


@dataclass
class HistoryEntry:
    id: int
    code: str
    at: datetime
    comment: str = ""


@dataclass
class UserAction:
    id: int
    code: str  # TELECHARGEMENT_FACTURE, ACQUITTEMENT_REJET, ACQUITTEMENT_SUSPENSION, TRAITEMENT_REJET
    at: datetime


@dataclass
class InvoiceRecord:
    """One invoice as Chorus Pro stores it, with the remaining steps of its planned life cycle."""

    id: int
    number: str
    invoice_type: str
    deposit_mode: str
    invoice_date: date
    deposited_at: datetime
    recipient_id: int
    recipient_siret: str
    recipient_name: str
    supplier_id: int
    service_code: str = ""
    service_id: int | None = None
    service_name: str = ""
    engagement: str = ""
    contract: str = ""
    origin_number: str = ""
    currency: str = "EUR"
    total_ht: Decimal = Decimal("0")
    total_vat: Decimal = Decimal("0")
    total_ttc: Decimal = Decimal("0")
    amount_due: Decimal = Decimal("0")
    vat_type: str = ""
    vat_exemption_reason: str = ""
    billing_frame: str = "A1_FACTURE_FOURNISSEUR"
    payment_mode: str = ""
    bank_account_id: int | None = None
    attachment_id: int | None = None
    attachment_name: str = ""
    complementary_attachments: list[int] = field(default_factory=list)
    flow_number: str = ""
    supplier_comment: str = ""
    status: str = "DEPOSEE"
    status_at: datetime | None = None
    status_comment: str = ""
    rejection_handled: bool = False
    history: list[HistoryEntry] = field(default_factory=list)
    actions: list[UserAction] = field(default_factory=list)
    plan: list[list[str]] = field(default_factory=list)  # remaining [status, comment] steps
    next_step_at: datetime | None = None
    steps_taken: int = 0
    lines: list[dict[str, Any]] = field(default_factory=list)  # lignePoste as sent by soumettre
    vat_lines: list[dict[str, Any]] = field(default_factory=list)  # ligneTva as sent by soumettre
    draft: bool = False


@dataclass
class FlowRecord:
    """A deposited flow file and the outcome of its processing."""

    number: str
    file_name: str
    syntax: str
    deposited_at: datetime
    size: int
    sha256: str
    state: str = "IN_RECU"
    state_at: datetime | None = None
    next_step_at: datetime | None = None
    steps_taken: int = 0
    invoices: list[dict[str, Any]] = field(default_factory=list)  # parsed invoices, JSON-ready
    dp_errors: list[dict[str, Any]] = field(default_factory=list)  # listeErreurDP
    technical_errors: list[dict[str, Any]] = field(default_factory=list)  # listeErreurTechnique
    invoice_ids: list[int] = field(default_factory=list)


@dataclass
class FileRecord:
    """An uploaded attachment; the bytes themselves are not kept, only their size and digest."""

    id: int
    name: str
    mime_type: str
    extension: str
    size: int
    sha256: str
    uploaded_at: datetime


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    if isinstance(value, Decimal):
        return {"__decimal__": str(value)}
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, raw),) = value.items()
            if key == "__datetime__":
                return datetime.fromisoformat(raw)
            if key == "__date__":
                return date.fromisoformat(raw)
            if key == "__decimal__":
                return Decimal(raw)
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


class Ledger:
    """The invoices, flows and files of the simulated Chorus Pro, with their id counters."""

    def __init__(self, seed: int, step_seconds: tuple[float, float],
                 failure_shares: tuple[float, float, float] = DEFAULT_FAILURE_SHARES) -> None:
        low, high = step_seconds
        if low <= 0 or high < low:
            raise ValueError(f"status_step_seconds {step_seconds} is invalid: give (low, high) with 0 < low <= high")
        if any(share < 0 for share in failure_shares) or sum(failure_shares) > 1:
            raise ValueError(f"failure_shares {failure_shares} is invalid: give three shares >= 0 adding up to 1 at most")
        self.seed = seed
        self.failure_shares = failure_shares
        self.step_seconds = (float(low), float(high))
        self.invoices: dict[int, InvoiceRecord] = {}
        self.flows: dict[str, FlowRecord] = {}
        self.files: dict[int, FileRecord] = {}
        self.next_invoice_id = 5_000_001
        self.next_flow_serial = 1
        self.next_file_id = 9_000_001
        self.next_history_id = 1
        self.next_generated_number = 1

    # -- identifiers --------------------------------------------------------------------------

    def new_invoice_id(self) -> int:
        value = self.next_invoice_id
        self.next_invoice_id += 1
        return value

    def new_flow_number(self) -> str:
        value = f"CPP00111{self.next_flow_serial:017d}"
        self.next_flow_serial += 1
        return value

    def new_file_id(self) -> int:
        value = self.next_file_id
        self.next_file_id += 1
        return value

    def new_history_id(self) -> int:
        value = self.next_history_id
        self.next_history_id += 1
        return value

    def new_generated_number(self, year: int) -> str:
        """Return an invoice number as Chorus Pro generates them for SAISIE_API (year + 16 digits)."""
        value = f"{year}{self.next_generated_number:016d}"
        self.next_generated_number += 1
        return value

    # -- randomness ---------------------------------------------------------------------------

    def step_delay(self, key: str, step: int) -> timedelta:
        rng = random.Random(f"{self.seed}:step:{key}:{step}")
        return timedelta(seconds=rng.uniform(*self.step_seconds))

    def plan_fate(self, invoice_id: int) -> list[list[str]]:
        """Draw the automatic life cycle of a newly deposited invoice."""
        rng = random.Random(f"{self.seed}:fate:{invoice_id}")
        draw = rng.random()
        rejection, suspension, recycling = self.failure_shares
        if draw < rejection:
            return [["EN_COURS_ACHEMINEMENT", ""], ["MISE_A_DISPOSITION", ""], ["REJETEE", rng.choice(REJECTION_REASONS)]]
        if draw < rejection + suspension:
            return [["EN_COURS_ACHEMINEMENT", ""], ["MISE_A_DISPOSITION", ""],
                    ["SUSPENDUE", rng.choice(SUSPENSION_REASONS)]]
        if draw < rejection + suspension + recycling:
            return [["EN_COURS_ACHEMINEMENT", ""], ["A_RECYCLER", rng.choice(RECYCLING_REASONS)]]
        return [[code, ""] for code in HAPPY_PATH]

    # -- invoice life cycle ---------------------------------------------------------------------

    def record_status(self, invoice: InvoiceRecord, code: str, at: datetime, comment: str = "") -> None:
        invoice.status = code
        invoice.status_at = at
        invoice.status_comment = comment
        invoice.history.append(HistoryEntry(self.new_history_id(), code, at, comment))

    def schedule(self, invoice: InvoiceRecord, plan: list[list[str]], start: datetime,
                 payment_status_not_reported: bool) -> None:
        """Give `invoice` the remaining steps `plan`, the first one due a step delay after `start`."""
        if payment_status_not_reported:
            plan = [step for step in plan if step[0] != "MISE_EN_PAIEMENT"]
        invoice.plan = plan
        invoice.next_step_at = start + self.step_delay(str(invoice.id), invoice.steps_taken) if plan else None

    def catch_up(self, now: datetime) -> bool:
        """Apply every planned step due by `now`; return True when anything changed."""
        changed = False
        for invoice in self.invoices.values():
            while invoice.plan and invoice.next_step_at is not None and invoice.next_step_at <= now:
                code, comment = invoice.plan.pop(0)
                at = invoice.next_step_at
                self.record_status(invoice, code, at, comment)
                invoice.steps_taken += 1
                invoice.next_step_at = at + self.step_delay(str(invoice.id), invoice.steps_taken) if invoice.plan else None
                changed = True
        return changed

    # -- persistence ---------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_FORMAT_VERSION,
            "seed": self.seed,
            "counters": {
                "next_invoice_id": self.next_invoice_id,
                "next_flow_serial": self.next_flow_serial,
                "next_file_id": self.next_file_id,
                "next_history_id": self.next_history_id,
                "next_generated_number": self.next_generated_number,
            },
            "invoices": [_encode(asdict(invoice)) for invoice in self.invoices.values()],
            "flows": [_encode(asdict(flow)) for flow in self.flows.values()],
            "files": [_encode(asdict(record)) for record in self.files.values()],
        }

    def load_json(self, data: dict[str, Any]) -> None:
        if data.get("version") != STATE_FORMAT_VERSION:
            raise ValueError(f"state format version {data.get('version')!r} is not supported "
                             f"(expected {STATE_FORMAT_VERSION})")
        for name, value in data["counters"].items():
            setattr(self, name, int(value))
        for raw in data["invoices"]:
            fields = _decode(raw)
            fields["history"] = [HistoryEntry(**entry) for entry in fields["history"]]
            fields["actions"] = [UserAction(**entry) for entry in fields["actions"]]
            invoice = InvoiceRecord(**fields)
            self.invoices[invoice.id] = invoice
        for raw in data["flows"]:
            flow = FlowRecord(**_decode(raw))
            self.flows[flow.number] = flow
        for raw in data["files"]:
            record = FileRecord(**_decode(raw))
            self.files[record.id] = record

    def save(self, path: Path) -> None:
        """Write the ledger to `path` atomically (temporary file, then rename)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(self.to_json(), stream, ensure_ascii=False, indent=1)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def load(self, path: Path) -> None:
        with path.open(encoding="utf-8") as stream:
            self.load_json(json.load(stream))
        log.info("simulator state loaded from %s: %d invoices, %d flows", path, len(self.invoices), len(self.flows))
