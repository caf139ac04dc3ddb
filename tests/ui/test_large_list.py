"""The invoice list with 100,000 rows reads only the pages it shows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chorus_tui.sources.folder import FolderSource
from chorus_tui.store import Store
from chorus_tui.ui.widgets.invoice_table import InvoiceTable
from tests.ui.bulk import fill_invoices
from tests.ui.conftest import DemoRig, make_rig, settle

ROWS = 100_000


@pytest.fixture(scope="module")
def bulk_database(tmp_path_factory) -> Path:
    """One database of 100,000 invoices, built once and copied by each test."""
    path = tmp_path_factory.mktemp("bulk") / "bulk.sqlite3"
    Store(path).close()
    fill_invoices(path, ROWS)
    return path


@pytest.fixture
def big_rig(bulk_database, tmp_path) -> DemoRig:
    database = tmp_path / "invoices.sqlite3"
    shutil.copy(bulk_database, database)
    return make_rig(database, FolderSource(tmp_path / "no-folder"))


async def test_list_pages_through_100000_rows(big_rig):
    async with big_rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = big_rig.app.screen.query_one(InvoiceTable)
        assert table.row_count == ROWS
        # Each reload (mount, folder scan, first poll) reads the one page on screen.
        assert table.fetch_count <= 4

        before = table.fetch_count
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == ROWS - 1
        assert table.selected_row is not None
        assert table.fetch_count - before <= 2

        before = table.fetch_count
        await pilot.press("home", "pagedown", "pagedown", "down")
        await pilot.pause()
        assert table.cursor_row == 2 * table._visible_rows + 1
        assert table.fetch_count - before <= 1
        # The page cache stays bounded however far the user scrolls.
        assert len(table._pages) <= 8


async def test_filter_on_100000_rows_counts_matches(big_rig):
    async with big_rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = big_rig.app.screen.query_one(InvoiceTable)
        before = table.fetch_count
        await pilot.press("slash", *"BULK-09999", "enter")
        # BULK-099990 to BULK-099999
        assert table.row_count == 10
        # Typing waits for a pause: the ten keystrokes ran one query, not ten (a background
        # reload, after the first poll or folder scan, may add one more).
        assert table.fetch_count - before <= 2
