"""Serve the simulator over HTTP on the loopback interface (`chorus-tui sandbox serve`).

The token endpoint is at `/api/oauth/token` and the API under `/cpro/`, as on the PISTE gateways,
so a profile points its token URL at `http://127.0.0.1:PORT/api/oauth/token` and its API URL at
`http://127.0.0.1:PORT`.
"""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from chorus_tui.clock import SystemClock
from chorus_tui.sandbox.simulator import TOKEN_PATH, Simulator

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# Headers that the HTTP server writes itself from the body it sends.
_HOP_HEADERS = {"content-length", "transfer-encoding", "connection", "content-encoding"}


class SimulatorServer(ThreadingHTTPServer):
    """A threading HTTP server that passes every request to the simulator."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], simulator: Simulator) -> None:
        self.simulator = simulator
        super().__init__(address, _Handler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}{TOKEN_PATH}"


class _Handler(BaseHTTPRequestHandler):
    server: SimulatorServer
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes; with Nagle's algorithm on, each
    # response then waits for the client's delayed ACK (about 40 ms on Linux).
    disable_nagle_algorithm = True

    def _relay(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        content = self.rfile.read(length) if length else b""
        host, port = self.server.server_address[:2]
        request = httpx.Request(self.command, f"http://{host}:{port}{self.path}",
                                headers=list(self.headers.items()), content=content)
        try:
            response = self.server.simulator.handle(request)
        except httpx.TimeoutException:
            # A simulated timeout: close the connection without sending a response.
            self.close_connection = True
            return
        body = response.content
        self.send_response(response.status_code)
        for name, value in response.headers.items():
            if name.lower() not in _HOP_HEADERS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = _relay
    do_POST = _relay
    do_PUT = _relay
    do_DELETE = _relay

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        log.debug("sandbox %s - %s", self.address_string(), format % args)


def make_server(simulator: Simulator, port: int = 0, host: str = "127.0.0.1") -> SimulatorServer:
    """Bind a server for `simulator` on `host:port` (port 0 picks a free port) without starting it.

    Raises ValueError when `host` is not a loopback address: the simulator never listens on a network.
    """
    if host not in LOOPBACK_HOSTS:
        raise ValueError(f"host {host!r} is not a loopback address; the simulator listens on 127.0.0.1 only")
    return SimulatorServer((host, port), simulator)


def serve(port: int, host: str = "127.0.0.1", simulator: Simulator | None = None, *,
          background: bool = False) -> SimulatorServer:
    """Serve `simulator` (a new one on the system clock by default) on `host:port`.

    With `background=True` the server runs in a daemon thread and is returned at once. Stop it with
    `server.shutdown()` then `server.server_close()`. Otherwise this call serves until Ctrl-C.
    """
    server = make_server(simulator or Simulator(SystemClock()), port, host)
    if background:
        thread = threading.Thread(target=server.serve_forever, name="chorus-sandbox", daemon=True)
        thread.start()
        return server
    log.info("sandbox serving on %s", server.base_url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        log.info("sandbox stopped")
    return server
