"""The core must work without Textual: importing it in a fresh interpreter leaves `textual` unloaded."""

from __future__ import annotations

import subprocess
import sys

CORE_MODULES = (
    "chorus_tui.domain",
    "chorus_tui.chorus",
    "chorus_tui.chorus.client",
    "chorus_tui.sandbox",
    "chorus_tui.sandbox.simulator",
    "chorus_tui.sources",
    "chorus_tui.sources.folder",
    "chorus_tui.detection",
    "chorus_tui.validation",
    "chorus_tui.store",
    "chorus_tui.sync",
    "chorus_tui.config",
    "chorus_tui.secrets",
    "chorus_tui.connection",
    "chorus_tui.statuses",
)


def test_core_does_not_import_textual():
    script = (
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(name for name in sys.modules if name == 'textual' or name.startswith('textual.'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_factory_import_leaves_textual_unloaded():
    """The command line imports the factory before the app exists; Textual loads only with the app."""
    script = (
        "import sys\n"
        "import chorus_tui.factory\n"
        "print('textual' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
