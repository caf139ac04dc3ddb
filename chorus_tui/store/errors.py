"""Errors of the store, each with a message for the user."""

from __future__ import annotations

from chorus_tui.i18n import Message


class StoreError(Exception):
    """A store operation that cannot be done, with a message for the user."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.key)
        self.message = message


class InvoiceNotFound(StoreError):
    pass


class DepositNotAllowed(StoreError):
    """The invoice is not in a status from which it may be deposited."""


class NumberAlreadyDeposited(StoreError):
    """Another local invoice already went to Chorus Pro with the same number and year."""


class DatabaseTooNew(StoreError):
    """The file was written by a newer chorus-tui, whose schema this version does not know."""
