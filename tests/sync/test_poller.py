"""The poller against the simulator in virtual time: status changes, comments, flows, call counts."""

from __future__ import annotations

import io
import logging
import tarfile
from datetime import timedelta

from chorus_tui.domain import DepositRoute
from chorus_tui.statuses import Category
from chorus_tui.store import AttemptState, EventKind
from chorus_tui.sync.deposit import DepositService, DepositState
from chorus_tui.sync.poller import Poller

from tests.sync.conftest import add_invoice, facturx_pdf, facturx_xml

HISTORY = "factures/v1/consulter/historique"
SEARCH = "factures/v1/rechercher/fournisseur"
FLOW_REPORT = "transverses/v1/consulterCRDetaille"


async def deposit_all(client, store, clock, tmp_path, count: int, *, route=DepositRoute.PDF) -> list[int]:
    service = DepositService(client, store, clock)
    ids = []
    for index in range(1, count + 1):
        invoice_id, form = add_invoice(store, tmp_path, index, route=route)
        if route is DepositRoute.FLOW:
            form.attachment_path.write_bytes(facturx_pdf(form.invoice_number))
        outcome = await service.deposit(invoice_id, form)
        assert outcome.state is DepositState.ACCEPTED
        ids.append(invoice_id)
    return ids


async def test_status_change_stored_with_comment(client, store, simulator, clock, tmp_path):
    [invoice_id] = await deposit_all(client, store, clock, tmp_path, 1)
    chorus_id = store.get_invoice(invoice_id).chorus_invoice_id
    clock.advance(60)
    simulator.set_status(chorus_id, "SUSPENDUE", "Bon de livraison manquant")

    report = await Poller(client, store, clock).poll_once()

    row = store.get_invoice(invoice_id)
    assert row.status_code == "SUSPENDUE"
    assert row.status_comment == "Bon de livraison manquant"
    assert row.category is Category.ACTION_REQUIRED
    assert [(change.invoice_id, change.new_status) for change in report.changes] == [(invoice_id, "SUSPENDUE")]
    assert report.changes[0].old_status == "DEPOSEE"
    statuses = [(event.status_code, event.comment) for event in store.events(invoice_id)
                if event.kind is EventKind.STATUS]
    assert ("SUSPENDUE", "Bon de livraison manquant") in statuses
    assert client.calls[HISTORY] == 1


async def test_unchanged_invoices_cost_no_history_call(client, store, simulator, clock, tmp_path):
    ids = await deposit_all(client, store, clock, tmp_path, 12)
    poller = Poller(client, store, clock)
    # No time passes, so the simulator moves only the invoice set below.
    chorus_id = store.get_invoice(ids[3]).chorus_invoice_id
    simulator.set_status(chorus_id, "A_RECYCLER", "Code service erroné")

    first = await poller.poll_once()
    assert client.calls[HISTORY] == len(first.changes)
    assert {change.invoice_id for change in first.changes} == {ids[3]}

    # Nothing moves between these two polls: no history call at all.
    before = client.calls[HISTORY]
    second = await poller.poll_once()
    assert second.changes == []
    assert client.calls[HISTORY] == before
    assert second.invoices_seen >= 1


async def test_life_cycle_followed_to_payment(client, store, simulator, clock, tmp_path):
    ids = await deposit_all(client, store, clock, tmp_path, 5)
    poller = Poller(client, store, clock)
    for _ in range(20):
        clock.advance(30)
        await poller.poll_once()

    for invoice_id in ids:
        row = store.get_invoice(invoice_id)
        held = simulator.invoice(row.chorus_invoice_id)
        assert row.status_code == held.status, row.number
        assert row.status_comment == (held.status_comment or None), row.number
    assert client.calls[HISTORY] < 20 * len(ids)


async def test_checkpoint_saved_only_after_success(client, store, simulator, clock, tmp_path):
    from chorus_tui.sandbox import faults
    from chorus_tui.chorus.errors import ChorusUnavailable
    import pytest

    await deposit_all(client, store, clock, tmp_path, 1)
    poller = Poller(client, store, clock)
    await poller.poll_once()
    saved = store.get_checkpoint("poll.status_window_end")

    clock.advance(3600)
    simulator.fail_next(faults.HTTP_503, path_contains=SEARCH, count=5)
    with pytest.raises(ChorusUnavailable):
        await poller.poll_once()
    assert store.get_checkpoint("poll.status_window_end") == saved


