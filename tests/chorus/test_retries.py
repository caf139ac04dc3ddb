"""Retries, backoff, token caching and secrecy of the client, in virtual time."""

from __future__ import annotations

import asyncio
import base64
import logging
import random
from datetime import datetime, timezone

import httpx
import pytest

from chorus_tui.chorus.errors import ChorusError, ChorusUnavailable
from chorus_tui.chorus.retry import RetryPolicy, parse_retry_after
from chorus_tui.sandbox.faults import FaultProfile
from chorus_tui.sandbox.simulator import Simulator

from tests.chorus.cases import open_structure, pdf_request
from tests.chorus.conftest import CLIENT_SECRET, TECHNICAL_PASSWORD


async def test_server_errors_retried_then_succeed(client, simulator, clock):
    simulator.fail_next("503", path_contains="rechercher", count=2)
    hits = await client.search_structure(open_structure().siret)
    assert len(hits) == 1
    assert client.calls["structures/v1/rechercher"] == 3
    assert len(clock.slept) == 2


async def test_backoff_uses_full_jitter_bounds(client, simulator, clock):
    simulator.fail_next("500", path_contains="tauxtva", count=4)
    await client.vat_rates()
    # Waits are drawn in [0, base * 2**(n-1)] with base 1 s.
    for number, wait in enumerate(clock.slept, start=1):
        assert 0 <= wait <= 2 ** (number - 1)
    assert len(clock.slept) == 4


async def test_same_seed_same_waits(simulator, make_client, clock):
    waits = []
    for _ in range(2):
        clock.slept.clear()
        simulator.fail_next("500", path_contains="tauxtva", count=3)
        async with make_client(simulator.transport(), RetryPolicy(rng=random.Random(11))) as chorus:
            await chorus.vat_rates()
        waits.append(list(clock.slept))
    assert waits[0] == waits[1]


async def test_retry_after_is_honoured(client, simulator, clock):
    simulator.fail_next("429", path_contains="tauxtva")
    await client.vat_rates()
    assert clock.slept == [2.0]


def test_retry_after_http_date():
    now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    assert parse_retry_after("Mon, 02 Mar 2026 09:00:30 GMT", now) == 30.0
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after("soon", now) is None


async def test_attempts_are_bounded(simulator, make_client, clock):
    simulator.fail_next("500", path_contains="tauxtva", count=100)
    async with make_client(simulator.transport(), RetryPolicy(max_attempts=3, rng=random.Random(1))) as chorus:
        with pytest.raises(ChorusUnavailable):
            await chorus.vat_rates()
    assert chorus.calls["transverses/v1/recuperer/tauxtva"] == 3
    assert len(clock.slept) == 2


async def test_total_time_is_bounded(simulator, make_client, clock):
    simulator.fail_next("429", path_contains="tauxtva", count=100)
    policy = RetryPolicy(max_attempts=100, max_total_seconds=7, rng=random.Random(1))
    async with make_client(simulator.transport(), policy) as chorus:
        with pytest.raises(ChorusUnavailable):
            await chorus.vat_rates()
    # Retry-After is 2 s: waits at 0, 2, 4, 6 s elapsed fit in 7 s; the next would not.
    assert clock.slept == [2.0, 2.0, 2.0]
    assert sum(clock.slept) <= 7


async def test_retries_are_logged_without_secrets(client, simulator, caplog):
    caplog.set_level(logging.DEBUG)
    simulator.fail_next("503", path_contains="tauxtva")
    await client.vat_rates()
    retry_lines = [record.getMessage() for record in caplog.records if "retrying" in record.getMessage()]
    assert len(retry_lines) == 1
    assert "transverses/v1/recuperer/tauxtva" in retry_lines[0]
    assert "attempt 1" in retry_lines[0]


@pytest.mark.parametrize("fault", ["429", "connect_timeout", "503", "html"])
async def test_deposit_retried_only_when_not_received(client, simulator, fault):
    structure = open_structure()
    request = await pdf_request(client, structure, f"FAC-SAFE-{fault}")
    simulator.fail_next(fault, path_contains="soumettre")
    result = await client.submit_invoice(request)
    assert client.calls["factures/v1/soumettre"] == 2
    assert [invoice.id for invoice in simulator.invoices()] == [result.invoice_id]


