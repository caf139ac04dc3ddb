"""Triage of the invoices that need the supplier: the to-do list, plain reasons and the three remedies.

Chorus Pro stops an invoice in three statuses that only the supplier can
move on. A_RECYCLER takes a corrected recipient, service code or
engagement number (`recycler`) and the invoice keeps its number. SUSPENDUE
takes the missing documents and a comment (`completer`). REJETEE is final:
the rejection is acknowledged (`traiterRejet`) and a new invoice, under a
new number, replaces it.

`TriageService` checks each remedy as the deposit form checks a deposit,
sends it through `CorrectionService` and records it in the timeline.
`explain_reason` turns the reason text Chorus Pro gives, often a bare XML
path, into the name of the form field to fix.
"""

from __future__ import annotations

import enum
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from chorus_tui.domain import CheckLevel, CheckResult, DepositForm, DepositRoute
from chorus_tui.i18n import Message
from chorus_tui.statuses import (
    DEPOSIT_REFUSED,
    FLOW_FAILED_STATES,
    FLOW_REJECTED,
    REJECTED,
    SUSPENDED,
    TO_RECYCLE,
    Category,
    fold_text,
    status_label,
)
from chorus_tui.store import EventKind, InvoiceOrder, InvoiceRow, Store
from chorus_tui.sync.corrections import CorrectionOutcome, CorrectionService, CorrectionState
from chorus_tui.sync.timezones import paris_date
from chorus_tui.validation import Directory, has_blocking
from chorus_tui.validation.attachments import check_attachments
from chorus_tui.validation.formats import (
    check_comment,
    check_engagement_number_format,
    check_invoice_number,
    check_service_code_format,
)
from chorus_tui.validation.identifiers import normalise_siret
from chorus_tui.validation.recipient import check_recipient
from chorus_tui.validation.rules import check_recipient_rules

log = logging.getLogger(__name__)

# Sync-state key of the replacement numbers typed before their invoice was imported:
# a JSON object {rejected local id: new invoice number}.
PENDING_REPLACEMENTS_KEY = "triage.pending_replacements"


# --- reasons -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReasonExplanation:
    """A reason given by Chorus Pro, in plain words, with the form field it points to.

    `field` is a DepositForm field name ("service_code", "amounts.total_ttc"),
    "attachments" for missing documents, or None when the text is not recognised.
    `raw` is the text as Chorus Pro returned it.
    """

    field: str | None
    message: Message
    raw: str

    @property
    def field_label(self) -> Message | None:
        if self.field is None:
            return None
        return Message(f"triage.field.{self.field.replace('.', '-')}")


# Words that make a reason a missing value rather than a wrong one.
_MISSING_WORDS = re.compile(r"obligatoire|absent|manquant|vide|non renseign|required|missing|mandatory")

# XML paths of CII (Factur-X) and UBL, matched on the folded text with namespace prefixes
# removed and "/" read as ".". The first matching rule wins, so specific paths come first.
# NOTE: the CII paths come from real rejection texts. No UBL rejection text has been seen,
# so the UBL ones (OrderReference.ID, PaymentMeansCode…) are mapped by analogy.
_PATH_RULES: tuple[tuple[str, str], ...] = (
    # A gross price without the allowance element it implies (BR-FR rule on line prices).
    (r"appliedtradeallowancecharge|grosspriceproducttradeprice", "lines.gross_price"),
    (r"buyerorderreferenceddocument\.issuerassignedid|orderreference\.id", "engagement_number"),
    (r"contractreferenceddocument\.issuerassignedid|contractdocumentreference\.id", "contract_number"),
    (r"invoicereferenceddocument|billingreference", "original_invoice_number"),
    (r"buyerreference", "service_code"),
    (r"paymentmeans\.typecode|paymentmeanscode", "payment_mode"),
    (r"ibanid|payeepartycreditorfinancialaccount|payeefinancialaccount", "bank_account_id"),
    (r"buyertradeparty|accountingcustomerparty", "recipient_siret"),
    (r"sellertradeparty|accountingsupplierparty", "supplier_siret"),
    (r"grandtotalamount|taxinclusiveamount", "amounts.total_ttc"),
    (r"taxbasistotalamount|taxexclusiveamount", "amounts.total_ht"),
    (r"taxtotalamount", "amounts.total_vat"),
    (r"duepayableamount|payableamount", "amounts.amount_due"),
    (r"applicabletradetax|taxsubtotal|taxcategory", "vat"),
    (r"includedsupplychaintradelineitem|invoiceline", "lines"),
    (r"exchangeddocument\.issuedatetime|issuedate", "invoice_date"),
    (r"exchangeddocument\.id\b|exchangeddocument\.id\.", "invoice_number"),
)

