"""Recycling, completion and rejection handling against the simulator, recorded in the timeline."""

from __future__ import annotations

from chorus_tui.statuses import Category
from chorus_tui.store import EventKind
from chorus_tui.sync.corrections import CorrectionService, CorrectionState
from chorus_tui.sync.deposit import DepositService
from chorus_tui.sync.poller import Poller

from tests.sync.conftest import add_invoice


async def deposit_with_status(client, store, simulator, clock, tmp_path, status, comment=""):
    invoice_id, form = add_invoice(store, tmp_path, 1)
    outcome = await DepositService(client, store, clock).deposit(invoice_id, form)
    simulator.set_status(outcome.chorus_invoice_id, status, comment)
    await Poller(client, store, clock).poll_once()
    assert store.get_invoice(invoice_id).status_code == status
    return invoice_id, outcome.chorus_invoice_id


async def test_recycle_reroutes_and_records(client, store, simulator, clock, tmp_path):
    invoice_id, chorus_id = await deposit_with_status(client, store, simulator, clock, tmp_path, "A_RECYCLER",
                                                      "Service erroné")
    outcome = await CorrectionService(client, store, clock).recycle(
        invoice_id, recipient_siret="21788093908197", service_code="ADMIN")

    assert outcome.state is CorrectionState.DONE
    row = store.get_invoice(invoice_id)
    assert row.recipient_siret == "21788093908197"
    assert row.status_code == simulator.invoice(chorus_id).status
    assert row.category is Category.IN_PROGRESS
    assert EventKind.RECYCLED in [event.kind for event in store.events(invoice_id)]


async def test_complete_uploads_and_records(client, store, simulator, clock, tmp_path):
    invoice_id, chorus_id = await deposit_with_status(client, store, simulator, clock, tmp_path, "SUSPENDUE",
                                                      "Bon de livraison manquant")
    delivery_note = tmp_path / "bon-de-livraison.pdf"
    delivery_note.write_bytes(b"%PDF-1.4 bon de livraison")

    outcome = await CorrectionService(client, store, clock).complete(invoice_id, [delivery_note],
                                                                     comment="Bon joint")

    assert outcome.state is CorrectionState.DONE
    assert store.get_invoice(invoice_id).status_code == "COMPLETEE"
    assert len(simulator.invoice(chorus_id).complementary_attachments) == 1
    completed = [event for event in store.events(invoice_id) if event.kind is EventKind.COMPLETED]
    assert completed[0].message.params == {"count": 1}


async def test_rejection_handled_then_replaced(client, store, simulator, clock, tmp_path):
    invoice_id, chorus_id = await deposit_with_status(client, store, simulator, clock, tmp_path, "REJETEE",
                                                      "Montant erroné")
    service = CorrectionService(client, store, clock)
    outcome = await service.handle_rejection(invoice_id)
    assert outcome.state is CorrectionState.DONE
    assert simulator.invoice(chorus_id).rejection_handled is True
    assert store.get_invoice(invoice_id).rejection_handled is True
    assert [row.id for row in store.polled_invoices()] == [invoice_id]

    new_id, _ = add_invoice(store, tmp_path, 15)
    service.link_replacement(invoice_id, new_id)
    assert store.get_invoice(invoice_id).replaced_by == new_id
    assert store.polled_invoices() == []


async def test_recycle_wrong_status_not_sent(client, store, simulator, clock, tmp_path):
    invoice_id, _ = await deposit_with_status(client, store, simulator, clock, tmp_path, "SUSPENDUE")
    outcome = await CorrectionService(client, store, clock).recycle(invoice_id, recipient_siret="21788093908197")
    assert outcome.state is CorrectionState.NOT_ALLOWED
    assert client.calls["factures/v1/recycler"] == 0


async def test_recycle_refused_keeps_status(client, store, simulator, clock, tmp_path):
    invoice_id, _ = await deposit_with_status(client, store, simulator, clock, tmp_path, "A_RECYCLER")
    outcome = await CorrectionService(client, store, clock).recycle(invoice_id, recipient_siret="21151884000015")
    assert outcome.state is CorrectionState.REFUSED
    assert outcome.message is not None
    assert store.get_invoice(invoice_id).status_code == "A_RECYCLER"
