"""The parts working together in the application built by the factory: flows, header, profiles, forms, toasts."""

from __future__ import annotations

import asyncio
import json
import shutil
from types import SimpleNamespace
from datetime import timedelta

import httpx
import pytest
from textual.widgets import OptionList, Select, Static

from chorus_tui import i18n
from chorus_tui.chorus.client import ChorusClient
from chorus_tui.chorus.settings import ConnectionSettings, Environment
from chorus_tui.clock import ManualClock
from chorus_tui.config import config_path
from chorus_tui.domain import CheckLevel, DepositRoute
from chorus_tui.factory import build_app, build_demo_app, build_profile_app, demo_credentials
from chorus_tui.profiles import resolve_profile
from chorus_tui.sandbox.directory import DEMO_SUPPLIER
from chorus_tui.sandbox.simulator import Simulator
from chorus_tui.sources.folder import FolderSource, demo_invoice_folder
from chorus_tui.statuses import DEPOSITED, REJECTED
from chorus_tui.store import Store
from chorus_tui.sync import DepositState
from chorus_tui.sync.actions import TriageService
from chorus_tui.ui.screens.connection import ConnectionScreen
from chorus_tui.ui.screens.deposit_form import DepositFormScreen
from chorus_tui.ui.source_invoice import load_source_invoice
from chorus_tui.ui.widgets.invoice_table import InvoiceTable
from chorus_tui.validation import form_from_invoice
from tests.ui.conftest import START, select_invoice, settle
from tests.ui.test_polling import deposit_valmorin_invoice

FACTURX_NUMBER = "FAC-2026-0005"  # the one Factur-X invoice of the demo
PDF_NUMBER = "FAC-2026-0003"  # Commune de Valmorin, which requires neither service nor engagement


def rendered(widget: Static) -> str:
    return str(widget.render())


def notifications(app) -> list[str]:
    return [notification.message for notification in app._notifications]


async def open_form(pilot, number: str) -> DepositFormScreen:
    """Select invoice `number` in the list and open its deposit form with `d`."""
    await select_invoice(pilot, number)
    await pilot.press("d")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, DepositFormScreen)
    return form


@pytest.fixture
def french():
    previous = i18n.current_language()
    i18n.set_language("fr")
    yield
    i18n.set_language(previous)


# --- Factur-X flow ----------------------------------------------------------------------------------


async def test_facturx_demo_invoice_integrated_by_flow(tmp_path, french):
    clock = ManualClock(START)
    app = build_demo_app(tmp_path / "demo", clock, poll_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        context = app.context
        row = context.store.find_by_number(FACTURX_NUMBER)[0]
        form = form_from_invoice(load_source_invoice(row, supplier_sirets=context.supplier_sirets),
                                 supplier_id=context.supplier.structure_id,
                                 bank_account_id=context.supplier.bank_account_id)
        assert form.route is DepositRoute.FLOW

        outcome = await context.deposit_service.deposit(row.id, form)
        assert outcome.state is DepositState.ACCEPTED, outcome
        assert outcome.flow_number

        # The simulator integrates the flow, then the recipient moves the invoice on.
        context.simulator.advance(60)
        await pilot.press("p")
        await settle(pilot)
        on_chorus = [invoice for invoice in context.simulator.invoices() if invoice.number == FACTURX_NUMBER]
        assert len(on_chorus) == 1
        stored = context.store.require_invoice(row.id)
        assert stored.chorus_invoice_id == on_chorus[0].id
        assert stored.status_code == on_chorus[0].status

        context.simulator.advance(60)
        await pilot.press("p")
        await settle(pilot)
        stored = context.store.require_invoice(row.id)
        assert stored.status_code == context.simulator.invoice(on_chorus[0].id).status
        assert stored.status_code != DEPOSITED


async def test_form_names_deposit_route(rig, french):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, FACTURX_NUMBER)
        # A Factur-X invoice gets a choice of route, set to the flow; the title no longer names it.
        route = form.query_one("#route", Select)
        assert route.value is DepositRoute.FLOW
        assert "Flux Factur-X" in [label for label, value in route._options if value is DepositRoute.FLOW]
        await pilot.press("escape")
        await settle(pilot)

        form = await open_form(pilot, PDF_NUMBER)
        assert "Envoi : Dépôt PDF" in rendered(form.query_one("#form-title", Static))


# --- header counters --------------------------------------------------------------------------------