async def test_token_cached_and_renewed_before_expiry(client, clock):
    await client.vat_rates()
    clock.advance(3600 - 240 - 1)
    await client.vat_rates()
    assert client.calls["api/oauth/token"] == 1
    clock.advance(2)
    await client.vat_rates()
    assert client.calls["api/oauth/token"] == 2


async def test_expired_token_renewed_once(client, simulator):
    await client.vat_rates()
    simulator.expire_tokens()
    await client.vat_rates()
    assert client.calls["api/oauth/token"] == 2
    assert client.calls["transverses/v1/recuperer/tauxtva"] == 3


async def test_token_expiry_fault_on_deposit(client, simulator):
    structure = open_structure()
    request = await pdf_request(client, structure, "FAC-TOKEN-1")
    simulator.fail_next("token_expiry", path_contains="soumettre")
    result = await client.submit_invoice(request)
    assert [invoice.id for invoice in simulator.invoices()] == [result.invoice_id]


async def test_token_endpoint_faults_retried(client, simulator):
    simulator.fail_next("503", path_contains="oauth")
    await client.vat_rates()
    assert client.calls["api/oauth/token"] == 2


async def test_headers_sent_on_api_calls(simulator, make_client, credentials):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return simulator.handle(request)

    async with make_client(httpx.MockTransport(handler)) as chorus:
        await chorus.vat_rates()
    token_request, api_request = seen
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = dict(item.split("=", 1) for item in token_request.content.decode().split("&"))
    assert form["grant_type"] == "client_credentials"
    assert form["scope"] == "openid"
    assert form["client_id"] == "demo-client"
    assert api_request.headers["Content-Type"] == "application/json;charset=utf-8"
    assert api_request.headers["Accept"] == "application/json"
    assert api_request.headers["Authorization"].startswith("Bearer sim-")
    expected = base64.b64encode(f"{credentials.technical_login}:{TECHNICAL_PASSWORD}".encode()).decode()
    assert api_request.headers["cpro-account"] == expected
    assert api_request.url.path == "/cpro/transverses/v1/recuperer/tauxtva"


async def test_secrets_absent_from_repr_errors_and_logs(clock, make_client, caplog, credentials):
    caplog.set_level(logging.DEBUG)
    simulator = Simulator(clock, seed=3, faults=FaultProfile(http_500=0.3, timeout=0.1, http_429=0.1))
    account = base64.b64encode(f"{credentials.technical_login}:{TECHNICAL_PASSWORD}".encode()).decode()
    texts = []
    async with make_client(simulator.transport(), RetryPolicy(max_attempts=2, rng=random.Random(2))) as chorus:
        texts.append(repr(chorus))
        for _ in range(10):
            try:
                await chorus.vat_rates()
            except ChorusError as error:
                texts.append(str(error))
                texts.append(repr(error))
    texts.extend(record.getMessage() for record in caplog.records)
    texts.append(repr(credentials))
    for text in texts:
        assert CLIENT_SECRET not in text
        assert TECHNICAL_PASSWORD not in text
        assert account not in text


def test_policy_rejects_zero_attempts():
    with pytest.raises(ValueError, match="max_attempts=0"):
        RetryPolicy(max_attempts=0)


async def test_authenticate_caches_token(client):
    await client.authenticate()
    await client.vat_rates()
    assert client.calls["api/oauth/token"] == 1


async def test_concurrent_calls_share_one_token(client):
    await asyncio.gather(*(client.vat_rates() for _ in range(5)))
    assert client.calls["api/oauth/token"] == 1
    assert client.calls["transverses/v1/recuperer/tauxtva"] == 5


async def test_fresh_tokens_rejected_repeatedly(client, simulator):
    simulator.fail_next("token_expiry", path_contains="tauxtva", count=50)
    with pytest.raises(ChorusUnavailable) as caught:
        await client.vat_rates()
    assert caught.value.reason == "token_rejected"
    assert str(caught.value).startswith("PISTE a refusé le jeton d'accès qu'il venait de délivrer")
