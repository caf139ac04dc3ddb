"""The embedded Chorus Pro simulator (demo mode, tests and `chorus-tui sandbox serve`).

Importing this package is cheap: the simulator modules load on first use of these names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chorus_tui.sandbox.faults import AuthPolicy, FaultProfile
    from chorus_tui.sandbox.server import serve
    from chorus_tui.sandbox.simulator import Simulator

__all__ = ["AuthPolicy", "FaultProfile", "Simulator", "serve"]

_LOCATIONS = {
    "AuthPolicy": "chorus_tui.sandbox.faults",
    "FaultProfile": "chorus_tui.sandbox.faults",
    "Simulator": "chorus_tui.sandbox.simulator",
    "serve": "chorus_tui.sandbox.server",
}


def __getattr__(name: str) -> Any:
    if name in _LOCATIONS:
        import importlib

        return getattr(importlib.import_module(_LOCATIONS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
