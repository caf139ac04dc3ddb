"""Ctrl+S pressed while the deposit form is still loading the supplier's bank accounts."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from textual.widgets import Select

from chorus_tui.chorus.client import ChorusClient
from chorus_tui.chorus.settings import ConnectionSettings, Environment
from chorus_tui.clock import ManualClock
from chorus_tui.factory import build_app, demo_credentials
from chorus_tui.sandbox.directory import DEMO_SUPPLIER
from chorus_tui.sandbox.simulator import Simulator
from chorus_tui.sources.folder import FolderSource, demo_invoice_folder
from chorus_tui.store import Store
from chorus_tui.ui.screens.confirm_deposit import ConfirmDepositScreen
from chorus_tui.ui.screens.deposit_form import DepositFormScreen
from tests.ui.conftest import START, select_invoice, settle
from tests.ui.test_integration import french  # noqa: F401 (french is a fixture)

pytestmark = pytest.mark.usefixtures("french")

PLAIN_INVOICE = "FAC-2026-0003"


class SlowBankAccounts(httpx.AsyncBaseTransport):
    """The simulator's transport, with bank account requests held until `released` is set."""

    def __init__(self, simulator: Simulator) -> None:
        self.inner = simulator.transport()
        self.hold = False
        self.released = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.hold and "coordbanc" in request.url.path:
            await self.released.wait()
        return await self.inner.handle_async_request(request)


async def test_submit_during_bank_account_load(tmp_path):
    clock = ManualClock(START)
    simulator = Simulator(clock, seed=0)
    transport = SlowBankAccounts(simulator)
    client = ChorusClient(ConnectionSettings.for_environment(Environment.DEMO), demo_credentials(),
                          transport=transport, clock=clock)
    app = build_app(store=Store(tmp_path / "invoices.sqlite3", clock=clock),
                    source=FolderSource(demo_invoice_folder()), clock=clock, client=client,
                    profile_label="test", demo=True, simulator=simulator, poll_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select_invoice(pilot, PLAIN_INVOICE)
        transport.hold = True
        await pilot.press("d")
        form = app.screen
        assert isinstance(form, DepositFormScreen)
        for _ in range(200):
            if form.form is not None:
                break
            await pilot.pause(0.01)
        assert form.form is not None
        assert [worker.name for worker in app.workers if worker.name == "form-bank-accounts"]

        # Ctrl+S before the bank account list has arrived must not lose the list.
        await pilot.press("ctrl+s")
        transport.released.set()
        await settle(pilot)

        assert isinstance(app.screen, ConfirmDepositScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert form.query_one("#bank_account_id", Select).value == DEMO_SUPPLIER.bank_accounts[0].id
