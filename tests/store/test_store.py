"""The SQLite store on real files: schema migrations, paging, filters, counts, deposit journal."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from chorus_tui.clock import ManualClock
from chorus_tui.domain import Amounts, Detection, DepositRoute, SourceInvoice
from chorus_tui.i18n import Message
from chorus_tui.statuses import Category
from chorus_tui.store import (
    AttemptState,
    DatabaseTooNew,
    DepositNotAllowed,
    EventKind,
    InvoiceOrder,
    NumberAlreadyDeposited,
    Store,
)
from chorus_tui.store.schema import LATEST_VERSION, MIGRATIONS
from chorus_tui.store.store import _ORDER_SQL


def make_source(index: int, **overrides) -> SourceInvoice:
    values = dict(
        source_key=f"facture-{index:04d}.pdf",
        file_path=Path(f"/tmp/factures/facture-{index:04d}.pdf"),
        invoice_number=f"FAC-2026-{index:04d}",
        invoice_date=date(2026, 1, 1) + timedelta(days=index % 60),
        customer_name="Mairie d'Exempleville" if index % 2 else "Département de l'Essonne",
        amounts=Amounts(total_ht=Decimal("100.00") + index, total_vat=Decimal("20.00"),
                        total_ttc=Decimal("120.00") + index, amount_due=Decimal("120.00") + index),
        detection=Detection(recipient_siret="12345678200010" if index % 2 else "98765432400019"),
    )
    values.update(overrides)
    return SourceInvoice(**values)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def store(tmp_path, clock) -> Store:
    with Store(tmp_path / "chorus.sqlite", clock=clock) as opened:
        yield opened


def test_new_file_uses_wal_and_foreign_keys(tmp_path):
    path = tmp_path / "chorus.sqlite"
    with Store(path) as store:
        assert store.schema_version == LATEST_VERSION
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    conn.close()


def test_foreign_keys_enforced(store):
    with pytest.raises(sqlite3.IntegrityError):
        store.add_event(999, EventKind.CHECKED)


def test_version_1_file_migrates_keeping_rows(tmp_path, clock):
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    MIGRATIONS[0](conn)
    conn.execute(
        "INSERT INTO invoices (source_key, number, customer, recipient_siret, imported_at, updated_at) "
        "VALUES ('old.pdf', 'FAC-2025-0042', 'Mairie d''Exempleville', '12345678200010', "
        "'2025-12-01T10:00:00.000000+00:00', '2025-12-01T10:00:00.000000+00:00')"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.execute("COMMIT")
    conn.close()

    with Store(path, clock=clock) as store:
        assert store.schema_version == LATEST_VERSION
        assert store.count_invoices(filter_text="exempleville") == 1
        row = store.find_by_number("FAC-2025-0042")[0]
        assert row.rejection_handled is False
        assert row.replaced_by is None
        assert store.attempts(row.id) == []


def test_newer_schema_rejected(tmp_path):
    path = tmp_path / "future.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(DatabaseTooNew) as raised:
        Store(path)
    assert str(path) in str(raised.value.message)


def test_upsert_inserts_then_updates(store):
    invoice_id = store.upsert_source_invoice(make_source(1))
    again = store.upsert_source_invoice(make_source(1, customer_name="Mairie de Nouvelleville"))
    row = store.get_invoice(invoice_id)
    assert again == invoice_id
    assert row.customer == "Mairie de Nouvelleville"
    assert row.total_ttc == Decimal("121.00")
    assert isinstance(row.invoice_date, date)
    assert row.status_code == "A_DEPOSER"
    assert row.category is Category.TO_DEPOSIT
    assert [event.kind for event in store.events(invoice_id)] == [EventKind.IMPORTED]


def test_reimport_keeps_chorus_state(store, clock):
    invoice_id = store.upsert_source_invoice(make_source(1))
    attempt_id = store.begin_deposit(invoice_id, route=DepositRoute.PDF, payload_digest="abc",
                                     invoice_number="FAC-2026-0001", recipient_siret="12345678200010",
                                     invoice_date=date(2026, 1, 2))
    store.finish_deposit_accepted(attempt_id, chorus_invoice_id=5001, flow_number=None, status_code="DEPOSEE")

    store.upsert_source_invoice(make_source(1, invoice_number="FAC-2026-9999",
                                            file_path=Path("/elsewhere/facture-0001.pdf")))
    row = store.get_invoice(invoice_id)
    assert row.chorus_invoice_id == 5001
    assert row.status_code == "DEPOSEE"
    assert row.number == "FAC-2026-0001"
    assert row.file_path == Path("/elsewhere/facture-0001.pdf")


def test_paging_returns_only_the_window(store):
    for index in range(1, 251):
        store.upsert_source_invoice(make_source(index))

    first = store.page_invoices(0, 40, order=InvoiceOrder.NUMBER)
    second = store.page_invoices(40, 40, order=InvoiceOrder.NUMBER)
    last = store.page_invoices(240, 40, order=InvoiceOrder.NUMBER)

    assert len(first) == 40
    assert first[0].number == "FAC-2026-0001"
    assert second[0].number == "FAC-2026-0041"
    assert len(last) == 10
    assert {row.id for row in first}.isdisjoint({row.id for row in second})
    assert store.count_invoices() == 250


def test_orders_are_stable_over_pages(store):
    for index in range(1, 101):
        store.upsert_source_invoice(make_source(index))
    for order in InvoiceOrder:
        seen = [row.id for offset in range(0, 100, 7) for row in store.page_invoices(offset, 7, order=order)]
        assert sorted(seen) == list(range(1, 101)), order


def test_amount_order_is_numeric(store):
    store.upsert_source_invoice(make_source(1, amounts=Amounts(total_ttc=Decimal("9.50"))))
    store.upsert_source_invoice(make_source(2, amounts=Amounts(total_ttc=Decimal("1000.00"))))
    rows = store.page_invoices(0, 10, order=InvoiceOrder.AMOUNT_DESC)
    assert [row.total_ttc for row in rows] == [Decimal("1000.00"), Decimal("9.50")]


def test_filter_matches_number_customer_siret_status(store):
    for index in range(1, 21):
        store.upsert_source_invoice(make_source(index))
    invoice_id = store.find_by_number("FAC-2026-0004")[0].id
    store.record_status(invoice_id, "A_RECYCLER", at=datetime(2026, 3, 1, tzinfo=timezone.utc))

    assert store.count_invoices(filter_text="fac-2026-001") == 10
    assert store.count_invoices(filter_text="DEPARTEMENT") == 10
    assert store.count_invoices(filter_text="982") == 0
    assert store.count_invoices(filter_text="98765432400019") == 10
    assert store.count_invoices(filter_text="recycler") == 1
    assert store.page_invoices(0, 5, filter_text="à recycler")[0].id == invoice_id
    assert store.count_invoices(filter_text="100%") == 0


def test_filter_combines_with_category(store):
    for index in range(1, 11):
        store.upsert_source_invoice(make_source(index))
    store.record_status(1, "MISE_EN_PAIEMENT", at=datetime(2026, 3, 1, tzinfo=timezone.utc))
    store.record_status(2, "MISE_EN_PAIEMENT", at=datetime(2026, 3, 1, tzinfo=timezone.utc))
    assert store.count_invoices(category=Category.PAID) == 2
    assert store.count_invoices(filter_text="exempleville", category=Category.PAID) == 1
    assert len(store.page_invoices(0, 10, category=Category.TO_DEPOSIT)) == 8


def test_counts_by_category_include_zeros(store):
    for index in range(1, 6):
        store.upsert_source_invoice(make_source(index))
    store.record_status(3, "REJETEE", at=datetime(2026, 3, 1, tzinfo=timezone.utc), comment="Montant erroné")
    counts = store.counts_by_category()
    assert counts[Category.TO_DEPOSIT] == 4
    assert counts[Category.REJECTED] == 1
    assert counts[Category.PAID] == 0
    assert set(counts) == set(Category)


def test_status_history_stored_once(store):
    invoice_id = store.upsert_source_invoice(make_source(1))
    at = datetime(2026, 3, 1, 8, 30, tzinfo=timezone.utc)
    history = [("DEPOSEE", at - timedelta(days=2), None, None),
               ("SUSPENDUE", at, "Bon de livraison manquant", "Jeanne Martin")]
    store.record_status(invoice_id, "SUSPENDUE", at=at, comment="Bon de livraison manquant", history=history)
    store.record_status(invoice_id, "SUSPENDUE", at=at, comment="Bon de livraison manquant", history=history)

    statuses = [(event.status_code, event.comment, event.actor)
                for event in store.events(invoice_id) if event.kind is EventKind.STATUS]
    assert statuses == [("DEPOSEE", None, None), ("SUSPENDUE", "Bon de livraison manquant", "Jeanne Martin")]
    assert store.get_invoice(invoice_id).category is Category.ACTION_REQUIRED


def test_deposit_journal_refusal_keeps_invoice_depositable(store):
    invoice_id = store.upsert_source_invoice(make_source(1))
    attempt_id = store.begin_deposit(invoice_id, route=DepositRoute.PDF, payload_digest="d1",
                                     invoice_number="FAC-2026-0001", recipient_siret="12345678200010",
                                     invoice_date=date(2026, 1, 2))
    assert store.get_invoice(invoice_id).status_code == "ENVOI_EN_COURS"
    assert store.open_attempt(invoice_id).id == attempt_id

    store.finish_deposit_rejected(attempt_id, Message("sync.refused", {"reason": "Service obligatoire"}))
    row = store.get_invoice(invoice_id)
    assert row.status_code == "DEPOT_REFUSE"
    assert row.category is Category.ACTION_REQUIRED
    assert store.open_attempts() == []

    second = store.begin_deposit(invoice_id, route=DepositRoute.PDF, payload_digest="d2",
                                 invoice_number="FAC-2026-0001", recipient_siret="12345678200010",
                                 invoice_date=date(2026, 1, 2))
    states = [attempt.state for attempt in store.attempts(invoice_id)]
    assert states == [AttemptState.REJECTED, AttemptState.SENDING]
    assert store.attempts(invoice_id)[0].error.params == {"reason": "Service obligatoire"}
    assert second != attempt_id


def test_second_begin_while_sending_refused(store):
    invoice_id = store.upsert_source_invoice(make_source(1))
    store.begin_deposit(invoice_id, route=DepositRoute.PDF, payload_digest="d1",
                        invoice_number="FAC-2026-0001", recipient_siret=None, invoice_date=None)
    with pytest.raises(DepositNotAllowed):
        store.begin_deposit(invoice_id, route=DepositRoute.PDF, payload_digest="d1",
                            invoice_number="FAC-2026-0001", recipient_siret=None, invoice_date=None)
    assert len(store.attempts(invoice_id)) == 1


def test_database_allows_one_open_attempt(store):
    invoice_id = store.upsert_source_invoice(make_source(1))
    store.begin_deposit(invoice_id, route=DepositRoute.PDF, payload_digest="d1",
                        invoice_number="FAC-2026-0001", recipient_siret=None, invoice_date=None)
    with pytest.raises(sqlite3.IntegrityError), store._transaction() as conn:
        conn.execute(
            "INSERT INTO deposits (invoice_id, route, payload_digest, invoice_number, state, started_at) "
            "VALUES (?, 'FLUX', 'x', 'FAC-2026-0001', 'unknown', '2026-01-01')",
            (invoice_id,),
        )


def test_number_reuse_blocked_same_year(store):
    first = store.upsert_source_invoice(make_source(1))
    second = store.upsert_source_invoice(make_source(2))
    attempt_id = store.begin_deposit(first, route=DepositRoute.PDF, payload_digest="d1",
                                     invoice_number="FAC-2026-0001", recipient_siret=None,
                                     invoice_date=date(2026, 1, 2))
    store.finish_deposit_accepted(attempt_id, chorus_invoice_id=7, flow_number=None, status_code="DEPOSEE")
    store.record_status(first, "REJETEE", at=datetime(2026, 3, 1, tzinfo=timezone.utc))

    with pytest.raises(NumberAlreadyDeposited):
        store.begin_deposit(second, route=DepositRoute.PDF, payload_digest="d2", invoice_number="FAC-2026-0001",
                            recipient_siret=None, invoice_date=date(2026, 2, 1))
    store.begin_deposit(second, route=DepositRoute.PDF, payload_digest="d2", invoice_number="FAC-2026-0001",
                        recipient_siret=None, invoice_date=date(2027, 2, 1))


def test_accepted_deposit_survives_reopen(tmp_path, clock):
    path = tmp_path / "chorus.sqlite"
    store = Store(path, clock=clock)
    invoice_id = store.upsert_source_invoice(make_source(1))
    attempt_id = store.begin_deposit(invoice_id, route=DepositRoute.PDF, payload_digest="d1",
                                     invoice_number="FAC-2026-0001", recipient_siret=None, invoice_date=None)
    store.finish_deposit_accepted(attempt_id, chorus_invoice_id=42, flow_number=None, status_code="DEPOSEE")
    # No close(): a second connection must already see the committed row.
    other = sqlite3.connect(path)
    assert other.execute("SELECT chorus_invoice_id, status_code FROM invoices").fetchone() == (42, "DEPOSEE")
    assert other.execute("SELECT state FROM deposits").fetchone() == ("accepted",)
    other.close()
    store.close()


def test_payment_not_reported_finishes_after_60_days(store, clock):
    invoice_id = store.upsert_source_invoice(make_source(1))
    attempt_id = store.begin_deposit(invoice_id, route=DepositRoute.PDF, payload_digest="d1",
                                     invoice_number="FAC-2026-0001", recipient_siret="12345678200010",
                                     invoice_date=None)
    store.finish_deposit_accepted(attempt_id, chorus_invoice_id=9, flow_number=None, status_code="DEPOSEE")
    store.set_payment_not_reported("12345678200010", True)
    store.record_status(invoice_id, "COMPTABILISEE", at=clock.now())

    clock.advance(timedelta(days=59).total_seconds())
    assert store.refresh_time_categories() == 0
    assert [row.id for row in store.polled_invoices()] == [invoice_id]

    clock.advance(timedelta(days=2).total_seconds())
    assert store.refresh_time_categories() == 1
    assert store.get_invoice(invoice_id).category is Category.FINISHED
    assert store.polled_invoices() == []


def test_store_usable_from_threads(store):
    errors: list[BaseException] = []

    def worker(start: int) -> None:
        try:
            for index in range(start, start + 25):
                store.upsert_source_invoice(make_source(index))
                store.page_invoices(0, 10, filter_text="FAC")
        except BaseException as error:  # noqa: BLE001 - reported by the assert below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(start,)) for start in (1, 26, 51, 76)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.count_invoices() == 100


def test_sync_state_round_trip(store):
    assert store.get_state("poll.window_end") is None
    store.set_state("poll.window_end", "2026-03-02")
    store.set_state("poll.window_end", "2026-03-03")
    assert store.get_state("poll.window_end") == "2026-03-03"


def test_replacement_link_and_rejection_handled(store):
    old = store.upsert_source_invoice(make_source(1))
    new = store.upsert_source_invoice(make_source(2))
    store.record_status(old, "REJETEE", at=datetime(2026, 3, 1, tzinfo=timezone.utc))
    store.mark_rejection_handled(old)
    store.link_replacement(old, new)
    row = store.get_invoice(old)
    assert row.rejection_handled is True
    assert row.replaced_by == new
    kinds = [event.kind for event in store.events(old)]
    assert EventKind.REJECTION_HANDLED in kinds
    assert EventKind.REPLACED in kinds


def test_several_categories_filter(store):
    for index in range(1, 6):
        store.upsert_source_invoice(make_source(index))
    store.record_status(1, "A_RECYCLER", at=datetime(2026, 3, 1, tzinfo=timezone.utc))
    store.record_status(2, "IN_REJETE", at=datetime(2026, 3, 1, tzinfo=timezone.utc))
    wanted = {Category.ACTION_REQUIRED, Category.TO_DEPOSIT}
    assert store.count_invoices(category=wanted) == 5
    assert store.count_invoices(category=[Category.ACTION_REQUIRED]) == 2
    assert len(store.page_invoices(0, 10, category=wanted)) == 5


def test_bulk_upsert_one_transaction(store):
    ids = store.upsert_source_invoices([make_source(index) for index in range(1, 51)])
    assert ids == list(range(1, 51))
    assert store.upsert_source_invoices([make_source(3)]) == [3]
    assert store.count_invoices() == 50


@pytest.mark.parametrize("order", list(InvoiceOrder))
@pytest.mark.parametrize("category", [None, Category.TO_DEPOSIT])
def test_page_order_uses_an_index(store, order, category):
    where, params = store._filter_sql(None, category)
    plan = store._query(
        f"EXPLAIN QUERY PLAN SELECT id FROM invoices {where} ORDER BY {_ORDER_SQL[order]} LIMIT 50 OFFSET 1000",
        params,
    )
    details = " | ".join(row[-1] for row in plan)
    assert "TEMP B-TREE" not in details
    assert "USING" in details
