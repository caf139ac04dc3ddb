"""Every file location of the program, built on platformdirs.

`CHORUS_TUI_HOME` moves all of them under one folder (tests use it);
`CHORUS_TUI_CONFIG_DIR` moves only the configuration.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "chorus-tui"


def _home_override() -> Path | None:
    value = os.environ.get("CHORUS_TUI_HOME")
    return Path(value) if value else None


def config_dir() -> Path:
    override = os.environ.get("CHORUS_TUI_CONFIG_DIR")
    if override:
        return Path(override)
    home = _home_override()
    return home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    home = _home_override()
    return home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME))


def state_dir() -> Path:
    home = _home_override()
    return home / "state" if home else Path(platformdirs.user_state_dir(APP_NAME))


def profiles_data_dir() -> Path:
    """Folder that contains one data folder per profile."""
    return data_dir() / "profiles"


def profile_data_dir(profile: str) -> Path:
    """Folder of one profile's database and secrets fallback file."""
    return profiles_data_dir() / profile


def demo_data_dir() -> Path:
    """Folder of the demo mode's own database and simulator state."""
    return data_dir() / "demo"


def log_file() -> Path:
    return state_dir() / "chorus-tui.log"