async def test_flow_followed_until_invoice_id(client, store, simulator, clock, tmp_path):
    [invoice_id] = await deposit_all(client, store, clock, tmp_path, 1, route=DepositRoute.FLOW)
    row = store.get_invoice(invoice_id)
    assert row.status_code == "IN_RECU"
    assert row.flow_number is not None
    assert row.chorus_invoice_id is None

    poller = Poller(client, store, clock)
    for _ in range(10):
        clock.advance(30)
        await poller.poll_once()
        if store.get_invoice(invoice_id).chorus_invoice_id:
            break

    row = store.get_invoice(invoice_id)
    held = [invoice for invoice in simulator.invoices() if invoice.number == row.number]
    assert len(held) == 1
    assert row.chorus_invoice_id == held[0].id
    assert EventKind.FLOW_INTEGRATED in [event.kind for event in store.events(invoice_id)]
    assert client.calls[FLOW_REPORT] >= 1


async def test_partly_integrated_flow_gives_each_outcome(client, store, simulator, clock, tmp_path):
    good_id, good_form = add_invoice(store, tmp_path, 1, route=DepositRoute.FLOW)
    bad_id, bad_form = add_invoice(store, tmp_path, 2, route=DepositRoute.FLOW)
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        for number, siret in (("FAC-2026-0001", "21170753455688"), ("FAC-2026-0002", "99999999999999")):
            xml = facturx_xml(number, buyer_siret=siret)
            info = tarfile.TarInfo(f"{number}.xml")
            info.size = len(xml)
            tar.addfile(info, io.BytesIO(xml))
    result = await client.deposit_flow("lot.tar.gz", archive.getvalue(), "IN_DP_E1_CII_16B")
    for invoice_id, form in ((good_id, good_form), (bad_id, bad_form)):
        attempt = store.begin_deposit(invoice_id, route=DepositRoute.FLOW, payload_digest="lot",
                                      invoice_number=form.invoice_number, recipient_siret=form.recipient_siret,
                                      invoice_date=form.invoice_date)
        store.finish_deposit_accepted(attempt, chorus_invoice_id=None, flow_number=result.flow_number,
                                      status_code="IN_RECU")

    poller = Poller(client, store, clock)
    for _ in range(10):
        clock.advance(30)
        await poller.poll_once()

    good = store.get_invoice(good_id)
    bad = store.get_invoice(bad_id)
    assert good.chorus_invoice_id is not None
    assert bad.chorus_invoice_id is None
    assert bad.status_code == "IN_REJETE"
    assert bad.category is Category.ACTION_REQUIRED
    assert "99999999999999" in bad.status_comment
    assert store.attempts(bad_id)[-1].state is AttemptState.FAILED


async def test_flow_rejected_invoice_depositable_again(client, store, simulator, clock, tmp_path):
    invoice_id, form = add_invoice(store, tmp_path, 1, route=DepositRoute.FLOW)
    form.attachment_path.write_bytes(facturx_pdf(form.invoice_number, buyer_siret="99999999999999"))
    service = DepositService(client, store, clock)
    assert (await service.deposit(invoice_id, form)).state is DepositState.ACCEPTED

    poller = Poller(client, store, clock)
    for _ in range(10):
        clock.advance(30)
        await poller.poll_once()
    assert store.get_invoice(invoice_id).status_code == "IN_REJETE"

    form.attachment_path.write_bytes(facturx_pdf(form.invoice_number))
    again = await service.deposit(invoice_id, form)
    assert again.state is DepositState.ACCEPTED
    assert [attempt.state for attempt in store.attempts(invoice_id)] == [AttemptState.FAILED, AttemptState.ACCEPTED]


async def test_nothing_deposited_no_search(client, store, clock):
    report = await Poller(client, store, clock).poll_once()
    assert report.changes == []
    assert client.calls[SEARCH] == 0


async def test_window_overlaps_previous_poll(client, store, simulator, clock, tmp_path):
    await deposit_all(client, store, clock, tmp_path, 1)
    poller = Poller(client, store, clock)
    first = await poller.poll_once()
    clock.advance(timedelta(days=3).total_seconds())
    second = await poller.poll_once()
    assert second.window[0] <= first.started_at.date()
    assert second.window[1] > second.started_at.date()


