"""Invoice sources: PDF and Factur-X files, folders of them, and the demo invoices.

The public names are loaded on first use: `chorus_tui.detection` imports
submodules of this package, and an eager import here would be circular.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "FolderSource": "chorus_tui.sources.folder",
    "demo_invoice_folder": "chorus_tui.sources.folder",
    "read_invoice": "chorus_tui.sources.reader",
    "read_invoice_bytes": "chorus_tui.sources.reader",
    "read_invoices": "chorus_tui.sources.reader",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
