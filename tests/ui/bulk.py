"""Fill a store with many synthetic invoices in one transaction, for the large-list tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from chorus_tui.store.schema import search_text


def fill_invoices(database: Path, count: int) -> None:
    """Insert `count` invoices numbered BULK-000001…, to deposit, dated across 2025 and 2026."""
    conn = sqlite3.connect(database)
    try:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(invoices)")}
        rows = []
        for index in range(1, count + 1):
            number = f"BULK-{index:06d}"
            customer = f"Commune n° {index % 997}"
            day = f"{2025 + index % 2}-{1 + index % 12:02d}-{1 + index % 28:02d}"
            values = {
                "source_key": f"{number}.pdf",
                "number": number,
                "customer": customer,
                "recipient_siret": "21170753455688",
                "invoice_date": day,
                "total_ttc": f"{index % 5000}.{index % 100:02d}",
                "status_code": "A_DEPOSER",
                "category": "to_deposit",
                "imported_at": "2026-01-01T00:00:00+00:00",
                "updated_at": "2026-01-01T00:00:00+00:00",
                "search_text": search_text(number, customer, "21170753455688", f"{number}.pdf"),
            }
            rows.append({key: value for key, value in values.items() if key in columns})
        names = list(rows[0])
        conn.executemany(
            f"INSERT INTO invoices ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
            [tuple(row[name] for name in names) for row in rows],
        )
        conn.commit()
    finally:
        conn.close()
