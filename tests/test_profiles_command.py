"""`chorus-tui profiles`: unconfigured profiles and leftover data folders are shown as such."""

from __future__ import annotations

import json

import pytest

from chorus_tui import i18n, paths
from chorus_tui.cli import main
from chorus_tui.config import AppConfig, ProfileConfig, save_config


@pytest.fixture(autouse=True)
def restore_language():
    previous = i18n.current_language()
    yield
    i18n.set_language(previous)


def profile_lines(capsys) -> dict[str, str]:
    assert main(["--lang", "fr", "profiles"]) == 0
    lines = capsys.readouterr().out.splitlines()
    return {line[3:].split("  ", 1)[0]: line for line in lines if line[:1] in " *" and "  (" in line}


def test_profile_without_credentials_not_configured(capsys):
    save_config(AppConfig(default_profile="work", profiles={"work": ProfileConfig()}))
    lines = profile_lines(capsys)
    assert "(non configuré)" in lines["work"]
    assert "Qualification" not in lines["work"]


def test_configured_profile_shows_environment(capsys):
    save_config(AppConfig(default_profile="work", profiles={"work": ProfileConfig(
        client_id="cid", technical_login="TECH_1_1@cpro.fr")}))
    lines = profile_lines(capsys)
    assert "(Qualification)" in lines["work"]


def test_leftover_data_folder_listed(capsys):
    save_config(AppConfig(default_profile="work", profiles={"work": ProfileConfig()}))
    paths.profile_data_dir("wrok").mkdir(parents=True)
    lines = profile_lines(capsys)
    assert "wrok" in lines
    assert "données locales sans configuration" in lines["wrok"]
    assert str(paths.profile_data_dir("wrok")) in lines["wrok"]


def test_json_lists_leftover_folder(capsys):
    paths.profile_data_dir("wrok").mkdir(parents=True)
    assert main(["profiles", "--json"]) == 0
    listed = {item["name"]: item for item in json.loads(capsys.readouterr().out)}
    assert listed["wrok"]["has_data"] is True
    assert listed["wrok"]["configured"] is False
