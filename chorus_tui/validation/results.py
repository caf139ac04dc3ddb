"""Constructors for check results, so every check module builds them the same way.

Message keys are relative to the `checks` i18n area: `blocking("invoice_date", "date_missing")`
renders `checks.date_missing`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chorus_tui.domain import CheckLevel, CheckResult
from chorus_tui.i18n import Message


def message(key: str, **params: Any) -> Message:
    """Return the `checks.<key>` message with its parameters."""
    return Message(f"checks.{key}", params)


def passed(field: str, key: str, **params: Any) -> CheckResult:
    return CheckResult(field, CheckLevel.PASS, message(key, **params))


def warning(field: str, key: str, **params: Any) -> CheckResult:
    return CheckResult(field, CheckLevel.WARNING, message(key, **params))


def blocking(field: str, key: str, **params: Any) -> CheckResult:
    return CheckResult(field, CheckLevel.BLOCKING, message(key, **params))


def has_blocking(results: Iterable[CheckResult]) -> bool:
    """Return True when at least one result forbids the deposit."""
    return any(result.level is CheckLevel.BLOCKING for result in results)
