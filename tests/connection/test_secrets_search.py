"""No secret may reach a file, a log line, a message or a screenshot, whatever path it takes.

Known secret values go through the connection screen's setup, the
connection test (success and every failure kind), the error messages and
the configuration write. Every file under the CHORUS_TUI_HOME folder, the
captured logs and every rendered text are then searched for them. The one
allowed copy is the 0600 fallback file, when the user chose it.
"""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr
from textual.app import App
from textual.widgets import Input

from chorus_tui.clock import ManualClock
from chorus_tui.commands import config as config_command
from chorus_tui.config import config_path, load_config
from chorus_tui.connection import collect_connection_test, save_connection_setup
from chorus_tui.i18n import set_language
from chorus_tui.secrets import SecretName, SecretsError, SecretStorage, SecretStore, secrets_file_path
from chorus_tui.ui.screens.connection import ConnectionScreen
from chorus_tui.sources import demo_invoice_folder

from .helpers import CLIENT_ID, CLIENT_SECRET, TECH_LOGIN, TECH_PASSWORD, credentials, settings, simulator

SECRETS = (CLIENT_SECRET, TECH_PASSWORD)

FAILURE_POLICIES = [
    {},
    {"refuse_application": True},
    {"refuse_account": True},
    {"unsubscribed": {"factures", "structures"}},
    {"unsubscribed": {"factures", "structures", "transverses", "utilisateurs"}},
    {"maintenance": True},
]


@pytest.fixture
def log_file(isolated_home):
    """Send every log record, DEBUG included, to a file under the test home, as the app does."""
    path = isolated_home / "state" / "chorus-tui.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield path
    root.removeHandler(handler)
    root.setLevel(previous_level)
    handler.close()


def _files_with_secret(home, *, allowed=()) -> list[str]:
    found = []
    for path in home.rglob("*"):
        if not path.is_file() or path in allowed:
            continue
        content = path.read_bytes()
        for secret in SECRETS:
            if secret.encode("utf-8") in content:
                found.append(f"{path.relative_to(home)} contains {secret!r}")
    return found


def _assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


class _Host(App[None]):
    def __init__(self, screen: ConnectionScreen) -> None:
        super().__init__()
        self.connection_screen = screen
        self.screenshots: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(self.connection_screen)


async def test_secrets_stay_out_of_files_logs_and_messages(isolated_home, log_file, caplog, capsys, memory_keyring):
    caplog.set_level(logging.DEBUG)
    rendered: list[str] = []

    for language in ("fr", "en"):
        set_language(language)
        for policy in FAILURE_POLICIES:
            clock = ManualClock()
            report = await collect_connection_test(settings(), credentials(), transport=simulator(clock, **policy).transport(),
                                                   clock=clock, stored_password_expiry=clock.now().date())
            for result in report.steps:
                rendered += [str(result.message), str(result.cause), str(result.warning), repr(result)]
                if result.error is not None:
                    rendered += [str(result.error), repr(result.error)]
    set_language("fr")

    # Setup through the screen, with the secrets kept in the (memory) keyring.
    clock = ManualClock()
    screen = ConnectionScreen(profile="default", transport=simulator(clock).transport(), clock=clock,
                              secret_store=SecretStore("default", backend=memory_keyring))
    host = _Host(screen)
    async with host.run_test(size=(120, 60)) as pilot:
        for field_id, value in {"client-id": CLIENT_ID, "client-secret": CLIENT_SECRET,
                                "technical-login": TECH_LOGIN, "technical-password": TECH_PASSWORD,
                                "invoice-folder": str(demo_invoice_folder())}.items():
            screen.query_one(f"#{field_id}", Input).value = value
        await pilot.press("ctrl+t")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        rendered.append(pilot.app.export_screenshot())
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert screen.setup is not None
    rendered += [repr(screen.setup), repr(screen.setup.credentials)]

    # Errors of the secret store must not quote what they could not store.
    try:
        SecretStore("default").save({SecretName.TECHNICAL_PASSWORD: SecretStr(TECH_PASSWORD)}, SecretStorage.KEYRING)
    except SecretsError as error:
        rendered += [str(error), str(error.message)]

    # The configuration as written, shown and re-read.
    assert config_path().exists()
    assert config_command.run(_namespace(action="show")) == 0
    rendered.append(capsys.readouterr().out)
    rendered.append(repr(load_config()))

    logging.shutdown()
    rendered += [record.getMessage() for record in caplog.records]
    for text in rendered:
        _assert_no_secret(text)
    assert log_file.stat().st_size > 0
    assert _files_with_secret(isolated_home) == []


async def test_only_the_chosen_file_holds_secrets(isolated_home, log_file):
    clock = ManualClock()
    report = await collect_connection_test(settings(), credentials(), transport=simulator(clock).transport(), clock=clock)
    from chorus_tui.connection import ConnectionSetup

    setup = ConnectionSetup(profile="default", settings=settings(), credentials=credentials(),
                            supplier=report.suppliers[0], bank_account_id=None, storage=SecretStorage.FILE)
    save_connection_setup(setup)

    allowed = secrets_file_path("default")
    assert allowed.exists()
    assert _files_with_secret(isolated_home, allowed={allowed}) == []
    assert TECH_PASSWORD.encode() in allowed.read_bytes()


def _namespace(**values):
    import argparse

    return argparse.Namespace(**{"profile": None, "lang": None, "demo": False, **values})
