"""Cached Chorus Pro directory lookups for the pre-deposit checks.

Checking a batch of invoices to the same recipient must not ask Chorus Pro for the same
structure, rules and services again and again: each lookup is cached per SIRET or per
structure id until `refresh` drops it. Errors are not cached, so a failed lookup is tried
again on the next check. Invoice searches (the duplicate guard) are never cached, since
they must reflect what Chorus Pro holds at deposit time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from chorus_tui.chorus.models.factures import InvoiceSearch
from chorus_tui.clock import Clock, SystemClock

if TYPE_CHECKING:
    from chorus_tui.chorus.models.engagements import Engagement
    from chorus_tui.chorus.models.factures import InvoiceSummary
    from chorus_tui.chorus.models.structures import Service, ServiceDetails, StructureDetails, StructureHit
    from chorus_tui.chorus.models.transverses import BankAccount

T = TypeVar("T")

_SEARCH = "search"
_NAME_SEARCH = "name_search"
_STRUCTURE = "structure"
_SERVICES = "services"
_SERVICE = "service"
_BANK_ACCOUNTS = "bank_accounts"
_ENGAGEMENTS = "engagements"


class Directory:
    """Cached view of the Chorus Pro directory, over a ChorusClient (or anything with its methods)."""

    def __init__(self, client: Any, *, clock: Clock | None = None) -> None:
        self.client = client
        self._clock = clock or SystemClock()
        self._values: dict[tuple[str, Hashable], Any] = {}
        self._fetched_at: dict[tuple[str, Hashable], datetime] = {}
        self._locks: dict[tuple[str, Hashable], asyncio.Lock] = {}

    async def _cached(self, kind: str, key: Hashable, fetch: Callable[[], Awaitable[T]]) -> T:
        cache_key = (kind, key)
        if cache_key in self._values:
            return self._values[cache_key]
        lock = self._locks.setdefault(cache_key, asyncio.Lock())
        async with lock:
            # Another task may have filled the entry while this one waited for the lock.
            if cache_key in self._values:
                return self._values[cache_key]
            value = await fetch()
            self._values[cache_key] = value
            self._fetched_at[cache_key] = self._clock.now()
            return value

    async def search_structure(self, siret: str) -> list[StructureHit]:
        """Return the structures registered under a SIRET (`structures/v1/rechercher`)."""
        return await self._cached(_SEARCH, siret, lambda: self.client.search_structure(siret))

    async def search_structures_by_name(self, name: str) -> list[StructureHit]:
        """Return active public structures whose name matches `name`, as suggestions for an unknown SIRET."""
        return await self._cached(_NAME_SEARCH, name.casefold(), lambda: self.client.search_structures_by_name(name))

    async def structure(self, structure_id: int) -> StructureDetails:
        """Return a structure's details and rules (`structures/v1/consulter`)."""
        return await self._cached(_STRUCTURE, structure_id, lambda: self.client.get_structure(structure_id))

    async def services(self, structure_id: int) -> list[Service]:
        """Return every service of a structure, inactive ones and FACTURES_PUBLIQUES included."""
        return await self._cached(_SERVICES, structure_id, lambda: self.client.list_services(structure_id))

    async def service(self, structure_id: int, service_id: int) -> ServiceDetails:
        """Return one service's parameters (`structures/v1/consulter/service`)."""
        return await self._cached(_SERVICE, (structure_id, service_id),
                                  lambda: self.client.get_service(structure_id, service_id))

    async def bank_accounts(self, supplier_id: int) -> list[BankAccount]:
        """Return the supplier's valid bank accounts (`recuperer/coordbanc/valides`)."""
        return await self._cached(_BANK_ACCOUNTS, supplier_id, lambda: self.client.bank_accounts(supplier_id))

    async def engagements(self, supplier_id: int, number: str) -> list[Engagement]:
        """Return the legal commitments with this number placed with the supplier (State recipients)."""
        return await self._cached(_ENGAGEMENTS, (supplier_id, number),
                                  lambda: self.client.search_engagements(supplier_id, number))

    async def find_invoices(self, invoice_number: str, supplier_id: int | None) -> list[InvoiceSummary]:
        """Return the supplier's invoices on Chorus Pro with this number; never cached."""
        search = InvoiceSearch(invoice_number=invoice_number, supplier_id=supplier_id)
        return await self.client.search_invoices(search)

    def services_fetched_at(self, structure_id: int) -> datetime | None:
        """Return when the structure's service list was read from Chorus Pro, or None if never."""
        return self._fetched_at.get((_SERVICES, structure_id))

    def refresh(self, *, siret: str | None = None, structure_id: int | None = None) -> None:
        """Drop cached lookups: those of one SIRET or one structure, or all of them when no key is given."""
        if siret is None and structure_id is None:
            self._values.clear()
            self._fetched_at.clear()
            return
        for cache_key in list(self._values):
            kind, key = cache_key
            matches_siret = siret is not None and kind == _SEARCH and key == siret
            matches_structure = structure_id is not None and (
                (kind in (_STRUCTURE, _SERVICES) and key == structure_id)
                or (kind == _SERVICE and key[0] == structure_id)
            )
            if matches_siret or matches_structure:
                del self._values[cache_key]
                self._fetched_at.pop(cache_key, None)
