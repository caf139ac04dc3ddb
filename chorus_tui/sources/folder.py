"""Invoices from a folder of PDF files, and the demo invoices shipped with the package."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from chorus_tui.domain import SourceInvoice
from chorus_tui.sources.reader import read_invoices


def demo_invoice_folder() -> Path:
    """Return the folder of demo invoice PDFs shipped in the package."""
    return Path(__file__).resolve().parent / "demo_invoices"


class FolderSource:
    """Every `*.pdf` file (any letter case) directly inside one folder."""

    def __init__(self, folder: Path, *, supplier_sirets: Iterable[str] = frozenset()) -> None:
        self.folder = Path(folder)
        self.supplier_sirets = frozenset(supplier_sirets)

    def pdf_paths(self) -> list[Path]:
        """Return the PDF files of the folder sorted by name; [] if the folder does not exist."""
        if not self.folder.is_dir():
            return []
        paths = [path for path in self.folder.iterdir() if path.suffix.lower() == ".pdf" and path.is_file()]
        return sorted(paths, key=lambda path: (path.name.lower(), path.name))

    def scan(self) -> list[SourceInvoice]:
        """Read every PDF of the folder; unreadable files come back with `errors` set."""
        return read_invoices(self.pdf_paths(), supplier_sirets=self.supplier_sirets)
