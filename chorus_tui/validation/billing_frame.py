"""Billing frame (cadre de facturation): the suggestion from the invoice and the form's checks.

`soumettre` accepts four frames. A1 is the ordinary supplier invoice; A2 an invoice
already paid (nothing left to pay); A9 a subcontractor's invoice and A12 a co-contractor's
invoice, both of which a validating structure (codeStructureValideur, the mandataire or
the main contractor) must approve before the recipient sees them.
"""

from __future__ import annotations

from chorus_tui.domain import BILLING_FRAMES, CheckResult, DepositForm, SourceInvoice
from chorus_tui.i18n import Message
from chorus_tui.validation.amounts import prefilled_amount_due
from chorus_tui.validation.display import Money
from chorus_tui.validation.identifiers import Party, check_siret, normalise_siret
from chorus_tui.validation.results import blocking, message, passed, warning

A1 = "A1_FACTURE_FOURNISSEUR"
A2 = "A2_FACTURE_FOURNISSEUR_DEJA_PAYEE"
A9 = "A9_FACTURE_SOUSTRAITANT"
A12 = "A12_FACTURE_COTRAITANT"
FRAMES_WITH_VALIDATOR = (A9, A12)

FIELD = "billing_frame"


def billing_frame_label(code: str) -> Message | str:
    """Return the French name of a billing frame code, or the code itself when it is unknown."""
    return message(f"frame_label_{code.split('_', 1)[0].lower()}") if code in BILLING_FRAMES else code


def suggest_billing_frame(invoice: SourceInvoice) -> tuple[str, Message]:
    """Return the billing frame the invoice calls for and the reason, to show beside the form's choice.

    An invoice that states its supplier is a subcontractor paid directly gets A9, validated by
    the main contractor. Otherwise a mandataire found on the invoice means a group of
    contractors, so A12 (co-contractor) is proposed, and the reason prompts the user to pick A9
    if they are a subcontractor after all.
    """
    detection = invoice.detection
    mandataire = detection.mandataire_siret
    if detection.subcontracting:
        if mandataire:
            name = detection.mandataire_name or mandataire
            return A9, message("frame_reason_subcontracting", name=name, siret=mandataire)
        return A9, message("frame_reason_subcontracting_no_contractor")
    if mandataire:
        name = detection.mandataire_name or mandataire
        return A12, message("frame_reason_mandataire", name=name, siret=mandataire)
    due = invoice.amounts.amount_due
    if invoice.already_paid or (due is not None and due == 0 and (invoice.amounts.total_ttc or 0) > 0):
        return A2, message("frame_reason_paid")
    return A1, message("frame_reason_default")


def check_billing_frame(form: DepositForm, invoice: SourceInvoice | None = None, *,
                        supplier_sirets: frozenset[str] = frozenset()) -> list[CheckResult]:
    """Check the frame against the amount to pay and the validator it needs."""
    frame = form.billing_frame
    if frame not in BILLING_FRAMES:
        return [blocking(FIELD, "frame_unknown", value=frame, allowed=", ".join(BILLING_FRAMES))]
    results: list[CheckResult] = []
    due = form.amounts.amount_due
    if frame == A2 and due is not None and due != 0:
        if invoice is not None and due == prefilled_amount_due(invoice.amounts, invoice.already_paid):
            # The form locks an amount to pay read from the invoice, so only the cadre can change.
            results.append(blocking(FIELD, "frame_a2_invoice_due", due=Money(due, form.amounts.currency)))
        else:
            results.append(blocking(FIELD, "frame_a2_not_paid"))
    if frame == A1 and due == 0 and (form.amounts.total_ttc or 0) > 0:
        results.append(warning(FIELD, "frame_a1_paid"))
    if frame in FRAMES_WITH_VALIDATOR:
        results.extend(_check_validator(form, supplier_sirets))
    elif form.validator_siret:
        results.append(warning("validator_siret", "validator_ignored", value=form.validator_siret))
    mandataire = invoice.detection.mandataire_siret if invoice is not None else None
    if invoice is not None and invoice.detection.subcontracting and frame != A9:
        results.append(warning(FIELD, "frame_subcontracting_detected", value=billing_frame_label(frame)))
    elif mandataire and frame not in FRAMES_WITH_VALIDATOR:
        results.append(warning(FIELD, "frame_mandataire_detected", siret=mandataire,
                               name=invoice.detection.mandataire_name or mandataire))
    if not any(result.field == FIELD for result in results):
        results.append(passed(FIELD, "frame_ok", value=billing_frame_label(frame)))
    return results


def _check_validator(form: DepositForm, supplier_sirets: frozenset[str]) -> list[CheckResult]:
    field = "validator_siret"
    if not form.validator_siret:
        return [blocking(field, "validator_missing", frame=billing_frame_label(form.billing_frame))]
    result = check_siret(form.validator_siret, party=Party.MANDATAIRE, field=field)
    if result.level != "pass":
        return [result]
    validator = normalise_siret(form.validator_siret)
    if validator in supplier_sirets:
        return [blocking(field, "validator_is_supplier", value=validator)]
    if validator == normalise_siret(form.recipient_siret or ""):
        return [warning(field, "validator_is_recipient", value=validator)]
    return [result]