# Plain-language reasons, as recipients and Chorus Pro word them, matched on the folded text.
# Each rule gives the field and, when the wording is specific, its own message key; on a tie
# of position the earlier rule wins.
_TEXT_RULES: tuple[tuple[str, str, str | None], ...] = (
    (r"\ben double\b|doublon|deja (ete )?(deposee|transmise|recue)", "invoice_number", "duplicate"),
    (r"bon de livraison|attestation|service fait|justificatif|proces.verbal|piece (jointe )?manquante",
     "attachments", "documents_missing"),
    (r"\brib\b|\biban\b|coordonnees bancaires", "bank_account_id", "bank_details"),
    (r"code service|service (executant|destinataire)|\bservice\b", "service_code", None),
    (r"engagement|\bej\b|bon de commande", "engagement_number", None),
    (r"mode de (paiement|reglement)|moyen de paiement", "payment_mode", None),
    (r"(identifiant|siret|siren) (du )?(fournisseur|vendeur|emetteur)", "supplier_siret", "supplier_identifier"),
    (r"siret|structure|destinataire", "recipient_siret", None),
    (r"montant|\btotal\b|\bttc\b|\bht\b|\bprix\b", "amounts.total_ttc", "amount_wrong"),
    (r"\btva\b", "vat", None),
    (r"\bmarche\b", "contract_number", None),
    (r"piece jointe|document", "attachments", "documents_missing"),
)

_PREFIXES = re.compile(r"\b(?:ram|rsm|udt|qdt|cac|cbc|ubl):")
_SEPARATORS = re.compile(r"\s*(?:;|\n|\|)\s*")


def _normalise_path_text(folded: str) -> str:
    return _PREFIXES.sub("", folded).replace("/", ".")


def explain_reason(raw_text: str | None) -> ReasonExplanation:
    """Explain one reason text of Chorus Pro: the form field it points to and what is wrong.

    A text that matches no known path or wording keeps `field=None`; the
    caller shows `raw` as it came.
    """
    raw = (raw_text or "").strip()
    if not raw:
        return ReasonExplanation(None, Message("triage.reason.none"), raw)
    folded = fold_text(raw)
    missing = bool(_MISSING_WORDS.search(folded))

    path_text = _normalise_path_text(folded)
    for pattern, field in _PATH_RULES:
        if re.search(pattern, path_text):
            return ReasonExplanation(field, _field_message(field, missing), raw)

    # A sentence names its subject first ("Montant erroné : … bon de commande"), so the
    # wording found earliest in the text wins, and the rule order breaks ties.
    best: tuple[int, int] | None = None
    for index, (pattern, _field, _key) in enumerate(_TEXT_RULES):
        found = re.search(pattern, folded)
        if found is not None and (best is None or (found.start(), index) < best):
            best = (found.start(), index)
    if best is None:
        return ReasonExplanation(None, Message("triage.reason.unknown"), raw)
    _, field, key = _TEXT_RULES[best[1]]
    if key is not None:
        return ReasonExplanation(field, Message(f"triage.reason.{key}"), raw)
    return ReasonExplanation(field, _field_message(field, missing), raw)


def explain_reasons(raw_text: str | None) -> list[ReasonExplanation]:
    """Explain each part of a reason text that lists several problems (separated by ";" or new lines)."""
    parts = [part for part in _SEPARATORS.split(raw_text or "") if part.strip()]
    if len(parts) <= 1:
        return [explain_reason(raw_text)]
    return [explain_reason(part) for part in parts]


