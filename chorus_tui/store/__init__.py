"""Local SQLite store of invoices, deposit attempts, timelines and sync checkpoints."""

from chorus_tui.store.rows import (
    AttemptState,
    DepositAttempt,
    EventKind,
    EventRow,
    InvoiceOrder,
    InvoiceRow,
)
from chorus_tui.store.store import (
    DatabaseTooNew,
    DepositNotAllowed,
    InvoiceNotFound,
    NumberAlreadyDeposited,
    Store,
    StoreError,
)

__all__ = [
    "AttemptState",
    "DatabaseTooNew",
    "DepositAttempt",
    "DepositNotAllowed",
    "EventKind",
    "EventRow",
    "InvoiceNotFound",
    "InvoiceOrder",
    "InvoiceRow",
    "NumberAlreadyDeposited",
    "Store",
    "StoreError",
]
