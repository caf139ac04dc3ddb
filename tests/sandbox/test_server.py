"""The served mode on 127.0.0.1 with an ephemeral port, and the `sandbox serve` arguments."""

from __future__ import annotations

import argparse
import base64

import httpx
import pytest

from chorus_tui.commands import sandbox as command
from chorus_tui.sandbox import faults as kinds
from chorus_tui.sandbox.server import make_server, serve
from chorus_tui.sandbox.simulator import Simulator

from .conftest import ACCOUNT_HEADER


@pytest.fixture
def served(sim: Simulator):
    server = serve(0, simulator=sim, background=True)
    yield server
    server.shutdown()
    server.server_close()


def test_served_token_and_call(served):
    assert served.base_url.startswith("http://127.0.0.1:")
    with httpx.Client(base_url=served.base_url, timeout=5) as client:
        token = client.post("/api/oauth/token", data={"grant_type": "client_credentials", "client_id": "a",
                                                      "client_secret": "b", "scope": "openid"}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}", "cpro-account": ACCOUNT_HEADER}
        response = client.post("/cpro/structures/v1/rechercher",
                               json={"structure": {"identifiantStructure": "21170753455688"}}, headers=headers)
        health = client.get("/cpro/transverses/v1/health-check", headers=headers)
    assert served.token_url == f"{served.base_url}/api/oauth/token"
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json;charset=utf-8"
    assert response.json()["listeStructures"][0]["designationStructure"] == "Commune de Valmorin"
    assert health.json()["statusCodeValue"] == 200


def test_served_account_refusal_header(served):
    with httpx.Client(base_url=served.base_url, timeout=5) as client:
        token = client.post("/api/oauth/token", data={"grant_type": "client_credentials", "client_id": "a",
                                                      "client_secret": "b"}).json()["access_token"]
        bad = base64.b64encode(b"nopassword").decode()
        response = client.post("/cpro/structures/v1/rechercher", json={},
                               headers={"Authorization": f"Bearer {token}", "cpro-account": bad})
    assert response.status_code == 401
    assert "login or password incorrects" in response.headers["WWW-Authenticate"]


def test_served_timeout_drops_connection(served, sim):
    sim.fail_next(kinds.TIMEOUT)
    with httpx.Client(base_url=served.base_url, timeout=5) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("/api/oauth/token", data={"grant_type": "client_credentials"})


def test_non_loopback_host_refused(sim):
    with pytest.raises(ValueError, match="loopback"):
        make_server(sim, 0, "0.0.0.0")


def test_serve_arguments():
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    args = parser.parse_args(["serve", "--port", "9001", "--seed", "3", "--faults", "500=0.1",
                              "--refuse-account", "--unsubscribe", "structures", "--unsubscribe", "factures"])
    assert args.sandbox_action == "serve"
    assert args.port == 9001
    assert args.seed == 3
    assert args.faults == "500=0.1"
    assert args.refuse_account is True
    assert args.refuse_application is False
    assert args.unsubscribe == ["structures", "factures"]


def test_run_rejects_bad_fault_profile(capsys):
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    args = parser.parse_args(["serve", "--faults", "418=1"])
    assert command.run(args) == 2
    assert "418=1" in capsys.readouterr().err


def test_run_without_action(capsys):
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    assert command.run(parser.parse_args([])) == 2
    assert "serve" in capsys.readouterr().err


def test_slow_response_releases_lock(monkeypatch):
    from chorus_tui.clock import SystemClock
    from chorus_tui.sandbox import simulator as module

    sim = Simulator(SystemClock())
    waits = []

    def fake_sleep(seconds):
        # Another thread must be able to take the lock while the slow response waits.
        import threading

        result = []

        def try_lock():
            acquired = sim.lock.acquire(blocking=False)
            result.append(acquired)
            if acquired:
                sim.lock.release()

        thread = threading.Thread(target=try_lock)
        thread.start()
        thread.join()
        waits.append((seconds, result[0]))

    monkeypatch.setattr(module.time, "sleep", fake_sleep)
    sim.fail_next(kinds.SLOW)
    response = sim.handle(httpx.Request("POST", "http://127.0.0.1/api/oauth/token",
                                        data={"grant_type": "client_credentials", "client_id": "a",
                                              "client_secret": "b"}))
    assert response.status_code == 200
    assert waits == [(30.0, True)]


def test_cli_serve_end_to_end(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "chorus_tui", "--lang", "fr", "sandbox", "serve", "--port", "0",
         "--state-file", str(tmp_path / "state.json")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = [process.stdout.readline() for _ in range(5)]
        token_line = next(line for line in lines if "token_url" in line)
        api_line = next(line for line in lines if "api_url" in line)
        token_url = token_line.rsplit(" ", 1)[1].strip()
        api_url = api_line.rsplit(" ", 1)[1].strip()
        assert token_url.startswith("http://127.0.0.1:")
        assert token_url == f"{api_url}/api/oauth/token"
        response = httpx.post(token_url, data={"grant_type": "client_credentials", "client_id": "a",
                                               "client_secret": "b"}, timeout=5)
        assert response.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "Simulateur arrêté." in out
