"""The embedded Chorus Pro simulator: the PISTE token endpoint and the `/cpro/...` API in one object.

`Simulator.handle(request)` turns an `httpx.Request` into an `httpx.Response`;
`Simulator.transport()` wraps it for `httpx.Client` and `httpx.AsyncClient`, and
`chorus_tui.sandbox.server.serve` exposes it over HTTP on 127.0.0.1. Every response is
computed under one lock, because the served mode handles requests from several threads.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs

import httpx

from chorus_tui.clock import Clock
from chorus_tui.sandbox import codes, faults as fault_kinds
from chorus_tui.sandbox.directory import DEMO_SUPPLIER, STRUCTURES_BY_SIRET
from chorus_tui.sandbox.faults import AuthPolicy, FaultProfile
from chorus_tui.sandbox.state import DEFAULT_FAILURE_SHARES, InvoiceRecord, Ledger, UserAction
from chorus_tui.sandbox.wire import BadValue, to_paris

log = logging.getLogger(__name__)

TOKEN_PATH = "/api/oauth/token"
TOKEN_LIFETIME_SECONDS = 3600
REQUEST_LOG_LIMIT = 10_000
JSON_CONTENT_TYPE = "application/json;charset=utf-8"
PISTE_ACCOUNT_CHALLENGE = (
    'Bearer realm="PISTE",error="Unauthorized",error_description="login or password incorrects"'
)
MAINTENANCE_HTML = (
    "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Maintenance</title></head>"
    "<body><h1>Chorus Pro est en maintenance</h1>"
    "<p>Le service est momentanément indisponible. Merci de réessayer plus tard.</p></body></html>"
)


@dataclass
class Reply:
    """A handler's response before faults and encoding: HTTP status, JSON body, extra headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    changed: bool = False  # True when the handler modified the ledger, which must then be saved


def ok(body: dict[str, Any], *, label: str = codes.SUCCESS_LABEL, changed: bool = False) -> Reply:
    return Reply(200, {"codeRetour": codes.SUCCESS, "libelle": label, **body}, changed=changed)


def refused(refusal: codes.Refusal) -> Reply:
    return Reply(refusal.http_status, refusal.body())


def guard(handler: Callable[[Simulator, dict[str, Any]], Reply]) -> Callable[[Simulator, dict[str, Any]], Reply]:
    """Wrap a handler so that a BadValue raised while reading the request becomes a VALUE_INVALID refusal."""

    def guarded(sim: Simulator, body: dict[str, Any]) -> Reply:
        try:
            return handler(sim, body)
        except BadValue as error:
            return refused(codes.value_invalid(error.field, error.value))

    guarded.__name__ = handler.__name__
    return guarded


