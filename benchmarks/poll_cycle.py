"""Compare one status poll of our incremental Poller with per-invoice history polling.

`--size` invoices (default 10,000) are deposited on the simulator and linked
in the store, all in MISE_A_DISPOSITION for 30 days, and a poll ran an hour ago.
Then `--changed` of them (default 50) change status, and one poll cycle is
timed two ways against the same simulator, each on its own copy of the store:
- `Poller.poll_once`: one search of the invoices whose status changed since
  the last poll, then one history call per changed invoice.
- the baseline, as the OCA Odoo Chorus Pro modules poll: one
  `factures/v1/consulter/historique` call per open invoice.
The goal is at least 100 times fewer calls for the Poller.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import format_table, make_parser, median, print_markdown_results
from benchmarks.seeding import seed_deposited
from benchmarks.soak_deposits import make_client

GOAL_CALL_RATIO = 100
START_STATUS = "MISE_A_DISPOSITION"
NEW_STATUSES = ("SERVICE_FAIT", "MANDATEE", "MISE_EN_PAIEMENT", "SUSPENDUE", "REJETEE")


@dataclass
class CycleResult:
    name: str
    calls: int
    seconds: float
    changes: int
    calls_by_endpoint: dict[str, int]


async def poll_per_invoice_history(client, store) -> int:
    """Poll as the OCA Odoo modules do: one history call per open invoice; return the changes stored."""
    changes = 0
    for row in store.polled_invoices():
        history = await client.invoice_history(row.chorus_invoice_id)
        current = history.current_status
        if current is None and history.statuses:
            current = history.statuses[-1].status
        if current is None or current == row.status_code:
            continue
        dates = [entry.changed_at for entry in history.statuses if entry.status == current and entry.changed_at]
        store.record_status(row.id, current, at=max(dates) if dates else store.clock.now())
        changes += 1
    return changes


async def poll_incremental(client, store, clock) -> int:
    """Run one `Poller.poll_once`; return the changes stored."""
    from chorus_tui.sync import Poller

    report = await Poller(client, store, clock).poll_once()
    return len(report.changes)


def prepare(size: int, changed: int, seed: int, workdir: Path):
    """Seed the simulator and a store, record a poll an hour ago, then change `changed` statuses.

    Returns (clock, simulator, store path).
    """
    from chorus_tui.clock import ManualClock
    from chorus_tui.sandbox import Simulator
    from chorus_tui.store import Store
    from chorus_tui.sync.poller import CHECKPOINT_KEY

    clock = ManualClock()
    simulator = Simulator(clock, seed=seed)
    store_path = workdir / "poll.sqlite3"
    with Store(store_path, clock=clock) as store:
        links = seed_deposited(store, simulator, size, status=START_STATUS,
                               changed_at=clock.now() - timedelta(days=30))
        store.set_checkpoint(CHECKPOINT_KEY, clock.now())
    clock.advance(3600)
    generator = random.Random(seed)
    for chorus_id in generator.sample(sorted(links.values()), changed):
        simulator.set_status(chorus_id, generator.choice(NEW_STATUSES), comment="changement de statut")
    return clock, simulator, store_path


async def measure(name: str, store_path: Path, clock, simulator) -> CycleResult:
    """Run one poll cycle by method `name` on its own copy of the store and return calls and time."""
    from chorus_tui.store import Store

    copy = store_path.with_name(f"{name}.sqlite3")
    shutil.copyfile(store_path, copy)
    async with make_client(clock, transport=simulator.transport()) as client:
        with Store(copy, clock=clock) as store:
            await client.vat_rates()  # fetch the token before timing, for both methods alike
            before = Counter(client.calls)
            start = time.perf_counter()
            if name == "incremental":
                changes = await poll_incremental(client, store, clock)
            else:
                changes = await poll_per_invoice_history(client, store)
            elapsed = time.perf_counter() - start
            calls = Counter(client.calls)
            calls.subtract(before)
    copy.unlink()
    by_endpoint = {endpoint: count for endpoint, count in calls.items() if count}
    return CycleResult(name, sum(by_endpoint.values()), elapsed, changes, by_endpoint)


async def run(size: int, changed: int, seed: int, repeat: int, workdir: Path) -> dict[str, CycleResult]:
    """Measure both methods `repeat` times; each result keeps the median time of its runs."""
    clock, simulator, store_path = prepare(size, changed, seed, workdir)
    results: dict[str, CycleResult] = {}
    for name in ("incremental", "per-invoice history"):
        runs = [await measure(name, store_path, clock, simulator) for _ in range(repeat)]
        results[name] = CycleResult(name, runs[0].calls, median([run.seconds for run in runs]), runs[0].changes,
                                    runs[0].calls_by_endpoint)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = make_parser(__doc__.splitlines()[0], default_size=10_000, default_repeat=3)
    parser.add_argument("--changed", type=int, default=50, help="invoices whose status changes (default 50)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="chorus-bench-poll-") as temporary:
        results = asyncio.run(run(args.size, min(args.changed, args.size), args.seed, args.repeat,
                                  Path(temporary)))

    incremental = results["incremental"]
    baseline = results["per-invoice history"]
    call_ratio = baseline.calls / incremental.calls if incremental.calls else float("inf")
    time_ratio = baseline.seconds / incremental.seconds if incremental.seconds else float("inf")
    header = ["method", "API calls", "median time", "changes stored"]
    rows = [[result.name, result.calls, f"{result.seconds:.3f} s", result.changes] for result in results.values()]
    verdict = "met" if call_ratio >= GOAL_CALL_RATIO else "not met"
    print(f"{args.size} tracked invoices, {args.changed} changed; median of {args.repeat} runs")
    print(format_table(header, rows))
    print(f"calls: per-invoice history / incremental = {call_ratio:.0f} (goal >= {GOAL_CALL_RATIO}: {verdict})")
    print(f"time: per-invoice history / incremental = {time_ratio:.0f}")
    for result in results.values():
        print(f"{result.name} calls: " + ", ".join(f"{endpoint} {count}"
                                                 for endpoint, count in sorted(result.calls_by_endpoint.items())))
    if args.markdown:
        print_markdown_results(header, rows)
        print()
        print(f"- calls, per-invoice history / incremental: **{call_ratio:.0f}** "
              f"(goal ≥ {GOAL_CALL_RATIO}: {verdict})")
        print(f"- time, per-invoice history / incremental: {time_ratio:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
