"""The `c` key: back to the connection screen after the first save, then reconnect."""

from __future__ import annotations

from chorus_tui.chorus.client import ChorusClient
from chorus_tui.chorus.settings import ConnectionSettings, Environment
from chorus_tui.clock import ManualClock
from chorus_tui.factory import attach_client, build_app, demo_credentials
from chorus_tui.sandbox.simulator import Simulator
from chorus_tui.sources.folder import FolderSource, demo_invoice_folder
from chorus_tui.store import Store
from chorus_tui.ui.screens.connection import ConnectionScreen
from tests.ui.conftest import START, demo_connection_setup, settle
from tests.ui.test_integration import french  # noqa: F401 (a fixture)


async def test_c_reopens_connection_and_reconnects(tmp_path, french):
    clock = ManualClock(START)
    simulator = Simulator(clock, seed=0)

    def new_client() -> ChorusClient:
        return ChorusClient(ConnectionSettings.for_environment(Environment.DEMO), demo_credentials(),
                            transport=simulator.transport(), clock=clock)

    connected = []

    async def connect(setup):
        connected.append(setup)
        attach_client(app.context, new_client())
        app.context.profile_label = "Profil atelier · démo"

    first = new_client()
    app = build_app(store=Store(tmp_path / "profile.sqlite3", clock=clock), source=FolderSource(demo_invoice_folder()),
                    clock=clock, client=first, connect=connect, profile_label="Profil atelier · ancien",
                    profile_name="atelier", poll_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        polls = app.polls_done
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ConnectionScreen)
        assert connected == []

        setup = demo_connection_setup("atelier")
        app.screen.dismiss(setup)
        await settle(pilot)
        assert connected == [setup]
        assert app.screen.id == "invoices"
        assert app.context.client is not first
        assert str(app.screen.query_one("#profile").render()) == "Profil atelier · démo"
        assert app.polls_done == polls + 1
        assert any("Connexion rétablie" in n.message for n in app._notifications)


async def test_c_cancelled_keeps_connection(tmp_path, french):
    clock = ManualClock(START)
    simulator = Simulator(clock, seed=0)
    client = ChorusClient(ConnectionSettings.for_environment(Environment.DEMO), demo_credentials(),
                          transport=simulator.transport(), clock=clock)

    async def connect(setup):
        raise AssertionError("a cancelled connection screen must not reconnect")

    app = build_app(store=Store(tmp_path / "profile.sqlite3", clock=clock), source=FolderSource(demo_invoice_folder()),
                    clock=clock, client=client, connect=connect, profile_name="atelier", poll_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        app.screen.dismiss(None)
        await settle(pilot)
        assert app.screen.id == "invoices"
        assert app.context.client is client


async def test_c_in_demo_says_why_not(rig, french):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert rig.app.screen.id == "invoices"
        assert any("La démo n'a pas de compte" in n.message for n in rig.app._notifications)
        titles = [command.title for command in rig.app.get_system_commands(rig.app.screen)]
        assert "Connexion" in titles


async def test_reconnect_reads_new_folder(tmp_path, french):
    """A connection saved with another invoice folder shows that folder's invoices at once."""
    import shutil

    clock = ManualClock(START)
    simulator = Simulator(clock, seed=0)
    empty = tmp_path / "empty"
    empty.mkdir()
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(demo_invoice_folder() / "FAC-2026-0003_valmorin.pdf", other)

    def new_client() -> ChorusClient:
        return ChorusClient(ConnectionSettings.for_environment(Environment.DEMO), demo_credentials(),
                            transport=simulator.transport(), clock=clock)

    async def connect(setup):
        attach_client(app.context, new_client())
        app.context.source = FolderSource(other)

    app = build_app(store=Store(tmp_path / "profile.sqlite3", clock=clock), source=FolderSource(empty),
                    clock=clock, client=new_client(), connect=connect, profile_name="atelier", poll_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.context.store.count_invoices() == 0
        await pilot.press("c")
        await settle(pilot)
        app.screen.dismiss(demo_connection_setup("atelier"))
        await settle(pilot)
        assert app.context.store.count_invoices() == 1
        assert [row.number for row in app.context.store.page_invoices(0, 10)] == ["FAC-2026-0003"]
