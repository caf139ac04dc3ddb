"""Fault injection and authentication policy of the simulator.

A `FaultProfile` gives, per request, the probability of each kind of failure. The simulator draws
one number per request from a generator seeded by its `seed`, so the same sequence of requests
meets the same faults on every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Fault kinds, in the order their probabilities are stacked on [0, 1).
# Faults that strike before the request is processed (nothing is committed):
HTTP_500 = "500"
HTTP_502 = "502"
HTTP_503 = "503"
HTTP_429 = "429"
CONNECT_TIMEOUT = "connect_timeout"  # httpx.ConnectTimeout: the request never reached the server
TIMEOUT = "timeout"  # httpx.ReadTimeout raised before the request is processed
MAINTENANCE_PAGE = "html"  # HTTP 503 with an HTML maintenance page
TOKEN_EXPIRY = "token_expiry"  # the bearer token is treated as expired (HTTP 401)
# Faults that strike after the request is processed (a deposit is committed):
TIMEOUT_AFTER = "timeout_after"  # httpx.ReadTimeout raised after the invoice exists
TRUNCATED = "truncated"  # the JSON body is cut in the middle
NOT_JSON = "not_json"  # a plain-text body instead of JSON
# Not a failure: the response is correct but takes `slow_seconds` of (virtual) time.
SLOW = "slow"

BEFORE_KINDS = (HTTP_500, HTTP_502, HTTP_503, HTTP_429, CONNECT_TIMEOUT, TIMEOUT, MAINTENANCE_PAGE, TOKEN_EXPIRY)
AFTER_KINDS = (TIMEOUT_AFTER, TRUNCATED, NOT_JSON)
ALL_KINDS = BEFORE_KINDS + AFTER_KINDS + (SLOW,)
# The token endpoint commits nothing and checks no token, so only these kinds apply to it.
TOKEN_ENDPOINT_KINDS = (HTTP_500, HTTP_502, HTTP_503, HTTP_429, CONNECT_TIMEOUT, TIMEOUT, MAINTENANCE_PAGE, SLOW)

_RATE_FIELDS = {
    HTTP_500: "http_500",
    HTTP_502: "http_502",
    HTTP_503: "http_503",
    HTTP_429: "http_429",
    CONNECT_TIMEOUT: "connect_timeout",
    TIMEOUT: "timeout",
    MAINTENANCE_PAGE: "maintenance_page",
    TOKEN_EXPIRY: "token_expiry",
    TIMEOUT_AFTER: "timeout_after",
    TRUNCATED: "truncated",
    NOT_JSON: "not_json",
    SLOW: "slow",
}


@dataclass(frozen=True)
class FaultProfile:
    """Probabilities (0 to 1) of each fault per request, and the parameters of some faults.

    `endpoints`, when set, limits faults to requests whose path contains one of its strings
    (for example `{"factures/v1/soumettre"}`). The token endpoint meets only the faults that
    strike before processing.
    """

    http_500: float = 0.0
    http_502: float = 0.0
    http_503: float = 0.0
    http_429: float = 0.0
    connect_timeout: float = 0.0
    timeout: float = 0.0
    maintenance_page: float = 0.0
    token_expiry: float = 0.0
    timeout_after: float = 0.0
    truncated: float = 0.0
    not_json: float = 0.0
    slow: float = 0.0
    retry_after_seconds: int = 2  # Retry-After header of HTTP 429 responses
    slow_seconds: float = 30.0
    endpoints: frozenset[str] | None = None

    def __post_init__(self) -> None:
        total = 0.0
        for kind, name in _RATE_FIELDS.items():
            rate = getattr(self, name)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"fault rate {kind}={rate} is invalid: give a probability between 0 and 1")
            total += rate
        if total > 1.0:
            raise ValueError(f"fault rates add up to {total:.3f}; their sum must not exceed 1")

    @classmethod
    def parse(cls, spec: str) -> FaultProfile:
        """Parse a profile such as `"500=0.1,429=0.05,timeout_after=0.02,retry_after=5,slow_seconds=60"`.

        Keys are the fault kinds (`500`, `502`, `503`, `429`, `connect_timeout`, `timeout`, `html`,
        `token_expiry`, `timeout_after`, `truncated`, `not_json`, `slow`) plus `retry_after`,
        `slow_seconds` and `endpoints` (paths separated by `|`). Raises ValueError naming the bad item.
        """
        values: dict[str, object] = {}
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key, sep, raw = item.partition("=")
            key = key.strip()
            raw = raw.strip()
            if not sep or not raw:
                raise ValueError(f"fault item {item!r} is invalid: write KIND=VALUE, for example 500=0.1")
            try:
                if key in _RATE_FIELDS:
                    values[_RATE_FIELDS[key]] = float(raw)
                elif key == "retry_after":
                    values["retry_after_seconds"] = int(raw)
                elif key == "slow_seconds":
                    values["slow_seconds"] = float(raw)
                elif key == "endpoints":
                    values["endpoints"] = frozenset(filter(None, raw.split("|")))
                else:
                    known = ", ".join(list(_RATE_FIELDS) + ["retry_after", "slow_seconds", "endpoints"])
                    raise ValueError(f"unknown fault kind {key!r}; known kinds: {known}")
            except ValueError as error:
                if "unknown fault kind" in str(error):
                    raise
                raise ValueError(f"fault item {item!r} has an invalid value: {error}") from None
        return cls(**values)  # type: ignore[arg-type]

    def rate(self, kind: str) -> float:
        return getattr(self, _RATE_FIELDS[kind])

    def applies_to(self, path: str) -> bool:
        return self.endpoints is None or any(part in path for part in self.endpoints)

    def pick(self, draw: float, *, token_endpoint: bool) -> str | None:
        """Return the fault kind that the uniform `draw` in [0, 1) selects, or None."""
        threshold = 0.0
        for kind in ALL_KINDS:
            threshold += self.rate(kind)
            if draw < threshold:
                if token_endpoint and kind not in TOKEN_ENDPOINT_KINDS:
                    return None
                return kind
        return None

    def describe(self) -> str:
        parts = [f"{kind}={self.rate(kind)}" for kind in ALL_KINDS if self.rate(kind)]
        return ",".join(parts) or "none"


@dataclass(frozen=True)
class AuthPolicy:
    """Which credentials the simulator accepts and which API families the application may call.

    By default every client id/secret and every technical login/password are accepted.
    `unsubscribed` contains the API families (`factures`, `structures`, `transverses`, `utilisateurs`,
    `engagementsJuridiques`) that return HTTP 403, as PISTE does when the application has not
    subscribed to them. `maintenance` makes every API call return HTTP 503 with an HTML page.
    `accounts`, when set, maps the only accepted technical logins to their passwords.
    """

    refuse_application: bool = False
    refuse_account: bool = False
    unsubscribed: frozenset[str] = field(default_factory=frozenset)
    maintenance: bool = False
    accounts: dict[str, str] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "unsubscribed", frozenset(self.unsubscribed))


API_FAMILIES = ("factures", "structures", "transverses", "utilisateurs", "engagementsJuridiques")
