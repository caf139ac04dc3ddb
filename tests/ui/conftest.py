"""An application wired to the in-process simulator, a temporary SQLite file and a ManualClock."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from textual.widgets import Static

from chorus_tui.chorus.client import ChorusClient
from chorus_tui.chorus.settings import ConnectionSettings, Credentials, Environment
from chorus_tui.clock import ManualClock
from chorus_tui.connection import ConnectionSetup, SupplierOption
from chorus_tui.factory import build_app, demo_credentials
from chorus_tui.sandbox.directory import DEMO_SUPPLIER
from chorus_tui.sandbox.simulator import Simulator
from chorus_tui.secrets import SecretStorage
from chorus_tui.sources.folder import FolderSource, demo_invoice_folder
from chorus_tui.store import Store
from chorus_tui.ui.app import ChorusApp
from chorus_tui.ui.widgets.invoice_table import InvoiceTable

# After the last demo invoice date (24/11/2026), so that no invoice is dated in the future.
START = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


@dataclass
class DemoRig:
    app: ChorusApp
    simulator: Simulator
    clock: ManualClock
    store: Store


class HeldRequests(httpx.AsyncBaseTransport):
    """The simulator's transport, holding requests whose path contains `path` until `released` is set.

    Requests are held only while `hold` is True, so that a test decides which of them wait.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.hold = False
        self.released = asyncio.Event()
        self.inner: httpx.AsyncBaseTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert self.inner is not None, "make_rig sets the simulator's transport"
        if self.hold and self.path in request.url.path:
            await self.released.wait()
        return await self.inner.handle_async_request(request)


def make_rig(database: Path, source: FolderSource | None = None, *, held: HeldRequests | None = None) -> DemoRig:
    """Build the application over the SQLite file `database` (created when absent).

    With `held`, the client reaches the simulator through it, so that a test can hold some requests.
    """
    clock = ManualClock(START)
    simulator = Simulator(clock, seed=0)
    transport: httpx.AsyncBaseTransport = simulator.transport()
    if held is not None:
        held.inner = transport
        transport = held
    client = ChorusClient(ConnectionSettings.for_environment(Environment.DEMO), demo_credentials(),
                          transport=transport, clock=clock)
    store = Store(database, clock=clock)
    # A long poll interval: the tests poll with the `p` key, so that nothing depends on real time.
    app = build_app(store=store, source=source or FolderSource(demo_invoice_folder()), clock=clock,
                    client=client, profile_label="test", demo=True, simulator=simulator, poll_interval=3600)
    return DemoRig(app, simulator, clock, store)


@pytest.fixture
def rig(tmp_path) -> DemoRig:
    return make_rig(tmp_path / "invoices.sqlite3")


def rendered(widget: Static) -> str:
    """Return the text a Static widget currently shows."""
    return str(widget.render())


async def settle(pilot) -> None:
    """Let every running worker finish and the screen catch up with the messages they posted."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def select_invoice(pilot, number: str) -> InvoiceTable:
    """Move the list's cursor to invoice `number` with the arrow keys; return the list."""
    table = pilot.app.screen.query_one(InvoiceTable)
    await pilot.press("home")
    for _ in range(table.row_count):
        if table.selected_row.number == number:
            break
        await pilot.press("down")
    assert table.selected_row.number == number
    return table


def demo_connection_setup(profile: str = "default") -> ConnectionSetup:
    """Return what the connection screen dismisses with after a test against the demo simulator."""
    return ConnectionSetup(
        profile=profile,
        settings=ConnectionSettings.for_environment(Environment.DEMO),
        credentials=Credentials("demo", SecretStr("demo"), DEMO_SUPPLIER.technical_login, SecretStr("demo")),
        supplier=SupplierOption(DEMO_SUPPLIER.id_structure_cpp, DEMO_SUPPLIER.siret, DEMO_SUPPLIER.designation,
                                password_expiry=date(2027, 9, 30)),
        bank_account_id=DEMO_SUPPLIER.bank_accounts[0].id,
        storage=SecretStorage.MEMORY,
    )
