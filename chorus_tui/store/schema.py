"""Database schema as ordered migrations, versioned with `PRAGMA user_version`.

Migration N takes a database at version N-1 to version N. Never edit a
released migration: append a new one, so that every existing file follows the
same path.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from chorus_tui.statuses import fold_text

Migration = Callable[[sqlite3.Connection], None]


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Execute each statement of `script` inside the caller's transaction.

    `Connection.executescript` would commit first, which breaks the
    all-or-nothing migration.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in statement.splitlines()
    ):
        raise ValueError(f"incomplete SQL statement in a migration: {statement.strip()[:80]!r}")


def _v1_core_tables(conn: sqlite3.Connection) -> None:
    run_script(conn, 
        """
        CREATE TABLE invoices (
            id INTEGER PRIMARY KEY,
            source_key TEXT NOT NULL UNIQUE,
            file_path TEXT,
            number TEXT,
            customer TEXT,
            recipient_siret TEXT,
            invoice_date TEXT,
            kind TEXT NOT NULL DEFAULT 'FACTURE',
            original_invoice_number TEXT,
            total_ht TEXT,
            total_vat TEXT,
            total_ttc TEXT,
            amount_due TEXT,
            currency TEXT NOT NULL DEFAULT 'EUR',
            facturx_profile TEXT,
            file_sha256 TEXT,
            detection_json TEXT NOT NULL DEFAULT '{}',
            chorus_invoice_id INTEGER UNIQUE,
            flow_number TEXT,
            status_code TEXT NOT NULL DEFAULT 'A_DEPOSER',
            status_changed_at TEXT,
            status_comment TEXT,
            category TEXT NOT NULL DEFAULT 'to_deposit',
            imported_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX invoices_number ON invoices(number);
        CREATE INDEX invoices_category_date ON invoices(category, invoice_date);
        CREATE INDEX invoices_date ON invoices(invoice_date);

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            invoice_id INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            status_code TEXT,
            comment TEXT,
            actor TEXT
        );
        CREATE INDEX events_invoice ON events(invoice_id, at);

        CREATE TABLE sync_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """
    )


def _v2_deposit_journal(conn: sqlite3.Connection) -> None:
    run_script(conn, 
        """
        ALTER TABLE invoices ADD COLUMN deposit_route TEXT;
        ALTER TABLE invoices ADD COLUMN rejection_handled INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE invoices ADD COLUMN replaced_by INTEGER REFERENCES invoices(id);
        ALTER TABLE invoices ADD COLUMN payment_not_reported INTEGER;
        ALTER TABLE invoices ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
        CREATE INDEX invoices_flow ON invoices(flow_number) WHERE flow_number IS NOT NULL;
        CREATE INDEX invoices_status_changed ON invoices(status_changed_at);

        ALTER TABLE events ADD COLUMN message_json TEXT;
        -- The same Chorus Pro status read twice (overlapping poll windows) is stored once.
        CREATE UNIQUE INDEX events_status_once ON events(invoice_id, status_code, at) WHERE kind = 'status';

        CREATE TABLE deposits (
            id INTEGER PRIMARY KEY,
            invoice_id INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
            route TEXT NOT NULL,
            payload_digest TEXT NOT NULL,
            invoice_number TEXT NOT NULL,
            recipient_siret TEXT,
            invoice_date TEXT,
            state TEXT NOT NULL CHECK (state IN ('sending', 'accepted', 'rejected', 'unknown', 'failed')),
            chorus_invoice_id INTEGER,
            flow_number TEXT,
            attachment_id INTEGER,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            error_json TEXT
        );
        CREATE INDEX deposits_invoice ON deposits(invoice_id, id);
        -- At most one attempt in flight and one accepted deposit per invoice,
        -- whatever the code above does.
        CREATE UNIQUE INDEX deposits_one_open ON deposits(invoice_id) WHERE state IN ('sending', 'unknown');
        CREATE UNIQUE INDEX deposits_one_accepted ON deposits(invoice_id) WHERE state = 'accepted';
        """
    )
    rows = conn.execute("SELECT id, number, customer, recipient_siret, source_key FROM invoices").fetchall()
    for invoice_id, *parts in rows:
        conn.execute("UPDATE invoices SET search_text = ? WHERE id = ?", (search_text(*parts), invoice_id))


def _v3_list_order_indexes(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        DROP INDEX invoices_category_date;
        DROP INDEX invoices_date;
        DROP INDEX invoices_status_changed;
        CREATE INDEX invoices_date ON invoices(invoice_date, id);
        CREATE INDEX invoices_category_date ON invoices(category, invoice_date, id);
        CREATE INDEX invoices_number_nocase ON invoices(number COLLATE NOCASE, id);
        CREATE INDEX invoices_customer_nocase ON invoices(customer COLLATE NOCASE, id);
        CREATE INDEX invoices_amount ON invoices(CAST(total_ttc AS REAL), id);
        CREATE INDEX invoices_status_changed ON invoices(status_changed_at, id);
        CREATE INDEX invoices_category_number ON invoices(category, number COLLATE NOCASE, id);
        CREATE INDEX invoices_category_customer ON invoices(category, customer COLLATE NOCASE, id);
        CREATE INDEX invoices_category_amount ON invoices(category, CAST(total_ttc AS REAL), id);
        CREATE INDEX invoices_category_status_changed ON invoices(category, status_changed_at, id);
        """,
    )


MIGRATIONS: tuple[Migration, ...] = (_v1_core_tables, _v2_deposit_journal, _v3_list_order_indexes)
LATEST_VERSION = len(MIGRATIONS)


def search_text(*parts: str | None) -> str:
    """Return the folded text the list filter matches (number, customer, SIRET, file name)."""
    return " ".join(fold_text(part) for part in parts if part)
