"""Where the client connects and with which credentials."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from pydantic import SecretStr


class Environment(enum.StrEnum):
    DEMO = "demo"
    QUALIFICATION = "qualification"
    PRODUCTION = "production"


# Real PISTE gateways; the configuration may point an environment elsewhere,
# for example at `chorus-tui sandbox serve` on http://127.0.0.1:PORT.
DEFAULT_URLS: dict[Environment, tuple[str, str]] = {
    Environment.QUALIFICATION: (
        "https://sandbox-oauth.piste.gouv.fr/api/oauth/token",
        "https://sandbox-api.piste.gouv.fr",
    ),
    Environment.PRODUCTION: (
        "https://oauth.piste.gouv.fr/api/oauth/token",
        "https://api.piste.gouv.fr",
    ),
    # The demo talks to the in-process simulator through an httpx transport;
    # these hosts are never resolved.
    Environment.DEMO: ("http://simulator.invalid/api/oauth/token", "http://simulator.invalid"),
}


@dataclass(frozen=True)
class ConnectionSettings:
    """The two URLs of one environment: the PISTE token endpoint and the API gateway root.

    API paths are appended to `api_url`: `{api_url}/cpro/factures/v1/soumettre`.
    """

    environment: Environment
    token_url: str
    api_url: str

    @classmethod
    def for_environment(cls, environment: Environment) -> "ConnectionSettings":
        token_url, api_url = DEFAULT_URLS[environment]
        return cls(environment, token_url, api_url)


@dataclass(frozen=True)
class Credentials:
    """PISTE application (OAuth client) and Chorus Pro technical account.

    Secrets are `SecretStr`, so that a repr, a log line or a traceback shows
    `**********` instead of their value.
    """

    client_id: str
    client_secret: SecretStr = field(repr=False)
    technical_login: str
    technical_password: SecretStr = field(repr=False)
