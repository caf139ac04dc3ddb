"""Run benchmarks/table_window.py at a small size so the script keeps working."""

from __future__ import annotations

from benchmarks import table_window


def test_window_queries_cover_every_case(tmp_path):
    path = tmp_path / "table.sqlite3"
    table_window.seed_store(path, 90)

    results = table_window.time_windows(path, 90, repeat=1)

    assert len(results) == 5
    assert all(seconds > 0 for _, seconds in results)


async def test_app_shows_every_row(tmp_path):
    path = tmp_path / "table.sqlite3"
    table_window.seed_store(path, 300)

    first_paint, paging, fetches = await table_window.run_app(path, 300, tmp_path)

    assert first_paint > 0
    assert paging > 0
    assert fetches >= 1


def test_table_script_prints_rows(capsys):
    exit_code = table_window.main(["--size", "60", "--repeat", "1", "--markdown"])

    output = capsys.readouterr().out
    assert exit_code == 0
    assert "| open store, count, first window |" in output
    assert "app: 20 x PageDown" in output
