"""Local SQLite store of invoices, deposit attempts, timelines and sync checkpoints."""

from chorus_tui.store.rows import (
    AttemptState,
    DepositAttempt,
    EventKind,
    EventRow,
    InvoiceOrder,
    InvoiceRow,
)
from chorus_tui.store.errors import (
    DatabaseTooNew,
    DepositNotAllowed,
    InvoiceNotFound,
    NumberAlreadyDeposited,
    StoreError,
)
from chorus_tui.store.store import Store

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
