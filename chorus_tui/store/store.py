"""The local SQLite database: invoices, their deposit journal, their timeline and sync checkpoints.

One connection, opened with `check_same_thread=False` and guarded by a lock,
serves the Textual event loop and thread workers alike. Every write is one
short `BEGIN IMMEDIATE` transaction committed before the method returns, and
the database runs in WAL mode with `synchronous=FULL`, so a deposit that
Chorus Pro accepted survives a crash once `finish_deposit_accepted` returns.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from chorus_tui import paths
from chorus_tui.clock import Clock, SystemClock
from chorus_tui.domain import SourceInvoice
from chorus_tui.i18n import Message
from chorus_tui.statuses import (
    ACCOUNTING_STATUSES,
    DEPOSITABLE_STATUSES,
    FLOW_DONE_STATES,
    FLOW_PENDING_STATES,
    TO_DEPOSIT,
    Category,
    category_of,
    codes_matching_label,
    fold_text,
    is_polled,
)
from chorus_tui.store.codec import (
    EVENT_COLUMNS,
    INVOICE_COLUMNS,
    decimal_text,
    encode_detection,
    encode_message,
    event_row,
    from_timestamp,
    invoice_row,
    to_timestamp,
)
from chorus_tui.store.errors import DatabaseTooNew, InvoiceNotFound
from chorus_tui.store.journal import DepositJournal
from chorus_tui.store.rows import EventKind, EventRow, InvoiceOrder, InvoiceRow
from chorus_tui.store.schema import LATEST_VERSION, MIGRATIONS, search_text

log = logging.getLogger(__name__)

# One category, several (as a set or list), or None for all.
CategoryFilter = Category | Iterable[Category] | None


# Each order matches an index of schema version 3, so that a page deep in a
# long list is found by walking the index, not by sorting the table.
# Ascending orders put rows without a value first, descending ones last.
_ORDER_SQL: dict[InvoiceOrder, str] = {
    InvoiceOrder.DATE_DESC: "invoice_date DESC, id DESC",
    InvoiceOrder.DATE_ASC: "invoice_date ASC, id ASC",
    InvoiceOrder.NUMBER: "number COLLATE NOCASE ASC, id ASC",
    InvoiceOrder.CUSTOMER: "customer COLLATE NOCASE ASC, id ASC",
    InvoiceOrder.AMOUNT_DESC: "CAST(total_ttc AS REAL) DESC, id DESC",
    InvoiceOrder.STATUS_CHANGED_DESC: "status_changed_at DESC, id DESC",
}

class Store(DepositJournal):
    """The SQLite database of one profile (or of the demo)."""

    def __init__(self, path: Path, *, clock: Clock | None = None) -> None:
        self.path = Path(path)
        self.clock: Clock = clock or SystemClock()
        # The database contains the supplier's invoices, so other users of the machine must not read it.
        paths.make_private_dir(self.path.parent)
        paths.create_private_file(self.path)
        self._lock = threading.RLock()
        # isolation_level=None: no implicit transactions; each write opens its own.
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        try:
            self._conn.execute("PRAGMA foreign_keys = ON")
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                log.warning("SQLite did not enable WAL mode for %s (journal mode %s)", self.path, mode)
            self._conn.execute("PRAGMA synchronous = FULL")
            # SQLite gives -wal and -shm the database's mode; files left by an older version may be wider.
            for suffix in ("-wal", "-shm"):
                companion = self.path.with_name(self.path.name + suffix)
                if companion.exists():
                    companion.chmod(paths.PRIVATE_FILE_MODE)
            self._migrate()
        except BaseException:
            self._conn.close()
            raise

    # --- life cycle ------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self._query_one("PRAGMA user_version")[0]

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _query_one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        with self._lock:
            return self._conn.execute(sql, params).fetchone()

    def _migrate(self) -> None:
        version = self.schema_version
        if version > LATEST_VERSION:
            raise DatabaseTooNew(
                Message("store.database_too_new", {"path": str(self.path), "version": version,
                                                   "latest": LATEST_VERSION})
            )
        for number in range(version + 1, LATEST_VERSION + 1):
            with self._transaction() as conn:
                MIGRATIONS[number - 1](conn)
                conn.execute(f"PRAGMA user_version = {number}")
            log.info("migrated %s to schema version %d", self.path, number)

    def _now(self) -> str:
        return to_timestamp(self.clock.now())

    # --- invoices --------------------------------------------------------------

    def upsert_source_invoice(self, source: SourceInvoice) -> int:
        """Insert an invoice read from a source, or refresh it; return its local id.

        A re-import never touches the Chorus Pro state (status, ids, journal).
        Once the invoice has gone to Chorus Pro, its number, recipient, date
        and amounts stay those that were deposited. Only the file location and
        the detection data are refreshed then.
        """
        with self._transaction() as conn:
            return self._upsert(conn, source, self._now())

    def upsert_source_invoices(self, sources: Sequence[SourceInvoice]) -> list[int]:
        """Upsert many invoices in one transaction (one disk sync instead of one per invoice)."""
        now = self._now()
        with self._transaction() as conn:
            return [self._upsert(conn, source, now) for source in sources]

    def _upsert(self, conn: sqlite3.Connection, source: SourceInvoice, now: str) -> int:
        amounts = source.amounts
        values = {
            "file_path": str(source.file_path) if source.file_path else None,
            "number": source.invoice_number,
            "customer": source.customer_name,
            "recipient_siret": source.detection.recipient_siret,
            "invoice_date": source.invoice_date.isoformat() if source.invoice_date else None,
            "kind": source.kind.value,
            "original_invoice_number": source.original_invoice_number,
            "total_ht": decimal_text(amounts.total_ht),
            "total_vat": decimal_text(amounts.total_vat),
            "total_ttc": decimal_text(amounts.total_ttc),
            "amount_due": decimal_text(amounts.amount_due),
            "currency": amounts.currency,
            "facturx_profile": source.facturx_profile,
            "file_sha256": source.file_sha256,
            "detection_json": encode_detection(source),
            "search_text": search_text(
                source.invoice_number, source.customer_name, source.detection.recipient_siret, source.source_key
            ),
        }
        existing = conn.execute(
            "SELECT id, status_code FROM invoices WHERE source_key = ?", (source.source_key,)
        ).fetchone()
        if existing is None:
            columns = ", ".join(values)
            placeholders = ", ".join("?" for _ in values)
            cursor = conn.execute(
                f"INSERT INTO invoices (source_key, {columns}, status_code, category, imported_at, updated_at) "
                f"VALUES (?, {placeholders}, ?, ?, ?, ?)",
                (source.source_key, *values.values(), TO_DEPOSIT, Category.TO_DEPOSIT.value, now, now),
            )
            invoice_id = cursor.lastrowid
            self._insert_event(conn, invoice_id, EventKind.IMPORTED, at=now,
                               message=Message("store.event_imported", {"source": source.source_key}))
            return invoice_id

        invoice_id, status_code = existing
        if status_code not in DEPOSITABLE_STATUSES:
            values = {key: values[key] for key in ("file_path", "detection_json", "file_sha256")}
        assignments = ", ".join(f"{column} = ?" for column in values)
        conn.execute(
            f"UPDATE invoices SET {assignments}, updated_at = ? WHERE id = ?",
            (*values.values(), now, invoice_id),
        )
        return invoice_id

    def get_invoice(self, invoice_id: int) -> InvoiceRow | None:
        record = self._query_one(f"SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = ?", (invoice_id,))
        return invoice_row(record) if record else None

    def require_invoice(self, invoice_id: int) -> InvoiceRow:
        """Return the invoice `invoice_id`, or raise InvoiceNotFound."""
        row = self.get_invoice(invoice_id)
        if row is None:
            raise InvoiceNotFound(Message("store.invoice_not_found", {"id": invoice_id}))
        return row

    def find_by_number(self, number: str) -> list[InvoiceRow]:
        """Return the local invoices whose number is exactly `number` (several sources may share one)."""
        records = self._query(f"SELECT {INVOICE_COLUMNS} FROM invoices WHERE number = ? ORDER BY id", (number,))
        return [invoice_row(record) for record in records]

    def find_by_chorus_id(self, chorus_invoice_id: int) -> InvoiceRow | None:
        record = self._query_one(
            f"SELECT {INVOICE_COLUMNS} FROM invoices WHERE chorus_invoice_id = ?", (chorus_invoice_id,)
        )
        return invoice_row(record) if record else None

    def all_numbers(self) -> dict[str, list[int]]:
        """Map each local invoice number to the ids carrying it (for reconciliation)."""
        numbers: dict[str, list[int]] = {}
        for invoice_id, number in self._query("SELECT id, number FROM invoices WHERE number IS NOT NULL"):
            numbers.setdefault(number, []).append(invoice_id)
        return numbers

    @staticmethod
    def _filter_sql(filter_text: str | None, category: CategoryFilter) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if isinstance(category, str):
            clauses.append("category = ?")
            params.append(Category(category).value)
        elif category is not None:
            chosen = sorted({Category(item).value for item in category})
            clauses.append(f"category IN ({', '.join('?' for _ in chosen)})")
            params.extend(chosen)
        if filter_text and filter_text.strip():
            needle = fold_text(filter_text.strip())
            escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            text_clause = "search_text LIKE ? ESCAPE '\\'"
            params.append(f"%{escaped}%")
            codes = sorted(codes_matching_label(filter_text))
            if codes:
                text_clause += f" OR status_code IN ({', '.join('?' for _ in codes)})"
                params.extend(codes)
            clauses.append(f"({text_clause})")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return where, params

    def count_invoices(self, filter_text: str | None = None, category: CategoryFilter = None) -> int:
        where, params = self._filter_sql(filter_text, category)
        return self._query_one(f"SELECT COUNT(*) FROM invoices {where}", params)[0]

    def page_invoices(
        self,
        offset: int,
        limit: int,
        filter_text: str | None = None,
        category: CategoryFilter = None,
        order: InvoiceOrder = InvoiceOrder.DATE_DESC,
    ) -> list[InvoiceRow]:
        """Return one window of the invoice list.

        The filter matches number, customer, SIRET, file name and status label
        (accents and case ignored). `category` is one category or several.
        """
        if offset < 0 or limit < 0:
            raise ValueError(f"offset and limit must not be negative (offset={offset}, limit={limit})")
        where, params = self._filter_sql(filter_text, category)
        order_sql = _ORDER_SQL[InvoiceOrder(order)]
        # The inner query skips `offset` rows in the index alone; only the page's rows are read in full.
        records = self._query(
            f"SELECT {INVOICE_COLUMNS} FROM invoices WHERE id IN "
            f"(SELECT id FROM invoices {where} ORDER BY {order_sql} LIMIT ? OFFSET ?) ORDER BY {order_sql}",
            (*params, limit, offset),
        )
        return [invoice_row(record) for record in records]

    def counts_by_category(self) -> dict[Category, int]:
        """Return the number of invoices in each category, zero included."""
        counts = {category: 0 for category in Category}
        for category, count in self._query("SELECT category, COUNT(*) FROM invoices GROUP BY category"):
            counts[Category(category)] = count
        return counts

    # --- timeline --------------------------------------------------------------

    @staticmethod
    def _insert_event(
        conn: sqlite3.Connection,
        invoice_id: int,
        kind: EventKind,
        *,
        at: str,
        status_code: str | None = None,
        comment: str | None = None,
        actor: str | None = None,
        message: Message | None = None,
    ) -> int | None:
        cursor = conn.execute(
            "INSERT OR IGNORE INTO events (invoice_id, at, kind, status_code, comment, actor, message_json) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (invoice_id, at, EventKind(kind).value, status_code, comment, actor, encode_message(message)),
        )
        return cursor.lastrowid if cursor.rowcount else None

    def add_event(
        self,
        invoice_id: int,
        kind: EventKind,
        *,
        at: datetime | None = None,
        status_code: str | None = None,
        comment: str | None = None,
        actor: str | None = None,
        message: Message | None = None,
    ) -> int | None:
        """Append a timeline entry; return its id, or None when that Chorus Pro status was already stored."""
        moment = to_timestamp(at) if at else self._now()
        with self._transaction() as conn:
            return self._insert_event(conn, invoice_id, kind, at=moment, status_code=status_code,
                                      comment=comment, actor=actor, message=message)

    def events(self, invoice_id: int) -> list[EventRow]:
        """Return the timeline of one invoice, oldest first."""
        records = self._query(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE invoice_id = ? ORDER BY at, id", (invoice_id,)
        )
        return [event_row(record) for record in records]

    # --- status ----------------------------------------------------------------

    def _set_status(
        self,
        conn: sqlite3.Connection,
        invoice_id: int,
        code: str,
        *,
        at: str,
        comment: str | None,
    ) -> None:
        record = conn.execute("SELECT payment_not_reported FROM invoices WHERE id = ?", (invoice_id,)).fetchone()
        category = category_of(
            code, payment_not_reported=bool(record and record[0]), status_changed_at=from_timestamp(at),
            now=self.clock.now(),
        )
        conn.execute(
            "UPDATE invoices SET status_code = ?, status_changed_at = ?, status_comment = ?, category = ?, "
            "updated_at = ? WHERE id = ?",
            (code, at, comment, category.value, self._now(), invoice_id),
        )

    def record_status(
        self,
        invoice_id: int,
        code: str,
        *,
        at: datetime,
        comment: str | None = None,
        actor: str | None = None,
        history: Sequence[tuple[str, datetime, str | None, str | None]] = (),
        rejection_handled: bool | None = None,
    ) -> None:
        """Store the current Chorus Pro status of an invoice and the history entries read with it.

        `history` contains (code, date, comment, actor) tuples; entries already
        stored are skipped. The current status becomes a timeline entry too.
        """
        with self._transaction() as conn:
            for entry_code, entry_at, entry_comment, entry_actor in history:
                self._insert_event(conn, invoice_id, EventKind.STATUS, at=to_timestamp(entry_at), status_code=entry_code,
                                   comment=entry_comment, actor=entry_actor)
            self._insert_event(conn, invoice_id, EventKind.STATUS, at=to_timestamp(at), status_code=code,
                               comment=comment, actor=actor)
            self._set_status(conn, invoice_id, code, at=to_timestamp(at), comment=comment)
            if rejection_handled is not None:
                conn.execute("UPDATE invoices SET rejection_handled = ? WHERE id = ?",
                             (int(rejection_handled), invoice_id))

    def record_correction(
        self,
        invoice_id: int,
        kind: EventKind,
        *,
        status_code: str | None,
        at: datetime,
        comment: str | None = None,
        recipient_siret: str | None = None,
        message: Message | None = None,
    ) -> None:
        """Record a remedy applied on Chorus Pro (recycling, completion) and the status it led to, if known."""
        with self._transaction() as conn:
            if recipient_siret:
                conn.execute("UPDATE invoices SET recipient_siret = ? WHERE id = ?", (recipient_siret, invoice_id))
                number = conn.execute("SELECT number FROM invoices WHERE id = ?", (invoice_id,)).fetchone()[0]
                conn.execute("UPDATE invoices SET search_text = ? WHERE id = ?",
                             (self._search_text_for(conn, invoice_id, number, recipient_siret), invoice_id))
            self._insert_event(conn, invoice_id, kind, at=to_timestamp(at), comment=comment, message=message)
            if status_code:
                self._insert_event(conn, invoice_id, EventKind.STATUS, at=to_timestamp(at), status_code=status_code,
                                   comment=comment)
                self._set_status(conn, invoice_id, status_code, at=to_timestamp(at), comment=comment)

    def mark_rejection_handled(self, invoice_id: int, *, actor: str | None = None) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE invoices SET rejection_handled = 1, updated_at = ? WHERE id = ?",
                         (self._now(), invoice_id))
            self._insert_event(conn, invoice_id, EventKind.REJECTION_HANDLED, at=self._now(), actor=actor)

    def link_replacement(self, old_invoice_id: int, new_invoice_id: int) -> None:
        """Record that `new_invoice_id` re-issues the rejected invoice `old_invoice_id`."""
        new_row = self.require_invoice(new_invoice_id)
        self.require_invoice(old_invoice_id)
        with self._transaction() as conn:
            conn.execute("UPDATE invoices SET replaced_by = ?, updated_at = ? WHERE id = ?",
                         (new_invoice_id, self._now(), old_invoice_id))
            self._insert_event(conn, old_invoice_id, EventKind.REPLACED, at=self._now(),
                               message=Message("store.event_replaced", {"number": new_row.number or "?"}))

    def set_payment_not_reported(self, recipient_siret: str, flag: bool) -> int:
        """Record whether a recipient never reports MISE_EN_PAIEMENT; return the number of invoices updated."""
        with self._transaction() as conn:
            cursor = conn.execute("UPDATE invoices SET payment_not_reported = ? WHERE recipient_siret = ?",
                                  (int(flag), recipient_siret))
            return cursor.rowcount

    def recipients_with_unknown_payment_reporting(self) -> list[str]:
        """Return the recipient SIRETs of invoices at an accounting status whose payment-reporting parameter is unknown."""
        codes = sorted(ACCOUNTING_STATUSES)
        records = self._query(
            f"SELECT DISTINCT recipient_siret FROM invoices WHERE payment_not_reported IS NULL "
            f"AND recipient_siret IS NOT NULL AND status_code IN ({', '.join('?' for _ in codes)}) "
            f"ORDER BY recipient_siret",
            codes,
        )
        return [record[0] for record in records]

    def refresh_time_categories(self) -> int:
        """Recompute the categories that depend on elapsed time; return how many changed.

        Only invoices of recipients that never report MISE_EN_PAIEMENT can
        move on their own (to finished, 60 days after their last accounting status).
        """
        now = self.clock.now()
        changed = 0
        with self._transaction() as conn:
            records = conn.execute(
                "SELECT id, status_code, status_changed_at, category FROM invoices WHERE payment_not_reported = 1"
            ).fetchall()
            for invoice_id, code, changed_at, current in records:
                category = category_of(code, payment_not_reported=True,
                                       status_changed_at=from_timestamp(changed_at), now=now)
                if category.value != current:
                    conn.execute("UPDATE invoices SET category = ? WHERE id = ?", (category.value, invoice_id))
                    changed += 1
        return changed

    def polled_invoices(self) -> list[InvoiceRow]:
        """Return the invoices the status poll still follows (known to Chorus Pro, not finished)."""
        records = self._query(
            f"SELECT {INVOICE_COLUMNS} FROM invoices WHERE chorus_invoice_id IS NOT NULL "
            "AND category NOT IN ('paid', 'finished')"
        )
        now = self.clock.now()
        rows = [invoice_row(record) for record in records]
        return [
            row for row in rows
            if is_polled(row.status_code, rejection_handled=row.rejection_handled,
                         replaced=row.replaced_by is not None,
                         payment_not_reported=bool(row.payment_not_reported),
                         status_changed_at=row.status_changed_at, now=now)
        ]

    def link_existing_invoice(
        self,
        invoice_id: int,
        *,
        chorus_invoice_id: int,
        status_code: str,
        at: datetime,
        comment: str | None = None,
        flow_number: str | None = None,
    ) -> bool:
        """Link a never-deposited local invoice to the Chorus Pro invoice that reconciliation found.

        Returns False, changing nothing, when the local invoice is already
        linked, being sent, or the Chorus Pro invoice belongs to another row.
        """
        depositable = sorted(DEPOSITABLE_STATUSES)
        with self._transaction() as conn:
            owner = conn.execute("SELECT id FROM invoices WHERE chorus_invoice_id = ?",
                                 (chorus_invoice_id,)).fetchone()
            if owner is not None:
                return False
            cursor = conn.execute(
                f"UPDATE invoices SET chorus_invoice_id = ?, flow_number = COALESCE(?, flow_number) "
                f"WHERE id = ? AND chorus_invoice_id IS NULL "
                f"AND status_code IN ({', '.join('?' for _ in depositable)})",
                (chorus_invoice_id, flow_number, invoice_id, *depositable),
            )
            if cursor.rowcount == 0:
                return False
            self._insert_event(conn, invoice_id, EventKind.RECONCILED, at=self._now(), status_code=status_code,
                               message=Message("store.event_reconciled", {"id": chorus_invoice_id}))
            self._insert_event(conn, invoice_id, EventKind.STATUS, at=to_timestamp(at), status_code=status_code,
                               comment=comment)
            self._set_status(conn, invoice_id, status_code, at=to_timestamp(at), comment=comment)
            return True

    # --- flows -----------------------------------------------------------------

    def pending_flows(self) -> dict[str, list[InvoiceRow]]:
        """Return the flows still being integrated, or integrated with invoices not yet identified."""
        codes = sorted(FLOW_PENDING_STATES | FLOW_DONE_STATES)
        records = self._query(
            f"SELECT {INVOICE_COLUMNS} FROM invoices WHERE flow_number IS NOT NULL AND chorus_invoice_id IS NULL "
            f"AND status_code IN ({', '.join('?' for _ in codes)}) ORDER BY id",
            codes,
        )
        flows: dict[str, list[InvoiceRow]] = {}
        for record in records:
            row = invoice_row(record)
            flows.setdefault(row.flow_number, []).append(row)
        return flows

    def record_flow_state(self, invoice_id: int, state: str, *, at: datetime, comment: str | None = None) -> None:
        """Store the flow state of an invoice whose flow is not integrated yet."""
        with self._transaction() as conn:
            self._insert_event(conn, invoice_id, EventKind.FLOW_STATE, at=to_timestamp(at), status_code=state,
                               comment=comment)
            self._set_status(conn, invoice_id, state, at=to_timestamp(at), comment=comment)

    def record_flow_integrated(
        self, invoice_id: int, *, chorus_invoice_id: int, status_code: str, at: datetime, comment: str | None = None
    ) -> None:
        """Give an invoice of an integrated flow its Chorus Pro id and status."""
        with self._transaction() as conn:
            conn.execute("UPDATE invoices SET chorus_invoice_id = ? WHERE id = ?", (chorus_invoice_id, invoice_id))
            self._insert_event(conn, invoice_id, EventKind.FLOW_INTEGRATED, at=to_timestamp(at))
            self._insert_event(conn, invoice_id, EventKind.STATUS, at=to_timestamp(at), status_code=status_code,
                               comment=comment)
            self._set_status(conn, invoice_id, status_code, at=to_timestamp(at), comment=comment)

    def record_flow_rejected(self, invoice_id: int, state: str, *, at: datetime, reason: str | None) -> None:
        """Mark an invoice dropped by its flow; its accepted attempt becomes failed so it may be deposited again."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE deposits SET state = 'failed', finished_at = ?, error_json = ? "
                "WHERE invoice_id = ? AND state = 'accepted'",
                (to_timestamp(at), encode_message(Message("store.flow_rejected", {"reason": reason or "-"})), invoice_id),
            )
            self._insert_event(conn, invoice_id, EventKind.FLOW_REJECTED, at=to_timestamp(at), status_code=state,
                               comment=reason)
            self._set_status(conn, invoice_id, state, at=to_timestamp(at), comment=reason)

    # --- sync checkpoints ------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        record = self._query_one("SELECT value FROM sync_state WHERE key = ?", (key,))
        return record[0] if record else None

    def set_state(self, key: str, value: str) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO sync_state (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def get_checkpoint(self, key: str) -> datetime | None:
        """Return the time stored under `key` by `set_checkpoint`, or None."""
        return from_timestamp(self.get_state(key))

    def set_checkpoint(self, key: str, moment: datetime) -> None:
        self.set_state(key, to_timestamp(moment))

    def delete_state(self, key: str) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM sync_state WHERE key = ?", (key,))