async def test_header_counts_each_category(rig, french):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        _, suspended_id = await deposit_valmorin_invoice(rig)
        rig.simulator.set_status(suspended_id, "SUSPENDUE", "Code service absent.")
        await pilot.press("p")
        await settle(pilot)

        screen = rig.app.screen
        texts = {css: rendered(screen.query_one(f"#count-{css}", Static))
                 for css in ("to-deposit", "to-do", "in-progress", "paid", "rejected")}
        assert texts["to-deposit"] == "À déposer 13"
        assert texts["to-do"] == "À traiter 1"
        assert texts["in-progress"] == "En cours 0"
        assert texts["paid"] == "Payées 0"
        assert texts["rejected"] == "Rejetées 0"
        assert all(screen.query_one(f"#count-{css}", Static).display for css in texts)


async def test_header_drops_zero_counters_at_80(rig, french):
    async with rig.app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = rig.app.screen
        assert rendered(screen.query_one("#count-to-deposit", Static)) == "À déposer 14"
        assert screen.query_one("#count-to-deposit", Static).display
        for css in ("to-do", "in-progress", "paid", "rejected"):
            assert not screen.query_one(f"#count-{css}", Static).display
        assert not screen.query_one("#app-title", Static).display
        profile = screen.query_one("#profile", Static)
        assert profile.region.width >= 4


async def test_header_counters_in_english(tmp_path):
    previous = i18n.current_language()
    i18n.set_language("en")
    try:
        clock = ManualClock(START)
        app = build_demo_app(tmp_path / "demo", clock, poll_interval=3600)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert rendered(app.screen.query_one("#count-to-deposit", Static)) == "To deposit 14"
            assert rendered(app.screen.query_one("#count-to-do", Static)) == "To do 0"
    finally:
        i18n.set_language(previous)


# --- profiles ---------------------------------------------------------------------------------------


def write_demo_profiles(monkeypatch, tmp_path, *, expiry: str) -> None:
    """Write two demo-environment profiles, `comptable` (the default) and `atelier`, with their secrets."""
    folder = tmp_path / "factures"
    folder.mkdir()
    shutil.copy(next(demo_invoice_folder().glob("FAC-2026-0003_*.pdf")), folder)
    other = tmp_path / "atelier"
    other.mkdir()
    lines = ['default_profile = "comptable"', ""]
    for name, invoices in (("comptable", folder), ("atelier", other)):
        lines += [
            f"[profiles.{name}]",
            'environment = "demo"',
            'client_id = "demo"',
            f'technical_login = "{DEMO_SUPPLIER.technical_login}"',
            f"technical_password_expiry = {expiry}",
            "poll_interval_seconds = 3600",
            f'invoice_folder = "{invoices.as_posix()}"',
            "",
        ]
        monkeypatch.setenv(f"CHORUS_TUI_PISTE_CLIENT_SECRET__{name.upper()}", "demo")
        monkeypatch.setenv(f"CHORUS_TUI_TECH_PASSWORD__{name.upper()}", "demo")
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


async def test_demo_profile_reconnects_at_start(monkeypatch, tmp_path, french):
    write_demo_profiles(monkeypatch, tmp_path, expiry="2027-09-30")
    clock = ManualClock(START)
    app = build_profile_app(resolve_profile("comptable"), clock=clock)
    assert app.context.simulator is not None
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, ConnectionScreen)
        assert app.screen.id == "invoices"
        assert app.context.supplier.structure_id == DEMO_SUPPLIER.id_structure_cpp
        assert "comptable" in rendered(app.screen.query_one("#profile", Static))

        local_id, chorus_id = await deposit_valmorin_invoice_of(app)
        assert app.context.simulator.invoice(chorus_id).number == PDF_NUMBER
        assert not app.screen.query_one("#banner", Static).display


