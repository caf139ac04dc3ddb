"""The invoice database and its folders are readable by their owner only."""

from __future__ import annotations

import os
import stat

import pytest

from chorus_tui import paths
from chorus_tui.profiles import database_path
from chorus_tui.store import Store

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_database_is_private(isolated_home):
    database = database_path("work")
    with Store(database) as store:
        store.set_state("probe", "1")
        for suffix in ("", "-wal", "-shm"):
            companion = database.with_name(database.name + suffix)
            assert mode(companion) == 0o600, companion
    assert mode(database.parent) == 0o700
    assert mode(paths.profiles_data_dir()) == 0o700
    assert mode(paths.data_dir()) == 0o700


def test_private_despite_open_umask(isolated_home):
    previous = os.umask(0o022)
    try:
        database = database_path("work")
        with Store(database) as store:
            store.set_state("probe", "1")
    finally:
        os.umask(previous)
    assert mode(database) == 0o600
    assert mode(database.parent) == 0o700


def test_existing_database_tightened(tmp_path):
    database = tmp_path / "old.sqlite3"
    with Store(database) as store:
        store.set_state("probe", "1")
    database.chmod(0o644)

    with Store(database):
        pass

    assert mode(database) == 0o600


def test_existing_parent_folder_kept(tmp_path):
    tmp_path.chmod(0o755)
    with Store(tmp_path / "invoices.sqlite3"):
        pass
    assert mode(tmp_path) == 0o755
