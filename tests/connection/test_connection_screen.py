"""Pilot tests of the connection screen against the simulator: setup, failures, secrets storage choice."""

from __future__ import annotations

import json
import os
import stat

import httpx
import pytest
from textual.app import App
from textual.widgets import Input, Select, Static

from chorus_tui.chorus.wire import CHORUS_TIMEZONE
from chorus_tui.clock import ManualClock
from chorus_tui.config import AppConfig, EnvironmentUrls, ProfileConfig, config_path, load_config, save_config
from chorus_tui.chorus.settings import Environment
from chorus_tui.connection import ConnectionSetup, Step
from chorus_tui.i18n import set_language
from chorus_tui.sandbox.directory import DEMO_SUPPLIER
from chorus_tui.secrets import SecretName, SecretSource, SecretStorage, SecretStore, secrets_file_path
from chorus_tui.sources import demo_invoice_folder
from chorus_tui.ui.screens.connection import ConnectionScreen, SecretStorageScreen

from .helpers import CLIENT_ID, CLIENT_SECRET, TECH_LOGIN, TECH_PASSWORD, simulator


class ScreenHost(App[None]):
    """A bare app that pushes the connection screen and records its result and messages."""

    def __init__(self, screen: ConnectionScreen) -> None:
        super().__init__()
        self.connection_screen = screen
        self.results: list[ConnectionSetup | None] = []
        self.configured: list[ConnectionSetup] = []

    def on_mount(self) -> None:
        self.push_screen(self.connection_screen, self.results.append)

    def on_connection_screen_configured(self, message: ConnectionScreen.Configured) -> None:
        self.configured.append(message.setup)


@pytest.fixture(autouse=True)
def french():
    set_language("fr")
    yield
    set_language("fr")


def _screen(clock: ManualClock, sim, *, store: SecretStore | None = None) -> ConnectionScreen:
    return ConnectionScreen(profile="default", transport=sim.transport(), clock=clock,
                            secret_store=store or SecretStore("default"))


async def _fill(pilot, *, login: str = TECH_LOGIN, password: str = TECH_PASSWORD) -> None:
    # The demo invoices are a real folder of PDF files, read and never written.
    values = {"client-id": CLIENT_ID, "client-secret": CLIENT_SECRET,
              "technical-login": login, "technical-password": password,
              "invoice-folder": str(demo_invoice_folder())}
    for field_id, value in values.items():
        pilot.app.screen.query_one(f"#{field_id}", Input).value = value
    await pilot.pause()


async def _test_connection(pilot) -> ConnectionScreen:
    await pilot.press("ctrl+t")
    screen = pilot.app.screen
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def _open_storage_choice(pilot) -> None:
    """Fill the form, pass the test and press save, which opens the storage choice (the keyring fails)."""
    await _fill(pilot)
    await _test_connection(pilot)
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SecretStorageScreen)


def _step_text(screen: ConnectionScreen, step: Step) -> str:
    return str(screen.query_one(f"#step-{step}", Static).render())


async def test_successful_setup_saves_and_dismisses(memory_keyring):
    clock = ManualClock()
    sim = simulator(clock)
    store = SecretStore("default", backend=memory_keyring)
    host = ScreenHost(_screen(clock, sim, store=store))

    async with host.run_test(size=(120, 60)) as pilot:
        await _fill(pilot)
        screen = await _test_connection(pilot)
        for step in Step:
            assert _step_text(screen, step).startswith("✓"), step
        assert screen.query_one("#supplier-choice").display
        assert screen.query_one("#supplier", Select).value == DEMO_SUPPLIER.id_structure_cpp
        assert screen.query_one("#bank-account", Select).value == DEMO_SUPPLIER.bank_accounts[0].id
        await pilot.press("ctrl+s")
        await pilot.pause()

    [setup] = host.results
    assert setup is not None
    assert host.configured == [setup]
    assert setup.storage is SecretStorage.KEYRING
    assert setup.supplier.structure_id == DEMO_SUPPLIER.id_structure_cpp
    assert setup.bank_account_id == DEMO_SUPPLIER.bank_accounts[0].id

    saved = load_config().profiles["default"]
    assert saved.client_id == CLIENT_ID
    assert saved.technical_login == TECH_LOGIN
    assert saved.supplier_structure_id == DEMO_SUPPLIER.id_structure_cpp
    assert saved.supplier_siret == DEMO_SUPPLIER.siret
    assert saved.bank_account_id == DEMO_SUPPLIER.bank_accounts[0].id
    assert saved.technical_password_expiry == DEMO_SUPPLIER.technical_password_expiry.astimezone(CHORUS_TIMEZONE).date()
    assert store.lookup(SecretName.TECHNICAL_PASSWORD) == (setup.credentials.technical_password, SecretSource.KEYRING)


