"""The client over a real socket on 127.0.0.1, for failures only a real connection produces."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from chorus_tui.chorus.errors import ChorusUnavailable, OutcomeUnknown
from chorus_tui.chorus.models.factures import (
    InvoiceRecipient,
    InvoiceSupplier,
    SubmitInvoiceRequest,
)
from chorus_tui.chorus.retry import RetryPolicy
from chorus_tui.chorus.settings import ConnectionSettings, Environment
from chorus_tui.sandbox.server import serve
from chorus_tui.sandbox.simulator import Simulator
from tests.chorus.cases import open_structure, pdf_request


class FaultyChorus(BaseHTTPRequestHandler):
    """Serves a token, then breaks each API response in the way its path names."""

    protocol_version = "HTTP/1.1"
    hits: list[str] = []

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        type(self).hits.append(self.path)
        if self.path == "/api/oauth/token":
            self._send_json({"access_token": "real-socket", "expires_in": 3600})
        elif self.path.endswith("/soumettre"):
            # Announce 400 bytes, send 20, then close: a truncated response after processing.
            self.send_response(200)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", "400")
            self.end_headers()
            self.wfile.write(b'{"codeRetour":0,"lib')
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif self.path.endswith("/tauxtva") and type(self).hits.count(self.path) == 1:
            # Close without any response the first time only.
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        else:
            self._send_json({"codeRetour": 0, "libelle": "TRA_MSG_00.000", "listeTauxTva": []})

    def _send_json(self, body: dict) -> None:
        content = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    FaultyChorus.hits = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FaultyChorus)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def local_settings(port: int) -> ConnectionSettings:
    base = f"http://127.0.0.1:{port}"
    return ConnectionSettings(Environment.QUALIFICATION, f"{base}/api/oauth/token", base)


def minimal_request() -> SubmitInvoiceRequest:
    return SubmitInvoiceRequest(
        deposit_mode="SAISIE_API",
        recipient=InvoiceRecipient(siret="21170753455688"),
        supplier=InvoiceSupplier(supplier_id=1),
    )


async def test_truncated_deposit_is_outcome_unknown(server, make_client):
    port = server.server_address[1]
    async with make_client(httpx.AsyncHTTPTransport(), settings=local_settings(port)) as client:
        with pytest.raises(OutcomeUnknown) as caught:
            await client.submit_invoice(minimal_request())
    assert caught.value.cause == "truncated"
    assert FaultyChorus.hits.count("/cpro/factures/v1/soumettre") == 1


async def test_dropped_read_is_retried(server, make_client):
    port = server.server_address[1]
    async with make_client(httpx.AsyncHTTPTransport(), settings=local_settings(port)) as client:
        assert await client.vat_rates() == []
    assert FaultyChorus.hits.count("/cpro/transverses/v1/recuperer/tauxtva") == 2


async def test_connection_refused_is_unavailable(make_client):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on `port` any more, so the connection is refused.
    policy = RetryPolicy(max_attempts=2)
    async with make_client(httpx.AsyncHTTPTransport(), policy, settings=local_settings(port)) as client:
        with pytest.raises(ChorusUnavailable) as caught:
            await client.submit_invoice(minimal_request())
    assert caught.value.reason == "connection"
    assert client.calls["api/oauth/token"] == 2


@pytest.fixture
def served_simulator(clock):
    simulator = Simulator(clock, seed=5)
    httpd = serve(0, simulator=simulator, background=True)
    yield simulator, httpd
    httpd.shutdown()
    httpd.server_close()


async def test_deposit_through_served_simulator(served_simulator, make_client):
    simulator, httpd = served_simulator
    settings = ConnectionSettings(Environment.QUALIFICATION, httpd.token_url, httpd.base_url)
    async with make_client(httpx.AsyncHTTPTransport(), settings=settings) as client:
        result = await client.submit_invoice(await pdf_request(client, open_structure(), "HTTP-0001"))
        simulator.fail_next("timeout_after", path_contains="soumettre")
        with pytest.raises(OutcomeUnknown):
            await client.submit_invoice(await pdf_request(client, open_structure(), "HTTP-0002"))
    numbers = [invoice.number for invoice in simulator.invoices()]
    assert numbers == ["HTTP-0001", "HTTP-0002"]
    assert simulator.invoice(result.invoice_id).status == "DEPOSEE"