async def test_demo_profile_syncs_from_command_line(monkeypatch, tmp_path, capsys):
    from chorus_tui.clock import SystemClock
    from chorus_tui.factory import profile_simulator
    from chorus_tui.sync.deposit import DepositService
    from tests.sync.conftest import add_invoice, make_client
    from tests.sync.test_sync_command import await_main

    write_demo_profiles(monkeypatch, tmp_path, expiry="2027-09-30")
    clock = SystemClock()
    simulator = profile_simulator("comptable", clock)
    with Store(resolve_profile("comptable").database, clock=clock) as store:
        invoice_id, form = add_invoice(store, tmp_path, 1)
        async with make_client(simulator, clock) as client:
            outcome = await DepositService(client, store, clock).deposit(invoice_id, form)
    simulator.set_status(outcome.chorus_invoice_id, "A_RECYCLER", "Code service erroné")

    code = await_main(["--profile", "comptable", "sync", "--json"])
    output = json.loads(capsys.readouterr().out)
    assert code == 0, output
    changes = output["poll"]["changes"]
    assert [(change["invoice_id"], change["new_status"]) for change in changes] == [(invoice_id, "A_RECYCLER")]


async def deposit_valmorin_invoice_of(app) -> tuple[int, int]:
    return await deposit_valmorin_invoice(SimpleNamespace(app=app, store=app.context.store))


async def test_password_expiry_warned_at_start(monkeypatch, tmp_path, french):
    expiry = (START + timedelta(days=20)).date()
    write_demo_profiles(monkeypatch, tmp_path, expiry=expiry.isoformat())
    app = build_profile_app(resolve_profile("comptable"), clock=ManualClock(START))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        banner = app.screen.query_one("#banner", Static)
        assert banner.display
        assert "expire dans 20 jours" in rendered(banner)


