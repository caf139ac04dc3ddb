"""Typed errors of the Chorus Pro client, each carrying a French/English message that names the cause and the fix.

Messages never contain a secret: the client secret and the technical password are never passed here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from chorus_tui.chorus.settings import Environment
from chorus_tui.i18n import Message, catalogue

# Display names of the API families, as PISTE lists them in its catalogue.
API_FAMILY_NAMES = {
    "factures": "Factures",
    "structures": "Structures",
    "transverses": "Transverses",
    "utilisateurs": "Utilisateurs",
    "engagementsJuridiques": "Engagements juridiques",
}

# Chorus Pro codes for a file above 10 MB: 20001 on deposer/flux, 20003 on ajouter/fichier.
FILE_TOO_LARGE_CODES = frozenset({20001, 20003})


@dataclass(frozen=True)
class ComposedMessage(Message):
    """A message whose parameters may be messages too, all rendered in the same language."""

    def render(self, lang: str | None = None) -> str:
        if lang is None:
            return str(self)
        params: dict[str, Any] = {
            name: value.render(lang) if isinstance(value, Message) else value for name, value in self.params.items()
        }
        text = catalogue(lang)[self.key]
        return text.format(**params) if params else text


def environment_message(environment: Environment) -> Message:
    return Message(f"chorus.environment_{environment.value}")


def server_detail(text: str | None) -> Message:
    """Quote the server's own wording (often English) as a separate sentence after the explanation."""
    if not text:
        return Message("chorus.no_server_detail")
    return Message("chorus.server_detail", {"detail": text})


class ChorusError(Exception):
    """Base of every error the client raises; `message` is rendered in the user's language."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.key)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class ApplicationRefused(ChorusError):
    """The PISTE token endpoint rejected the client id or secret (or the application is not in this environment)."""

    def __init__(self, environment: Environment, detail: str) -> None:
        self.environment = environment
        self.detail = detail
        super().__init__(
            ComposedMessage("chorus.application_refused",
                            {"environment": environment_message(environment), "server_detail": server_detail(detail)})
        )


class TechnicalAccountRefused(ChorusError):
    """The API returned 401 even with a fresh token: the technical account (cpro-account) is wrong."""

    def __init__(self, environment: Environment, login: str, description: str | None) -> None:
        self.environment = environment
        self.login = login
        self.description = description
        super().__init__(
            ComposedMessage(
                "chorus.technical_account_refused",
                {"environment": environment_message(environment), "login": login,
                 "server_detail": server_detail(description)},
            )
        )


class ApiNotSubscribed(ChorusError):
    """HTTP 403: the PISTE application is not subscribed to this API family (or has no raccordement)."""

    def __init__(self, api_family: str, environment: Environment) -> None:
        self.api_family = api_family
        self.environment = environment
        name = API_FAMILY_NAMES.get(api_family, api_family)
        super().__init__(
            ComposedMessage("chorus.api_not_subscribed", {"api": name, "environment": environment_message(environment)})
        )


class BusinessError(ChorusError):
    """Chorus Pro returned a `codeRetour` other than 0, and `libelle` is its own (French) wording."""

    def __init__(self, code: int, libelle: str, endpoint: str = "") -> None:
        self.code = code
        self.libelle = libelle
        self.endpoint = endpoint
        self.kind = classify_libelle(libelle)
        key = f"chorus.business_{self.kind}" if self.kind else "chorus.business_error"
        super().__init__(Message(key, {"code": code, "libelle": libelle}))


class FileTooLarge(ChorusError):
    """HTTP 413, or `codeRetour` 20001 / 20003: a file above Chorus Pro's 10 MB limit."""

    def __init__(self, detail: str, code: int | None = None) -> None:
        self.detail = detail
        self.code = code
        super().__init__(ComposedMessage("chorus.file_too_large", {"server_detail": server_detail(detail)}))


class ChorusUnavailable(ChorusError):
    """Chorus Pro or PISTE cannot serve the request now (5xx, timeout, connection, maintenance page, 429).

    `reason` is one of "timeout", "connection", "server", "maintenance", "rate_limited", "bad_response",
    "token_rejected". `url` is the address that was tried; the message shows it without user
    information, query or fragment, so that no secret a user put in it reaches the screen.
    """

    def __init__(self, reason: str, endpoint: str, status: int | None = None, *, url: str | None = None) -> None:
        self.reason = reason
        self.endpoint = endpoint
        self.status = status
        self.url = public_url(url) if url else None
        key = f"chorus.unavailable_{reason}"
        if reason == "connection" and self.url is None:
            key = "chorus.unavailable_connection_no_url"
        super().__init__(Message(key, {"endpoint": endpoint, "status": status, "url": self.url}))


def public_url(url: str) -> str:
    """Return `url` as scheme, host, port and path only: user information, query and fragment removed."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, f"{host}{port}", parts.path, "", ""))


class OutcomeUnknown(ChorusError):
    """A deposit-like request was sent but its response was lost: it may or may not have been recorded.

    The caller must search for the invoice (by number, or by flow) before sending it again.
    `cause` is one of "timeout", "connection", "truncated", "server".
    """

    def __init__(self, endpoint: str, cause: str, status: int | None = None) -> None:
        self.endpoint = endpoint
        self.cause = cause
        self.status = status
        cause_message = Message(f"chorus.cause_{cause}", {"status": status} if cause == "server" else {})
        super().__init__(ComposedMessage("chorus.outcome_unknown", {"endpoint": endpoint, "cause": cause_message}))


class UnexpectedResponse(ChorusError):
    """An HTTP status the API does not document for this case (404, 415, a 4xx without `codeRetour`…)."""

    def __init__(self, endpoint: str, status: int, api_url: str) -> None:
        self.endpoint = endpoint
        self.status = status
        super().__init__(Message("chorus.unexpected_response", {"endpoint": endpoint, "status": status, "api_url": api_url}))


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).replace("’", "'")


def classify_libelle(libelle: str) -> str | None:
    """Return the known kind of a business refusal from its wording, or None.

    NOTE: the official catalogue of Chorus Pro error codes ("Annexe messages d'erreur") was not
    available, so refusals are recognised by keywords of their French wording (accents ignored),
    which covers the portal's duplicate-number sentence and the simulator's wordings.
    """
    text = _fold(libelle)
    if "deja" in text and "depose" in text:
        return "duplicate_number"
    if "10 mo" in text or "taille maximale" in text or "trop volumineux" in text or "gdp_msg_11.022" in text:
        return "file_too_large"
    if ("destinataire" in text or "structure" in text) and (
        "n'existe pas" in text or "inconnu" in text or "introuvable" in text
    ) and "service" not in text and "engagement" not in text:
        return "unknown_structure"
    if "obligatoire" in text:
        has_service = "code service" in text
        has_engagement = "engagement" in text or "bon de commande" in text
        if has_service and has_engagement:
            return "service_or_engagement_missing"
        if has_service:
            return "service_missing"
        if has_engagement:
            return "engagement_missing"
    return None