async def test_invalid_login_shows_inline_error():
    clock = ManualClock()
    sim = simulator(clock)
    host = ScreenHost(_screen(clock, sim))

    async with host.run_test(size=(120, 60)) as pilot:
        await _fill(pilot, login="jean.dupont@example.fr")
        await pilot.press("ctrl+t")
        await pilot.pause()
        screen = pilot.app.screen
        error = str(screen.query_one("#technical-login-error", Static).render())
        assert error.startswith("« jean.dupont@example.fr » n'a pas la forme d'un identifiant de compte technique")
        assert screen.query_one("#technical-login", Input).has_class("-invalid")
        assert screen.focused is screen.query_one("#technical-login", Input)
    assert sim.request_log == []


async def test_empty_fields_are_required():
    clock = ManualClock()
    sim = simulator(clock)
    host = ScreenHost(_screen(clock, sim))

    async with host.run_test(size=(120, 60)) as pilot:
        await pilot.click("#test")
        await pilot.pause()
        screen = pilot.app.screen
        for field_id in ("client-id", "client-secret", "technical-login", "technical-password"):
            assert str(screen.query_one(f"#{field_id}-error", Static).render()) == "Champ obligatoire."
    assert sim.request_log == []


@pytest.mark.parametrize(("auth", "failed_step", "cause_start"), [
    ({"refuse_application": True}, Step.TOKEN,
     "L'identifiant client ou le secret client de l'application PISTE est faux"),
    ({"refuse_account": True}, Step.TECHNICAL_ACCOUNT,
     f"Le compte technique {TECH_LOGIN} est refusé (Qualification)"),
    ({"unsubscribed": {"factures"}}, Step.FACTURES,
     "L'application PISTE n'a pas accès à l'API Factures (Qualification)"),
    ({"maintenance": True}, Step.TECHNICAL_ACCOUNT, "Chorus Pro est en maintenance"),
])
async def test_failure_kind_is_shown(auth, failed_step, cause_start):
    clock = ManualClock()
    sim = simulator(clock, **auth)
    host = ScreenHost(_screen(clock, sim))

    async with host.run_test(size=(120, 60)) as pilot:
        await _fill(pilot)
        screen = await _test_connection(pilot)
        text = _step_text(screen, failed_step)
        assert text.startswith("✗")
        assert cause_start in text
        assert not screen.query_one("#supplier-choice").display
        status = str(screen.query_one("#connection-status", Static).render())
        assert status.startswith("La connexion a échoué")

        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConnectionScreen)
    assert host.results == []
    assert not config_path().exists()


async def test_secrets_masked_and_toggled():
    clock = ManualClock()
    host = ScreenHost(_screen(clock, simulator(clock)))

    async with host.run_test(size=(120, 60)) as pilot:
        screen = pilot.app.screen
        secret = screen.query_one("#client-secret", Input)
        password = screen.query_one("#technical-password", Input)
        assert secret.password
        assert password.password
        await pilot.press("ctrl+r")
        assert not secret.password
        assert not password.password
        await pilot.press("ctrl+r")
        assert secret.password
        assert password.password


async def test_unusable_keyring_offers_memory():
    clock = ManualClock()
    store = SecretStore("default")
    host = ScreenHost(_screen(clock, simulator(clock), store=store))

    async with host.run_test(size=(120, 60)) as pilot:
        await _open_storage_choice(pilot)
        assert "fail.Keyring" in str(pilot.app.screen.query_one("#storage-reason", Static).render())
        await pilot.click("#storage-memory")
        await pilot.pause()

    [setup] = host.results
    assert setup.storage is SecretStorage.MEMORY
    assert store.lookup(SecretName.CLIENT_SECRET)[1] is SecretSource.MEMORY
    assert not secrets_file_path("default").exists()


async def test_unusable_keyring_offers_0600_file():
    clock = ManualClock()
    store = SecretStore("default")
    host = ScreenHost(_screen(clock, simulator(clock), store=store))

    async with host.run_test(size=(120, 60)) as pilot:
        await _open_storage_choice(pilot)
        warning = str(pilot.app.screen.query_one("#storage-file-warning", Static).render())
        assert "n'est pas chiffré" in warning
        await pilot.click("#storage-file")
        await pilot.pause()

    [setup] = host.results
    assert setup.storage is SecretStorage.FILE
    path = secrets_file_path("default")
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.lookup(SecretName.TECHNICAL_PASSWORD)[1] is SecretSource.FILE


async def test_storage_choice_cancel_saves_nothing():
    clock = ManualClock()
    host = ScreenHost(_screen(clock, simulator(clock)))

    async with host.run_test(size=(120, 60)) as pilot:
        await _open_storage_choice(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConnectionScreen)
    assert host.results == []
    assert not config_path().exists()


async def test_escape_on_first_screen_asks():
    from chorus_tui.ui.screens.connection import QuitConfirmScreen

    clock = ManualClock()
    host = ScreenHost(_screen(clock, simulator(clock)))
    async with host.run_test(size=(120, 60)) as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, QuitConfirmScreen)
        assert str(pilot.app.screen.query_one("#quit-title", Static).render()) == "Quitter sans enregistrer ?"
        # Escape again, or Enter on the focused button, goes back to the form with nothing lost.
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConnectionScreen)
        assert host.results == []

        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#quit-leave")
        await pilot.pause()
    assert host.results == [None]


