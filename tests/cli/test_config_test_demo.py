"""`chorus-tui config test` on a profile of the demo environment runs against the in-process simulator."""

from __future__ import annotations

from chorus_tui.chorus.settings import Environment
from chorus_tui.cli import main
from chorus_tui.config import AppConfig, ProfileConfig, save_config


def test_demo_profile_any_credentials(capsys, monkeypatch):
    save_config(AppConfig(profiles={"default": ProfileConfig(environment=Environment.DEMO, client_id="essai",
                                                             technical_login="moi@exemple.fr")}))
    monkeypatch.setenv("CHORUS_TUI_PISTE_CLIENT_SECRET", "n'importe")
    monkeypatch.setenv("CHORUS_TUI_TECH_PASSWORD", "quoi")

    status = main(["config", "test", "--lang", "fr"])
    lines = capsys.readouterr().out.splitlines()

    assert status == 0
    assert len(lines) == 7
    assert all(line.startswith("✓") for line in lines)
    assert "simulator.invalid" not in "\n".join(lines)
