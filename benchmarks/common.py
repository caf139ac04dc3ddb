"""Helpers shared by the benchmark scripts: timing, medians, tables and the machine line."""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def make_parser(description: str, *, default_size: int, default_repeat: int = 5) -> argparse.ArgumentParser:
    """Return a parser with the options every benchmark accepts."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--size", type=int, default=default_size,
                        help=f"number of invoices to work on (default {default_size})")
    parser.add_argument("--repeat", type=int, default=default_repeat,
                        help=f"timed runs whose median is reported (default {default_repeat})")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random generators (default 1)")
    parser.add_argument("--markdown", action="store_true",
                        help="also print lines to paste into benchmarks/README.md")
    return parser


def time_call(function: Callable[[], object], *, timer: Callable[[], float] = time.perf_counter) -> float:
    """Run `function` once and return the seconds that `timer` (wall time by default) counted."""
    start = timer()
    function()
    return timer() - start


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def peak_rss_mib() -> float:
    """Return the peak resident set size of this process in MiB (Linux reports ru_maxrss in KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / 1024 / 1024


def machine_line() -> str:
    """Describe the machine: CPU count, memory, Python and OS."""
    cpus = os.cpu_count() or 0
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB RAM"
    except (ValueError, OSError):
        pass
    return f"{cpus} cores{memory}, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def format_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Format rows as a plain aligned text table."""
    cells = [[str(value) for value in row] for row in [header, *rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(header))]
    lines = []
    for index, row in enumerate(cells):
        lines.append("  ".join(value.ljust(widths[column]) for column, value in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Format rows as a Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(value) for value in row) + " |")
    return "\n".join(lines)


def markdown_header(command: str) -> str:
    """Return the command, date and machine lines that precede a results table in the README."""
    return f"- Command: `{command}`\n- Date: {date.today().isoformat()}\n- Machine: {machine_line()}"


def print_markdown_results(header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print the command, date and machine lines, then the results table, as pasted into the README."""
    print()
    print(markdown_header(command_line()))
    print()
    print(markdown_table(header, rows))


def command_line() -> str:
    """Return the command that started this script, relative to the repository root."""
    script = Path(sys.argv[0])
    try:
        script = script.resolve().relative_to(REPO_ROOT)
    except ValueError:
        pass
    return " ".join([".venv/bin/python", str(script), *sys.argv[1:]]).replace(" --markdown", "")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def seconds(value: float) -> str:
    return f"{value:.2f} s"
