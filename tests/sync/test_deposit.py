"""Exactly-once deposits against the simulator, with lost responses and crashes."""

from __future__ import annotations

from chorus_tui.chorus.deposit import submit_request_from_form
from chorus_tui.sandbox import faults
from chorus_tui.statuses import Category
from chorus_tui.store import AttemptState, EventKind, Store
from chorus_tui.sync.deposit import DepositService, DepositState

from tests.sync.conftest import add_invoice, make_client

SUBMIT = "factures/v1/soumettre"
SEARCH = "factures/v1/rechercher/fournisseur"


def chorus_numbers(simulator) -> list[str]:
    return [invoice.number for invoice in simulator.invoices()]


async def test_pdf_deposit_accepted(client, store, simulator, clock, tmp_path):
    invoice_id, form = add_invoice(store, tmp_path, 1)
    outcome = await DepositService(client, store, clock).deposit(invoice_id, form)

    assert outcome.state is DepositState.ACCEPTED
    row = store.get_invoice(invoice_id)
    assert row.chorus_invoice_id == outcome.chorus_invoice_id
    assert row.status_code == "DEPOSEE"
    assert row.category is Category.IN_PROGRESS
    assert chorus_numbers(simulator) == ["FAC-2026-0001"]
    assert [attempt.state for attempt in store.attempts(invoice_id)] == [AttemptState.ACCEPTED]
    assert store.attempts(invoice_id)[0].attachment_id is not None
    kinds = [event.kind for event in store.events(invoice_id)]
    assert kinds == [EventKind.IMPORTED, EventKind.DEPOSIT_STARTED, EventKind.DEPOSITED, EventKind.STATUS]


async def test_second_deposit_not_sent(client, store, simulator, clock, tmp_path):
    invoice_id, form = add_invoice(store, tmp_path, 1)
    service = DepositService(client, store, clock)
    await service.deposit(invoice_id, form)
    again = await service.deposit(invoice_id, form)

    assert again.state is DepositState.NOT_ALLOWED
    assert client.calls[SUBMIT] == 1
    assert chorus_numbers(simulator) == ["FAC-2026-0001"]


async def test_business_refusal_keeps_invoice_depositable(client, store, simulator, clock, tmp_path):
    invoice_id, form = add_invoice(store, tmp_path, 1)
    form.recipient_siret = "21151884000015"  # Beaurivage requires a service code
    form.service_code = None
    service = DepositService(client, store, clock)

    refused = await service.deposit(invoice_id, form)
    assert refused.state is DepositState.REFUSED
    assert refused.message is not None
    assert store.get_invoice(invoice_id).status_code == "DEPOT_REFUSE"
    assert store.attempts(invoice_id)[0].state is AttemptState.REJECTED

    form.recipient_siret, form.service_code = "21151884000015", "ST"
    accepted = await service.deposit(invoice_id, form)
    assert accepted.state is DepositState.ACCEPTED
    assert chorus_numbers(simulator) == ["FAC-2026-0001"]


async def test_timeout_after_commit_adopted(client, store, simulator, clock, tmp_path):
    invoice_id, form = add_invoice(store, tmp_path, 1)
    simulator.fail_next(faults.TIMEOUT_AFTER, path_contains=SUBMIT)

    outcome = await DepositService(client, store, clock).deposit(invoice_id, form)

    assert outcome.state is DepositState.ADOPTED
    assert chorus_numbers(simulator) == ["FAC-2026-0001"]
    assert store.get_invoice(invoice_id).chorus_invoice_id == simulator.invoices()[0].id
    assert [attempt.state for attempt in store.attempts(invoice_id)] == [AttemptState.ACCEPTED]
    assert EventKind.DEPOSIT_ADOPTED in [event.kind for event in store.events(invoice_id)]


async def test_unknown_then_search_down_not_resent(client, store, simulator, clock, tmp_path):
    invoice_id, form = add_invoice(store, tmp_path, 1)
    service = DepositService(client, store, clock)
    simulator.fail_next(faults.TIMEOUT_AFTER, path_contains=SUBMIT)
    simulator.fail_next(faults.HTTP_503, path_contains=SEARCH, count=10)  # two searches of 5 tries

    first = await service.deposit(invoice_id, form)
    assert first.state is DepositState.UNKNOWN
    assert store.get_invoice(invoice_id).status_code == "ENVOI_EN_COURS"

    second = await service.deposit(invoice_id, form)
    assert second.state is DepositState.UNKNOWN
    assert client.calls[SUBMIT] == 1

    third = await service.deposit(invoice_id, form)
    assert third.state is DepositState.ADOPTED
    assert chorus_numbers(simulator) == ["FAC-2026-0001"]


