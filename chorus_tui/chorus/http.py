"""HTTP layer of the Chorus Pro client: PISTE token, headers, retries and the reading of responses.

Every failure becomes a typed `ChorusError`. A request that may create something on Chorus Pro
(soumettre, deposer/flux, recycler, completer) is retried only when it certainly did not reach the
server. Otherwise a lost response raises `OutcomeUnknown`.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from chorus_tui.chorus.errors import (
    FILE_TOO_LARGE_CODES,
    ApiNotSubscribed,
    ApplicationRefused,
    BusinessError,
    ChorusError,
    ChorusUnavailable,
    FileTooLarge,
    OutcomeUnknown,
    TechnicalAccountRefused,
    UnexpectedResponse,
)
from chorus_tui.chorus.retry import RetryPolicy, parse_retry_after
from chorus_tui.chorus.settings import ConnectionSettings, Credentials
from chorus_tui.chorus.wire import decode_json, encode_json
from chorus_tui.clock import Clock, SystemClock

logger = logging.getLogger(__name__)

# OCA's margin: a token is renewed this many seconds before the expiry PISTE reports.
TOKEN_RENEWAL_MARGIN_SECONDS = 240
DEFAULT_TOKEN_LIFETIME_SECONDS = 3600
JSON_CONTENT_TYPE = "application/json;charset=utf-8"

T = TypeVar("T")


class _TransientFailure(Exception):
    """An attempt failed for a reason a later attempt may not meet.

    `safe` is True when the request certainly did not reach Chorus Pro (connection refused, 429,
    503, maintenance page), so even a deposit may be sent again.
    """

    def __init__(
        self,
        error: ChorusError,
        *,
        safe: bool,
        outcome_cause: str,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(error.message.key)
        self.error = error
        self.safe = safe
        self.outcome_cause = outcome_cause
        self.status = status
        self.retry_after = retry_after


class ChorusHttp:
    """HTTP session with the Chorus Pro API through PISTE: token cache, headers, retries, error mapping."""

    def __init__(
        self,
        settings: ConnectionSettings,
        credentials: Credentials,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.settings = settings
        self._credentials = credentials
        self.clock = clock or SystemClock()
        self.retry = retry or RetryPolicy()
        self.calls: Counter[str] = Counter()
        self._http = httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(timeout, connect=15.0))
        self._token: str | None = None
        self._token_valid_until = 0.0  # clock.monotonic() value
        self._token_lock = asyncio.Lock()
        self._token_endpoint = urlsplit(settings.token_url).path.strip("/") or "oauth/token"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(environment={self.settings.environment.value!r}, "
            f"api_url={self.settings.api_url!r}, login={self._credentials.technical_login!r})"
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    # -----------------------------------------------------------------------------------------
    # Retry loop

    async def _with_retries(self, endpoint: str, idempotent: bool, attempt_once: Callable[[], Awaitable[T]]) -> T:
        started = self.clock.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                return await attempt_once()
            except _TransientFailure as failure:
                if not idempotent and not failure.safe:
                    logger.warning(
                        "Chorus Pro %s: response lost after sending (%s); the outcome is unknown",
                        endpoint,
                        failure.outcome_cause,
                    )
                    raise OutcomeUnknown(endpoint, failure.outcome_cause, failure.status) from None
                elapsed = self.clock.monotonic() - started
                wait = self.retry.next_wait(attempt, elapsed, failure.retry_after)
                if wait is None:
                    logger.warning(
                        "Chorus Pro %s: giving up after %d attempt(s) in %.1f s (%s)",
                        endpoint,
                        attempt,
                        elapsed,
                        failure.error.message.key,
                    )
                    raise failure.error from None
                logger.info(
                    "Chorus Pro %s: attempt %d failed (%s, HTTP %s); retrying in %.2f s",
                    endpoint,
                    attempt,
                    failure.error.message.key,
                    failure.status or "-",
                    wait,
                )
                await self.clock.sleep(wait)

    # -----------------------------------------------------------------------------------------
    # PISTE token

    def invalidate_token(self) -> None:
        self._token = None
        self._token_valid_until = 0.0

    async def bearer_token(self) -> str:
        """Return a valid PISTE access token, fetching one when none is cached or it is near expiry."""
        async with self._token_lock:
            if self._token and self.clock.monotonic() < self._token_valid_until:
                return self._token
            token, lifetime = await self._with_retries(self._token_endpoint, True, self._fetch_token_once)
            self._token = token
            self._token_valid_until = self.clock.monotonic() + max(0.0, lifetime - TOKEN_RENEWAL_MARGIN_SECONDS)
            logger.info("PISTE token obtained for %s, valid %d s", self.settings.environment.value, lifetime)
            return token

    async def _fetch_token_once(self) -> tuple[str, float]:
        endpoint = self._token_endpoint
        form = {
            "grant_type": "client_credentials",
            "client_id": self._credentials.client_id,
            "client_secret": self._credentials.client_secret.get_secret_value(),
            "scope": "openid",
        }
        self.calls[endpoint] += 1
        token_url = self.settings.token_url
        response = await self._send(endpoint, token_url, lambda: self._http.post(token_url, data=form))
        status = response.status_code
        if status == 429 or status >= 500 or _looks_like_html(response):
            raise self._server_failure(endpoint, response)
        data = _json_object(response)
        if status in (400, 401, 403):
            raise ApplicationRefused(self.settings.environment, _oauth_error_detail(status, data))
        token = data.get("access_token") if data else None
        if status != 200 or not isinstance(token, str) or not token:
            raise _TransientFailure(
                ChorusUnavailable("bad_response", endpoint, status), safe=True, outcome_cause="truncated", status=status
            )
        try:
            lifetime = float(data.get("expires_in", DEFAULT_TOKEN_LIFETIME_SECONDS))
        except (TypeError, ValueError):
            lifetime = DEFAULT_TOKEN_LIFETIME_SECONDS
        return token, lifetime

    # -----------------------------------------------------------------------------------------
    # API calls

    def _account_header(self) -> str:
        pair = f"{self._credentials.technical_login}:{self._credentials.technical_password.get_secret_value()}"
        return base64.b64encode(pair.encode("utf-8")).decode("ascii")

    async def post(self, endpoint: str, body: dict[str, Any], *, idempotent: bool = True) -> dict[str, Any]:
        """POST `body` to `{api_url}/cpro/{endpoint}` and return the response once `codeRetour` is 0.

        `endpoint` is the path below /cpro, e.g. "factures/v1/soumettre".
        """
        content = encode_json(body)
        return await self._with_retries(endpoint, idempotent, lambda: self._post_once(endpoint, content))

    async def _post_once(self, endpoint: str, content: bytes) -> dict[str, Any]:
        response = await self._send_api(endpoint, content)
        if response.status_code == 401:
            # The token may have expired on PISTE's side before our margin: renew it once.
            logger.info("Chorus Pro %s: HTTP 401, renewing the PISTE token", endpoint)
            self.invalidate_token()
            response = await self._send_api(endpoint, content)
        return self._read_api_response(endpoint, response)

    async def _send_api(self, endpoint: str, content: bytes) -> httpx.Response:
        token = await self.bearer_token()
        headers = {
            "Authorization": f"Bearer {token}",
            "cpro-account": self._account_header(),
            "Content-Type": JSON_CONTENT_TYPE,
            "Accept": "application/json",
        }
        url = f"{self.settings.api_url.rstrip('/')}/cpro/{endpoint}"
        self.calls[endpoint] += 1
        return await self._send(endpoint, url, lambda: self._http.post(url, content=content, headers=headers))

    async def _send(self, endpoint: str, url: str, send: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
        """Run one HTTP exchange with `url`, turning transport errors into transient failures."""
        try:
            return await send()
        except (httpx.ConnectTimeout, httpx.PoolTimeout):
            failure = ChorusUnavailable("timeout", endpoint)
            raise _TransientFailure(failure, safe=True, outcome_cause="timeout") from None
        except httpx.ConnectError:
            failure = ChorusUnavailable("connection", endpoint, url=url)
            raise _TransientFailure(failure, safe=True, outcome_cause="connection") from None
        except httpx.TimeoutException:
            # Read or write timeout: the request may have been processed.
            failure = ChorusUnavailable("timeout", endpoint)
            raise _TransientFailure(failure, safe=False, outcome_cause="timeout") from None
        except httpx.RemoteProtocolError:
            failure = ChorusUnavailable("bad_response", endpoint)
            raise _TransientFailure(failure, safe=False, outcome_cause="truncated") from None
        except httpx.TransportError:
            failure = ChorusUnavailable("connection", endpoint, url=url)
            raise _TransientFailure(failure, safe=False, outcome_cause="connection") from None

    def _server_failure(self, endpoint: str, response: httpx.Response) -> _TransientFailure:
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("Retry-After"), self.clock.now())
        if status == 429:
            error = ChorusUnavailable("rate_limited", endpoint, status)
            return _TransientFailure(error, safe=True, outcome_cause="server", status=status, retry_after=retry_after)
        if _looks_like_html(response) and status in (200, 503):
            error = ChorusUnavailable("maintenance", endpoint, status)
            return _TransientFailure(error, safe=True, outcome_cause="server", status=status, retry_after=retry_after)
        # A 503 means the service refused to take the request; 500, 502 and 504 may come after
        # the request was processed.
        error = ChorusUnavailable("server", endpoint, status)
        return _TransientFailure(
            error, safe=status == 503, outcome_cause="server", status=status, retry_after=retry_after
        )

    def _read_api_response(self, endpoint: str, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        family = endpoint.split("/", 1)[0]
        if status == 401:
            description = _www_authenticate_description(response.headers.get("WWW-Authenticate"))
            if description and re.search(r"invalid_token|expired", description, re.IGNORECASE):
                error = ChorusUnavailable("token_rejected", endpoint, status)
                raise _TransientFailure(error, safe=True, outcome_cause="server", status=status)
            raise TechnicalAccountRefused(
                self.settings.environment, self._credentials.technical_login, description
            )
        if status == 403:
            raise ApiNotSubscribed(family, self.settings.environment)
        if status == 413:
            raise FileTooLarge(f"HTTP 413, {endpoint}")
        if status == 429 or status >= 500 or _looks_like_html(response):
            raise self._server_failure(endpoint, response)

        data = _json_object(response)
        if data is None:
            if status < 300:
                error = ChorusUnavailable("bad_response", endpoint, status)
                raise _TransientFailure(error, safe=False, outcome_cause="truncated", status=status)
            raise UnexpectedResponse(endpoint, status, self.settings.api_url)

        code = _return_code(data)
        if code:
            libelle = str(data.get("libelle") or "")
            logger.info("Chorus Pro %s: request rejected with codeRetour %s (%s)", endpoint, code, libelle)
            if code in FILE_TOO_LARGE_CODES:
                raise FileTooLarge(f"{code} {libelle}".strip(), code)
            raise BusinessError(code, libelle, endpoint)
        if status >= 400:
            raise UnexpectedResponse(endpoint, status, self.settings.api_url)
        return data


def _looks_like_html(response: httpx.Response) -> bool:
    content_type = response.headers.get("Content-Type", "").lower()
    if "text/html" in content_type:
        return True
    head = response.content[:200].lstrip().lower()
    return head.startswith(b"<!doctype html") or head.startswith(b"<html")


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    if not response.content:
        return None
    try:
        data = decode_json(response.content)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _return_code(data: dict[str, Any]) -> int:
    # NOTE: a response without `codeRetour` is taken as a success; the Swagger marks it required
    # but several reference lists are only known from third-party clients.
    raw = data.get("codeRetour", 0)
    try:
        return int(raw)
    except (TypeError, ValueError):
        return -1


def _oauth_error_detail(status: int, data: dict[str, Any] | None) -> str:
    if not data:
        return f"HTTP {status}"
    parts = [str(data[key]) for key in ("error", "error_description") if data.get(key)]
    return ", ".join(parts) if parts else f"HTTP {status}"


def _www_authenticate_description(header: str | None) -> str | None:
    """Return `error_description` (or `error`) of a WWW-Authenticate header, e.g. "login or password incorrects"."""
    if not header:
        return None
    for name in ("error_description", "error"):
        match = re.search(rf'{name}="([^"]*)"', header)
        if match and match.group(1):
            return match.group(1)
    return header.strip() or None
