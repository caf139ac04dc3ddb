"""Connection test: check the PISTE application, the technical account and each API family, step by step.

Each step yields a `StepResult` with what happened and, on failure, the
likely cause and the fix, so the connection screen and the CLI can show
progress line by line. The PISTE gateway returns 401 for a bad technical
account and 403 for an API the application may not call, so the steps are
ordered to tell those layers apart:

1. token: the PISTE application (client id and secret) in this environment;
2. technical account: `utilisateurs/v1/monCompte/recuperer/rattachements`;
3. one cheap call per API family (Factures, Structures, Transverses, Utilisateurs);
4. supplier: the structures the account invoices for, their bank accounts
   and the technical password expiry date.

This module does not import Textual.
"""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from chorus_tui.chorus.errors import (
    API_FAMILY_NAMES,
    ApiNotSubscribed,
    ApplicationRefused,
    ChorusError,
    ChorusUnavailable,
    TechnicalAccountRefused,
    server_detail,
)
from chorus_tui.chorus.retry import RetryPolicy
from chorus_tui.chorus.settings import DEFAULT_URLS, ConnectionSettings, Credentials
from chorus_tui.chorus.wire import CHORUS_TIMEZONE
from chorus_tui.clock import Clock, SystemClock
from chorus_tui.config import AppConfig, load_config, update_profile
from chorus_tui.i18n import Message
from chorus_tui.secrets import SecretName, SecretStorage, SecretStore
from chorus_tui.validation.display import Day

if TYPE_CHECKING:
    from chorus_tui.chorus.client import ChorusClient
    from chorus_tui.chorus.models.transverses import SupplierStructure

logger = logging.getLogger(__name__)

# Warn about the technical password this many days before it expires. Chorus Pro
# makes it expire 424 days after it was set, and only the structure's main
# manager can reset it, which can take days to arrange.
PASSWORD_EXPIRY_WARNING_DAYS = 30
PASSWORD_EXPIRY_URGENT_DAYS = 7

# Luhn-valid SIRET of no known structure, searched when the supplier's SIRET is unknown.
PLACEHOLDER_SIRET = "00000000000000"


class Step(enum.StrEnum):
    """The steps of the connection test, in the order they run."""

    TOKEN = "token"
    TECHNICAL_ACCOUNT = "technical_account"
    FACTURES = "factures"
    STRUCTURES = "structures"
    TRANSVERSES = "transverses"
    UTILISATEURS = "utilisateurs"
    SUPPLIER = "supplier"


API_FAMILY_STEPS = (Step.FACTURES, Step.STRUCTURES, Step.TRANSVERSES, Step.UTILISATEURS)


class Outcome(enum.StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class BankAccountOption:
    """One valid bank account of a supplier structure."""

    account_id: int
    name: str | None


@dataclass(frozen=True)
class SupplierOption:
    """A structure the technical account may invoice for, with its bank accounts."""

    structure_id: int
    siret: str | None
    name: str | None
    bank_accounts: tuple[BankAccountOption, ...] = ()
    password_expiry: date | None = None


@dataclass(frozen=True)
class StepResult:
    """Result of one step.

    On a failure, `message` is the error's own explanation and `cause` the
    likely cause with its fix in this step's terms. `detail` is the server's
    own text, when the cause does not already contain it. The screen and
    `config test` both show `explanation` then `detail`, so that a failure is
    explained once, in one wording.
    """

    step: Step
    outcome: Outcome
    message: Message
    cause: Message | None = None
    error: ChorusError | None = field(default=None, repr=False, compare=False)
    suppliers: tuple[SupplierOption, ...] = ()
    warning: Message | None = None
    detail: Message | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.SUCCESS

    @property
    def explanation(self) -> Message:
        """The text to show for this step: the cause and fix of a failure, else the outcome."""
        return self.cause if self.cause is not None else self.message

    @property
    def title(self) -> Message:
        return Message(f"connection.step_{self.step}")


@dataclass(frozen=True)
class ConnectionReport:
    """Every step result of one run, with the suppliers found when the test succeeded."""

    steps: tuple[StepResult, ...]

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.steps)

    @property
    def suppliers(self) -> tuple[SupplierOption, ...]:
        for result in self.steps:
            if result.step is Step.SUPPLIER:
                return result.suppliers
        return ()


