"""Messages that workers post to the screens; workers never touch widgets themselves."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from chorus_tui.domain import SourceInvoice


class SourceScanned(Message):
    """The source folder was read again; the invoices still have to be stored."""

    def __init__(self, invoices: list[SourceInvoice]) -> None:
        super().__init__()
        self.invoices = invoices


class InvoicesChanged(Message):
    """Stored invoices changed (import, deposit, poll): lists and counts must be read again."""

    def __init__(self, invoice_ids: tuple[int, ...] = ()) -> None:
        super().__init__()
        self.invoice_ids = invoice_ids


class PollFinished(Message):
    """One poll of Chorus Pro ended; `report` is the sync engine's PollReport."""

    def __init__(self, report: Any) -> None:
        super().__init__()
        self.report = report
