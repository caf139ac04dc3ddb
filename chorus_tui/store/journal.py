"""The deposit journal: one row per attempt to send an invoice to Chorus Pro.

An attempt is journaled before its request leaves, in the transaction that
marks the invoice "envoi en cours", and finished as accepted, rejected,
unknown or failed. Partial unique indexes allow one open attempt and one
accepted attempt per invoice.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from chorus_tui.domain import DepositRoute
from chorus_tui.i18n import Message
from chorus_tui.statuses import DEPOSIT_REFUSED, DEPOSITABLE_STATUSES, SENDING, TO_DEPOSIT, Category, status_label
from chorus_tui.store.codec import (
    DEPOSIT_COLUMNS,
    attempt_row,
    encode_message,
    parse_date,
    to_timestamp,
)
from chorus_tui.store.errors import DepositNotAllowed, InvoiceNotFound, NumberAlreadyDeposited
from chorus_tui.store.rows import OPEN_ATTEMPT_STATES, AttemptState, DepositAttempt, EventKind
from chorus_tui.store.schema import search_text


class DepositJournal:
    """Deposit-journal methods of `Store`; they use its connection, lock, clock and timeline helpers."""

    def begin_deposit(
        self,
        invoice_id: int,
        *,
        route: DepositRoute,
        payload_digest: str,
        invoice_number: str,
        recipient_siret: str | None,
        invoice_date: date | None,
        recipient_name: str | None = None,
    ) -> int:
        """Journal a deposit attempt and mark the invoice "envoi en cours", in one transaction.

        `recipient_name`, when given, replaces the customer printed on the invoice, so that the
        list names the body the invoice was sent to.

        Raises DepositNotAllowed when the invoice is already with Chorus Pro or
        being sent, and NumberAlreadyDeposited when another local invoice went
        to Chorus Pro with the same number in the same year.
        """
        now = self._now()
        with self._transaction() as conn:
            record = conn.execute("SELECT status_code FROM invoices WHERE id = ?", (invoice_id,)).fetchone()
            if record is None:
                raise InvoiceNotFound(Message("store.invoice_not_found", {"id": invoice_id}))
            status_code = record[0]
            if status_code not in DEPOSITABLE_STATUSES:
                raise DepositNotAllowed(
                    Message("store.deposit_not_allowed", {"number": invoice_number, "status": status_label(status_code)})
                )
            self._check_number_unused(conn, invoice_id, invoice_number, invoice_date)
            cursor = conn.execute(
                "INSERT INTO deposits (invoice_id, route, payload_digest, invoice_number, recipient_siret, "
                "invoice_date, state, started_at) VALUES (?, ?, ?, ?, ?, ?, 'sending', ?)",
                (invoice_id, DepositRoute(route).value, payload_digest, invoice_number, recipient_siret,
                 invoice_date.isoformat() if invoice_date else None, now),
            )
            attempt_id = cursor.lastrowid
            if recipient_name:
                conn.execute("UPDATE invoices SET customer = ? WHERE id = ?", (recipient_name, invoice_id))
            conn.execute(
                "UPDATE invoices SET number = ?, recipient_siret = ?, invoice_date = COALESCE(?, invoice_date), "
                "deposit_route = ?, status_code = ?, status_changed_at = ?, status_comment = NULL, category = ?, "
                "search_text = ?, updated_at = ? WHERE id = ?",
                (invoice_number, recipient_siret, invoice_date.isoformat() if invoice_date else None,
                 DepositRoute(route).value, SENDING, now, Category.IN_PROGRESS.value,
                 self._search_text_for(conn, invoice_id, invoice_number, recipient_siret), now, invoice_id),
            )
            self._insert_event(conn, invoice_id, EventKind.DEPOSIT_STARTED, at=now,
                               message=Message(f"store.event_deposit_started.{DepositRoute(route).value}"))
            return attempt_id

    @staticmethod
    def _search_text_for(conn: sqlite3.Connection, invoice_id: int, number: str, siret: str | None) -> str:
        customer, source_key = conn.execute(
            "SELECT customer, source_key FROM invoices WHERE id = ?", (invoice_id,)
        ).fetchone()
        return search_text(number, customer, siret, source_key)

    @staticmethod
    def _check_number_unused(
        conn: sqlite3.Connection, invoice_id: int, number: str, invoice_date: date | None
    ) -> None:
        depositable = sorted(DEPOSITABLE_STATUSES)
        records = conn.execute(
            f"SELECT id, invoice_date FROM invoices WHERE number = ? AND id != ? "
            f"AND status_code NOT IN ({', '.join('?' for _ in depositable)})",
            (number, invoice_id, *depositable),
        ).fetchall()
        for _other_id, other_date in records:
            # Chorus Pro keeps numbers unique per supplier and year of the invoice.
            if invoice_date is None or other_date is None or parse_date(other_date).year == invoice_date.year:
                raise NumberAlreadyDeposited(Message("store.number_already_deposited", {"number": number}))

    def _finish_attempt(
        self,
        conn: sqlite3.Connection,
        attempt_id: int,
        state: AttemptState,
        *,
        error: Message | None = None,
        chorus_invoice_id: int | None = None,
        flow_number: str | None = None,
        attachment_id: int | None = None,
    ) -> DepositAttempt:
        conn.execute(
            "UPDATE deposits SET state = ?, finished_at = ?, error_json = ?, "
            "chorus_invoice_id = COALESCE(?, chorus_invoice_id), flow_number = COALESCE(?, flow_number), "
            "attachment_id = COALESCE(?, attachment_id) WHERE id = ?",
            (state.value, self._now(), encode_message(error), chorus_invoice_id, flow_number, attachment_id,
             attempt_id),
        )
        record = conn.execute(f"SELECT {DEPOSIT_COLUMNS} FROM deposits WHERE id = ?", (attempt_id,)).fetchone()
        if record is None:
            raise LookupError(f"deposit attempt {attempt_id} does not exist")
        return attempt_row(record)

    def record_attachment(self, attempt_id: int, attachment_id: int) -> None:
        """Note the uploaded PDF's id on the attempt, before `soumettre` is sent."""
        with self._transaction() as conn:
            conn.execute("UPDATE deposits SET attachment_id = ? WHERE id = ?", (attachment_id, attempt_id))

    def finish_deposit_accepted(
        self,
        attempt_id: int,
        *,
        chorus_invoice_id: int | None,
        flow_number: str | None,
        status_code: str,
        at: datetime | None = None,
        adopted: bool = False,
        comment: str | None = None,
        chorus_number: str | None = None,
    ) -> DepositAttempt:
        """Record that Chorus Pro has the invoice (by id, or in a received flow); committed before returning.

        `chorus_number` is the number Chorus Pro gave the invoice; it replaces
        the local one when they differ (a data-entry deposit may get a number
        generated by Chorus Pro).
        """
        moment = to_timestamp(at) if at else self._now()
        with self._transaction() as conn:
            attempt = self._finish_attempt(conn, attempt_id, AttemptState.ACCEPTED,
                                           chorus_invoice_id=chorus_invoice_id, flow_number=flow_number)
            if chorus_number and chorus_number != attempt.invoice_number:
                conn.execute("UPDATE invoices SET number = ?, search_text = ? WHERE id = ?",
                             (chorus_number, self._search_text_for(conn, attempt.invoice_id, chorus_number,
                                                                   attempt.recipient_siret), attempt.invoice_id))
            conn.execute(
                "UPDATE invoices SET chorus_invoice_id = COALESCE(?, chorus_invoice_id), "
                "flow_number = COALESCE(?, flow_number) WHERE id = ?",
                (chorus_invoice_id, flow_number, attempt.invoice_id),
            )
            kind = EventKind.DEPOSIT_ADOPTED if adopted else EventKind.DEPOSITED
            self._insert_event(conn, attempt.invoice_id, kind, at=moment, status_code=status_code,
                               message=Message(f"store.event_{kind.value}.{attempt.route.value}"))
            status_kind = EventKind.STATUS if chorus_invoice_id is not None else EventKind.FLOW_STATE
            self._insert_event(conn, attempt.invoice_id, status_kind, at=moment, status_code=status_code,
                               comment=comment)
            self._set_status(conn, attempt.invoice_id, status_code, at=moment, comment=comment)
            return attempt

    def finish_deposit_rejected(self, attempt_id: int, error: Message) -> DepositAttempt:
        """Record a business refusal: nothing was created, the invoice may be deposited again."""
        now = self._now()
        with self._transaction() as conn:
            attempt = self._finish_attempt(conn, attempt_id, AttemptState.REJECTED, error=error)
            self._insert_event(conn, attempt.invoice_id, EventKind.DEPOSIT_REFUSED, at=now, message=error)
            self._set_status(conn, attempt.invoice_id, DEPOSIT_REFUSED, at=now, comment=None)
            return attempt

    def finish_deposit_failed(self, attempt_id: int, error: Message, *, restore_status: str = TO_DEPOSIT
                              ) -> DepositAttempt:
        """Record an attempt that never reached Chorus Pro (or is known not to have created anything)."""
        now = self._now()
        with self._transaction() as conn:
            attempt = self._finish_attempt(conn, attempt_id, AttemptState.FAILED, error=error)
            self._insert_event(conn, attempt.invoice_id, EventKind.DEPOSIT_FAILED, at=now, message=error)
            self._set_status(conn, attempt.invoice_id, restore_status, at=now, comment=None)
            return attempt

    def finish_deposit_unknown(self, attempt_id: int, error: Message) -> DepositAttempt:
        """Record an attempt whose outcome is unknown; the invoice stays "envoi en cours" until resolved."""
        now = self._now()
        with self._transaction() as conn:
            attempt = self._finish_attempt(conn, attempt_id, AttemptState.UNKNOWN, error=error)
            self._insert_event(conn, attempt.invoice_id, EventKind.DEPOSIT_UNKNOWN, at=now, message=error)
            return attempt

    def open_attempts(self) -> list[DepositAttempt]:
        """Return the attempts left "sending" (a crash) or "unknown" (no response), oldest first."""
        states = [state.value for state in OPEN_ATTEMPT_STATES]
        records = self._query(
            f"SELECT {DEPOSIT_COLUMNS} FROM deposits WHERE state IN (?, ?) ORDER BY id", states
        )
        return [attempt_row(record) for record in records]

    def open_attempt(self, invoice_id: int) -> DepositAttempt | None:
        states = [state.value for state in OPEN_ATTEMPT_STATES]
        record = self._query_one(
            f"SELECT {DEPOSIT_COLUMNS} FROM deposits WHERE invoice_id = ? AND state IN (?, ?)",
            (invoice_id, *states),
        )
        return attempt_row(record) if record else None

    def attempts(self, invoice_id: int) -> list[DepositAttempt]:
        """Return the deposit journal of one invoice, oldest first."""
        records = self._query(
            f"SELECT {DEPOSIT_COLUMNS} FROM deposits WHERE invoice_id = ? ORDER BY id", (invoice_id,)
        )
        return [attempt_row(record) for record in records]
