"""Shared builders for the connection tests: credentials, settings and a simulator."""

from __future__ import annotations

from pydantic import SecretStr

from chorus_tui.chorus.settings import ConnectionSettings, Credentials, Environment
from chorus_tui.clock import ManualClock
from chorus_tui.sandbox.faults import AuthPolicy
from chorus_tui.sandbox.simulator import Simulator

CLIENT_ID = "piste-client-7f3a"
CLIENT_SECRET = "csecret-KNOWN-9d2e41"
TECH_LOGIN = "TECH_1_81588139669879@cpro.fr"
TECH_PASSWORD = "tpass-KNOWN-5b7c13"


def credentials(*, password: str = TECH_PASSWORD) -> Credentials:
    return Credentials(CLIENT_ID, SecretStr(CLIENT_SECRET), TECH_LOGIN, SecretStr(password))


def settings(environment: Environment = Environment.QUALIFICATION) -> ConnectionSettings:
    # Requests go through the simulator's in-process transport and never reach
    # the network, so the host named here is never contacted.
    return ConnectionSettings(environment, "http://127.0.0.1:9/api/oauth/token", "http://127.0.0.1:9")


def simulator(clock: ManualClock, **auth: object) -> Simulator:
    return Simulator(clock, auth=AuthPolicy(**auth))