# Technical logins look like TECH_1_<14 digits>@cpro.fr. NOTE: only that
# sample form is documented, so any TECH_ prefix and suffix is accepted.
TECHNICAL_LOGIN_PATTERN = re.compile(r"^TECH_[A-Za-z0-9_.\-]+@cpro\.fr$", re.IGNORECASE)


def is_technical_login(value: str) -> bool:
    """Tell whether `value` has the form of a Chorus Pro technical account login (TECH_…@cpro.fr)."""
    return bool(TECHNICAL_LOGIN_PATTERN.fullmatch(value.strip()))


def password_expiry_warning(expiry: date | None, today: date) -> Message | None:
    """Return a warning 30 days and 7 days before the technical password expires, and once it has expired."""
    if expiry is None:
        return None
    days = (expiry - today).days
    # `count` is the number of days shown, so that the catalogue can pick the singular or plural form.
    params = {"date": Day(expiry), "days": days, "overdue": -days, "count": abs(days)}
    if days < 0:
        return Message("connection.password_expired", params)
    if days == 0:
        return Message("connection.password_expires_today", params)
    if days <= PASSWORD_EXPIRY_URGENT_DAYS:
        return Message("connection.password_expires_urgent", params)
    if days <= PASSWORD_EXPIRY_WARNING_DAYS:
        return Message("connection.password_expires_soon", params)
    return None


def password_expiry_is_near(expiry: date | None, today: date) -> bool:
    return expiry is not None and (expiry - today).days <= PASSWORD_EXPIRY_WARNING_DAYS


ClientFactory = Callable[..., Any]


async def run_connection_test(
    settings: ConnectionSettings,
    credentials: Credentials,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock | None = None,
    supplier_siret: str | None = None,
    stored_password_expiry: date | None = None,
    client_factory: ClientFactory | None = None,
) -> AsyncIterator[StepResult]:
    """Run the connection test and yield each step's result as soon as it is known.

    `supplier_siret` (from the configuration) is searched in the Structures
    check. When `stored_password_expiry` is near or past, a 401 on the
    technical account suggests an expired password first.
    Steps that cannot run after a failure are yielded as skipped, so the
    caller always receives one result per `Step`. Never raises ChorusError.
    """
    clock = clock or SystemClock()
    if client_factory is None:
        from chorus_tui.chorus.client import ChorusClient as client_factory

    run = _ConnectionRun(settings, credentials, clock, supplier_siret, stored_password_expiry)
    # Two attempts at most: the user waits at the screen, and a retry loop of
    # minutes would hide an outage that the test should report.
    retry = RetryPolicy(max_attempts=2, base_delay=1.0, max_total_seconds=10.0)
    async with client_factory(settings, credentials, transport=transport, clock=clock, retry=retry) as client:
        async for result in run.steps(client):
            logger.info("connection test %s: %s (%s)", result.step, result.outcome,
                        result.error.__class__.__name__ if result.error else "-")
            yield result


async def collect_connection_test(settings: ConnectionSettings, credentials: Credentials,
                                  **options: Any) -> ConnectionReport:
    """Run the whole connection test and return every result at once."""
    results = [result async for result in run_connection_test(settings, credentials, **options)]
    return ConnectionReport(tuple(results))


