"""Fixtures of the Chorus Pro client tests: a simulator in virtual time and a client wired to it."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from pydantic import SecretStr

from chorus_tui.chorus.client import ChorusClient
from chorus_tui.chorus.retry import RetryPolicy
from chorus_tui.chorus.settings import ConnectionSettings, Credentials, Environment
from chorus_tui.clock import ManualClock
from chorus_tui.sandbox.directory import DEMO_SUPPLIER
from chorus_tui.sandbox.simulator import Simulator

CLIENT_SECRET = "s3cret-client-Zq9"
TECHNICAL_PASSWORD = "pa55-technique-Wx7"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def settings() -> ConnectionSettings:
    return ConnectionSettings.for_environment(Environment.DEMO)


@pytest.fixture
def credentials() -> Credentials:
    return Credentials(
        client_id="demo-client",
        client_secret=SecretStr(CLIENT_SECRET),
        technical_login=DEMO_SUPPLIER.technical_login,
        technical_password=SecretStr(TECHNICAL_PASSWORD),
    )


@pytest.fixture
def simulator(clock: ManualClock) -> Simulator:
    return Simulator(clock, seed=7)


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes requests to another transport and keeps each API request's path and JSON body."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        return await self.inner.handle_async_request(request)

    def api_bodies(self) -> list[tuple[str, dict]]:
        """Return (path below /cpro/, parsed body) of every API request, in order."""
        bodies = []
        for request in self.requests:
            path = request.url.path
            if path.startswith("/cpro/"):
                bodies.append((path.removeprefix("/cpro/"), json.loads(request.content)))
        return bodies


@pytest.fixture
def make_client(settings, credentials, clock) -> Callable[..., ChorusClient]:
    def build(transport: httpx.AsyncBaseTransport, retry: RetryPolicy | None = None, **kwargs) -> ChorusClient:
        policy = retry or RetryPolicy(rng=random.Random(3))
        return ChorusClient(
            kwargs.pop("settings", settings),
            kwargs.pop("credentials", credentials),
            transport=transport,
            clock=clock,
            retry=policy,
        )

    return build


@pytest.fixture
async def client(simulator, make_client) -> AsyncIterator[ChorusClient]:
    async with make_client(simulator.transport()) as chorus:
        yield chorus
