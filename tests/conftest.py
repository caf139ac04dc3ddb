"""Fixtures shared by the whole suite.

Tests that read ../shared (the reference Swagger files and the Factur-X
samples) use the `shared_dir` fixture: it skips with a reason where the
folder is absent (a user's clone), and fails instead when
CHORUS_TUI_REQUIRE_SHARED=1, which `.ci/run` sets.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chorus_tui import i18n

REPO_ROOT = Path(__file__).resolve().parent.parent


def find_shared_dir() -> Path | None:
    override = os.environ.get("CHORUS_TUI_SHARED")
    candidate = Path(override) if override else REPO_ROOT.parent / "shared"
    return candidate if (candidate / "openapi").is_dir() else None


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    found = find_shared_dir()
    if found is None:
        message = (
            "the reference folder ../shared (Swagger files, Factur-X samples) is not beside this clone; "
            "set CHORUS_TUI_SHARED to its path to run these tests"
        )
        if os.environ.get("CHORUS_TUI_REQUIRE_SHARED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch) -> Path:
    """Keep every test's config, data and keyring away from the real user's folders."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CHORUS_TUI_HOME", str(home))
    monkeypatch.delenv("CHORUS_TUI_CONFIG_DIR", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    for name in list(os.environ):
        if name.startswith("CHORUS_TUI_PISTE_") or name.startswith("CHORUS_TUI_TECH_"):
            monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True)
def french_messages():
    """Start every test in French, the default language, and undo any switch it makes."""
    previous = i18n.current_language()
    i18n.set_language("fr")
    yield
    i18n.set_language(previous)
