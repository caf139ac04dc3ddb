"""Fixtures of the triage tests: the simulator in virtual time, a client wired to it, a store on a real file."""

from __future__ import annotations

import pytest

from chorus_tui.sandbox.directory import DEMO_SUPPLIER
from chorus_tui.sync.actions import TriageService
from chorus_tui.sync.deposit import DepositService
from chorus_tui.sync.poller import Poller
# The sync tests' fixtures: French messages, a ManualClock, the simulator, a client and a store file.
from tests.sync.conftest import add_invoice, client, clock, simulator, store  # noqa: F401


@pytest.fixture
def triage(client, store, clock) -> TriageService:
    return TriageService(client, store, clock, supplier_id=DEMO_SUPPLIER.id_structure_cpp,
                         supplier_sirets=frozenset({DEMO_SUPPLIER.siret}))


async def deposit_in_status(client, store, simulator, clock, folder, status: str, comment: str = "",
                            index: int = 1) -> tuple[int, int]:
    """Deposit a local invoice, let the simulated recipient set `status`, poll it; return (local id, Chorus id)."""
    invoice_id, form = add_invoice(store, folder, index)
    outcome = await DepositService(client, store, clock).deposit(invoice_id, form)
    assert outcome.chorus_invoice_id is not None
    simulator.set_status(outcome.chorus_invoice_id, status, comment)
    await Poller(client, store, clock).poll_once()
    assert store.get_invoice(invoice_id).status_code == status
    return invoice_id, outcome.chorus_invoice_id
