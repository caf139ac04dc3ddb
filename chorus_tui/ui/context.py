"""Everything the application needs from the core, gathered by `chorus_tui.factory`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from chorus_tui.clock import Clock

if TYPE_CHECKING:
    from chorus_tui.chorus.client import ChorusClient
    from chorus_tui.sandbox.simulator import Simulator
    from chorus_tui.sources.folder import FolderSource
    from chorus_tui.store import Store
    from chorus_tui.sync import DepositService, Poller
    from chorus_tui.validation import Directory


@dataclass
class Supplier:
    """The supplier the deposits are made for: its Chorus Pro structure and bank details."""

    structure_id: int | None = None
    siret: str | None = None
    name: str | None = None
    bank_account_id: int | None = None
    bank_account_label: str | None = None


@dataclass
class AppContext:
    """The core objects one application run uses; the UI never builds them itself.

    `client` may be None until the connection screen has produced one; then
    `connect` builds the client, directory, deposit service and poller.
    """

    store: Store
    source: FolderSource
    clock: Clock
    client: ChorusClient | None = None
    directory: Directory | None = None
    deposit_service: DepositService | None = None
    poller: Poller | None = None
    supplier: Supplier = field(default_factory=Supplier)
    profile_label: str = ""
    profile_name: str | None = None  # None in the demo
    demo: bool = False
    simulator: Simulator | None = None
    poll_interval: float = 60.0
    # dateExpirationMotPasseCompteTech of the technical account, when known: the header warns before it.
    password_expiry: date | None = None
    # Builds client, directory, services and supplier once credentials are known (connection screen).
    connect: Callable[[Any], Awaitable[None]] | None = None

    @property
    def supplier_sirets(self) -> frozenset[str]:
        return frozenset({self.supplier.siret}) if self.supplier.siret else frozenset()
