"""Time the invoice table's window queries and the application with 100,000 invoices in the store.

The store gets `--size` invoices (default 100,000) through its public API,
a third of them linked to Chorus Pro with a status. Then the script times,
median of `--repeat` runs:
- `Store.count_invoices` plus `Store.page_invoices` of one 28-row window at
  the top, in the middle and at the end of the list, with and without a
  filter, on a freshly opened store;
- the application under `App.run_test` at 100×30: from start to the table
  showing its rows ("first paint"), then 20 presses of PageDown, and the
  same on a 100-row store for reference.
It also prints the peak Python allocation of the application run
(tracemalloc, in a separate untimed run) and the process's peak RSS.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (
    format_table,
    make_parser,
    median,
    ms,
    peak_rss_mib,
    print_markdown_results,
    time_call,
)
from benchmarks.seeding import STATUSES, fast_writes, source_invoice

WINDOW_ROWS = 28  # rows of the table at a 100×30 terminal
PAGE_DOWN_PRESSES = 20
REFERENCE_ROWS = 100
# After the seeded invoice dates, so that none is dated in the future.
START = datetime(2026, 12, 4, 9, 0, tzinfo=timezone.utc)


def seed_store(path: Path, count: int) -> None:
    """Import `count` invoices; link every third one to a Chorus Pro id with a status."""
    from chorus_tui.clock import ManualClock
    from chorus_tui.store import Store

    clock = ManualClock(START)
    with Store(path, clock=clock) as store:
        fast_writes(store)
        for index in range(1, count + 1):
            local_id = store.upsert_source_invoice(source_invoice(index))
            if index % 3 == 0:
                store.link_existing_invoice(local_id, chorus_invoice_id=index,
                                            status_code=STATUSES[index % len(STATUSES)], at=clock.now())


def time_windows(path: Path, count: int, repeat: int) -> list[tuple[str, float]]:
    """Return (query, median seconds) for the window queries the table runs."""
    from chorus_tui.store import Store

    def first_window(filter_text: str | None, offset_of) -> None:
        with Store(path) as store:
            total = store.count_invoices(filter_text)
            store.page_invoices(offset_of(total), WINDOW_ROWS, filter_text)

    cases = [
        ("open store, count, first window", None, lambda total: 0),
        ("open store, count, middle window", None, lambda total: total // 2),
        ("open store, count, last window", None, lambda total: max(total - WINDOW_ROWS, 0)),
        ("open store, filter 'F-2026-0999', count, first window", "F-2026-0999", lambda total: 0),
        ("open store, filter 'suspendue', count, last window", "suspendue",
         lambda total: max(total - WINDOW_ROWS, 0)),
    ]
    results = []
    for label, filter_text, offset_of in cases:
        runs = [time_call(lambda: first_window(filter_text, offset_of)) for _ in range(repeat)]
        results.append((label, median(runs)))
    return results


def ui_available() -> bool:
    try:
        import chorus_tui.ui.app  # noqa: F401
        import chorus_tui.ui.widgets.invoice_table  # noqa: F401
    except ImportError:
        return False
    return True


async def settle(pilot) -> None:
    """Let the application's workers finish and the screen process what they posted."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def run_app(path: Path, count: int, workdir: Path) -> tuple[float, float, int]:
    """Open the application on the store and return (first paint s, 20 PageDown s, pages fetched)."""
    from chorus_tui.clock import ManualClock
    from chorus_tui.factory import build_app
    from chorus_tui.sources.folder import FolderSource
    from chorus_tui.store import Store
    from chorus_tui.ui.widgets.invoice_table import InvoiceTable

    clock = ManualClock(START)
    store = Store(path, clock=clock)
    # No Chorus Pro client: nothing but the table and its queries runs.
    app = build_app(store=store, source=FolderSource(workdir / "no-folder"), clock=clock, profile_label="bench")
    start = time.perf_counter()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(InvoiceTable)
        first_paint = time.perf_counter() - start
        if table.row_count != count:
            raise RuntimeError(f"the table shows {table.row_count} rows, expected {count}")
        start = time.perf_counter()
        for _ in range(PAGE_DOWN_PRESSES):
            await pilot.press("pagedown")
        await pilot.pause()
        paging = time.perf_counter() - start
        fetches = table.fetch_count
    store.close()
    return first_paint, paging, fetches


def app_peak_memory(path: Path, count: int, workdir: Path) -> float:
    """Return the peak of Python allocations, in MiB, during one application run."""
    tracemalloc.start()
    try:
        asyncio.run(run_app(path, count, workdir))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = make_parser(__doc__.splitlines()[0], default_size=100_000, default_repeat=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="chorus-bench-table-") as temporary:
        workdir = Path(temporary)
        path = workdir / "table.sqlite3"
        start = time.perf_counter()
        seed_store(path, args.size)
        seeding = time.perf_counter() - start
        rows = [[label, ms(seconds)] for label, seconds in time_windows(path, args.size, args.repeat)]
        memory = None
        if ui_available():
            runs = [asyncio.run(run_app(path, args.size, workdir)) for _ in range(args.repeat)]
            rows.append(["app at 100x30: start to first paint", ms(median([run[0] for run in runs]))])
            rows.append([f"app: {PAGE_DOWN_PRESSES} x PageDown", ms(median([run[1] for run in runs]))])
            rows.append(["app: pages fetched (start + paging)", runs[0][2]])
            # The same run on a 100-row store shows what Pilot's own waits cost per key.
            small = workdir / "small.sqlite3"
            seed_store(small, REFERENCE_ROWS)
            reference = [asyncio.run(run_app(small, REFERENCE_ROWS, workdir)) for _ in range(args.repeat)]
            rows.append([f"same app with {REFERENCE_ROWS} rows: first paint / {PAGE_DOWN_PRESSES} x PageDown",
                         f"{ms(median([run[0] for run in reference]))} / {ms(median([run[1] for run in reference]))}"])
            memory = app_peak_memory(path, args.size, workdir)
            rows.append(["app: peak Python allocations (tracemalloc)", f"{memory:.1f} MiB"])
        rows.append(["process peak RSS (seeding included)", f"{peak_rss_mib():.0f} MiB"])

    print(f"{args.size} invoices in the store (seeded in {seeding:.0f} s); median of {args.repeat} runs")
    if memory is None:
        print("chorus_tui.ui is not importable: the application was not measured")
    print(format_table(["measure", "value"], rows))
    if args.markdown:
        print_markdown_results(["measure", "value"], rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