class _ConnectionRun:
    """State of one connection test run: what each step learnt that a later step needs."""

    def __init__(self, settings: ConnectionSettings, credentials: Credentials, clock: Clock,
                 supplier_siret: str | None, stored_password_expiry: date | None) -> None:
        self.settings = settings
        self.credentials = credentials
        self.clock = clock
        self.supplier_siret = supplier_siret
        self.stored_password_expiry = stored_password_expiry
        self.environment = Message(f"connection.environment_{settings.environment}")
        self.family_results: dict[Step, StepResult] = {}
        self.supplier_structures: list[SupplierStructure] | None = None

    @property
    def today(self) -> date:
        # Chorus Pro dates (the password expiry among them) are French calendar dates.
        return self.clock.now().astimezone(CHORUS_TIMEZONE).date()

    async def steps(self, client: ChorusClient) -> AsyncIterator[StepResult]:
        token = await self._check_token(client)
        yield token
        if not token.ok:
            for step in list(Step)[1:]:
                yield self._skipped(step)
            return

        account = await self._check_account(client)
        yield account
        if account.error is not None and not isinstance(account.error, ApiNotSubscribed):
            for step in list(Step)[2:]:
                yield self._skipped(step)
            return

        stopped = False
        for step in API_FAMILY_STEPS:
            if stopped:
                yield self._skipped(step)
                continue
            result = self.family_results.get(step) or await self._check_family(client, step)
            self.family_results[step] = result
            yield result
            if isinstance(result.error, (ChorusUnavailable, TechnicalAccountRefused)):
                stopped = True

        if stopped or not all(result.ok for result in self.family_results.values()):
            yield self._skipped(Step.SUPPLIER)
            return
        yield await self._collect_supplier(client)

    # -- steps ----------------------------------------------------------------------------------

    async def _check_token(self, client: ChorusClient) -> StepResult:
        try:
            await client.authenticate()
        except ChorusError as error:
            return self._failure(Step.TOKEN, error)
        return StepResult(Step.TOKEN, Outcome.SUCCESS,
                          Message("connection.token_ok", {"environment": self.environment}))

    async def _check_account(self, client: ChorusClient) -> StepResult:
        """Check the technical account with the Utilisateurs API, or with Transverses when Utilisateurs is refused."""
        try:
            attachments = await client.user_attachments()
        except ApiNotSubscribed as error:
            self.family_results[Step.UTILISATEURS] = self._failure(Step.UTILISATEURS, error)
        except ChorusError as error:
            return self._failure(Step.TECHNICAL_ACCOUNT, error)
        else:
            self.family_results[Step.UTILISATEURS] = StepResult(
                Step.UTILISATEURS, Outcome.SUCCESS,
                Message("connection.utilisateurs_ok", {"count": len(attachments)}))
            return self._account_ok()

        # Utilisateurs returned 403, so the account has not been checked yet.
        try:
            self.supplier_structures = list(await client.supplier_structures())
        except ApiNotSubscribed as error:
            self.family_results[Step.TRANSVERSES] = self._failure(Step.TRANSVERSES, error)
            return StepResult(Step.TECHNICAL_ACCOUNT, Outcome.FAILURE, error.message, error=error,
                              cause=Message("connection.cause_no_raccordement", {"environment": self.environment}))
        except ChorusError as error:
            return self._failure(Step.TECHNICAL_ACCOUNT, error)
        self.family_results[Step.TRANSVERSES] = self._transverses_ok()
        return self._account_ok()

    async def _check_family(self, client: ChorusClient, step: Step) -> StepResult:
        try:
            if step is Step.FACTURES:
                await self._first_invoice_page(client)
                return StepResult(step, Outcome.SUCCESS, Message("connection.factures_ok"))
            if step is Step.STRUCTURES:
                return await self._check_structures(client)
            if step is Step.TRANSVERSES:
                self.supplier_structures = list(await client.supplier_structures())
                return self._transverses_ok()
            attachments = await client.user_attachments()
            return StepResult(step, Outcome.SUCCESS,
                              Message("connection.utilisateurs_ok", {"count": len(attachments)}))
        except ChorusError as error:
            return self._failure(step, error)

    async def _first_invoice_page(self, client: ChorusClient) -> None:
        from chorus_tui.chorus.models.factures import InvoiceSearch

        # One result per page keeps the call cheap.
        await client.search_invoice_page(InvoiceSearch(page_size=1), 1)

    async def _check_structures(self, client: ChorusClient) -> StepResult:
        siret = self.supplier_siret or await self._supplier_siret_from_transverses(client)
        # Without any SIRET the search runs on a well-formed placeholder: an
        # unknown SIRET gives an empty list, which still proves the API is open.
        hits = await client.search_structure(siret or PLACEHOLDER_SIRET)
        return StepResult(Step.STRUCTURES, Outcome.SUCCESS,
                          Message("connection.structures_ok", {"count": len(hits)}))

    async def _supplier_siret_from_transverses(self, client: ChorusClient) -> str | None:
        if self.supplier_structures is None:
            try:
                self.supplier_structures = list(await client.supplier_structures())
            except ChorusError:
                return None  # the Transverses step reports this failure itself
        return next((structure.identifier for structure in self.supplier_structures
                     if structure.identifier and structure.identifier.isdigit()), None)

    async def _collect_supplier(self, client: ChorusClient) -> StepResult:
        try:
            structures = self.supplier_structures
            if structures is None:
                structures = list(await client.supplier_structures())
            options = []
            for structure in structures:
                accounts = await client.bank_accounts(structure.structure_id)
                details = await client.get_structure(structure.structure_id)
                options.append(SupplierOption(
                    structure_id=structure.structure_id,
                    siret=structure.identifier,
                    name=structure.name,
                    bank_accounts=tuple(BankAccountOption(account.account_id, account.name) for account in accounts),
                    password_expiry=details.rules.password_expiry,
                ))
        except ChorusError as error:
            return self._failure(Step.SUPPLIER, error)

        if not options:
            return StepResult(Step.SUPPLIER, Outcome.FAILURE, Message("connection.no_supplier"),
                              cause=Message("connection.cause_no_supplier"))

        expiry = next((option.password_expiry for option in options if option.password_expiry), None)
        return StepResult(
            Step.SUPPLIER, Outcome.SUCCESS,
            Message("connection.supplier_ok", {"count": len(options)}),
            suppliers=tuple(options),
            warning=password_expiry_warning(expiry, self.today),
        )

    # -- results --------------------------------------------------------------------------------

    def _account_ok(self) -> StepResult:
        return StepResult(Step.TECHNICAL_ACCOUNT, Outcome.SUCCESS,
                          Message("connection.account_ok", {"login": self.credentials.technical_login}),
                          warning=password_expiry_warning(self.stored_password_expiry, self.today))

    def _transverses_ok(self) -> StepResult:
        count = len(self.supplier_structures or [])
        return StepResult(Step.TRANSVERSES, Outcome.SUCCESS, Message("connection.transverses_ok", {"count": count}))

    def _skipped(self, step: Step) -> StepResult:
        return StepResult(step, Outcome.SKIPPED, Message("connection.skipped"))

    def _failure(self, step: Step, error: ChorusError) -> StepResult:
        return StepResult(step, Outcome.FAILURE, error.message, cause=self._cause(step, error), error=error,
                          detail=_server_words(error))

    def _cause(self, step: Step, error: ChorusError) -> Message:
        """Return the likely cause of `error` at `step`, with the fix the user can apply."""
        environment = self.environment
        if isinstance(error, ChorusUnavailable) and error.reason == "connection":
            # A refused connection usually means a wrong address or a server that is down, not a busy one.
            if error.url is None:
                return Message("connection.cause_unreachable_no_url", {"endpoint": error.endpoint})
            return Message("connection.cause_unreachable", {"url": error.url, "endpoint": error.endpoint})
        if isinstance(error, ChorusUnavailable):
            # The error's own message names the address tried and the kind of failure.
            return error.message
        if isinstance(error, ApplicationRefused):
            return Message("connection.cause_application", {"environment": environment})
        if isinstance(error, TechnicalAccountRefused):
            key = ("connection.cause_account_expiry_first"
                   if password_expiry_is_near(self.stored_password_expiry, self.today)
                   else "connection.cause_account")
            expiry = Day(self.stored_password_expiry) if self.stored_password_expiry else "?"
            return Message(key, {"environment": environment, "login": self.credentials.technical_login,
                                 "date": expiry})
        if isinstance(error, ApiNotSubscribed):
            name = API_FAMILY_NAMES.get(error.api_family, error.api_family)
            return Message("connection.cause_api_not_subscribed", {"api": name, "environment": environment})
        # An unexpected response or a business refusal: the error's own message names the endpoint and status.
        return error.message