async def test_demo_shows_no_password_warning(tmp_path, french):
    app = build_demo_app(tmp_path / "demo", ManualClock(START), poll_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert not app.screen.query_one("#banner", Static).display


async def test_palette_switches_profile_in_place(monkeypatch, tmp_path, french):
    from chorus_tui.ui.screens.profiles import ProfileScreen

    write_demo_profiles(monkeypatch, tmp_path, expiry="2027-09-30")
    app = build_profile_app(resolve_profile("comptable"), clock=ManualClock(START))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(InvoiceTable).row_count == 1
        commands = [command.title for command in app.get_system_commands(app.screen)]
        assert "Changer de profil" in commands

        app.action_switch_profile()
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 2
        assert options.get_option("comptable").disabled
        # Profiles are sorted by name: "atelier" comes first, highlighted, and Enter opens it.
        await pilot.press("enter")
        await settle(pilot)

        assert app.context.profile_name == "atelier"
        assert app.screen.id == "invoices"
        assert len(app.screen_stack) == 2
        assert "atelier" in rendered(app.screen.query_one("#profile", Static))
        assert app.screen.query_one(InvoiceTable).row_count == 0
        assert app.context.client is not None
        assert any("Profil atelier ouvert." in text for text in notifications(app))


async def test_palette_hides_switch_without_profiles(rig, french):
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        commands = [command.title for command in rig.app.get_system_commands(rig.app.screen)]
        assert "Changer de profil" not in commands
        rig.app.action_switch_profile()
        await settle(pilot)
        assert rig.app.screen.id == "invoices"
        assert any("Aucun autre profil" in text for text in notifications(rig.app))


# --- deposit form without a connection -------------------------------------------------------------


def build_offline_app(tmp_path, clock):
    """Build the application without a Chorus Pro client, over a folder holding one demo invoice."""
    folder = tmp_path / "factures"
    folder.mkdir()
    shutil.copy(next(demo_invoice_folder().glob(f"{PDF_NUMBER}_*.pdf")), folder)
    return build_app(store=Store(tmp_path / "offline.sqlite3", clock=clock), source=FolderSource(folder),
                     clock=clock, profile_label="hors ligne")


async def test_offline_form_runs_pure_checks(tmp_path, french):
    # 23:30 UTC on 30 November is already 1 December in Paris.
    clock = ManualClock(START.replace(day=30, month=11, hour=23, minute=30))
    app = build_offline_app(tmp_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, PDF_NUMBER)
        form.query_one("#service_code").value = "ST#1"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        blocking = [result for result in form.results if result.level is CheckLevel.BLOCKING]
        assert "service_code" in [result.field for result in blocking]
        status = rendered(form.query_one("#form-status", Static))
        assert status == i18n.t("ui.form_blocked", count=len(blocking))
        error = form.query_one("#error-service_code", Static)
        assert error.display
        assert "ST#1" in rendered(error)


async def test_offline_form_dates_checked_in_paris(tmp_path, french, monkeypatch):
    from chorus_tui.validation import checks

    seen = []
    real_check_form = checks.check_form

    def spy(invoice, form, *, today, supplier_sirets=frozenset()):
        seen.append(today)
        return real_check_form(invoice, form, today=today, supplier_sirets=supplier_sirets)

    monkeypatch.setattr(checks, "check_form", spy)
    monkeypatch.setattr("chorus_tui.validation.check_form", spy)
    clock = ManualClock(START.replace(day=30, month=11, hour=23, minute=30))
    app = build_offline_app(tmp_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_form(pilot, PDF_NUMBER)
        await pilot.press("ctrl+s")
        await settle(pilot)
        # The form runs these checks when it opens and again on Ctrl+S, each time with the Paris date.
        assert len(seen) == 2
        assert {day.isoformat() for day in seen} == {"2026-12-01"}
        assert isinstance(app.screen, DepositFormScreen)


# --- replacements, toasts ---------------------------------------------------------------------------


async def reject_valmorin_invoice(rig, pilot, comment: str) -> int:
    """Deposit PDF_NUMBER, let the recipient reject it with `comment`, poll with `p`; return its local id."""
    local_id, chorus_id = await deposit_valmorin_invoice(rig)
    rig.simulator.set_status(chorus_id, REJECTED, comment)
    await pilot.press("p")
    await settle(pilot)
    return local_id


async def test_scan_links_pending_replacement(rig, tmp_path, french):
    folder = tmp_path / "factures"
    folder.mkdir()
    pdfs = sorted(demo_invoice_folder().glob("*.pdf"))
    valmorin = next(pdf for pdf in pdfs if pdf.name.startswith(PDF_NUMBER))
    shutil.copy(valmorin, folder)
    rig.app.context.source = FolderSource(folder)
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        local_id = await reject_valmorin_invoice(rig, pilot, "Facture en double.")

        triage = TriageService(rig.app.context.client, rig.store, rig.clock)
        replacement = next(pdf for pdf in pdfs if pdf.name.startswith("FAC-2026-0004"))
        triage.link_replacement(local_id, new_number="FAC-2026-0004")
        assert rig.store.require_invoice(local_id).replaced_by is None

        shutil.copy(replacement, folder)
        await pilot.press("r")
        await settle(pilot)
        new_row = rig.store.find_by_number("FAC-2026-0004")[0]
        assert rig.store.require_invoice(local_id).replaced_by == new_row.id


async def test_rejection_toast_explains_reason(rig, french):
    raw = "SupplyChainTradeTransaction.ApplicableHeaderTradeAgreement.BuyerReference.value est obligatoire"
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await reject_valmorin_invoice(rig, pilot, raw)
        toast = next(text for text in notifications(rig.app) if PDF_NUMBER in text and "Rejetée" in text)
        lines = toast.split("\n")
        assert lines[1] == "Champ « Code service » absent alors que le destinataire l'exige."
        assert lines[2] == raw


# --- deposit in flight ------------------------------------------------------------------------------


class GatedTransport(httpx.AsyncBaseTransport):
    """Hold every submit request until `gate` is set, then pass it to the simulator."""

    def __init__(self, inner: httpx.AsyncBaseTransport, gate: asyncio.Event) -> None:
        self.inner = inner
        self.gate = gate
        self.held_requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("factures/v1/soumettre"):
            self.held_requests += 1
            await self.gate.wait()
        return await self.inner.handle_async_request(request)


async def test_row_shows_sending_mid_flight(tmp_path, french):
    clock = ManualClock(START)
    simulator = Simulator(clock, seed=0)
    gate = asyncio.Event()
    transport = GatedTransport(simulator.transport(), gate)
    client = ChorusClient(ConnectionSettings.for_environment(Environment.DEMO), demo_credentials(),
                          transport=transport, clock=clock)
    store = Store(tmp_path / "invoices.sqlite3", clock=clock)
    app = build_app(store=store, source=FolderSource(demo_invoice_folder()), clock=clock, client=client,
                    profile_label="test", demo=True, simulator=simulator, poll_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_form(pilot, PDF_NUMBER)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause(0.02)
            if transport.held_requests and not isinstance(app.screen, DepositFormScreen):
                break
        assert transport.held_requests == 1
        await pilot.pause(0.1)
        table = app.screen.query_one(InvoiceTable)
        assert table.selected_row.number == PDF_NUMBER
        assert table.selected_row.status_label == "Envoi en cours"
        assert simulator.invoices() == []

        gate.set()
        await settle(pilot)
        assert table.selected_row.status_label == "Déposée"
