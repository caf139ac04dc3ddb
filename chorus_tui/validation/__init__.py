"""Pre-deposit checks: everything Chorus Pro would reject, found before the deposit.

Public entry points:
- `check_deposit(invoice, form, directory, *, today, supplier_sirets, supplier_id)` runs every check;
- `check_form(...)` runs only the checks that need no Chorus Pro lookup;
- `has_blocking(results)` tells whether the deposit must wait;
- `Directory(client)` caches the Chorus Pro directory lookups;
- `form_from_invoice(invoice, ...)` pre-fills the deposit form;
- `suggest_billing_frame(invoice)` and `offerable_services(services)` feed the form's pickers.
"""

from chorus_tui.validation.billing_frame import suggest_billing_frame
from chorus_tui.validation.checks import check_deposit, check_form
from chorus_tui.validation.directory import Directory
from chorus_tui.validation.prefill import form_from_invoice
from chorus_tui.validation.results import has_blocking
from chorus_tui.validation.rules import offerable_services

__all__ = [
    "Directory",
    "check_deposit",
    "check_form",
    "form_from_invoice",
    "has_blocking",
    "offerable_services",
    "suggest_billing_frame",
]
