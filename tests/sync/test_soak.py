"""Soak: 200 deposits with 20 % faulty requests and restarts lose and duplicate nothing."""

from __future__ import annotations

import random
from collections import Counter

from chorus_tui.chorus.retry import RetryPolicy
from chorus_tui.sandbox.faults import FaultProfile
from chorus_tui.sandbox.simulator import Simulator
from chorus_tui.store import EventKind, Store
from chorus_tui.sync.deposit import DepositService
from chorus_tui.sync.poller import Poller

from tests.sync.conftest import add_invoice, make_client

INVOICES = 200
FAULTS = FaultProfile(
    http_500=0.03, http_503=0.03, http_429=0.02, connect_timeout=0.02, timeout=0.03,
    timeout_after=0.04, truncated=0.02, not_json=0.01, retry_after_seconds=1,
)


async def test_soak_no_loss_no_duplicate(clock, tmp_path):
    simulator = Simulator(clock, seed=11, faults=FAULTS)
    path = tmp_path / "chorus.sqlite3"
    rng = random.Random(5)
    store = Store(path, clock=clock)
    forms = {}
    for index in range(1, INVOICES + 1):
        invoice_id, form = add_invoice(store, tmp_path, index)
        forms[invoice_id] = form

    outcomes: Counter[str] = Counter()
    pending = list(forms)
    rounds = 0
    while pending and rounds < 30:
        rounds += 1
        # Each round is a fresh process: reopen the store and recover before sending anything.
        store.close()
        store = Store(path, clock=clock)
        async with make_client(simulator, clock, retry=RetryPolicy.seeded(rounds, max_attempts=2)) as client:
            service = DepositService(client, store, clock)
            await service.recover_pending()
            for invoice_id in pending:
                outcome = await service.deposit(invoice_id, forms[invoice_id])
                outcomes[outcome.state.value] += 1
                if rng.random() < 0.05:
                    break  # a "crash": the rest of this round is never tried
        pending = [invoice_id for invoice_id in forms if store.get_invoice(invoice_id).chorus_invoice_id is None]
        clock.advance(5)

    held = [invoice for invoice in simulator.invoices() if not invoice.draft]
    numbers = Counter(invoice.number for invoice in held)
    local = {store.get_invoice(invoice_id).number: store.get_invoice(invoice_id).chorus_invoice_id
             for invoice_id in forms}

    assert pending == []
    assert len(held) == INVOICES
    assert [number for number, count in numbers.items() if count > 1] == []
    assert local == {invoice.number: invoice.id for invoice in held}
    assert store.open_attempts() == []
    assert outcomes["unknown"] + outcomes["failed"] > 0, outcomes  # the faults did strike
    assert outcomes["adopted"] > 0, outcomes  # some responses were lost after the invoice was stored

    simulator.faults = FaultProfile()
    async with make_client(simulator, clock) as client:
        report = await Poller(client, store, clock).poll_once()
    assert report.unmatched == 0
    store.close()


async def test_soak_flows_no_loss_no_duplicate(clock, tmp_path):
    from chorus_tui.domain import DepositRoute
    from chorus_tui.statuses import DEPOSITABLE_STATUSES

    from tests.sync.conftest import facturx_pdf

    flows = 60
    simulator = Simulator(clock, seed=13, faults=FAULTS)
    store = Store(tmp_path / "chorus.sqlite3", clock=clock)
    forms = {}
    for index in range(1, flows + 1):
        invoice_id, form = add_invoice(store, tmp_path, index, route=DepositRoute.FLOW)
        form.attachment_path.write_bytes(facturx_pdf(form.invoice_number))
        forms[invoice_id] = form

    for round_number in range(1, 40):
        async with make_client(simulator, clock, retry=RetryPolicy.seeded(round_number, max_attempts=2)) as client:
            service = DepositService(client, store, clock)
            for invoice_id, form in forms.items():
                if store.get_invoice(invoice_id).status_code in DEPOSITABLE_STATUSES:
                    await service.deposit(invoice_id, form)
            try:
                await Poller(client, store, clock, deposit_service=service).poll_once()
            except Exception:  # noqa: BLE001 - a faulty poll is retried at the next round
                pass
        if all(store.get_invoice(invoice_id).chorus_invoice_id for invoice_id in forms):
            break
        clock.advance(1800)

    held = [invoice for invoice in simulator.invoices() if not invoice.draft]
    numbers = Counter(invoice.number for invoice in held)
    local = {store.get_invoice(invoice_id).number: store.get_invoice(invoice_id).chorus_invoice_id
             for invoice_id in forms}
    assert [number for number, count in numbers.items() if count > 1] == []
    assert len(held) == flows
    assert local == {invoice.number: invoice.id for invoice in held}
    assert len(simulator.ledger.flows) == flows  # no flow was sent twice
    adopted = [event for invoice_id in forms for event in store.events(invoice_id)
               if event.kind is EventKind.DEPOSIT_ADOPTED]
    assert adopted  # at least one flow response was lost after Chorus Pro received the flow
    store.close()