def _field_message(field: str, missing: bool) -> Message:
    key = "triage.reason.field_missing" if missing else "triage.reason.field_invalid"
    if field == "lines.gross_price":
        key = "triage.reason.gross_price"
    elif field == "supplier_siret":
        # The seller's identifier comes from the supplier's own file, so the recipient cannot be at fault.
        key = "triage.reason.supplier_identifier"
    return Message(key, {"field": Message(f"triage.field.{field.replace('.', '-')}")})


# --- to-do list ----------------------------------------------------------------------------------


class TriageAction(enum.StrEnum):
    """Remedy an invoice of the to-do list calls for."""

    RECYCLE = "recycle"  # A_RECYCLER: correct recipient, service or engagement (recycler)
    COMPLETE = "complete"  # SUSPENDUE: attach the missing documents (completer)
    ACKNOWLEDGE_REJECTION = "acknowledge_rejection"  # REJETEE, rejection not handled yet (traiterRejet)
    REPLACE = "replace"  # REJETEE and handled: name the new invoice that replaces it
    DEPOSIT_AGAIN = "deposit_again"  # refused before Chorus Pro stored it, or its flow had an incident
    FIX_FILE = "fix_file"  # its flow was rejected: the file itself must be corrected and imported again
    ON_PORTAL = "on_portal"  # drafts, validator errors…: this tool has no remedy, the portal has


@dataclass(frozen=True)
class ToDoItem:
    """One invoice that needs the supplier, with what to do and why."""

    invoice: InvoiceRow
    action: TriageAction
    reasons: tuple[ReasonExplanation, ...]
    since: datetime

    @property
    def action_message(self) -> Message:
        return Message(f"triage.action.{self.action.value}")


def action_for(row: InvoiceRow) -> TriageAction:
    """Return the remedy an invoice's status calls for."""
    if row.status_code == TO_RECYCLE:
        return TriageAction.RECYCLE
    if row.status_code == SUSPENDED:
        return TriageAction.COMPLETE
    if row.status_code == REJECTED:
        return TriageAction.REPLACE if row.rejection_handled else TriageAction.ACKNOWLEDGE_REJECTION
    if row.status_code == FLOW_REJECTED or (row.status_code == DEPOSIT_REFUSED
                                            and row.deposit_route is DepositRoute.FLOW):
        # A flow deposit sends the file unchanged, so sending it again without fixing it fails again.
        return TriageAction.FIX_FILE
    if row.status_code == DEPOSIT_REFUSED or row.status_code in FLOW_FAILED_STATES:
        return TriageAction.DEPOSIT_AGAIN
    return TriageAction.ON_PORTAL


def needs_triage(row: InvoiceRow) -> bool:
    """Tell whether an invoice belongs to the to-do list.

    A rejected invoice leaves it once its rejection is handled and a new
    invoice replaces it.
    """
    if row.category is Category.ACTION_REQUIRED:
        return True
    if row.category is Category.REJECTED:
        return not (row.rejection_handled and row.replaced_by is not None)
    return False


# --- outcomes ------------------------------------------------------------------------------------


class TriageState(enum.StrEnum):
    """Result of one remedy."""

    DONE = "done"
    PENDING = "pending"  # replacement number recorded; its invoice is not in the local store yet
    BLOCKED = "blocked"  # a check failed and nothing was sent; `checks` lists what to fix
    REFUSED = "refused"  # Chorus Pro rejected the remedy; `message` gives its reason
    UNKNOWN = "unknown"  # sent without a response: the next poll shows whether it was applied
    FAILED = "failed"  # not sent (Chorus Pro unreachable, file unreadable)
    NOT_ALLOWED = "not_allowed"  # the invoice is not in the status this remedy applies to


@dataclass(frozen=True)
class TriageOutcome:
    state: TriageState
    invoice_id: int
    checks: tuple[CheckResult, ...] = ()
    message: Message | None = None
    status_code: str | None = None


@dataclass(frozen=True)
class RecycleRequest:
    """The corrected routing of an A_RECYCLER invoice, as the user typed it."""

    recipient_siret: str
    service_code: str | None = None
    engagement_number: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Routing:
    """Routing of an invoice on Chorus Pro: recipient SIRET, service code and engagement number."""

    recipient_siret: str | None
    service_code: str | None
    engagement_number: str | None


