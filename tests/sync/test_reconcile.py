"""Reconciliation against the simulator: exact numbers linked, near ones proposed, drafts apart, resumable."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from chorus_tui.chorus.errors import ChorusUnavailable
from chorus_tui.store import EventKind
from chorus_tui.sync.reconcile import Reconciler, normalise_number

from tests.sync.conftest import RECIPIENT_SIRET, add_invoice

SEARCH = "factures/v1/rechercher/fournisseur"


def deposited(month: int, day: int = 10) -> datetime:
    return datetime(2026 if month <= 3 else 2025, month, day, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("left", "right"),
    [("FAC-2026-0015", "fac 2026 15"), ("FAC-2026-0015", "FAC/2026/015"), ("F2026.7", "f-2026-0007")],
)
def test_normalise_number_near_forms(left, right):
    assert normalise_number(left) == normalise_number(right)


def test_normalise_number_keeps_digits_apart():
    assert normalise_number("FAC-2026-0015") != normalise_number("FAC-2026-0016")


async def test_reconcile_links_exact_proposes_near(client, store, simulator, clock, tmp_path):
    exact_id, _ = add_invoice(store, tmp_path, 1)
    near_id, _ = add_invoice(store, tmp_path, 2)
    untouched_id, _ = add_invoice(store, tmp_path, 3)
    exact_chorus = simulator.add_existing_invoice("FAC-2026-0001", date(2026, 1, 5), RECIPIENT_SIRET,
                                                  status="MISE_EN_PAIEMENT", deposited_at=deposited(1))
    near_chorus = simulator.add_existing_invoice("fac-2026-002", date(2026, 1, 6), RECIPIENT_SIRET,
                                                 deposited_at=deposited(1, 12))
    draft_chorus = simulator.add_existing_invoice("FAC-2026-0003", date(2026, 2, 1), RECIPIENT_SIRET,
                                                  draft=True, deposited_at=deposited(2))
    simulator.add_existing_invoice("AUTRE-0099", date(2025, 11, 2), RECIPIENT_SIRET, deposited_at=deposited(11))

    report = await Reconciler(client, store, clock).reconcile(date(2025, 10, 1), date(2026, 3, 2))

    assert [(link.invoice_id, link.chorus_invoice_id) for link in report.linked] == [(exact_id, exact_chorus)]
    assert [(link.invoice_id, link.chorus_invoice_id) for link in report.proposed] == [(near_id, near_chorus)]
    assert [draft.chorus_invoice_id for draft in report.drafts] == [draft_chorus]
    assert [summary.invoice_number for summary in report.unmatched] == ["AUTRE-0099"]
    assert report.months == 6

    exact = store.get_invoice(exact_id)
    assert exact.chorus_invoice_id == exact_chorus
    assert exact.status_code == "MISE_EN_PAIEMENT"
    assert EventKind.RECONCILED in [event.kind for event in store.events(exact_id)]
    assert store.get_invoice(near_id).chorus_invoice_id is None
    assert store.get_invoice(untouched_id).status_code == "A_DEPOSER"


async def test_reconcile_second_run_links_nothing_new(client, store, simulator, clock, tmp_path):
    add_invoice(store, tmp_path, 1)
    simulator.add_existing_invoice("FAC-2026-0001", date(2026, 1, 5), RECIPIENT_SIRET, deposited_at=deposited(1))
    reconciler = Reconciler(client, store, clock)
    await reconciler.reconcile(date(2026, 1, 1), date(2026, 3, 2))
    again = await reconciler.reconcile(date(2026, 1, 1), date(2026, 3, 2))
    assert again.linked == []
    assert again.already_linked == 1


async def test_reconcile_other_year_not_linked(client, store, simulator, clock, tmp_path):
    invoice_id, _ = add_invoice(store, tmp_path, 1)  # dated 2026
    simulator.add_existing_invoice("FAC-2026-0001", date(2025, 6, 5), RECIPIENT_SIRET, deposited_at=deposited(6))
    report = await Reconciler(client, store, clock).reconcile(date(2025, 1, 1), date(2026, 3, 2))
    assert report.linked == []
    assert store.get_invoice(invoice_id).chorus_invoice_id is None


async def test_reconcile_resumes_after_failure(client, store, simulator, clock, tmp_path):
    for month in (11, 12, 1, 2):
        simulator.add_existing_invoice(f"ANCIENNE-{month:02d}", date(2025 if month > 3 else 2026, month, 3),
                                       RECIPIENT_SIRET, deposited_at=deposited(month))
    reconciler = Reconciler(client, store, clock)
    key = reconciler.checkpoint_key(date(2025, 11, 1), date(2026, 2, 28))
    # The third month's search fails as if Chorus Pro stayed down.
    original = client.search_invoice_page
    calls = {"count": 0}

    async def failing_third_month(search, page=1):
        calls["count"] += 1
        if search.deposited_from == date(2026, 1, 1) and calls["count"] < 10:
            raise ChorusUnavailable("server", SEARCH, 503)
        return await original(search, page)

    client.search_invoice_page = failing_third_month
    with pytest.raises(ChorusUnavailable):
        await reconciler.reconcile(date(2025, 11, 1), date(2026, 2, 28))
    assert store.get_state(key) == "2025-12-31"

    calls["count"] = 10
    report = await reconciler.reconcile(date(2025, 11, 1), date(2026, 2, 28))
    assert report.resumed_from == date(2026, 1, 1)
    assert report.months == 2
    # The resumed report still lists what the months walked before the failure found.
    assert sorted(summary.invoice_number for summary in report.unmatched) == [
        "ANCIENNE-01", "ANCIENNE-02", "ANCIENNE-11", "ANCIENNE-12"]
    assert store.get_state(key) is None
