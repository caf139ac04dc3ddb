"""Time our invoice detection against bare PDF text extraction on the same files.

Generates `--size` invoice PDFs (benchmarks/invoice_corpus.py) in a temporary
folder. Then it measures the CPU time of four methods, `--repeat` times each:
text extraction of every page with pypdf, the same with pypdfium2,
`read_invoices` (text, Factur-X XML, SHA-256, field and Chorus Pro data
detection of a list of files, as a folder source reads them) and
`read_invoice` called once per file. The goal is detection by
`read_invoices` within 1.2 times the faster bare extraction.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (
    format_table,
    make_parser,
    median,
    ms,
    print_markdown_results,
    seconds,
    time_call,
)
from benchmarks.invoice_corpus import write_corpus

GOAL_RATIO = 1.2
CHUNK_FILES = 50


def extract_with_pypdf(paths: Sequence[Path]) -> int:
    """Extract the text of every page with pypdf; return the number of characters."""
    import pypdf

    characters = 0
    for path in paths:
        reader = pypdf.PdfReader(path)
        for page in reader.pages:
            characters += len(page.extract_text())
    return characters


def extract_with_pypdfium2(paths: Sequence[Path]) -> int:
    """Extract the text of every page with pypdfium2; return the number of characters."""
    import pypdfium2

    characters = 0
    for path in paths:
        document = pypdfium2.PdfDocument(path)
        try:
            for index in range(len(document)):
                page = document[index]
                text_page = page.get_textpage()
                characters += len(text_page.get_text_bounded())
                text_page.close()
                page.close()
        finally:
            document.close()
    return characters


def detect_all(paths: Sequence[Path]) -> int:
    """Run our full detection on the files as a folder source does; return how many found a recipient SIRET."""
    from chorus_tui.sources import read_invoices

    return _recipients_found(read_invoices(paths))


def detect_one_by_one(paths: Sequence[Path]) -> int:
    """Run our full detection with one read_invoice call per file; return how many found a recipient SIRET."""
    from chorus_tui.sources import read_invoice

    return _recipients_found(read_invoice(path) for path in paths)


def _recipients_found(invoices) -> int:
    return sum(1 for invoice in invoices if invoice.detection is not None and invoice.detection.recipient_siret)


DETECTION = "read_invoices (detection)"
METHODS: dict[str, Callable[[Sequence[Path]], int]] = {
    "pypdf text": extract_with_pypdf,
    "pypdfium2 text": extract_with_pypdfium2,
    DETECTION: detect_all,
    "read_invoice, once per file": detect_one_by_one,
}


@dataclass
class DetectionResults:
    file_count: int
    corpus_bytes: int
    runs: dict[str, list[float]]
    recipients_found: int

    def median_of(self, name: str) -> float:
        return median(self.runs[name])

    @property
    def fastest_bare(self) -> str:
        return min(("pypdf text", "pypdfium2 text"), key=self.median_of)

    @property
    def detection_ratio(self) -> float:
        return self.median_of(DETECTION) / self.median_of(self.fastest_bare)

    @property
    def pypdf_ratio(self) -> float:
        return self.median_of("pypdf text") / self.median_of("pypdfium2 text")


def run(paths: Sequence[Path], repeat: int) -> DetectionResults:
    """Time every method `repeat` times over `paths`; each run's time is the sum over chunks of files.

    The methods take turns on each chunk of CHUNK_FILES files, in a rotating
    order, so a burst of load from other processes hits all methods alike. The
    time is the process's CPU time, which other processes do not inflate.
    """
    names = list(METHODS)
    for name in names:  # warm-up: imports, page cache, lazily built regexes
        METHODS[name](paths[: min(len(paths), 20)])
    runs: dict[str, list[float]] = {name: [] for name in names}
    chunks = [paths[start : start + CHUNK_FILES] for start in range(0, len(paths), CHUNK_FILES)]
    for round_index in range(repeat):
        totals = dict.fromkeys(names, 0.0)
        for chunk_index, chunk in enumerate(chunks):
            shift = (round_index + chunk_index) % len(names)
            for name in names[shift:] + names[:shift]:
                totals[name] += time_call(lambda: METHODS[name](chunk), timer=time.process_time)
        for name in names:
            runs[name].append(totals[name])
    return DetectionResults(
        file_count=len(paths),
        corpus_bytes=sum(path.stat().st_size for path in paths),
        runs=runs,
        recipients_found=detect_all(paths),
    )


def profile_detection(paths: Sequence[Path], top: int = 25) -> str:
    """Profile `read_invoices` over `paths` and return the top functions by own time."""
    profiler = cProfile.Profile()
    profiler.runcall(detect_all, paths)
    output = io.StringIO()
    pstats.Stats(profiler, stream=output).sort_stats("tottime").print_stats(top)
    return output.getvalue()


def result_rows(results: DetectionResults) -> list[list[str]]:
    rows = []
    for name in METHODS:
        total = results.median_of(name)
        rows.append([name, seconds(total), ms(total / results.file_count),
                     f"{total / results.median_of(results.fastest_bare):.2f}"])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = make_parser(__doc__.splitlines()[0], default_size=1000)
    parser.add_argument("--corpus", type=Path,
                        help="reuse the PDFs of this folder (written there first if it is empty)")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of read_invoices")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="chorus-bench-detection-") as temporary:
        folder = args.corpus or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        paths = sorted(folder.glob("*.pdf"))[: args.size]
        if len(paths) < args.size:
            print(f"writing {args.size} invoice PDFs into {folder} ...", file=sys.stderr)
            paths = write_corpus(folder, args.size, seed=args.seed)
        results = run(paths, args.repeat)
        profile = profile_detection(paths) if args.profile else None

    header = ["method", "median CPU time", "per file", "x fastest bare"]
    rows = result_rows(results)
    print(f"{results.file_count} PDFs, {results.corpus_bytes / results.file_count / 1024:.0f} KiB on average, "
          f"median of {args.repeat} runs; recipient SIRET found in {results.recipients_found}")
    print(format_table(header, rows))
    verdict = "met" if results.detection_ratio <= GOAL_RATIO else "not met"
    print(f"detection / fastest bare extraction ({results.fastest_bare}): {results.detection_ratio:.2f} "
          f"(goal <= {GOAL_RATIO}: {verdict})")
    print(f"pypdf / pypdfium2: {results.pypdf_ratio:.2f}")
    if profile:
        print(profile)
    if args.markdown:
        print_markdown_results(header, rows)
        print()
        print(f"- detection / fastest bare extraction ({results.fastest_bare}): "
              f"**{results.detection_ratio:.2f}** (goal ≤ {GOAL_RATIO}: {verdict})")
        print(f"- pypdf / pypdfium2: {results.pypdf_ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
