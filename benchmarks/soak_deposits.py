"""Deposit invoices through faults and process kills, then count lost and duplicated invoices.

The simulator fails a seeded 20% of calls (HTTP 500, 502,
503, 429 with Retry-After, timeouts before and after the commit, truncated
and non-JSON bodies, the HTML maintenance page). Without `--kills`, one
process deposits every invoice in virtual time. With `--kills K`, the
simulator is served on 127.0.0.1 by this process and a worker subprocess
deposits. The worker is killed with SIGKILL K times: half of the kills land
right after Chorus Pro committed a `soumettre` and before its response leaves,
the others at random moments. Every restart calls `recover_pending` first.
At the end the simulator's invoices are compared with the store. The goal
is 0 invoices lost and 0 duplicated.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import format_table, make_parser, print_markdown_results

# Each fault kind's share of all calls; they add up to 20%.
FAULT_SPEC = (
    "500=0.03,502=0.02,503=0.02,429=0.03,retry_after=2,connect_timeout=0.01,timeout=0.02,"
    "html=0.02,timeout_after=0.03,truncated=0.01,not_json=0.01"
)
# Commune de Valmorin in the simulated directory: neither service nor engagement required.
RECIPIENT_SIRET = "21170753455688"
MAX_ROUNDS = 50
WORKER_TIMEOUT_SECONDS = 600


@dataclass
class SoakResults:
    invoices: int
    lost: list[str]
    duplicated: list[str]
    calls: Counter[str]
    server_requests: int
    wall_seconds: float
    kills: int = 0
    commit_kills: int = 0
    runs: int = 1
    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def api_calls(self) -> int:
        return sum(self.calls.values())

    @property
    def calls_per_deposit(self) -> float:
        return self.api_calls / self.invoices if self.invoices else 0.0


# --- the invoices --------------------------------------------------------------------------------


def invoice_number(index: int) -> str:
    return f"SOAK-2026-{index:05d}"


def build_form(index: int, folder: Path):
    """Return the local source invoice and the deposit form of invoice `index` (a tiny PDF in `folder`)."""
    from chorus_tui.domain import Amounts, DepositForm, DepositRoute, Detection, SourceInvoice, VatLine
    from chorus_tui.sandbox.directory import DEMO_SUPPLIER

    number = invoice_number(index)
    path = folder / f"{number}.pdf"
    invoice_date = date(2026, 2, 1)
    ht = Decimal(100 + index % 900).quantize(Decimal("0.01"))
    vat = (ht * Decimal("0.2")).quantize(Decimal("0.01"))
    amounts = Amounts(total_ht=ht, total_vat=vat, total_ttc=ht + vat, amount_due=ht + vat,
                      vat_lines=[VatLine(rate=Decimal("20"), base_ht=ht, vat=vat)])
    source = SourceInvoice(
        source_key=path.name, file_path=path, invoice_number=number, invoice_date=invoice_date,
        customer_name="Commune de Valmorin", amounts=amounts,
        detection=Detection(recipient_siret=RECIPIENT_SIRET),
    )
    form = DepositForm(
        invoice_number=number, invoice_date=invoice_date, recipient_siret=RECIPIENT_SIRET,
        amounts=amounts, supplier_id=DEMO_SUPPLIER.id_structure_cpp,
        bank_account_id=DEMO_SUPPLIER.bank_accounts[0].id, attachment_path=path, route=DepositRoute.PDF,
    )
    return source, form


def seed_store(store_path: Path, folder: Path, count: int) -> None:
    """Write `count` invoice files into `folder` and import them into the store at `store_path`."""
    from chorus_tui.clock import ManualClock
    from chorus_tui.store import Store

    with Store(store_path, clock=ManualClock()) as store:
        for index in range(1, count + 1):
            source, _ = build_form(index, folder)
            source.file_path.write_bytes(b"%PDF-1.4\n% soak invoice " + source.invoice_number.encode() + b"\n%%EOF\n")
            store.upsert_source_invoice(source)


def make_client(clock, *, transport=None, base_url: str | None = None):
    from pydantic import SecretStr

    from chorus_tui.chorus.client import ChorusClient
    from chorus_tui.chorus.retry import RetryPolicy
    from chorus_tui.chorus.settings import ConnectionSettings, Credentials, Environment
    from chorus_tui.sandbox.directory import DEMO_SUPPLIER

    credentials = Credentials(
        client_id="soak-client", client_secret=SecretStr("soak-secret"),
        technical_login=DEMO_SUPPLIER.technical_login, technical_password=SecretStr("soak-password"),
    )
    if base_url is not None:
        settings = ConnectionSettings(Environment.DEMO, f"{base_url}/api/oauth/token", base_url)
    else:
        settings = ConnectionSettings.for_environment(Environment.DEMO)
    return ChorusClient(settings, credentials, transport=transport, clock=clock, retry=RetryPolicy.seeded(3))


# --- the depositing loop -------------------------------------------------------------------------


async def deposit_until_settled(client, store, clock, folder: Path, count: int,
                                after_deposit=None) -> Counter[str]:
    """Deposit every unsettled invoice, round after round, until each has a Chorus Pro id.

    Returns the count of each outcome state. Raises RuntimeError when invoices are
    still unsettled after MAX_ROUNDS rounds, or when Chorus Pro rejects one.
    """
    from chorus_tui.sync import DepositService

    service = DepositService(client, store, clock)
    outcomes: Counter[str] = Counter()
    for outcome in await service.recover_pending():
        outcomes[f"recovered {outcome.state.value}"] += 1
    if after_deposit is not None:
        after_deposit(client.calls, outcomes)
    numbers = {row.number: row.id for row in map(store.require_invoice, range(1, count + 1))}
    for _ in range(MAX_ROUNDS):
        pending = [index for index in range(1, count + 1)
                   if store.require_invoice(numbers[invoice_number(index)]).chorus_invoice_id is None]
        if not pending:
            return outcomes
        for index in pending:
            _, form = build_form(index, folder)
            outcome = await service.deposit(numbers[form.invoice_number], form)
            outcomes[outcome.state.value] += 1
            if outcome.state.value == "refused":
                raise RuntimeError(f"Chorus Pro rejected {form.invoice_number}: {outcome.message}; check the soak form")
            if after_deposit is not None:
                after_deposit(client.calls, outcomes)
    raise RuntimeError(f"invoices still unsettled after {MAX_ROUNDS} rounds")


def compare(simulator, store_path: Path, count: int) -> tuple[list[str], list[str]]:
    """Return (lost, duplicated) invoice numbers from the simulator's invoices and the store.

    An invoice is lost when the store has no Chorus Pro id for it, or an id the
    simulator does not hold under that number. Every simulator invoice beyond the
    first of a number, and every simulator invoice no store row points to, is
    counted as duplicated.
    """
    from chorus_tui.store import Store

    held = [invoice for invoice in simulator.invoices() if not invoice.draft]
    by_id = {invoice.id: invoice for invoice in held}
    lost: list[str] = []
    linked: set[int] = set()
    with Store(store_path) as store:
        for invoice_id in range(1, count + 1):
            row = store.require_invoice(invoice_id)
            chorus_invoice = by_id.get(row.chorus_invoice_id) if row.chorus_invoice_id is not None else None
            if chorus_invoice is None or chorus_invoice.number != row.number:
                lost.append(row.number)
            else:
                linked.add(chorus_invoice.id)
    duplicated = [invoice.number for invoice in held if invoice.id not in linked]
    return lost, duplicated


# --- in-process soak (virtual time, no kills) -------------------------------------------------------


async def soak_in_process(count: int, seed: int, workdir: Path) -> SoakResults:
    """Deposit `count` invoices in this process, simulator and client sharing one ManualClock."""
    from chorus_tui.clock import ManualClock
    from chorus_tui.sandbox import FaultProfile, Simulator
    from chorus_tui.store import Store

    store_path = workdir / "soak.sqlite3"
    seed_store(store_path, workdir, count)
    clock = ManualClock()
    simulator = Simulator(clock, seed=seed, faults=FaultProfile.parse(FAULT_SPEC))
    start = time.perf_counter()
    async with make_client(clock, transport=simulator.transport()) as client:
        with Store(store_path, clock=clock) as store:
            outcomes = await deposit_until_settled(client, store, clock, workdir, count)
        calls = Counter(client.calls)
    wall = time.perf_counter() - start
    lost, duplicated = compare(simulator, store_path, count)
    return SoakResults(count, lost, duplicated, calls, len(simulator.request_log), wall, outcomes=outcomes)


# --- soak with a worker subprocess killed at random -------------------------------------------------


class _KillingSimulator:
    """Simulator wrapper that kills the worker after some committed `soumettre` calls, before the response."""

    def __init__(self, simulator, generator: random.Random, commit_kills: int) -> None:
        self.simulator = simulator
        self.generator = generator
        self.commit_kills_left = commit_kills
        self.worker_pid: int | None = None
        self.kills = 0
        self.commit_kills = 0

    def handle(self, request):
        response = self.simulator.handle(request)
        committed = request.url.path.endswith("factures/v1/soumettre") and response.status_code == 200
        if committed and self.commit_kills_left > 0 and self.worker_pid and self.generator.random() < 0.02:
            self.commit_kills_left -= 1
            self.kills += 1
            self.commit_kills += 1
            os.kill(self.worker_pid, signal.SIGKILL)
        return response


def soak_with_kills(count: int, seed: int, kills: int, workdir: Path) -> SoakResults:
    """Deposit `count` invoices from a worker subprocess killed `kills` times; see the module docstring."""
    from chorus_tui.clock import ManualClock
    from chorus_tui.sandbox import FaultProfile, Simulator
    from chorus_tui.sandbox import server as sandbox_server

    class QuietServer(sandbox_server.SimulatorServer):
        def handle_error(self, request, client_address) -> None:
            pass  # a killed worker leaves broken connections behind; they are expected here

    store_path = workdir / "soak.sqlite3"
    seed_store(store_path, workdir, count)
    generator = random.Random(seed)
    simulator = Simulator(ManualClock(), seed=seed, faults=FaultProfile.parse(FAULT_SPEC))
    killer = _KillingSimulator(simulator, generator, commit_kills=kills // 2)
    server = QuietServer(("127.0.0.1", 0), killer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    random_kills_left = kills - kills // 2
    # Each worker runs on a ManualClock. It starts after the last moment the previous
    # worker saved, plus a margin for what it did after that save, so that time never
    # goes backwards and recover_pending sees the attempts left open as old.
    clock_start = datetime.now(timezone.utc)
    calls: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    runs = 0
    start = time.perf_counter()
    try:
        while True:
            runs += 1
            progress = workdir / f"progress-{runs}.json"
            command = [sys.executable, str(Path(__file__).resolve()), "--worker", "--size", str(count),
                       "--workdir", str(workdir), "--base-url", server.base_url, "--progress", str(progress),
                       "--clock-start", clock_start.isoformat()]
            worker = subprocess.Popen(command)
            killer.worker_pid = worker.pid
            delay = generator.uniform(0.5, 4.0) if random_kills_left > 0 else None
            try:
                return_code = worker.wait(timeout=delay if delay is not None else WORKER_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                if delay is None:
                    worker.kill()
                    raise RuntimeError(f"worker still running after {WORKER_TIMEOUT_SECONDS} s") from None
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                random_kills_left -= 1
                killer.kills += 1
                return_code = -signal.SIGKILL
            killer.worker_pid = None
            if progress.exists():
                snapshot = json.loads(progress.read_text())
                calls.update(snapshot["calls"])
                outcomes.update(snapshot["outcomes"])
                clock_start = max(clock_start, datetime.fromisoformat(snapshot["now"]))
            clock_start += timedelta(minutes=10)
            if return_code == 0:
                break
            if return_code != -signal.SIGKILL:
                raise RuntimeError(f"worker failed with exit code {return_code}")
    finally:
        server.shutdown()
        server.server_close()
    wall = time.perf_counter() - start
    lost, duplicated = compare(simulator, store_path, count)
    return SoakResults(count, lost, duplicated, calls, len(simulator.request_log), wall,
                       kills=killer.kills, commit_kills=killer.commit_kills, runs=runs, outcomes=outcomes)


def run_worker(count: int, workdir: Path, base_url: str, progress: Path, clock_start: datetime) -> int:
    """Deposit every unsettled invoice against the served simulator; the body of one worker run."""
    from chorus_tui.clock import ManualClock
    from chorus_tui.store import Store

    # Virtual time keeps backoff and Retry-After waits from sleeping.
    clock = ManualClock(clock_start)

    def save_progress(calls: Counter[str], outcomes: Counter[str]) -> None:
        temporary = progress.with_suffix(".tmp")
        temporary.write_text(json.dumps({"calls": calls, "outcomes": outcomes, "now": clock.now().isoformat()}))
        os.replace(temporary, progress)

    async def main() -> None:
        async with make_client(clock, base_url=base_url) as client:
            with Store(workdir / "soak.sqlite3", clock=clock) as store:
                outcomes = await deposit_until_settled(client, store, clock, workdir, count,
                                                       after_deposit=save_progress)
            save_progress(client.calls, outcomes)

    asyncio.run(main())
    return 0


# --- output ---------------------------------------------------------------------------------------


def result_rows(results: SoakResults) -> list[list[object]]:
    return [
        ["invoices deposited", results.invoices],
        ["invoices lost", len(results.lost)],
        ["invoices duplicated", len(results.duplicated)],
        ["worker kills (SIGKILL) / runs", f"{results.kills} / {results.runs}"],
        ["kills right after a committed soumettre", results.commit_kills],
        ["API calls (client.calls, as last saved by each worker)", results.api_calls],
        ["calls per deposit", f"{results.calls_per_deposit:.2f}"],
        ["requests the simulator received", results.server_requests],
        ["wall time", f"{results.wall_seconds:.1f} s"],
    ]


def main(argv: list[str] | None = None) -> int:
    parser = make_parser(__doc__.splitlines()[0], default_size=2000, default_repeat=1)
    parser.add_argument("--kills", type=int, default=20,
                        help="times the worker subprocess is killed with SIGKILL; 0 runs in one process "
                             "(default 20)")
    parser.add_argument("--worker", action="store_true", help=argparse_hidden())
    parser.add_argument("--workdir", type=Path, help=argparse_hidden())
    parser.add_argument("--base-url", help=argparse_hidden())
    parser.add_argument("--progress", type=Path, help=argparse_hidden())
    parser.add_argument("--clock-start", type=datetime.fromisoformat, help=argparse_hidden())
    args = parser.parse_args(argv)
    # The client and the deposit service log every fault they meet; a soak meets thousands.
    logging.disable(logging.WARNING)

    if args.worker:
        return run_worker(args.size, args.workdir, args.base_url, args.progress, args.clock_start)

    with tempfile.TemporaryDirectory(prefix="chorus-bench-soak-") as temporary:
        workdir = Path(temporary)
        if args.kills > 0:
            results = soak_with_kills(args.size, args.seed, args.kills, workdir)
        else:
            results = asyncio.run(soak_in_process(args.size, args.seed, workdir))

    rows = result_rows(results)
    print(f"faults: {FAULT_SPEC}")
    print(format_table(["measure", "value"], rows))
    print("calls by endpoint: " + ", ".join(f"{name} {n}" for name, n in sorted(results.calls.items())))
    print("deposit outcomes: " + ", ".join(f"{name} {n}" for name, n in sorted(results.outcomes.items())))
    goal_met = not results.lost and not results.duplicated
    print(f"goal 0 lost and 0 duplicated: {'met' if goal_met else 'not met'}")
    if results.lost:
        print("lost: " + ", ".join(results.lost[:20]))
    if results.duplicated:
        print("duplicated: " + ", ".join(results.duplicated[:20]))
    if args.markdown:
        print_markdown_results(["measure", "value"], rows)
        print()
        print(f"- goal 0 lost and 0 duplicated: {'met' if goal_met else 'not met'}")
    return 0 if goal_met else 1


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    raise SystemExit(main())
