"""Format rules Chorus Pro enforces on the typed fields of a deposit.

Each function checks one field of the DepositForm and returns one CheckResult, or None
when the field is empty and optional (the recipient's rules decide whether it is needed).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from chorus_tui.domain import CheckResult
from chorus_tui.validation.display import Day
from chorus_tui.validation.results import blocking, passed, warning

SERVICE_CODE_MAX_LENGTH = 100
ENGAGEMENT_NUMBER_MAX_LENGTH = 50
COMMENT_MAX_LENGTH = 200
# NOTE: no source confirms Chorus Pro's maximum invoice number length; 20 characters is
# often quoted, so a longer number gets a warning instead of blocking the deposit.
INVOICE_NUMBER_USUAL_MAX_LENGTH = 20

# Date layouts an invoice number must not copy: Chorus Pro refuses a number that is a date.
_DATE_LAYOUTS = ("%Y%m%d", "%Y-%m-%d", "%Y/%m/%d", "%d%m%Y", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y.%m.%d")


def _is_service_code_character(character: str) -> bool:
    """Letters (accented Latin ones too), digits, space, `_` and `-`, as Chorus Pro's service code rule lists."""
    if character in " _-" or ("0" <= character <= "9"):
        return True
    if not character.isalpha():
        return False
    return unicodedata.name(character, "").startswith("LATIN")


def check_service_code_format(code: str | None) -> CheckResult | None:
    if code is None or code == "":
        return None
    if len(code) > SERVICE_CODE_MAX_LENGTH:
        return blocking("service_code", "service_code_too_long", value=code, length=len(code),
                        maximum=SERVICE_CODE_MAX_LENGTH)
    invalid = sorted({character for character in code if not _is_service_code_character(character)})
    if invalid:
        return blocking("service_code", "service_code_characters", value=code,
                        characters=" ".join(f"« {character} »" for character in invalid))
    if code != code.strip():
        return warning("service_code", "service_code_spaces", value=code)
    return None


def check_engagement_number_format(number: str | None) -> CheckResult | None:
    if number is None or number == "":
        return None
    if len(number) > ENGAGEMENT_NUMBER_MAX_LENGTH:
        return blocking("engagement_number", "engagement_too_long", value=number, length=len(number),
                        maximum=ENGAGEMENT_NUMBER_MAX_LENGTH)
    if number != number.strip():
        return warning("engagement_number", "engagement_spaces", value=number)
    return None


def check_contract_number_format(number: str | None) -> CheckResult | None:
    # NOTE: the Chorus Pro reference gives no length or character rule for numeroMarche, so
    # any value is accepted; only surrounding spaces are pointed out.
    if number is None or number == "":
        return None
    if number != number.strip():
        return warning("contract_number", "contract_spaces", value=number)
    return passed("contract_number", "contract_ok", value=number)


def looks_like_date(text: str) -> bool:
    """Return True when `text` is a calendar date written in one of the usual layouts."""
    for layout in _DATE_LAYOUTS:
        try:
            datetime.strptime(text, layout)
        except ValueError:
            continue
        return True
    return False


def check_invoice_number(number: str | None, *, printed_number: str | None = None) -> list[CheckResult]:
    """Check presence, shape and length of the invoice number, and that it matches the printed one."""
    field = "invoice_number"
    if number is None or not number.strip():
        return [blocking(field, "number_missing")]
    results: list[CheckResult] = []
    stripped = number.strip()
    if stripped != number:
        results.append(blocking(field, "number_spaces", value=number))
    if looks_like_date(stripped):
        return [*results, blocking(field, "number_is_date", value=stripped)]
    if not any(character.isalnum() for character in stripped):
        return [*results, blocking(field, "number_no_alnum", value=stripped)]
    if len(stripped) > INVOICE_NUMBER_USUAL_MAX_LENGTH:
        results.append(warning(field, "number_long", value=stripped, length=len(stripped),
                               maximum=INVOICE_NUMBER_USUAL_MAX_LENGTH))
    if printed_number and printed_number.strip() != stripped:
        results.append(warning(field, "number_differs", value=stripped, printed=printed_number.strip()))
    if not results:
        results.append(passed(field, "number_ok", value=stripped))
    return results


def check_invoice_date(invoice_date: date | None, *, today: date,
                       printed_date: date | None = None) -> list[CheckResult]:
    field = "invoice_date"
    if invoice_date is None:
        return [blocking(field, "date_missing")]
    if invoice_date > today:
        return [blocking(field, "date_future", value=Day(invoice_date), today=Day(today))]
    results: list[CheckResult] = []
    if printed_date is not None and printed_date != invoice_date:
        results.append(warning(field, "date_differs", value=Day(invoice_date), printed=Day(printed_date)))
    if not results:
        results.append(passed(field, "date_ok", value=Day(invoice_date)))
    return results


def check_comment(comment: str | None) -> CheckResult | None:
    if comment is None or comment == "":
        return None
    if len(comment) > COMMENT_MAX_LENGTH:
        return blocking("comment", "comment_too_long", length=len(comment), maximum=COMMENT_MAX_LENGTH)
    return None
