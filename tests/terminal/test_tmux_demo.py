"""Run `chorus-tui --demo` in a real terminal (tmux, 100×30) and drive it with keys.

The Pilot tests drive the app inside the test process; this one checks what a
user gets from the installed command: the program starts, draws the table,
opens the deposit form, closes it and quits cleanly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

# Generous, because the first start compiles the package's bytecode; a slow
# start makes the test wait longer, never fail, unless nothing shows at all.
SCREEN_TIMEOUT_SECONDS = 60


def _capture(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True,
                          check=True).stdout


def _wait_for(session: str, text: str) -> str:
    deadline = time.monotonic() + SCREEN_TIMEOUT_SECONDS
    screen = ""
    while time.monotonic() < deadline:
        screen = _capture(session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} did not appear on the screen; last screen:\n{screen}")


def test_demo_journey_in_tmux(tmp_path):
    session = f"chorus-tui-test-{uuid.uuid4().hex[:8]}"
    environment = {**os.environ, "CHORUS_TUI_HOME": str(tmp_path / "home"), "LANG": "fr_FR.UTF-8",
                   "TERM": "xterm-256color"}
    command = f"{sys.executable} -m chorus_tui --demo; echo EXITED-$?; sleep 60"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", command],
                   check=True, env=environment)
    try:
        table = _wait_for(session, "FAC-2026-0001")
        assert "Statut Chorus Pro" in table
        assert "À déposer" in table

        # The status line names the selected row's file: wait for it so that `d` acts on that row.
        subprocess.run(["tmux", "send-keys", "-t", session, "End"], check=True)
        _wait_for(session, "beaurivage.pdf")
        subprocess.run(["tmux", "send-keys", "-t", session, "d"], check=True)
        form = _wait_for(session, "SIRET destinataire")
        assert "Service" in form

        subprocess.run(["tmux", "send-keys", "-t", session, "Escape"], check=True)
        _wait_for(session, "Statut Chorus Pro")
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        assert "EXITED-0" in _wait_for(session, "EXITED-")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