async def test_crash_before_send_redeposits_once(simulator, clock, tmp_path):
    path = tmp_path / "chorus.sqlite3"
    store = Store(path, clock=clock)
    invoice_id, form = add_invoice(store, tmp_path, 1)
    # The process dies after journaling the attempt, before the request leaves.
    store.begin_deposit(invoice_id, route=form.route, payload_digest="x", invoice_number=form.invoice_number,
                        recipient_siret=form.recipient_siret, invoice_date=form.invoice_date)
    store.close()

    reopened = Store(path, clock=clock)
    async with make_client(simulator, clock) as client:
        service = DepositService(client, reopened, clock)
        recovered = await service.recover_pending()
        assert [outcome.state for outcome in recovered] == [DepositState.FAILED]
        assert reopened.get_invoice(invoice_id).status_code == "A_DEPOSER"

        outcome = await service.deposit(invoice_id, form)
    assert outcome.state is DepositState.ACCEPTED
    assert chorus_numbers(simulator) == ["FAC-2026-0001"]
    reopened.close()


async def test_crash_after_send_adopted_on_recovery(simulator, clock, tmp_path):
    path = tmp_path / "chorus.sqlite3"
    store = Store(path, clock=clock)
    invoice_id, form = add_invoice(store, tmp_path, 1)
    async with make_client(simulator, clock) as client:
        # The process dies after Chorus Pro stored the invoice, before the answer was
        # journaled: the attempt stays "sending" while Chorus Pro holds the invoice.
        store.begin_deposit(invoice_id, route=form.route, payload_digest="x", invoice_number=form.invoice_number,
                            recipient_siret=form.recipient_siret, invoice_date=form.invoice_date)
        attachment_id = await client.upload_attachment("FAC-2026-0001.pdf", b"%PDF-1.4", "application/pdf")
        await client.submit_invoice(submit_request_from_form(form, attachment_id, "FAC-2026-0001.pdf"))
    store.close()

    reopened = Store(path, clock=clock)
    async with make_client(simulator, clock) as client:
        service = DepositService(client, reopened, clock)
        recovered = await service.recover_pending()
        again = await service.deposit(invoice_id, form)
        submits = client.calls[SUBMIT]

    assert [outcome.state for outcome in recovered] == [DepositState.ADOPTED]
    assert again.state is DepositState.NOT_ALLOWED
    assert submits == 0
    assert chorus_numbers(simulator) == ["FAC-2026-0001"]
    assert reopened.get_invoice(invoice_id).chorus_invoice_id == simulator.invoices()[0].id
    reopened.close()


async def test_unavailable_before_send_marks_failed(store, simulator, clock, tmp_path):
    invoice_id, form = add_invoice(store, tmp_path, 1)
    simulator.fail_next(faults.HTTP_503, path_contains=SUBMIT, count=50)
    async with make_client(simulator, clock) as client:
        outcome = await DepositService(client, store, clock).deposit(invoice_id, form)

    assert outcome.state is DepositState.FAILED
    assert store.get_invoice(invoice_id).status_code == "A_DEPOSER"
    assert store.attempts(invoice_id)[0].state is AttemptState.FAILED
    assert chorus_numbers(simulator) == []


async def test_missing_file_not_sent(client, store, clock, tmp_path):
    invoice_id, form = add_invoice(store, tmp_path, 1)
    form.attachment_path.unlink()
    outcome = await DepositService(client, store, clock).deposit(invoice_id, form)

    assert outcome.state is DepositState.FAILED
    assert str(form.attachment_path) in str(outcome.message)
    assert store.attempts(invoice_id) == []
    assert client.calls[SUBMIT] == 0


async def test_recover_leaves_fresh_attempts_alone(client, store, simulator, clock, tmp_path):
    from datetime import timedelta

    from chorus_tui.sync.deposit import STALE_SENDING_AFTER

    invoice_id, form = add_invoice(store, tmp_path, 1)
    store.begin_deposit(invoice_id, route=form.route, payload_digest="x", invoice_number=form.invoice_number,
                        recipient_siret=form.recipient_siret, invoice_date=form.invoice_date)
    service = DepositService(client, store, clock)

    assert await service.recover_pending(min_age=STALE_SENDING_AFTER) == []
    assert await service.resolve_unknown() == []
    assert store.open_attempt(invoice_id) is not None

    clock.advance((STALE_SENDING_AFTER + timedelta(seconds=1)).total_seconds())
    resolved = await service.resolve_unknown()
    assert [outcome.state for outcome in resolved] == [DepositState.FAILED]
    assert store.get_invoice(invoice_id).status_code == "A_DEPOSER"


async def test_data_entry_deposit_without_file(client, store, simulator, clock, tmp_path):
    from chorus_tui.domain import DepositRoute

    invoice_id, form = add_invoice(store, tmp_path, 1)
    form.route = DepositRoute.DATA_ENTRY
    form.attachment_path.unlink()
    outcome = await DepositService(client, store, clock).deposit(invoice_id, form)

    assert outcome.state is DepositState.ACCEPTED
    assert client.calls["transverses/v1/ajouter/fichier"] == 0
    held = simulator.invoices()[0]
    assert held.deposit_mode == "SAISIE_API"
    assert store.get_invoice(invoice_id).number == held.number
