"""Connection screen choices beyond the credentials: environment and its addresses, invoice folder, leaving."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, Static

from chorus_tui.chorus.settings import DEFAULT_URLS, Environment
from chorus_tui.clock import ManualClock
from chorus_tui.config import AppConfig, ProfileConfig, load_config, save_config
from chorus_tui.connection import Step
from chorus_tui.profiles import resolve_profile
from chorus_tui.secrets import SecretStore
from chorus_tui.sources import demo_invoice_folder

from .helpers import TECH_LOGIN, simulator
from .test_connection_screen import ScreenHost, _fill, _screen, _test_connection

SIMULATOR_TOKEN_URL = "http://127.0.0.1:8791/api/oauth/token"
SIMULATOR_API_URL = "http://127.0.0.1:8791"


def _note(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def _messages(app) -> list[str]:
    return [notification.message for notification in app._notifications]


async def _save(pilot) -> None:
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_addresses_shown_for_environment():
    clock = ManualClock()
    host = ScreenHost(_screen(clock, simulator(clock)))
    async with host.run_test(size=(100, 30)) as pilot:
        screen = pilot.app.screen
        token_url, api_url = DEFAULT_URLS[Environment.QUALIFICATION]
        assert screen.query_one("#token-url", Input).value == token_url
        assert screen.query_one("#api-url", Input).value == api_url
        assert _note(screen, "#environment-note") == "Qualification : plateforme de test de l'AIFE."
        assert screen.title == "Connexion à Chorus Pro · Qualification"

        screen.query_one("#environment", Select).value = Environment.PRODUCTION
        await pilot.pause()
        assert screen.query_one("#api-url", Input).value == DEFAULT_URLS[Environment.PRODUCTION][1]
        assert _note(screen, "#environment-note") == "Production : vos vraies factures."


async def test_demo_title_and_note():
    clock = ManualClock()
    host = ScreenHost(_screen(clock, simulator(clock)))
    async with host.run_test(size=(100, 30)) as pilot:
        screen = pilot.app.screen
        screen.query_one("#environment", Select).value = Environment.DEMO
        await pilot.pause()
        assert screen.title == "Connexion à Chorus Pro · Démo"
        assert "qualification" not in screen.title.lower()
        assert _note(screen, "#environment-note") == "Démo : simulateur intégré, aucune donnée n'est envoyée."
        assert screen.query_one("#token-url", Input).disabled
        assert screen.query_one("#api-url", Input).disabled


async def test_typed_addresses_saved_when_not_default(memory_keyring):
    clock = ManualClock()
    host = ScreenHost(_screen(clock, simulator(clock), store=SecretStore("default", backend=memory_keyring)))
    async with host.run_test(size=(120, 60)) as pilot:
        await _fill(pilot)
        screen = pilot.app.screen
        screen.query_one("#token-url", Input).value = SIMULATOR_TOKEN_URL
        screen.query_one("#api-url", Input).value = SIMULATOR_API_URL + "/"
        await _test_connection(pilot)
        await _save(pilot)

    [setup] = host.results
    assert setup.settings.token_url == SIMULATOR_TOKEN_URL
    saved = load_config().profiles["default"]
    assert saved.urls[Environment.QUALIFICATION].token_url == SIMULATOR_TOKEN_URL
    assert saved.urls[Environment.QUALIFICATION].api_url == SIMULATOR_API_URL
    assert saved.connection_settings().api_url == SIMULATOR_API_URL


async def test_default_addresses_not_written(memory_keyring):
    clock = ManualClock()
    host = ScreenHost(_screen(clock, simulator(clock), store=SecretStore("default", backend=memory_keyring)))
    async with host.run_test(size=(120, 60)) as pilot:
        await _fill(pilot)
        await _test_connection(pilot)
        await _save(pilot)

    assert host.results[0] is not None
    assert load_config().profiles["default"].urls == {}


async def test_invalid_address_blocks_test():
    clock = ManualClock()
    sim = simulator(clock)
    host = ScreenHost(_screen(clock, sim))
    async with host.run_test(size=(120, 60)) as pilot:
        await _fill(pilot)
        screen = pilot.app.screen
        screen.query_one("#api-url", Input).value = "sandbox-api.piste.gouv.fr"
        await pilot.press("ctrl+t")
        await pilot.pause()
        error = _note(screen, "#api-url-error")
        assert error.startswith("Adresse invalide « sandbox-api.piste.gouv.fr » : elle doit commencer par https://")
        assert screen.focused is screen.query_one("#api-url", Input)
    assert sim.request_log == []


async def test_invoice_folder_saved_with_pdf_count(memory_keyring):
    clock = ManualClock()
    host = ScreenHost(_screen(clock, simulator(clock), store=SecretStore("default", backend=memory_keyring)))
    pdf_count = len(list(demo_invoice_folder().glob("*.pdf")))
    async with host.run_test(size=(120, 60)) as pilot:
        await _fill(pilot)
        screen = pilot.app.screen
        assert _note(screen, "#invoice-folder-note") == f"{pdf_count} factures PDF trouvées dans ce dossier."
        await _test_connection(pilot)
        await _save(pilot)

    assert host.results[0].invoice_folder == demo_invoice_folder()
    assert load_config().profiles["default"].invoice_folder == demo_invoice_folder()


@pytest.mark.parametrize(("folder", "error_start"), [
    ("", "Champ obligatoire : indiquez le dossier où se trouvent vos factures PDF."),
    ("absent", "Le dossier « {tmp}/absent » n'existe pas"),
    ("facture.pdf", "« {tmp}/facture.pdf » est un fichier, pas un dossier"),
])
async def test_invalid_invoice_folder_blocks_save(memory_keyring, tmp_path, folder, error_start):
    (tmp_path / "facture.pdf").write_bytes(b"%PDF-1.4")
    clock = ManualClock()
    host = ScreenHost(_screen(clock, simulator(clock), store=SecretStore("default", backend=memory_keyring)))
    async with host.run_test(size=(120, 60)) as pilot:
        await _fill(pilot)
        screen = pilot.app.screen
        screen.query_one("#invoice-folder", Input).value = str(tmp_path / folder) if folder else ""
        await _test_connection(pilot)
        await _save(pilot)
        assert screen.focused is screen.query_one("#invoice-folder", Input)
        assert _note(screen, "#invoice-folder-error").startswith(error_start.format(tmp=tmp_path))
    assert host.results == []
    assert "default" not in load_config().profiles


async def test_save_after_failed_test_names_step():
    clock = ManualClock()
    host = ScreenHost(_screen(clock, simulator(clock, refuse_account=True)))
    async with host.run_test(size=(120, 60)) as pilot:
        await _fill(pilot)
        await _test_connection(pilot)
        await _save(pilot)
        messages = _messages(pilot.app)
    assert "Testez la connexion avant d'enregistrer." not in messages
    assert any(message.startswith("Enregistrement impossible : le test de connexion a échoué à l'étape "
                                  "« Compte technique ».") for message in messages)
    assert host.results == []


async def test_failure_explained_once():
    clock = ManualClock()
    host = ScreenHost(_screen(clock, simulator(clock, refuse_account=True)))
    async with host.run_test(size=(120, 60)) as pilot:
        await _fill(pilot)
        screen = await _test_connection(pilot)
        text = str(screen.query_one(f"#step-{Step.TECHNICAL_ACCOUNT}", Static).render())
    assert text.count("424 jours") == 1
    assert text.count("Raccordements → Compte technique") == 1
    assert "Raccordements >" not in text


def test_profile_without_folder_asks_first(monkeypatch, tmp_path):
    from chorus_tui.factory import NO_INVOICE_FOLDER, build_profile_app

    save_config(AppConfig(profiles={"default": ProfileConfig(
        environment=Environment.DEMO, client_id="demo", technical_login=TECH_LOGIN)}))
    monkeypatch.setenv("CHORUS_TUI_PISTE_CLIENT_SECRET", "demo")
    monkeypatch.setenv("CHORUS_TUI_TECH_PASSWORD", "demo")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sans-rapport.pdf").write_bytes(b"%PDF-1.4")

    profile = resolve_profile()
    assert profile.credentials is not None
    app = build_profile_app(profile, clock=ManualClock())
    assert app.ask_connection
    assert app.context.client is None
    assert app.context.source.folder == NO_INVOICE_FOLDER
    assert app.context.source.pdf_paths() == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_message_advises_bare_config_command(lang):
    from chorus_tui.i18n import catalogue

    bare = ("« chorus-tui config »", '"chorus-tui config"')
    advising = [key for key, text in catalogue(lang).items() if any(command in text for command in bare)]
    assert advising == []
