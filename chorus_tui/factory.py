"""The one place that builds the application from its parts, for the command line and the tests alike.

A test passes a temporary SQLite store, the in-process simulator and a
ManualClock. The command line passes the profile's store and a client for
the real PISTE gateway, or the demo's simulator.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from chorus_tui.chorus.client import ChorusClient
from chorus_tui.chorus.settings import ConnectionSettings, Credentials, Environment
from chorus_tui.clock import Clock, SystemClock
from chorus_tui.i18n import t
from chorus_tui.sources.folder import FolderSource, demo_invoice_folder
from chorus_tui.store import Store
from chorus_tui.sync import DepositService, Poller
from chorus_tui.ui.context import AppContext, Supplier
from chorus_tui.validation import Directory

if TYPE_CHECKING:
    from chorus_tui.connection import ConnectionSetup
    from chorus_tui.profiles import ResolvedProfile
    from chorus_tui.sandbox.simulator import Simulator
    from chorus_tui.ui.app import ChorusApp

log = logging.getLogger(__name__)

# Source folder of a profile whose invoice folder is not set yet: a path that is never a folder, so
# nothing is listed until the connection screen sets the real one.
NO_INVOICE_FOLDER = Path(os.devnull)

# The demo polls often so that the simulated statuses, which move every 10 to 20 s, show up quickly.
DEMO_POLL_INTERVAL = 3.0
DEMO_STATUS_STEP_SECONDS = (10.0, 20.0)


def build_app(
    *,
    store: Store,
    source: FolderSource,
    clock: Clock,
    client: ChorusClient | None = None,
    directory: Directory | None = None,
    deposit_service: DepositService | None = None,
    poller: Poller | None = None,
    supplier: Supplier | None = None,
    profile_label: str = "",
    profile_name: str | None = None,
    demo: bool = False,
    simulator: Simulator | None = None,
    poll_interval: float = 300.0,
    ask_connection: bool = False,
    connect: Any = None,
) -> ChorusApp:
    """Assemble the application; services left out are built over `client` when one is given.

    Without a client the application starts without Chorus Pro (no lookups,
    no deposits, no polling) unless `ask_connection` shows the connection
    screen first and `connect` builds the services from its result.
    """
    from chorus_tui.ui.app import ChorusApp

    context = AppContext(
        store=store,
        source=source,
        clock=clock,
        supplier=supplier or Supplier(),
        profile_label=profile_label,
        profile_name=profile_name,
        demo=demo,
        simulator=simulator,
        poll_interval=poll_interval,
    )
    if client is not None:
        attach_client(context, client, directory=directory, deposit_service=deposit_service, poller=poller)
    context.connect = connect
    return ChorusApp(context, ask_connection=ask_connection)


def attach_client(
    context: AppContext,
    client: ChorusClient,
    *,
    directory: Directory | None = None,
    deposit_service: DepositService | None = None,
    poller: Poller | None = None,
) -> None:
    """Give the context a Chorus Pro client and the services built over it."""
    context.client = client
    context.directory = directory or Directory(client, clock=context.clock)
    context.deposit_service = deposit_service or DepositService(client, context.store, context.clock)
    context.poller = poller or Poller(client, context.store, context.clock, deposit_service=context.deposit_service)


def demo_credentials() -> Credentials:
    """Return credentials for the simulator, which accepts any PISTE application and the demo login."""
    from chorus_tui.sandbox.directory import DEMO_SUPPLIER

    return Credentials("demo", SecretStr("demo"), DEMO_SUPPLIER.technical_login, SecretStr("demo"))


def build_demo_app(
    data_dir: Path,
    clock: Clock | None = None,
    *,
    simulator: Simulator | None = None,
    source: FolderSource | None = None,
    poll_interval: float = DEMO_POLL_INTERVAL,
) -> ChorusApp:
    """Build the demo: the simulator in-process (its state kept in `data_dir`), the bundled invoice PDFs.

    The supplier's structure and bank account are read from the simulator at
    start-up, as they would be from Chorus Pro.
    """
    from chorus_tui.sandbox.directory import DEMO_SUPPLIER
    from chorus_tui.sandbox.simulator import Simulator

    clock = clock or SystemClock()
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    if simulator is None:
        simulator = Simulator(clock, state_file=data_dir / "simulator.json",
                              status_step_seconds=DEMO_STATUS_STEP_SECONDS)
    client = ChorusClient(ConnectionSettings.for_environment(Environment.DEMO), demo_credentials(),
                          transport=simulator.transport(), clock=clock)
    app = build_app(
        store=Store(data_dir / "demo.sqlite3", clock=clock),
        source=source or FolderSource(demo_invoice_folder()),
        clock=clock,
        client=client,
        profile_label=t("ui.profile_demo"),
        demo=True,
        simulator=simulator,
        poll_interval=poll_interval,
    )
    # The demo supplier's password is far from expiry, so the header shows no warning unless a test moves it.
    app.context.password_expiry = DEMO_SUPPLIER.technical_password_expiry.date()
    return app


def profile_label(name: str, environment: Environment) -> str:
    return t("ui.profile_label", profile=name, environment=t(f"ui.environment.{environment.value}"))


def profile_simulator(profile_name: str, clock: Clock) -> Simulator:
    """Build the in-process simulator that serves a profile of the demo environment.

    Its state is kept in the demo data folder, one file per profile, so that
    the invoices deposited in one run are still on "Chorus Pro" at the next.
    """
    from chorus_tui import paths
    from chorus_tui.sandbox.simulator import Simulator

    folder = paths.demo_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return Simulator(clock, state_file=folder / f"simulator-{profile_name}.json",
                     status_step_seconds=DEMO_STATUS_STEP_SECONDS)


def build_profile_context(profile: ResolvedProfile, *, clock: Clock) -> AppContext:
    """Gather the store, folder, client and services of a configured profile.

    The client is left out when the profile has no credentials or no invoice
    folder: the connection screen then comes first, requests both, and
    `context.connect` builds the client and the folder source. Until then the
    source points at no folder, so the current directory is never read.
    """
    config = profile.config
    folder = config.invoice_folder or NO_INVOICE_FOLDER
    supplier = Supplier(structure_id=config.supplier_structure_id, siret=config.supplier_siret,
                        name=config.supplier_name, bank_account_id=config.bank_account_id)
    source = FolderSource(folder, supplier_sirets={config.supplier_siret} if config.supplier_siret else ())
    environment = profile.settings.environment
    simulator = profile_simulator(profile.name, clock) if environment is Environment.DEMO else None
    context = AppContext(
        store=Store(profile.database, clock=clock),
        source=source,
        clock=clock,
        supplier=supplier,
        profile_label=profile_label(profile.name, environment),
        profile_name=profile.name,
        simulator=simulator,
        poll_interval=float(config.poll_interval_seconds),
        password_expiry=config.technical_password_expiry,
    )
    if profile.credentials is not None and config.invoice_folder is not None:
        transport = simulator.transport() if simulator is not None else None
        attach_client(context, ChorusClient(profile.settings, profile.credentials, transport=transport, clock=clock))

    async def connect(setup: ConnectionSetup) -> None:
        await _connect_from_setup(context, setup, clock)

    context.connect = connect
    return context


def build_profile_app(profile: ResolvedProfile, *, clock: Clock | None = None) -> ChorusApp:
    """Build the application of a configured profile; the connection screen comes first when it has no credentials."""
    from chorus_tui.ui.app import ChorusApp

    context = build_profile_context(profile, clock=clock or SystemClock())
    return ChorusApp(context, ask_connection=context.client is None)


async def _connect_from_setup(context: AppContext, setup: ConnectionSetup, clock: Clock) -> None:
    """Use the connection the user just tested and kept: build the client and read its supplier."""
    transport = setup.transport
    if setup.settings.environment is Environment.DEMO:
        # The test ran on a throw-away simulator; later runs must find what this one deposits.
        context.simulator = context.simulator or profile_simulator(setup.profile, clock)
        transport = context.simulator.transport()
    client = ChorusClient(setup.settings, setup.credentials, transport=transport, clock=clock)
    attach_client(context, client)
    if setup.invoice_folder is not None:
        sirets = {setup.supplier.siret} if setup.supplier.siret else set()
        context.source = FolderSource(setup.invoice_folder, supplier_sirets=sirets)
    context.password_expiry = setup.password_expiry
    context.supplier = Supplier(structure_id=setup.supplier.structure_id, siret=setup.supplier.siret,
                                name=setup.supplier.name, bank_account_id=setup.bank_account_id)
    context.profile_label = profile_label(setup.profile, setup.settings.environment)
    context.profile_name = setup.profile
    log.info("connected profile %s to %s", setup.profile, setup.settings.environment.value)
