"""Token endpoint, bearer and `cpro-account` checks, subscriptions and maintenance."""

from __future__ import annotations

import base64

import httpx
import pytest

from chorus_tui.sandbox.faults import AuthPolicy
from chorus_tui.sandbox.simulator import Simulator

from .conftest import ACCOUNT_HEADER, Api

TOKEN_FORM = {"grant_type": "client_credentials", "client_id": "id", "client_secret": "secret", "scope": "openid"}
STRUCTURE_SEARCH = "/cpro/structures/v1/rechercher"


def test_token_happy_path(api):
    response = api.http.post("/api/oauth/token", data=TOKEN_FORM)
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "openid"
    assert body["access_token"]


def test_token_accepts_basic_client_credentials(api):
    basic = base64.b64encode(b"id:secret").decode()
    response = api.http.post("/api/oauth/token", data={"grant_type": "client_credentials", "scope": "openid"},
                             headers={"Authorization": f"Basic {basic}"})
    assert response.status_code == 200
    assert response.json()["token_type"] == "Bearer"


def test_token_rejects_other_grant(api):
    response = api.http.post("/api/oauth/token", data={**TOKEN_FORM, "grant_type": "password"})
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_token_requires_client_secret(api):
    response = api.http.post("/api/oauth/token", data={**TOKEN_FORM, "client_secret": ""})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_refused_application(clock):
    sim = Simulator(clock, auth=AuthPolicy(refuse_application=True))
    http = httpx.Client(transport=sim.transport(), base_url="http://simulator.invalid")
    response = http.post("/api/oauth/token", data=TOKEN_FORM)
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client", "error_description": "Client authentication failed"}


def test_missing_bearer_is_401(api):
    response = api.http.post(STRUCTURE_SEARCH, json={}, headers={"cpro-account": ACCOUNT_HEADER})
    assert response.status_code == 401
    assert "invalid_token" in response.headers["WWW-Authenticate"]


def test_unknown_token_is_401(api):
    response = api.http.post(STRUCTURE_SEARCH, json={},
                             headers={"Authorization": "Bearer forged", "cpro-account": ACCOUNT_HEADER})
    assert response.status_code == 401


def _raw_post(api):
    return api.http.post(STRUCTURE_SEARCH, json={}, headers=api.headers())


def test_token_expires_after_an_hour(api, clock):
    assert _raw_post(api).status_code == 200
    clock.advance(3599)
    assert _raw_post(api).status_code == 200
    clock.advance(1)
    assert _raw_post(api).status_code == 401


def test_expire_tokens_control(api, sim):
    sim.expire_tokens()
    assert _raw_post(api).status_code == 401
    api.token = api.new_token()
    assert _raw_post(api).status_code == 200


@pytest.mark.parametrize("header", ["", "not base64 !", base64.b64encode(b"no-colon").decode(),
                                    base64.b64encode(b"login:").decode()])
def test_malformed_account_header_is_401(api, header):
    response = api.http.post(STRUCTURE_SEARCH, json={},
                             headers={"Authorization": f"Bearer {api.token}", "cpro-account": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == (
        'Bearer realm="PISTE",error="Unauthorized",error_description="login or password incorrects"')


def test_refused_account(clock):
    api = Api(Simulator(clock, auth=AuthPolicy(refuse_account=True)))
    response = api.post(STRUCTURE_SEARCH, {})
    assert response.status_code == 401
    assert "login or password incorrects" in response.headers["WWW-Authenticate"]


def test_account_allow_list(clock):
    policy = AuthPolicy(accounts={"TECH_1_81588139669879@cpro.fr": "secret-password"})
    assert Api(Simulator(clock, auth=policy)).post(STRUCTURE_SEARCH, {}).status_code == 200
    other = AuthPolicy(accounts={"TECH_1_81588139669879@cpro.fr": "another"})
    assert Api(Simulator(clock, auth=other)).post(STRUCTURE_SEARCH, {}).status_code == 401


def test_unsubscribed_family_is_403(clock):
    api = Api(Simulator(clock, auth=AuthPolicy(unsubscribed={"structures"})))
    response = api.post(STRUCTURE_SEARCH, {})
    assert response.status_code == 403
    assert response.content == b""
    assert api.post("/cpro/transverses/v1/recuperer/devises", {}).status_code == 200


def test_maintenance_answers_html_503(clock):
    api = Api(Simulator(clock, auth=AuthPolicy(maintenance=True)))
    response = api.post(STRUCTURE_SEARCH, {})
    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("text/html")
    assert "maintenance" in response.text


def test_unknown_path_is_404(api):
    assert api.post("/cpro/factures/v1/inexistant", {}).status_code == 404
    assert api.http.get("/somewhere").status_code == 404


def test_wrong_method_is_405(api):
    assert api.http.get("/cpro/factures/v1/soumettre", headers=api.headers()).status_code == 405
