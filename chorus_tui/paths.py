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


PRIVATE_FOLDER_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def make_private_dir(folder: Path) -> Path:
    """Create `folder` and its missing parents readable by the current user only (mode 0700).

    Folders that already exist keep their mode: they may be shared ones
    such as a home or temporary folder.
    """
    missing = []
    current = Path(folder)
    while not current.exists():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=PRIVATE_FOLDER_MODE)
        except FileExistsError:
            continue  # created meanwhile by another process
        path.chmod(PRIVATE_FOLDER_MODE)  # mkdir's mode is reduced by the umask, never widened
    return Path(folder)


def create_private_file(path: Path) -> None:
    """Create the empty file `path` with mode 0600 when it does not exist, and set 0600 when it does."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        path.chmod(PRIVATE_FILE_MODE)
        return
    os.close(descriptor)
