"""Reconciliation against the simulator and a real SQLite file: paging, history, near matches, drafts, resume."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from chorus_tui.statuses import PAYMENT_ISSUED, REJECTED
from chorus_tui.store import EventKind
from chorus_tui.sync.reconcile import DEFAULT_RANGE_DAYS, MONTH_WALKS, PendingRun, Reconciler

from tests.reconcile.conftest import RECIPIENT_SIRET, add_local, deposited_on

SEARCH = "factures/v1/rechercher/fournisseur"
HISTORY = "factures/v1/consulter/historique"


async def test_twelve_invoices_over_three_pages(client, store, simulator, clock, tmp_path):
    numbers = [f"FAC-2026-{index:04d}" for index in range(101, 113)]
    local_ids = {number: add_local(store, tmp_path, number) for number in numbers}
    chorus_ids = {
        number: simulator.add_existing_invoice(number, date(2026, 1, 5), RECIPIENT_SIRET, status=PAYMENT_ISSUED,
                                               deposited_at=deposited_on(date(2026, 1, 6 + index)))
        for index, number in enumerate(numbers)
    }
    steps = []

    report = await Reconciler(client, store, clock, page_size=5).reconcile(
        date(2026, 1, 1), date(2026, 1, 31), progress=steps.append)

    assert report.pages == 3
    assert client.calls[SEARCH] == 3
    assert [(step.page, step.pages) for step in steps] == [(1, 3), (2, 3), (3, 3)]
    assert [step.linked for step in steps] == [5, 10, 12]
    assert steps[-1].fraction == 1.0
    assert {link.chorus_invoice_id for link in report.linked} == set(chorus_ids.values())
    for number in numbers:
        row = store.get_invoice(local_ids[number])
        assert row.chorus_invoice_id == chorus_ids[number]
        assert row.status_code == PAYMENT_ISSUED


async def test_linked_invoice_gets_history(client, store, simulator, clock, tmp_path):
    invoice_id = add_local(store, tmp_path, "FAC-2026-0001")
    simulator.add_existing_invoice("FAC-2026-0001", date(2026, 1, 5), RECIPIENT_SIRET, status=PAYMENT_ISSUED,
                                   deposited_at=deposited_on(date(2026, 1, 6)))

    report = await Reconciler(client, store, clock).reconcile(date(2026, 1, 1), date(2026, 2, 28))

    assert len(report.linked) == 1
    assert client.calls[HISTORY] == 1
    assert report.history_missing == []
    events = store.events(invoice_id)
    statuses = [event.status_code for event in events if event.kind is EventKind.STATUS]
    assert "DEPOSEE" in statuses
    assert PAYMENT_ISSUED in statuses
    assert EventKind.RECONCILED in [event.kind for event in events]


async def test_near_match_proposed_then_confirmed(client, store, simulator, clock, tmp_path):
    invoice_id = add_local(store, tmp_path, "FAC-2026-0020")
    chorus_id = simulator.add_existing_invoice("fac 2026/020", date(2026, 1, 5), RECIPIENT_SIRET,
                                               deposited_at=deposited_on(date(2026, 1, 6)))
    reconciler = Reconciler(client, store, clock)

    report = await reconciler.reconcile(date(2026, 1, 1), date(2026, 1, 31))

    assert report.linked == []
    assert [(link.invoice_id, link.chorus_invoice_id) for link in report.proposed] == [(invoice_id, chorus_id)]
    assert store.get_invoice(invoice_id).chorus_invoice_id is None

    assert await reconciler.confirm(report.proposed[0]) is True
    row = store.get_invoice(invoice_id)
    assert row.chorus_invoice_id == chorus_id
    assert row.status_code == "MISE_A_DISPOSITION"
    assert EventKind.RECONCILED in [event.kind for event in store.events(invoice_id)]
    assert await reconciler.confirm(report.proposed[0]) is False


async def test_near_match_dropped_when_exact_follows(client, store, simulator, clock, tmp_path):
    invoice_id = add_local(store, tmp_path, "FAC-2026-0030")
    simulator.add_existing_invoice("FAC-2026-030", date(2026, 1, 5), RECIPIENT_SIRET,
                                   deposited_at=deposited_on(date(2026, 1, 6)))
    exact_id = simulator.add_existing_invoice("FAC-2026-0030", date(2026, 1, 5), RECIPIENT_SIRET,
                                              deposited_at=deposited_on(date(2026, 1, 20)))

    report = await Reconciler(client, store, clock).reconcile(date(2026, 1, 1), date(2026, 1, 31))

    assert [link.chorus_invoice_id for link in report.linked] == [exact_id]
    assert report.proposed == []
    assert store.get_invoice(invoice_id).chorus_invoice_id == exact_id


async def test_portal_draft_listed_apart(client, store, simulator, clock, tmp_path):
    invoice_id = add_local(store, tmp_path, "FAC-2025-0200", invoice_date=date(2025, 12, 1))
    draft_id = simulator.add_existing_invoice("FAC-2025-0200", date(2025, 12, 1), RECIPIENT_SIRET, draft=True,
                                              deposited_at=deposited_on(date(2025, 12, 2)))

    report = await Reconciler(client, store, clock).reconcile(date(2025, 12, 1), date(2026, 1, 31))

    assert [draft.chorus_invoice_id for draft in report.drafts] == [draft_id]
    assert report.drafts[0].number == "FAC-2025-0200"
    assert report.linked == []
    assert report.proposed == []
    row = store.get_invoice(invoice_id)
    assert row.chorus_invoice_id is None
    assert row.status_code == "A_DEPOSER"


async def test_reissue_under_old_number_not_attached(client, store, simulator, clock, tmp_path):
    old_id = add_local(store, tmp_path, "FAC-2026-0010")
    new_id = add_local(store, tmp_path, "FAC-2026-0015", invoice_date=date(2026, 1, 20))
    store.link_replacement(old_id, new_id)
    rejected_id = simulator.add_existing_invoice("FAC-2026-0010", date(2026, 1, 5), RECIPIENT_SIRET,
                                                 status=REJECTED, deposited_at=deposited_on(date(2026, 1, 6)))
    # Deposited again on the portal under the rejected number, and once more with its digits regrouped.
    reissue_id = simulator.add_existing_invoice("FAC-2026-0010", date(2026, 1, 5), RECIPIENT_SIRET,
                                                deposited_at=deposited_on(date(2026, 2, 3)))
    regrouped_id = simulator.add_existing_invoice("fac 2026 10", date(2026, 1, 5), RECIPIENT_SIRET,
                                                  deposited_at=deposited_on(date(2026, 2, 4)))
    replacement_id = simulator.add_existing_invoice("FAC-2026-0015", date(2026, 1, 20), RECIPIENT_SIRET,
                                                    deposited_at=deposited_on(date(2026, 2, 5)))

    report = await Reconciler(client, store, clock).reconcile(date(2026, 1, 1), date(2026, 2, 28))

    assert store.get_invoice(old_id).chorus_invoice_id == rejected_id
    assert store.get_invoice(old_id).status_code == REJECTED
    assert store.get_invoice(new_id).chorus_invoice_id == replacement_id
    assert [(link.invoice_id, link.chorus_invoice_id) for link in report.reused_numbers] == [(old_id, reissue_id)]
    assert report.proposed == []
    assert [summary.invoice_id for summary in report.unmatched] == [regrouped_id]


async def test_interrupted_run_resumes_with_findings(client, store, simulator, clock, tmp_path):
    months = (date(2025, 11, 10), date(2025, 12, 10), date(2026, 1, 10))
    local_ids = []
    for month_index, day in enumerate(months):
        for index in range(2):
            number = f"FAC-{day.year}-{month_index}{index:03d}"
            local_ids.append(add_local(store, tmp_path, number, invoice_date=day))
            simulator.add_existing_invoice(number, day, RECIPIENT_SIRET, deposited_at=deposited_on(day))
    near_id = add_local(store, tmp_path, "FAC-2025-0900", invoice_date=months[0])
    simulator.add_existing_invoice("fac-2025-900", months[0], RECIPIENT_SIRET, deposited_at=deposited_on(months[0]))
    simulator.add_existing_invoice("FAC-2025-0950", months[0], RECIPIENT_SIRET, draft=True,
                                   deposited_at=deposited_on(months[0]))
    reconciler = Reconciler(client, store, clock)
    first, last = date(2025, 11, 1), date(2026, 1, 31)

    def stop_in_december(step):
        if step.month == 2:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await reconciler.reconcile(first, last, progress=stop_in_december)
    assert reconciler.pending_run() == PendingRun(first, last, date(2025, 12, 1))
    assert reconciler.last_run() is None

    searches_before = client.calls[SEARCH]
    steps = []
    report = await reconciler.reconcile(first, last, progress=steps.append)

    assert client.calls[SEARCH] - searches_before == 2
    assert [step.month for step in steps] == [2, 3]
    assert report.resumed_from == date(2025, 12, 1)
    assert sorted(link.invoice_id for link in report.linked) == sorted(local_ids)
    assert report.already_linked == 0
    assert [link.invoice_id for link in report.proposed] == [near_id]
    assert [draft.number for draft in report.drafts] == ["FAC-2025-0950"]
    assert reconciler.pending_run() is None
    assert reconciler.last_run() == clock.now()


async def test_new_range_replaces_interrupted_one(client, store, simulator, clock, tmp_path):
    simulator.add_existing_invoice("ANCIENNE-01", date(2025, 11, 3), RECIPIENT_SIRET,
                                   deposited_at=deposited_on(date(2025, 11, 3)))
    reconciler = Reconciler(client, store, clock)

    def stop(step):
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await reconciler.reconcile(date(2025, 11, 1), date(2025, 12, 31), progress=stop)
    report = await reconciler.reconcile(date(2025, 10, 1), date(2025, 12, 31))

    assert report.resumed_from is None
    assert [summary.invoice_number for summary in report.unmatched] == ["ANCIENNE-01"]
    assert store.get_state(reconciler.findings_key(date(2025, 11, 1), date(2025, 12, 31))) is None
    assert reconciler.pending_run() is None


def test_default_range_from_oldest_invoice(store, clock, tmp_path):
    reconciler = Reconciler(None, store, clock)
    today = date(2026, 3, 2)
    assert reconciler.default_range(today) == (today - timedelta(days=DEFAULT_RANGE_DAYS), today)

    add_local(store, tmp_path, "FAC-2026-0001", invoice_date=date(2026, 1, 5))
    add_local(store, tmp_path, "FAC-2025-0001", invoice_date=date(2025, 6, 15))
    assert reconciler.default_range(today) == (date(2025, 6, 15), today)


async def test_interrupted_run_resumes_with_later_end(client, store, simulator, clock, tmp_path):
    add_local(store, tmp_path, "FAC-2025-0001", invoice_date=date(2025, 11, 5))
    simulator.add_existing_invoice("FAC-2025-0001", date(2025, 11, 5), RECIPIENT_SIRET,
                                   deposited_at=deposited_on(date(2025, 11, 6)))
    simulator.add_existing_invoice("ANCIENNE-02", date(2025, 12, 5), RECIPIENT_SIRET,
                                   deposited_at=deposited_on(date(2025, 12, 6)))
    reconciler = Reconciler(client, store, clock)

    def stop_in_december(step):
        if step.month == 2:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await reconciler.reconcile(date(2025, 11, 1), date(2026, 1, 15), progress=stop_in_december)
    report = await reconciler.reconcile(date(2025, 11, 1), date(2026, 1, 16))

    assert report.resumed_from == date(2025, 12, 1)
    assert [link.local_number for link in report.linked] == ["FAC-2025-0001"]
    assert [summary.invoice_number for summary in report.unmatched] == ["ANCIENNE-02"]
    assert store.get_state(reconciler.checkpoint_key(date(2025, 11, 1), date(2026, 1, 15))) is None
    assert reconciler.pending_run() is None


def shift_first_walk(client, *, walks_short: int):
    """Make the first `walks_short` walks return page 2 with an invoice of page 1 in place of one of its own.

    This is what an unstable order among invoices deposited the same day does to paging.
    """
    original = client.search_invoice_page
    walks = {"count": 0}

    async def unstable(search, page=1):
        result = await original(search, page)
        if page == 1:
            walks["count"] += 1
            walks["first_page"] = list(result.invoices)
        elif page == 2 and walks["count"] <= walks_short and result.invoices:
            result.invoices[0] = walks["first_page"][0]
        return result

    client.search_invoice_page = unstable
    return walks


async def test_month_walked_again_when_short(client, store, simulator, clock, tmp_path):
    numbers = [f"FAC-2026-{index:04d}" for index in range(301, 309)]
    for number in numbers:
        add_local(store, tmp_path, number)
        simulator.add_existing_invoice(number, date(2026, 1, 5), RECIPIENT_SIRET,
                                       deposited_at=deposited_on(date(2026, 1, 6)))
    walks = shift_first_walk(client, walks_short=1)

    report = await Reconciler(client, store, clock, page_size=5).reconcile(date(2026, 1, 1), date(2026, 1, 31))

    assert walks["count"] == 2
    assert report.pages == 4
    assert report.invoices_seen == 8
    assert sorted(link.local_number for link in report.linked) == numbers
    assert report.incomplete_months == []


async def test_month_still_short_is_reported(client, store, simulator, clock, tmp_path):
    for index in range(6):
        simulator.add_existing_invoice(f"ANCIENNE-{index}", date(2026, 1, 5), RECIPIENT_SIRET,
                                       deposited_at=deposited_on(date(2026, 1, 6)))
    walks = shift_first_walk(client, walks_short=99)

    report = await Reconciler(client, store, clock, page_size=5).reconcile(date(2026, 1, 1), date(2026, 1, 31))

    assert walks["count"] == MONTH_WALKS
    assert report.incomplete_months == [date(2026, 1, 1)]
    assert len(report.unmatched) == 5
