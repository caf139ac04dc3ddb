"""Payment mode and bank account checks.

An invoice needs a payment mode, and a credit transfer (VIREMENT) needs one of the
supplier's valid bank accounts. A credit note carries no payment mode, because one on a
credit note is a known cause of rejection.
"""

from __future__ import annotations

from collections.abc import Sequence

from chorus_tui.domain import PAYMENT_MODES, CheckResult, DepositForm, InvoiceKind
from chorus_tui.i18n import Message
from chorus_tui.validation.results import blocking, message, passed

MODE_FIELD = "payment_mode"
ACCOUNT_FIELD = "bank_account_id"


def payment_mode_label(code: str) -> Message | str:
    """Return the French name of a payment mode code, or the code itself when it is unknown."""
    return message(f"payment_label_{code.lower()}") if code in PAYMENT_MODES else code


def check_payment_mode(form: DepositForm) -> list[CheckResult]:
    mode = form.payment_mode
    if form.kind is InvoiceKind.CREDIT_NOTE:
        if mode:
            return [blocking(MODE_FIELD, "payment_mode_on_credit_note", value=payment_mode_label(mode))]
        return [passed(MODE_FIELD, "payment_mode_none_credit_note")]
    if not mode:
        return [blocking(MODE_FIELD, "payment_mode_missing")]
    if mode not in PAYMENT_MODES:
        return [blocking(MODE_FIELD, "payment_mode_unknown", value=mode, allowed=", ".join(PAYMENT_MODES))]
    if mode == "VIREMENT" and form.bank_account_id is None:
        return [blocking(ACCOUNT_FIELD, "bank_account_missing")]
    return [passed(MODE_FIELD, "payment_mode_ok", value=payment_mode_label(mode))]


def check_bank_account(form: DepositForm, accounts: Sequence[tuple[int, str]]) -> CheckResult | None:
    """Check the chosen account against the supplier's valid ones, given as (id, name) pairs."""
    if form.bank_account_id is None:
        return None
    names = dict(accounts)
    if form.bank_account_id in names:
        return passed(ACCOUNT_FIELD, "bank_account_ok", name=names[form.bank_account_id])
    if not names:
        return blocking(ACCOUNT_FIELD, "bank_account_none_valid", value=form.bank_account_id)
    listed = ", ".join(f"{name} ({account_id})" for account_id, name in accounts)
    return blocking(ACCOUNT_FIELD, "bank_account_unknown", value=form.bank_account_id, accounts=listed)