def _blocking(field: str, key: str, **params: object) -> CheckResult:
    return CheckResult(field, CheckLevel.BLOCKING, Message(f"triage.check.{key}", params))


def _blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _from_correction(outcome: CorrectionOutcome, checks: Sequence[CheckResult] = (),
                     sent: Message | None = None) -> TriageOutcome:
    """Convert a correction outcome; `sent` describes what Chorus Pro received, kept when it was applied."""
    result = TriageOutcome(TriageState(outcome.state.value), outcome.invoice_id, tuple(checks), outcome.message,
                           outcome.status_code)
    if sent is not None and result.state is TriageState.DONE and result.message is None:
        result = replace(result, message=sent)
    return result


# --- the service ---------------------------------------------------------------------------------


class TriageService:
    """The to-do list and the remedies of A_RECYCLER, SUSPENDUE and REJETEE invoices.

    `supplier_id` (idStructureCPP) and `supplier_sirets` feed the same checks
    as a deposit: the supplier may not be its own recipient, and State
    engagement numbers are looked up for the supplier.
    """

    def __init__(
        self,
        client,
        store: Store,
        clock,
        *,
        directory: Directory | None = None,
        supplier_id: int | None = None,
        supplier_sirets: frozenset[str] = frozenset(),
    ) -> None:
        self.client = client
        self.store = store
        self.clock = clock
        self.directory = directory or Directory(client, clock=clock)
        self.supplier_id = supplier_id
        self.supplier_sirets = supplier_sirets
        self.corrections = CorrectionService(client, store, clock)

    def _today(self) -> date:
        return paris_date(self.clock.now())

    # -- to-do list ---------------------------------------------------------------------------

    def to_do(self) -> list[ToDoItem]:
        """Return the invoices that need the supplier, the longest waiting first."""
        rows: list[InvoiceRow] = []
        for category in (Category.ACTION_REQUIRED, Category.REJECTED):
            count = self.store.count_invoices(category=category)
            rows.extend(self.store.page_invoices(0, count, category=category, order=InvoiceOrder.DATE_ASC))
        items = [self._item(row) for row in rows if needs_triage(row)]
        items.sort(key=lambda item: (item.since, item.invoice.id))
        return items

    def _item(self, row: InvoiceRow) -> ToDoItem:
        raw = row.status_comment or self._last_reason(row)
        return ToDoItem(row, action_for(row), tuple(explain_reasons(raw)), row.status_changed_at or row.imported_at)

    def _last_reason(self, row: InvoiceRow) -> str | None:
        """Find the reason of the current status in the timeline (a deposit refusal has no status comment)."""
        for event in reversed(self.store.events(row.id)):
            if event.kind is EventKind.STATUS and event.status_code == row.status_code and event.comment:
                return event.comment
            if event.kind in (EventKind.DEPOSIT_REFUSED, EventKind.FLOW_REJECTED):
                return event.comment or (str(event.message) if event.message else None)
        return None

    # -- A_RECYCLER ---------------------------------------------------------------------------

    async def current_routing(self, invoice_id: int) -> Routing:
        """Return the routing Chorus Pro holds for the invoice, to prefill the recycling form.

        Falls back on the local data when Chorus Pro cannot be read.
        """
        from chorus_tui.chorus.errors import ChorusError

        row = self.store.require_invoice(invoice_id)
        detection = row.detection.get("detection", {})
        local = Routing(row.recipient_siret, detection.get("service_code"), detection.get("engagement_number"))
        if row.chorus_invoice_id is None:
            return local
        try:
            details = await self.client.get_invoice(row.chorus_invoice_id)
        except ChorusError as error:
            log.warning("invoice %d could not be read from Chorus Pro: %s", invoice_id, error.message.key)
            return local
        recipient = details.recipient
        references = details.references
        return Routing(
            (recipient.siret if recipient else None) or local.recipient_siret,
            recipient.service_code if recipient else local.service_code,
            references.engagement_number if references else local.engagement_number,
        )

    async def check_recycle(self, invoice_id: int, request: RecycleRequest) -> list[CheckResult]:
        """Check a corrected routing as a deposit is checked: formats, recipient, then its rules."""
        row = self.store.require_invoice(invoice_id)
        form = DepositForm(
            invoice_number=row.number or "",
            invoice_date=row.invoice_date,
            recipient_siret=request.recipient_siret,
            service_code=_blank_to_none(request.service_code),
            engagement_number=_blank_to_none(request.engagement_number),
            kind=row.kind,
            supplier_id=self.supplier_id,
        )
        results: list[CheckResult] = []
        for result in (
            check_service_code_format(request.service_code),
            check_engagement_number_format(request.engagement_number),
            check_comment(request.comment),
        ):
            if result is not None:
                results.append(result)
        recipient = await check_recipient(form, self.directory, supplier_sirets=self.supplier_sirets)
        results.extend(recipient.results)
        if recipient.structure_id is not None and recipient.details is not None:
            results.extend(await check_recipient_rules(form, recipient.structure_id, recipient.details,
                                                       self.directory, supplier_id=self.supplier_id,
                                                       today=self._today()))
        return results

    async def recycle(self, invoice_id: int, request: RecycleRequest) -> TriageOutcome:
        """Check the corrected routing, then send the A_RECYCLER invoice to it; the number is kept."""
        not_allowed = self._not_in_status(invoice_id, TO_RECYCLE)
        if not_allowed is not None:
            return not_allowed
        checks = await self.check_recycle(invoice_id, request)
        if not has_blocking(checks):
            unchanged = await self._unchanged_routing(invoice_id, request)
            if unchanged is not None:
                checks.append(unchanged)
        if has_blocking(checks):
            return self._blocked(invoice_id, checks)
        siret = normalise_siret(request.recipient_siret)
        service_code = _blank_to_none(request.service_code)
        engagement_number = _blank_to_none(request.engagement_number)
        outcome = await self.corrections.recycle(
            invoice_id,
            recipient_siret=siret,
            service_code=service_code,
            engagement_number=engagement_number,
            comment=_blank_to_none(request.comment),
        )
        log.info("recycling of invoice %d: %s", invoice_id, outcome.state.value)
        sent = Message("triage.sent_recycle", {"number": self._number(invoice_id), "siret": siret,
                                               "service": service_code or "—", "engagement": engagement_number or "—"})
        return _from_correction(outcome, checks, sent)

    async def _unchanged_routing(self, invoice_id: int, request: RecycleRequest) -> CheckResult | None:
        """Block a recycling to the very routing the recipient sent back, which would only come back again."""
        current = await self.current_routing(invoice_id)
        requested = Routing(normalise_siret(request.recipient_siret), _blank_to_none(request.service_code),
                            _blank_to_none(request.engagement_number))
        sent_back = Routing(normalise_siret(current.recipient_siret or ""), _blank_to_none(current.service_code),
                       _blank_to_none(current.engagement_number))
        if requested != sent_back:
            return None
        return _blocking("recipient_siret", "routing_unchanged", siret=requested.recipient_siret)

    # -- SUSPENDUE ----------------------------------------------------------------------------

    def check_complete(self, attachments: Sequence[Path], comment: str | None) -> list[CheckResult]:
        """Check the documents (name, extension, size) and the comment of a completion."""
        results = check_attachments(list(attachments))
        comment_result = check_comment(comment)
        if comment_result is not None:
            results.append(comment_result)
        if not attachments and not _blank_to_none(comment):
            results.append(_blocking("attachments", "nothing_to_send"))
        return results

    async def complete(self, invoice_id: int, attachments: Sequence[Path], comment: str | None = None
                       ) -> TriageOutcome:
        """Check and upload the documents of a SUSPENDUE invoice, then complete it."""
        not_allowed = self._not_in_status(invoice_id, SUSPENDED)
        if not_allowed is not None:
            return not_allowed
        paths = [Path(path) for path in attachments]
        checks = self.check_complete(paths, comment)
        if has_blocking(checks):
            return self._blocked(invoice_id, checks)
        outcome = await self.corrections.complete(invoice_id, paths, comment=_blank_to_none(comment))
        log.info("completion of invoice %d with %d documents: %s", invoice_id, len(paths), outcome.state.value)
        number = self._number(invoice_id)
        if paths:
            sent = Message("triage.sent_complete", {"number": number, "count": len(paths)})
        else:
            sent = Message("triage.sent_comment", {"number": number})
        return _from_correction(outcome, checks, sent)

    # -- REJETEE ------------------------------------------------------------------------------

    async def acknowledge_rejection(self, invoice_id: int) -> TriageOutcome:
        """Mark the rejection as handled on Chorus Pro (`traiterRejet`) and in the timeline."""
        not_allowed = self._not_in_status(invoice_id, REJECTED)
        if not_allowed is not None:
            return not_allowed
        if self.store.require_invoice(invoice_id).rejection_handled:
            return TriageOutcome(TriageState.DONE, invoice_id, status_code=REJECTED,
                                 message=Message("triage.rejection_already_handled"))
        outcome = await self.corrections.handle_rejection(invoice_id)
        log.info("rejection of invoice %d handled: %s", invoice_id, outcome.state.value)
        return _from_correction(outcome, sent=Message("triage.sent_rejection_handled",
                                                      {"number": self._number(invoice_id)}))

    def link_replacement(self, rejected_id: int, *, new_invoice_id: int | None = None,
                         new_number: str | None = None) -> TriageOutcome:
        """Record the new invoice that replaces a rejected one, in both timelines.

        Give the local invoice (`new_invoice_id`) or its number (`new_number`).
        A number that no local invoice carries yet is kept, and
        `link_pending_replacements` links it once that invoice is imported.
        The rejected number itself is refused: Chorus Pro keeps it for ever.
        """
        if (new_invoice_id is None) == (new_number is None):
            raise ValueError("give exactly one of new_invoice_id and new_number")
        not_allowed = self._not_in_status(rejected_id, REJECTED)
        if not_allowed is not None:
            return not_allowed
        rejected = self.store.require_invoice(rejected_id)
        if rejected.replaced_by is not None:
            current = self.store.get_invoice(rejected.replaced_by)
            return TriageOutcome(TriageState.NOT_ALLOWED, rejected_id, message=Message(
                "triage.already_replaced", {"number": rejected.number or "?",
                                            "new": (current.number if current else None) or "?"}))

        if new_number is not None:
            return self._link_by_number(rejected, new_number.strip())
        new_row = self.store.require_invoice(new_invoice_id)
        problem = self._replacement_problem(rejected, new_row)
        if problem is not None:
            return self._blocked(rejected_id, [problem])
        self._link(rejected, new_row)
        return self._linked(rejected, new_row)

    def link_pending_replacements(self) -> list[int]:
        """Link the replacement numbers typed earlier to the invoices imported since; return the rejected ids linked."""
        pending = self._pending()
        linked: list[int] = []
        for rejected_key, number in sorted(pending.items()):
            rejected = self.store.get_invoice(int(rejected_key))
            if rejected is None or rejected.replaced_by is not None:
                pending.pop(rejected_key)
                continue
            candidates = [row for row in self.store.find_by_number(number) if row.id != rejected.id]
            if len(candidates) != 1 or self._replacement_problem(rejected, candidates[0]) is not None:
                continue
            self._link(rejected, candidates[0])
            pending.pop(rejected_key)
            linked.append(rejected.id)
        self._save_pending(pending)
        return linked

    def pending_replacement(self, rejected_id: int) -> str | None:
        """Return the replacement number typed for a rejected invoice whose new invoice is not imported yet."""
        return self._pending().get(str(rejected_id))

    def _link_by_number(self, rejected: InvoiceRow, number: str) -> TriageOutcome:
        if fold_text(number) == fold_text(rejected.number or ""):
            return self._blocked(rejected.id, [_blocking("invoice_number", "same_number", number=number)])
        format_checks = check_invoice_number(number)
        if has_blocking(format_checks):
            return self._blocked(rejected.id, format_checks)
        candidates = [row for row in self.store.find_by_number(number) if row.id != rejected.id]
        if len(candidates) > 1:
            return self._blocked(rejected.id, [_blocking("invoice_number", "several_invoices",
                                                        number=number, count=len(candidates))])
        if candidates:
            problem = self._replacement_problem(rejected, candidates[0])
            if problem is not None:
                return self._blocked(rejected.id, [problem])
            self._link(rejected, candidates[0])
            return self._linked(rejected, candidates[0])

        pending = self._pending()
        pending[str(rejected.id)] = number
        self._save_pending(pending)
        self.store.add_event(rejected.id, EventKind.REPLACED,
                             message=Message("triage.event_replacement_pending", {"number": number}))
        log.info("invoice %d: replacement number %s recorded, its invoice is not imported yet", rejected.id, number)
        return TriageOutcome(TriageState.PENDING, rejected.id, status_code=REJECTED,
                             message=Message("triage.replacement_pending", {"number": number}))

    def _replacement_problem(self, rejected: InvoiceRow, new_row: InvoiceRow) -> CheckResult | None:
        if new_row.id == rejected.id:
            return _blocking("invoice_number", "same_invoice", number=rejected.number or "?")
        if not new_row.number:
            return _blocking("invoice_number", "new_without_number", source=new_row.source_key)
        if fold_text(new_row.number) == fold_text(rejected.number or ""):
            return _blocking("invoice_number", "same_number", number=new_row.number)
        if new_row.category is Category.REJECTED:
            return _blocking("invoice_number", "new_rejected", number=new_row.number)
        if any(event.kind is EventKind.REPLACES for event in self.store.events(new_row.id)):
            return _blocking("invoice_number", "new_already_replaces", number=new_row.number)
        return None

    @staticmethod
    def _linked(rejected: InvoiceRow, new_row: InvoiceRow) -> TriageOutcome:
        message = Message("triage.replacement_linked", {"number": rejected.number or rejected.source_key,
                                                        "new": new_row.number or new_row.source_key})
        return TriageOutcome(TriageState.DONE, rejected.id, status_code=REJECTED, message=message)

    def _link(self, rejected: InvoiceRow, new_row: InvoiceRow) -> None:
        self.store.link_replacement(rejected.id, new_row.id)
        self.store.add_event(new_row.id, EventKind.REPLACES,
                             message=Message("triage.event_replaces", {"number": rejected.number or "?"}))
        log.info("invoice %d (%s) replaced by invoice %d (%s)", rejected.id, rejected.number, new_row.id,
                 new_row.number)

    def _pending(self) -> dict[str, str]:
        text = self.store.get_state(PENDING_REPLACEMENTS_KEY)
        if not text:
            return {}
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            log.warning("unreadable %s in the sync state; the pending replacement numbers are dropped",
                        PENDING_REPLACEMENTS_KEY)
            return {}
        return {str(key): str(value) for key, value in data.items()} if isinstance(data, dict) else {}

    def _save_pending(self, pending: dict[str, str]) -> None:
        if pending:
            self.store.set_state(PENDING_REPLACEMENTS_KEY, json.dumps(pending, ensure_ascii=False, sort_keys=True))
        else:
            self.store.delete_state(PENDING_REPLACEMENTS_KEY)

    # -- shared -------------------------------------------------------------------------------

    def _number(self, invoice_id: int) -> str:
        row = self.store.require_invoice(invoice_id)
        return row.number or row.source_key

    def _not_in_status(self, invoice_id: int, expected: str) -> TriageOutcome | None:
        row = self.store.require_invoice(invoice_id)
        if row.chorus_invoice_id is not None and row.status_code == expected:
            return None
        return TriageOutcome(TriageState.NOT_ALLOWED, invoice_id, status_code=row.status_code, message=Message(
            "triage.not_allowed", {"number": row.number or row.source_key, "status": status_label(row.status_code),
                                   "expected": status_label(expected)}))

    @staticmethod
    def _blocked(invoice_id: int, checks: Sequence[CheckResult]) -> TriageOutcome:
        count = sum(1 for check in checks if check.level is CheckLevel.BLOCKING)
        return TriageOutcome(TriageState.BLOCKED, invoice_id, tuple(checks),
                             Message("triage.blocked", {"count": count}))
