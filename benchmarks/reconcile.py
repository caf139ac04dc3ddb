"""Time the reconciliation of invoices already on Chorus Pro with the local ones.

`--size` invoices (default 10,000) exist on the simulator, deposited over the
year before the run, and in the store, not linked. `Reconciler.reconcile`
walks that year month by month and links each invoice by its number, once
with the import of each linked invoice's status history (the default) and
once without. The script prints the API calls and wall time of both, the
median of `--repeat` runs, each on its own copy of the store.
"""

from __future__ import annotations

import asyncio
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
from benchmarks.seeding import seed_unlinked
from benchmarks.soak_deposits import make_client


@dataclass
class ReconcileResult:
    variant: str
    invoices: int
    linked: int
    calls: Counter[str]
    seconds: list[float]

    @property
    def api_calls(self) -> int:
        return sum(self.calls.values())


VARIANTS = {"links and status histories": True, "links only": False}


async def run(size: int, seed: int, repeat: int, workdir: Path) -> list[ReconcileResult]:
    """Seed both sides, then reconcile `repeat` times with and without history import."""
    from chorus_tui.clock import ManualClock
    from chorus_tui.sandbox import Simulator
    from chorus_tui.store import Store
    from chorus_tui.sync.reconcile import Reconciler

    clock = ManualClock()
    simulator = Simulator(clock, seed=seed)
    store_path = workdir / "reconcile.sqlite3"
    first_deposit = clock.now() - timedelta(days=365)
    with Store(store_path, clock=clock) as store:
        seed_unlinked(store, simulator, size, first_deposit=first_deposit, days=364)

    results = []
    for variant, import_history in VARIANTS.items():
        seconds: list[float] = []
        linked = 0
        calls: Counter[str] = Counter()
        for round_index in range(repeat):
            copy = workdir / f"run-{round_index}.sqlite3"
            shutil.copyfile(store_path, copy)
            async with make_client(clock, transport=simulator.transport()) as client:
                with Store(copy, clock=clock) as store:
                    reconciler = Reconciler(client, store, clock, import_history=import_history)
                    start = time.perf_counter()
                    report = await reconciler.reconcile(first_deposit.date(), clock.now().date())
                    seconds.append(time.perf_counter() - start)
                linked = len(report.linked)
                calls = Counter(client.calls)
            copy.unlink()
        results.append(ReconcileResult(variant, size, linked, calls, seconds))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = make_parser(__doc__.splitlines()[0], default_size=10_000, default_repeat=3)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="chorus-bench-reconcile-") as temporary:
        results = asyncio.run(run(args.size, args.seed, args.repeat, Path(temporary)))

    header = ["reconciliation", "invoices linked", "API calls", "median wall time", "time per invoice"]
    rows = [
        [result.variant, f"{result.linked} of {result.invoices}", result.api_calls,
         f"{median(result.seconds):.2f} s", f"{median(result.seconds) / result.invoices * 1000:.2f} ms"]
        for result in results
    ]
    print(f"{args.size} invoices on Chorus Pro and in the store; median of {args.repeat} runs")
    print(format_table(header, rows))
    for result in results:
        print(f"{result.variant} calls: "
              + ", ".join(f"{name} {count}" for name, count in sorted(result.calls.items())))
    if args.markdown:
        print_markdown_results(header, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