def _server_words(error: ChorusError) -> Message | None:
    """Return the server's own text of a refused application or account, which the causes leave out."""
    if isinstance(error, ApplicationRefused):
        return server_detail(error.detail)
    if isinstance(error, TechnicalAccountRefused):
        return server_detail(error.description)
    return None


@dataclass(frozen=True)
class ConnectionSetup:
    """A tested connection the user chose to keep: what the app needs to build its client.

    The connection screen dismisses with one; `save_connection_setup` writes
    it to the configuration file and the secret store.
    """

    profile: str
    settings: ConnectionSettings
    credentials: Credentials = field(repr=False)
    supplier: SupplierOption
    bank_account_id: int | None
    storage: SecretStorage
    # The transport the test ran through, when it was not the network: the
    # in-process simulator of the demo environment, or a test's transport.
    transport: httpx.AsyncBaseTransport | None = field(default=None, repr=False, compare=False)
    invoice_folder: Path | None = None

    @property
    def password_expiry(self) -> date | None:
        return self.supplier.password_expiry


def save_connection_setup(setup: ConnectionSetup, *, store: SecretStore | None = None,
                          config_file: Path | None = None) -> AppConfig:
    """Store the secrets where the user chose, then the rest of the setup in the configuration file.

    Secrets go first: when the keyring fails (SecretsError), nothing is
    written and the user can pick another storage. Raises ConfigError
    when the existing configuration file is invalid.
    """
    store = store or SecretStore(setup.profile)
    store.save({
        SecretName.CLIENT_SECRET: setup.credentials.client_secret,
        SecretName.TECHNICAL_PASSWORD: setup.credentials.technical_password,
    }, setup.storage)

    siret = setup.supplier.siret if setup.supplier.siret and len(setup.supplier.siret) == 14 else None
    changes: dict[str, Any] = {
        "environment": setup.settings.environment,
        "client_id": setup.credentials.client_id,
        "technical_login": setup.credentials.technical_login,
        "supplier_structure_id": setup.supplier.structure_id,
        "supplier_siret": siret,
        "supplier_name": setup.supplier.name,
        "bank_account_id": setup.bank_account_id,
        "technical_password_expiry": setup.password_expiry,
        "urls": _url_overrides(setup.settings, load_config(config_file).profile(setup.profile).urls),
    }
    if setup.invoice_folder is not None:
        changes["invoice_folder"] = setup.invoice_folder
    return update_profile(setup.profile, changes, config_file)


def _url_overrides(settings: ConnectionSettings, current: dict) -> dict:
    """Return the profile's URL overrides with those of `settings`' environment set, or removed when default.

    Only URLs that differ from the real gateways are written, so a profile
    that uses the defaults follows them if they ever change.
    """
    overrides = {environment: urls.model_dump(exclude_none=True) for environment, urls in current.items()}
    token_default, api_default = DEFAULT_URLS[settings.environment]
    changed = {}
    if settings.token_url != token_default:
        changed["token_url"] = settings.token_url
    if settings.api_url != api_default:
        changed["api_url"] = settings.api_url
    if changed:
        overrides[settings.environment] = changed
    else:
        overrides.pop(settings.environment, None)
    return overrides