class _DecimalEncoder(json.JSONEncoder):
    def default(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return float(value)
        return super().default(value)


def _without_nulls(value: Any) -> Any:
    # The Swagger types admit no null, so absent values are left out as the real platform does.
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def encode_json(body: Any) -> bytes:
    return json.dumps(_without_nulls(body), cls=_DecimalEncoder, ensure_ascii=False).encode("utf-8")


@dataclass
class _ScriptedFault:
    kind: str
    path_contains: str | None
    remaining: int


class Simulator:
    """A deterministic, in-process Chorus Pro with injectable faults and test controls."""

    def __init__(
        self,
        clock: Clock,
        *,
        seed: int = 0,
        faults: FaultProfile | None = None,
        auth: AuthPolicy | None = None,
        state_file: Path | None = None,
        status_step_seconds: tuple[float, float] = (10, 20),
        failure_shares: tuple[float, float, float] = DEFAULT_FAILURE_SHARES,
    ) -> None:
        """Build a simulator on `clock`.

        `failure_shares` are the shares of deposited invoices that end REJETEE, SUSPENDUE and
        A_RECYCLER instead of MISE_EN_PAIEMENT; `(0, 0, 0)` makes every invoice get paid.
        """
        self.clock = clock
        self.seed = seed
        self.faults = faults or FaultProfile()
        self.auth = auth or AuthPolicy()
        self.state_file = Path(state_file) if state_file is not None else None
        self.ledger = Ledger(seed, status_step_seconds, failure_shares)
        self.lock = threading.RLock()
        self.request_log: list[tuple[str, str, int]] = []  # (method, path, HTTP status or -1 for a timeout)
        self._fault_rng = random.Random(f"{seed}:faults")
        self._token_rng = random.Random(f"{seed}:tokens")
        self._tokens: dict[str, datetime] = {}
        self._scripted: deque[_ScriptedFault] = deque()
        self._loaded_stamp: tuple[int, int] | None = None
        if self.state_file is not None and self.state_file.exists():
            self._load_state(self.state_file)

        from chorus_tui.sandbox import api_directory, api_invoices

        self._routes: dict[str, Callable[[Simulator, dict[str, Any]], Reply]] = {
            **api_directory.ROUTES,
            **api_invoices.ROUTES,
        }

    # -- transport --------------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        """Return an httpx transport for `httpx.Client(transport=...)` or `httpx.AsyncClient(transport=...)`."""
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Return the response to one request, or raise httpx.ConnectTimeout / httpx.ReadTimeout for injected timeouts."""
        with self.lock:
            try:
                response = self._handle(request)
            except httpx.TimeoutException:
                self._log_request(request, -1)
                raise
            self._log_request(request, response.status_code)
            return response

    def _log_request(self, request: httpx.Request, status: int) -> None:
        self.request_log.append((request.method, request.url.path, status))
        if len(self.request_log) > REQUEST_LOG_LIMIT:
            # A long-running served simulator keeps only the most recent half.
            del self.request_log[: REQUEST_LOG_LIMIT // 2]

    def _handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        is_token = path == TOKEN_PATH
        is_api = path.startswith("/cpro/")
        if not is_token and not is_api:
            return self._json_response(Reply(404, {"error": "not_found", "error_description": f"no API at {path}"}))

        fault = self._draw_fault(path, token_endpoint=is_token)
        if fault == fault_kinds.SLOW:
            self._spend(self.faults.slow_seconds)
            fault = None
        if fault in fault_kinds.BEFORE_KINDS and fault != fault_kinds.TOKEN_EXPIRY:
            return self._fault_before(request, fault)

        if is_token:
            return self._json_response(self._issue_token(request))

        if self.auth.maintenance:
            return self._html_response(503, MAINTENANCE_HTML)
        denial = self._check_credentials(request, expire_token=fault == fault_kinds.TOKEN_EXPIRY)
        if denial is not None:
            return denial
        family = path.split("/")[2]
        if family in self.auth.unsubscribed:
            return httpx.Response(403, content=b"")

        reply = self._dispatch(request, path)
        if reply.changed:
            self._persist()
        if fault in fault_kinds.AFTER_KINDS:
            return self._fault_after(request, fault, reply)
        return self._json_response(reply)

    def _dispatch(self, request: httpx.Request, path: str) -> Reply:
        handler = self._routes.get(path)
        if handler is None:
            return Reply(404, {"error": "not_found", "error_description": f"no API at {path}"})
        expected_method = "GET" if path.endswith("/health-check") else "POST"
        if request.method != expected_method:
            return Reply(405, {"error": "method_not_allowed", "error_description": f"use {expected_method}"})
        body: dict[str, Any] = {}
        if expected_method == "POST":
            try:
                parsed = json.loads(request.content or b"{}", parse_float=Decimal)
            except (ValueError, UnicodeDecodeError) as error:
                return refused(codes.body_invalid(f"JSON invalide ({error})"))
            if not isinstance(parsed, dict):
                return refused(codes.body_invalid("le corps doit être un objet JSON"))
            body = parsed
        changed = self._catch_up()
        reply = handler(self, body)
        reply.changed = reply.changed or changed
        return reply

    # -- responses ----------------------------------------------------------------------------------

    @staticmethod
    def _json_response(reply: Reply) -> httpx.Response:
        headers = {"Content-Type": JSON_CONTENT_TYPE, **reply.headers}
        return httpx.Response(reply.status, headers=headers, content=encode_json(reply.body))

    @staticmethod
    def _html_response(status: int, html: str) -> httpx.Response:
        return httpx.Response(status, headers={"Content-Type": "text/html; charset=utf-8"},
                              content=html.encode("utf-8"))

    # -- faults ------------------------------------------------------------------------------------

    def fail_next(self, kind: str, *, path_contains: str | None = None, count: int = 1) -> None:
        """Make the next `count` requests whose path contains `path_contains` meet fault `kind`.

        Scripted faults come before the random profile; `kind` is one of `faults.ALL_KINDS`.
        """
        if kind not in fault_kinds.ALL_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known kinds: {', '.join(fault_kinds.ALL_KINDS)}")
        with self.lock:
            self._scripted.append(_ScriptedFault(kind, path_contains, count))

    def _draw_fault(self, path: str, *, token_endpoint: bool) -> str | None:
        for scripted in self._scripted:
            if scripted.path_contains is not None and scripted.path_contains not in path:
                continue
            if token_endpoint and scripted.kind not in fault_kinds.TOKEN_ENDPOINT_KINDS:
                continue
            scripted.remaining -= 1
            if scripted.remaining <= 0:
                self._scripted.remove(scripted)
            return scripted.kind
        # One draw per request keeps the fault sequence a function of the request sequence.
        draw = self._fault_rng.random()
        if not self.faults.applies_to(path):
            return None
        return self.faults.pick(draw, token_endpoint=token_endpoint)

    def _spend(self, seconds: float) -> None:
        """Let `seconds` pass: advance a manual clock, or really wait with the system clock."""
        advance = getattr(self.clock, "advance", None)
        if callable(advance):
            advance(seconds)
            return
        # Release the lock while waiting, so that a slow response does not hold up the other server threads.
        self.lock.release()
        try:
            time.sleep(seconds)
        finally:
            self.lock.acquire()

    def _fault_before(self, request: httpx.Request, kind: str) -> httpx.Response:
        log.info("simulator fault %s before %s %s", kind, request.method, request.url.path)
        if kind == fault_kinds.CONNECT_TIMEOUT:
            raise httpx.ConnectTimeout("simulated connect timeout", request=request)
        if kind == fault_kinds.TIMEOUT:
            raise httpx.ReadTimeout("simulated read timeout (request not processed)", request=request)
        if kind == fault_kinds.MAINTENANCE_PAGE:
            return self._html_response(503, MAINTENANCE_HTML)
        if kind == fault_kinds.HTTP_429:
            return self._json_response(Reply(
                429, {"error": "too_many_requests", "error_description": "Quota dépassé, réessayez plus tard."},
                headers={"Retry-After": str(self.faults.retry_after_seconds)},
            ))
        status = int(kind)
        return self._json_response(Reply(status, {"error": "server_error",
                                                  "error_description": f"Erreur simulée {status}"}))

    def _fault_after(self, request: httpx.Request, kind: str, reply: Reply) -> httpx.Response:
        log.info("simulator fault %s after %s %s", kind, request.method, request.url.path)
        if kind == fault_kinds.TIMEOUT_AFTER:
            raise httpx.ReadTimeout("simulated read timeout (request processed)", request=request)
        content = encode_json(reply.body)
        if kind == fault_kinds.TRUNCATED:
            content = content[: max(1, len(content) // 2)]
        else:
            content = b"Internal processing error, please retry"
        return httpx.Response(reply.status, headers={"Content-Type": JSON_CONTENT_TYPE}, content=content)

    # -- authentication -------------------------------------------------------------------------

    def _issue_token(self, request: httpx.Request) -> Reply:
        try:
            form = {key: values[0] for key, values in parse_qs(request.content.decode("utf-8")).items()}
        except UnicodeDecodeError:
            form = {}
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "basic" and not form.get("client_id"):
            # Clients may send the client id and secret as HTTP Basic (client_secret_basic) instead of the form.
            try:
                client_id, _, client_secret = base64.b64decode(credentials).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                client_id = client_secret = ""
            form.update(client_id=client_id, client_secret=client_secret)
        if form.get("grant_type") != "client_credentials":
            return Reply(400, {"error": "unsupported_grant_type",
                               "error_description": "grant_type must be client_credentials"})
        if not form.get("client_id") or not form.get("client_secret") or self.auth.refuse_application:
            return Reply(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        token = f"sim-{self._token_rng.getrandbits(128):032x}"
        self._tokens[token] = self.clock.now()
        return Reply(200, {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_SECONDS,
                           "scope": form.get("scope") or "openid"})

    def expire_tokens(self) -> None:
        """Invalidate every token issued so far, so the next API call returns HTTP 401."""
        with self.lock:
            self._tokens.clear()

    def _check_credentials(self, request: httpx.Request, *, expire_token: bool) -> httpx.Response | None:
        authorization = request.headers.get("Authorization", "")
        scheme, _, token = authorization.partition(" ")
        issued = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if issued is not None and (self.clock.now() - issued).total_seconds() >= TOKEN_LIFETIME_SECONDS:
            issued = None
        if issued is None or expire_token:
            if expire_token:
                self._tokens.pop(token.strip(), None)
            return self._json_response(Reply(
                401, {"error": "invalid_token", "error_description": "Access token is missing, invalid or expired"},
                headers={"WWW-Authenticate": 'Bearer realm="PISTE",error="invalid_token"'},
            ))
        if not self._account_accepted(request.headers.get("cpro-account", "")):
            return self._json_response(Reply(
                401, {"error": "Unauthorized", "error_description": "login or password incorrects"},
                headers={"WWW-Authenticate": PISTE_ACCOUNT_CHALLENGE},
            ))
        return None

    def _account_accepted(self, header: str) -> bool:
        if self.auth.refuse_account or not header:
            return False
        try:
            decoded = base64.b64decode(header, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        login, sep, password = decoded.partition(":")
        if not sep or not login or not password:
            return False
        if self.auth.accounts is not None:
            return self.auth.accounts.get(login) == password
        return True

    # -- persistence and life cycle -----------------------------------------------------------------

    def _catch_up(self) -> bool:
        """Apply every flow and invoice step due by now; return True when anything changed."""
        from chorus_tui.sandbox.api_invoices import advance_flows

        self._reload_if_changed()
        now = self.clock.now()
        changed = advance_flows(self, now)
        return self.ledger.catch_up(now) or changed

    def _fresh_ledger(self) -> Ledger:
        return Ledger(self.seed, self.ledger.step_seconds, self.ledger.failure_shares)

    def _state_stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.state_file.stat() if self.state_file is not None else None
        except FileNotFoundError:
            return None
        return (stat.st_mtime_ns, stat.st_size) if stat else None

    def _load_state(self, path: Path) -> None:
        """Load the saved ledger, or move an unreadable file aside and start empty (nothing is deleted)."""
        ledger = self._fresh_ledger()
        try:
            ledger.load(path)
        except (ValueError, KeyError, TypeError) as error:
            aside = path.with_name(f"{path.name}.unreadable-{int(time.time())}")
            path.replace(aside)
            log.warning("simulator state %s is unreadable (%s); moved to %s and started empty", path, error, aside)
        self.ledger = ledger
        self._loaded_stamp = self._state_stamp()

    def _reload_if_changed(self) -> None:
        """Reload the state file when another process (the TUI, `chorus-tui sync`) saved it since."""
        stamp = self._state_stamp()
        if stamp is not None and stamp != self._loaded_stamp:
            self._load_state(self.state_file)

    def _persist(self) -> None:
        if self.state_file is not None:
            self.ledger.save(self.state_file)
            self._loaded_stamp = self._state_stamp()

    # -- helpers for handlers ----------------------------------------------------------------------

    def today(self) -> date:
        return to_paris(self.clock.now()).date()

    # -- test controls -------------------------------------------------------------------------------

    def advance(self, seconds: float) -> None:
        """Advance the clock by `seconds`; works only with a clock that has `advance` (ManualClock)."""
        advance = getattr(self.clock, "advance", None)
        if not callable(advance):
            raise TypeError(f"{type(self.clock).__name__} cannot be advanced; use a ManualClock")
        with self.lock:
            advance(seconds)
            if self._catch_up():
                self._persist()

    def invoices(self) -> list[InvoiceRecord]:
        """Return the invoices Chorus Pro stores now, oldest first and drafts included, after applying due steps."""
        with self.lock:
            if self._catch_up():
                self._persist()
            return sorted(self.ledger.invoices.values(), key=lambda invoice: invoice.id)

    def invoice(self, invoice_id: int) -> InvoiceRecord:
        with self.lock:
            self._catch_up()
            return self.ledger.invoices[invoice_id]

    def set_status(self, invoice_id: int, code: str, comment: str | None = None) -> None:
        """Force an invoice's status now, as a recipient would, and continue its life cycle from there.

        From DEPOSEE or a status of the happy path, the invoice moves on automatically. From any other
        status (SUSPENDUE, A_RECYCLER, REJETEE…), it stays until the supplier acts or the test sets another.
        """
        from chorus_tui.sandbox.state import HAPPY_PATH

        with self.lock:
            self._catch_up()
            invoice = self.ledger.invoices.get(invoice_id)
            if invoice is None:
                raise KeyError(f"invoice {invoice_id} does not exist in the simulator")
            now = self.clock.now()
            self.ledger.record_status(invoice, code, now, comment or "")
            if code == "DEPOSEE":
                remaining = list(HAPPY_PATH)
            elif code in HAPPY_PATH:
                remaining = list(HAPPY_PATH[HAPPY_PATH.index(code) + 1:])
            else:
                remaining = []
            structure = STRUCTURES_BY_SIRET.get(invoice.recipient_siret)
            not_reported = structure.payment_status_not_reported if structure else False
            self.ledger.schedule(invoice, [[step, ""] for step in remaining], now, not_reported)
            self._persist()

    def add_existing_invoice(
        self,
        number: str,
        invoice_date: date,
        recipient_siret: str,
        *,
        status: str = "MISE_A_DISPOSITION",
        amount: Decimal | str = Decimal("1200.00"),
        amount_ht: Decimal | str | None = None,
        draft: bool = False,
        service_code: str = "",
        engagement: str = "",
        deposit_mode: str = "DEPOT_PDF_PORTAIL",
        deposited_at: datetime | None = None,
        comment: str = "",
        follow_life_cycle: bool = False,
    ) -> int:
        """Store an invoice deposited before the tool existed (or a portal draft); return its id.

        `amount` is the total including VAT; `amount_ht` defaults to `amount / 1.2`. A draft gets the
        status BROUILLON and never moves. Other invoices keep `status` unless `follow_life_cycle`.
        """
        from chorus_tui.sandbox.state import HAPPY_PATH

        with self.lock:
            self._reload_if_changed()
            structure = STRUCTURES_BY_SIRET.get(recipient_siret)
            ttc = Decimal(amount)
            ht = Decimal(amount_ht) if amount_ht is not None else (ttc / Decimal("1.2")).quantize(Decimal("0.01"))
            at = deposited_at or self.clock.now()
            service = structure.service_by_code(service_code) if structure and service_code else None
            invoice = InvoiceRecord(
                id=self.ledger.new_invoice_id(),
                number=number,
                invoice_type="FACTURE",
                deposit_mode=deposit_mode,
                invoice_date=invoice_date,
                deposited_at=at,
                recipient_id=structure.id_structure_cpp if structure else 0,
                recipient_siret=recipient_siret,
                recipient_name=structure.designation if structure else "",
                supplier_id=DEMO_SUPPLIER.id_structure_cpp,
                service_code=service_code,
                service_id=service.id if service else None,
                service_name=service.label if service else "",
                engagement=engagement,
                total_ht=ht,
                total_vat=ttc - ht,
                total_ttc=ttc,
                amount_due=ttc,
                vat_type="TVA_SUR_DEBIT",
                bank_account_id=DEMO_SUPPLIER.bank_accounts[0].id,
                draft=draft,
            )
            self.ledger.invoices[invoice.id] = invoice
            if draft:
                self.ledger.record_status(invoice, "BROUILLON", at, comment)
            else:
                self.ledger.record_status(invoice, "DEPOSEE", at)
                if status != "DEPOSEE":
                    self.ledger.record_status(invoice, status, at, comment)
                if follow_life_cycle and status in ("DEPOSEE", *HAPPY_PATH):
                    start = HAPPY_PATH.index(status) + 1 if status in HAPPY_PATH else 0
                    not_reported = structure.payment_status_not_reported if structure else False
                    self.ledger.schedule(invoice, [[code, ""] for code in HAPPY_PATH[start:]], self.clock.now(),
                                         not_reported)
            self._persist()
            return invoice.id

    def record_action(self, invoice: InvoiceRecord, code: str) -> None:
        invoice.actions.append(UserAction(self.ledger.new_history_id(), code, self.clock.now()))
