"""The triage service is core code: importing it leaves Textual unloaded."""

from __future__ import annotations

import subprocess
import sys


def test_actions_import_without_textual():
    script = (
        "import sys\n"
        "import chorus_tui.sync.actions\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'textual'))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
