"""Fault profiles: parsing, determinism and the effect of each kind."""

from __future__ import annotations

import json

import httpx
import pytest

from chorus_tui.clock import ManualClock
from chorus_tui.sandbox import faults as kinds
from chorus_tui.sandbox.faults import FaultProfile
from chorus_tui.sandbox.simulator import Simulator

from .conftest import Api, pdf_body

SEARCH = "/cpro/structures/v1/rechercher"
SUBMIT = "/cpro/factures/v1/soumettre"


def test_parse_profile():
    profile = FaultProfile.parse("500=0.1, 429=0.05,timeout_after=0.02,retry_after=5,slow_seconds=60,"
                                 "endpoints=factures/v1/soumettre|deposer/flux")
    assert profile.http_500 == 0.1
    assert profile.http_429 == 0.05
    assert profile.timeout_after == 0.02
    assert profile.retry_after_seconds == 5
    assert profile.slow_seconds == 60
    assert profile.endpoints == frozenset({"factures/v1/soumettre", "deposer/flux"})
    assert profile.describe() == "500=0.1,429=0.05,timeout_after=0.02"


def test_parse_empty_profile():
    assert FaultProfile.parse("") == FaultProfile()
    assert FaultProfile().describe() == "none"


@pytest.mark.parametrize("spec,fragment", [("500", "KIND=VALUE"), ("418=0.1", "unknown fault kind"),
                                           ("500=abc", "invalid value"), ("500=1.5", "between 0 and 1"),
                                           ("500=0.6,503=0.6", "must not exceed 1")])
def test_parse_rejects_bad_specs(spec, fragment):
    with pytest.raises(ValueError, match=fragment):
        FaultProfile.parse(spec)


def _statuses(seed: int, profile: FaultProfile, count: int = 60) -> list[object]:
    api = Api(Simulator(ManualClock(), seed=seed, faults=profile))
    outcomes = []
    for _ in range(count):
        try:
            outcomes.append(api.http.post(SEARCH, json={}, headers=api.headers()).status_code)
        except httpx.TimeoutException as error:
            outcomes.append(type(error).__name__)
    return outcomes


def test_same_seed_same_faults():
    profile = FaultProfile.parse("500=0.1,502=0.05,503=0.05,429=0.1,timeout=0.05,endpoints=/cpro/")
    first = _statuses(4, profile)
    assert first == _statuses(4, profile)
    assert first != _statuses(5, profile)
    assert {500, 429, 200} <= set(first)


def test_429_has_retry_after(clock):
    api = Api(Simulator(clock, faults=FaultProfile(http_429=1.0, retry_after_seconds=7,
                                                   endpoints=frozenset({"structures"}))))
    response = api.post(SEARCH, {})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"


@pytest.mark.parametrize("kind,status", [(kinds.HTTP_500, 500), (kinds.HTTP_502, 502), (kinds.HTTP_503, 503)])
def test_server_errors(api, sim, kind, status):
    sim.fail_next(kind)
    assert api.post(SEARCH, {}).status_code == status
    assert api.post(SEARCH, {}).status_code == 200


def test_timeout_before_commit_creates_nothing(api, sim):
    body = pdf_body(api)
    sim.fail_next(kinds.TIMEOUT, path_contains="soumettre")
    with pytest.raises(httpx.ReadTimeout):
        api.post(SUBMIT, body)
    assert sim.invoices() == []


def test_connect_timeout(api, sim):
    sim.fail_next(kinds.CONNECT_TIMEOUT)
    with pytest.raises(httpx.ConnectTimeout):
        api.post(SEARCH, {})


def test_timeout_after_commit_keeps_invoice(api, sim):
    body = pdf_body(api)
    sim.fail_next(kinds.TIMEOUT_AFTER, path_contains="soumettre")
    with pytest.raises(httpx.ReadTimeout):
        api.post(SUBMIT, body)
    assert [invoice.number for invoice in sim.invoices()] == ["F-2026-0001"]
    found = api.call("/cpro/factures/v1/rechercher/fournisseur", {"numeroFacture": "F-2026-0001"})
    assert found["parametresRetour"]["total"] == 1
    assert api.call(SUBMIT, body)["codeRetour"] == 20111


def test_async_client_sees_timeout(sim):
    import asyncio

    async def scenario():
        async with httpx.AsyncClient(transport=sim.transport(), base_url="http://simulator.invalid") as client:
            sim.fail_next(kinds.TIMEOUT, path_contains="oauth")
            with pytest.raises(httpx.ReadTimeout):
                await client.post("/api/oauth/token", data={"grant_type": "client_credentials"})
            response = await client.post("/api/oauth/token", data={
                "grant_type": "client_credentials", "client_id": "a", "client_secret": "b"})
            return response.status_code

    assert asyncio.run(scenario()) == 200


def test_truncated_body(api, sim):
    sim.fail_next(kinds.TRUNCATED)
    response = api.post(SEARCH, {})
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_not_json_body(api, sim):
    sim.fail_next(kinds.NOT_JSON)
    response = api.post(SEARCH, {})
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_html_maintenance_fault(api, sim):
    sim.fail_next(kinds.MAINTENANCE_PAGE)
    response = api.post(SEARCH, {})
    assert response.status_code == 503
    assert response.text.startswith("<!DOCTYPE html>")


def test_token_expiry_fault(api, sim):
    sim.fail_next(kinds.TOKEN_EXPIRY)
    token = api.token
    response = api.http.post(SEARCH, json={}, headers=api.headers())
    assert response.status_code == 401
    assert api.http.post(SEARCH, json={}, headers={**api.headers(), "Authorization": f"Bearer {token}"}
                         ).status_code == 401


def test_slow_answer_advances_clock(api, sim, clock):
    sim.fail_next(kinds.SLOW)
    before = clock.now()
    assert api.post(SEARCH, {}).status_code == 200
    assert (clock.now() - before).total_seconds() == 30


def test_endpoint_filter(clock):
    api = Api(Simulator(clock, faults=FaultProfile(http_500=1.0, endpoints=frozenset({"factures/"}))))
    assert api.post(SEARCH, {}).status_code == 200
    assert api.post("/cpro/factures/v1/rechercher/fournisseur", {}).status_code == 500


def test_token_endpoint_skips_after_faults(clock):
    sim = Simulator(clock, faults=FaultProfile(timeout_after=1.0))
    Api(sim)  # would raise if the token request timed out


def test_scripted_fault_waits_for_matching_request(api, sim):
    sim.fail_next(kinds.TIMEOUT_AFTER)
    api.token = api.new_token()  # the token endpoint does not consume an after-processing fault
    with pytest.raises(httpx.ReadTimeout):
        api.post(SEARCH, {})


def test_request_log(api, sim):
    sim.fail_next(kinds.TIMEOUT)
    with pytest.raises(httpx.ReadTimeout):
        api.post(SEARCH, {})
    assert sim.request_log[-1] == ("POST", SEARCH, -1)


def test_fail_next_rejects_unknown_kind(sim):
    with pytest.raises(ValueError, match="unknown fault kind"):
        sim.fail_next("teapot")