async def test_escape_over_another_screen_cancels():
    from textual.screen import Screen as PlainScreen

    class TwoScreenHost(App[None]):
        """Opens the connection screen over another one, as a key of the invoice list does."""

        def __init__(self, screen: ConnectionScreen) -> None:
            super().__init__()
            self.connection_screen = screen
            self.results: list[ConnectionSetup | None] = []

        def on_mount(self) -> None:
            self.push_screen(PlainScreen(id="below"))
            self.push_screen(self.connection_screen, self.results.append)

    clock = ManualClock()
    host = TwoScreenHost(_screen(clock, simulator(clock)))
    async with host.run_test(size=(120, 60)) as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen.id == "below"
    assert host.results == [None]


async def test_form_prefilled_from_config():
    save_config(AppConfig(profiles={"default": ProfileConfig(
        environment=Environment.PRODUCTION, client_id="known-id", technical_login=TECH_LOGIN)}))
    clock = ManualClock()
    host = ScreenHost(_screen(clock, simulator(clock)))
    async with host.run_test(size=(120, 60)) as pilot:
        screen = pilot.app.screen
        assert screen.query_one("#client-id", Input).value == "known-id"
        assert screen.query_one("#technical-login", Input).value == TECH_LOGIN
        assert screen.query_one("#environment", Select).value == Environment.PRODUCTION


async def test_broken_config_is_shown():
    config_path().parent.mkdir(parents=True)
    config_path().write_text("language = [\n", encoding="utf-8")
    clock = ManualClock()
    host = ScreenHost(_screen(clock, simulator(clock)))
    async with host.run_test(size=(120, 60)) as pilot:
        text = str(pilot.app.screen.query_one("#config-error", Static).render())
        assert str(config_path()) in text
        assert "ligne 1" in text


SECOND_SUPPLIER = {"idStructureCPP": 25790002, "identifiant": "81588139600011",
                   "designationStructure": "Atelier Verdier Sud"}


def _two_suppliers_transport(sim) -> httpx.MockTransport:
    """The simulator, except that the technical account is attached to a second supplier structure too."""

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        body = json.loads(request.content or b"{}") if path.startswith("/cpro/") and request.method == "POST" else {}
        answer = None
        if path.endswith("/recuperer/structures/actives/fournisseur"):
            first = json.loads(sim.handle(request).content)
            answer = {**first, "listeStructures": first["listeStructures"] + [SECOND_SUPPLIER]}
        elif path.endswith("/coordbanc/valides") and body.get("idStructure") == 25790002:
            answer = {"codeRetour": 0, "libelle": "TRA_MSG_00.000", "listeCoordonneeBancaire": [
                {"idCoordonneeBancaire": 501, "nomCoordonneeBancaire": "Compte Sud"},
                {"idCoordonneeBancaire": 502, "nomCoordonneeBancaire": "Compte affacturage"}]}
        elif path.endswith("/structures/v1/consulter") and body.get("idStructureCPP") == 25790002:
            answer = {"codeRetour": 0, "libelle": "TRA_MSG_00.000",
                      "informationGenerales": {"dateExpirationMotPasseCompteTech": "2027-01-15"}}
        if answer is None:
            return sim.handle(request)
        return httpx.Response(200, json=answer)

    return httpx.MockTransport(handle)


async def test_second_supplier_and_bank_account_chosen(memory_keyring):
    clock = ManualClock()
    sim = simulator(clock)
    screen = ConnectionScreen(profile="default", transport=_two_suppliers_transport(sim), clock=clock,
                              secret_store=SecretStore("default", backend=memory_keyring))
    host = ScreenHost(screen)

    async with host.run_test(size=(120, 60)) as pilot:
        await _fill(pilot)
        await _test_connection(pilot)
        supplier_select = screen.query_one("#supplier", Select)
        assert not supplier_select.disabled
        supplier_select.value = 25790002
        await pilot.pause()
        bank_select = screen.query_one("#bank-account", Select)
        assert bank_select.value == 501
        bank_select.value = 502
        expiry = str(screen.query_one("#password-expiry", Static).render())
        assert expiry == "Expiration du mot de passe technique : 15/01/2027"
        await pilot.press("ctrl+s")
        await pilot.pause()

    [setup] = host.results
    assert setup.supplier.structure_id == 25790002
    assert setup.bank_account_id == 502
    saved = load_config().profiles["default"]
    assert saved.supplier_siret == "81588139600011"
    assert saved.technical_password_expiry.isoformat() == "2027-01-15"


async def test_demo_environment_uses_simulator(memory_keyring):
    clock = ManualClock()
    screen = ConnectionScreen(profile="default", clock=clock,
                              secret_store=SecretStore("default", backend=memory_keyring))
    host = ScreenHost(screen)

    async with host.run_test(size=(120, 60)) as pilot:
        screen.query_one("#environment", Select).value = Environment.DEMO
        await _fill(pilot)
        await _test_connection(pilot)
        for step in Step:
            assert _step_text(screen, step).startswith("✓"), step
        await pilot.press("ctrl+s")
        await pilot.pause()

    [setup] = host.results
    assert setup.settings.environment is Environment.DEMO
    assert setup.transport is not None
    assert load_config().profiles["default"].environment is Environment.DEMO
