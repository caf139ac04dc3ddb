"""`chorus-tui config` and `chorus-tui profiles` subcommands, run through their `run(args)` entry."""

from __future__ import annotations

import argparse
import json

import pytest

from chorus_tui.chorus.settings import Environment
from chorus_tui.clock import SystemClock
from chorus_tui.commands import config as config_command
from chorus_tui.commands import profiles as profiles_command
from chorus_tui.config import AppConfig, EnvironmentUrls, ProfileConfig, config_path, save_config
from chorus_tui.i18n import set_language
from chorus_tui.sandbox.faults import AuthPolicy
from chorus_tui.sandbox.server import serve
from chorus_tui.sandbox.simulator import Simulator

from .helpers import CLIENT_ID, CLIENT_SECRET, TECH_LOGIN, TECH_PASSWORD


def _args(**values) -> argparse.Namespace:
    defaults = {"profile": None, "lang": None, "demo": False}
    return argparse.Namespace(**{**defaults, **values})


def test_config_path_prints_location(capsys, isolated_home):
    assert config_command.run(_args(action="path")) == 0
    output = capsys.readouterr()
    assert output.out.strip() == str(isolated_home / "config" / "config.toml")
    assert "n'existe pas encore" in output.err


def test_config_show_prints_toml(capsys):
    save_config(AppConfig(profiles={"default": ProfileConfig(client_id="abc")}))
    assert config_command.run(_args(action="show")) == 0
    output = capsys.readouterr().out
    assert f"# {config_path()}" in output
    assert 'client_id = "abc"' in output


def test_config_show_prints_addresses(capsys):
    urls = EnvironmentUrls(token_url="http://127.0.0.1:8791/api/oauth/token", api_url="http://127.0.0.1:8791")
    save_config(AppConfig(profiles={
        "default": ProfileConfig(),
        "local": ProfileConfig(urls={Environment.QUALIFICATION: urls}),
    }))
    set_language("fr")
    assert config_command.run(_args(action="show")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert ("# default (qualification) : jeton https://sandbox-oauth.piste.gouv.fr/api/oauth/token, "
            "API https://sandbox-api.piste.gouv.fr") in lines
    assert "# local (qualification) : jeton http://127.0.0.1:8791/api/oauth/token, API http://127.0.0.1:8791" in lines
    assert any("[profiles.NOM.urls.ENVIRONNEMENT]" in line for line in lines)


def test_config_show_reports_broken_file(capsys):
    config_path().parent.mkdir(parents=True)
    config_path().write_text("language = [\n", encoding="utf-8")
    set_language("fr")
    assert config_command.run(_args(action="show")) == 1
    assert "ligne" in capsys.readouterr().err


def test_config_test_reports_missing_secrets(capsys):
    set_language("fr")
    assert config_command.run(_args(action="test")) == 1
    error = capsys.readouterr().err
    assert "CHORUS_TUI_PISTE_CLIENT_SECRET" in error
    assert "CHORUS_TUI_TECH_PASSWORD" in error


def test_profiles_marks_default_and_active(capsys):
    save_config(AppConfig(default_profile="work", profiles={
        "work": ProfileConfig(environment=Environment.PRODUCTION, supplier_siret="81588139669879"),
        "test": ProfileConfig(),
    }))
    set_language("fr")
    assert profiles_command.run(_args(profile="test", json=False)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "*  test  (non configuré)"
    assert lines[1] == " D work  (non configuré, SIRET 81588139669879)"


def test_profiles_json_lists_databases(capsys, isolated_home):
    assert profiles_command.run(_args(json=True)) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["name"] == "default"
    assert entry["default"] is True
    assert entry["active"] is True
    assert entry["in_file"] is False
    assert entry["database"] == str(isolated_home / "data" / "profiles" / "default" / "chorus-tui.sqlite3")


def test_profiles_rejects_bad_name(capsys):
    set_language("fr")
    assert profiles_command.run(_args(profile="../x", json=False)) == 2
    assert "Nom de profil invalide « ../x »" in capsys.readouterr().err


@pytest.fixture
def sandbox_server():
    """Start the simulator's HTTP server on a free 127.0.0.1 port; yields a function taking an AuthPolicy."""
    servers = []

    def start(**auth):
        server = serve(0, simulator=Simulator(SystemClock(), auth=AuthPolicy(**auth)), background=True)
        servers.append(server)
        return server.base_url

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _configure_profile(base_url: str, monkeypatch) -> None:
    save_config(AppConfig(profiles={"default": ProfileConfig(
        environment=Environment.QUALIFICATION,
        urls={Environment.QUALIFICATION: EnvironmentUrls(token_url=f"{base_url}/api/oauth/token", api_url=base_url)},
        client_id=CLIENT_ID, technical_login=TECH_LOGIN)}))
    monkeypatch.setenv("CHORUS_TUI_PISTE_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("CHORUS_TUI_TECH_PASSWORD", TECH_PASSWORD)


def test_config_test_against_sandbox_server(capsys, monkeypatch, sandbox_server):
    _configure_profile(sandbox_server(), monkeypatch)
    set_language("fr")
    assert config_command.run(_args(action="test")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "✓ Application PISTE (jeton) : Jeton PISTE obtenu (Qualification)."
    assert [line[0] for line in lines if not line.startswith(" ")] == ["✓"] * 7


def test_config_test_reports_refused_account(capsys, monkeypatch, sandbox_server):
    _configure_profile(sandbox_server(refuse_account=True), monkeypatch)
    set_language("fr")
    assert config_command.run(_args(action="test")) == 1
    output = capsys.readouterr().out
    assert output.splitlines()[1].startswith("✗ Compte technique : ")
    assert f"Le compte technique {TECH_LOGIN} est refusé (Qualification)" in output
    assert TECH_PASSWORD not in output