async def test_recipient_without_payment_status_finishes(client, store, simulator, clock, tmp_path):
    invoice_id, form = add_invoice(store, tmp_path, 1)
    form.recipient_siret, form.service_code = "21864887166340", "PORT"  # never reports MISE_EN_PAIEMENT
    chorus_id = (await DepositService(client, store, clock).deposit(invoice_id, form)).chorus_invoice_id
    poller = Poller(client, store, clock)
    clock.advance(5)
    simulator.set_status(chorus_id, "MANDATEE")
    await poller.poll_once()

    row = store.get_invoice(invoice_id)
    assert row.status_code == "MANDATEE"
    assert row.payment_not_reported is True
    assert row.category is Category.IN_PROGRESS

    structure_calls = client.calls["structures/v1/consulter"]
    clock.advance(timedelta(days=61).total_seconds())
    await poller.poll_once()
    assert store.get_invoice(invoice_id).category is Category.FINISHED
    assert store.polled_invoices() == []
    assert client.calls["structures/v1/consulter"] == structure_calls


async def test_lost_flow_response_adopted_by_poll(client, store, simulator, clock, tmp_path):
    from chorus_tui.sandbox import faults

    invoice_id, form = add_invoice(store, tmp_path, 1, route=DepositRoute.FLOW)
    form.attachment_path.write_bytes(facturx_pdf(form.invoice_number))
    service = DepositService(client, store, clock)
    simulator.fail_next(faults.TIMEOUT_AFTER, path_contains="factures/v1/deposer/flux")
    outcome = await service.deposit(invoice_id, form)
    assert outcome.state is DepositState.UNKNOWN

    poller = Poller(client, store, clock, deposit_service=service)
    for _ in range(10):
        clock.advance(30)
        report = await poller.poll_once()
        if report.resolved and report.resolved[0].state is DepositState.ADOPTED:
            break

    row = store.get_invoice(invoice_id)
    assert row.chorus_invoice_id == simulator.invoices()[0].id
    assert len(simulator.invoices()) == 1
    assert client.calls["factures/v1/deposer/flux"] == 1


async def test_unknown_flow_does_not_stop_poll(client, store, simulator, clock, tmp_path):
    [deposited_id] = await deposit_all(client, store, clock, tmp_path, 1)
    lost_id, form = add_invoice(store, tmp_path, 2, route=DepositRoute.FLOW)
    attempt = store.begin_deposit(lost_id, route=DepositRoute.FLOW, payload_digest="x",
                                  invoice_number=form.invoice_number, recipient_siret=form.recipient_siret,
                                  invoice_date=form.invoice_date)
    store.finish_deposit_accepted(attempt, chorus_invoice_id=None, flow_number="CPP-INCONNU-0001",
                                  status_code="IN_RECU")
    simulator.set_status(store.get_invoice(deposited_id).chorus_invoice_id, "SUSPENDUE", "Pièce manquante")

    report = await Poller(client, store, clock).poll_once()

    assert [change.new_status for change in report.changes] == ["SUSPENDUE"]
    assert store.get_invoice(lost_id).status_code == "IN_RECU"


async def test_reused_chorus_id_not_applied(store, simulator, clock, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="chorus_tui.sync.poller")
    from chorus_tui.sandbox.simulator import Simulator
    from chorus_tui.store import Store

    from tests.sync.conftest import make_client

    async with make_client(simulator, clock) as first_client:
        [invoice_id] = await deposit_all(first_client, store, clock, tmp_path, 1)
    chorus_id = store.get_invoice(invoice_id).chorus_invoice_id
    # A simulator restarted without its state numbers another profile's deposit with the same id.
    restarted = Simulator(clock, seed=7)
    other_folder = tmp_path / "other"
    other_folder.mkdir()
    with Store(tmp_path / "other.sqlite3", clock=clock) as other_store:
        async with make_client(restarted, clock) as other_client:
            service = DepositService(other_client, other_store, clock)
            other_id, form = add_invoice(other_store, other_folder, 2)
            outcome = await service.deposit(other_id, form)
    assert outcome.chorus_invoice_id == chorus_id
    clock.advance(60)
    restarted.set_status(chorus_id, "REJETEE", "Facture inconnue")

    async with make_client(restarted, clock) as client:
        report = await Poller(client, store, clock).poll_once()

    row = store.get_invoice(invoice_id)
    assert row.status_code == "DEPOSEE"
    assert report.changes == []
    assert report.mismatched == 1
    assert "FAC-2026-0002" in caplog.text
