"""A ChorusClient wired to the in-process simulator, for the directory-backed checks."""

from __future__ import annotations

from datetime import datetime, timezone

from pydantic import SecretStr

from chorus_tui.chorus.client import ChorusClient
from chorus_tui.chorus.settings import ConnectionSettings, Credentials, Environment
from chorus_tui.clock import ManualClock
from chorus_tui.sandbox.directory import DEMO_SUPPLIER
from chorus_tui.sandbox.simulator import Simulator

START = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)


def demo_credentials() -> Credentials:
    return Credentials("demo-client", SecretStr("demo-secret"), DEMO_SUPPLIER.technical_login,
                       SecretStr("demo-password"))


def simulated_client(simulator: Simulator, clock: ManualClock) -> ChorusClient:
    return ChorusClient(ConnectionSettings.for_environment(Environment.DEMO), demo_credentials(),
                        transport=simulator.transport(), clock=clock)
