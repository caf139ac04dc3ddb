"""`chorus-tui config test` on a profile of the demo environment runs against the in-process simulator."""

from __future__ import annotations

import pytest

from chorus_tui.chorus.settings import Environment
from chorus_tui.cli import main
from chorus_tui.config import AppConfig, ProfileConfig, save_config


# The values the READMEs give as an example, then arbitrary ones.
@pytest.mark.parametrize(("client_id", "secret", "login", "password"), [
    ("demo", "demo", "TECH_1_demo@cpro.fr", "demo"),
    ("essai", "n'importe", "moi@exemple.fr", "quoi"),
])
def test_demo_profile_any_credentials(capsys, monkeypatch, client_id, secret, login, password):
    save_config(AppConfig(profiles={"default": ProfileConfig(environment=Environment.DEMO, client_id=client_id,
                                                             technical_login=login)}))
    monkeypatch.setenv("CHORUS_TUI_PISTE_CLIENT_SECRET", secret)
    monkeypatch.setenv("CHORUS_TUI_TECH_PASSWORD", password)

    status = main(["config", "test", "--lang", "fr"])
    lines = capsys.readouterr().out.splitlines()

    assert status == 0
    assert len(lines) == 7
    assert all(line.startswith("✓") for line in lines)
    assert "simulator.invalid" not in "\n".join(lines)
