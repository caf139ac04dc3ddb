"""Injectable clocks and sleeps, so that tests, soaks and the simulator run in virtual time."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    """Source of the current time and of waits."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware."""

    def monotonic(self) -> float:
        """Return seconds from an arbitrary origin that never goes back."""

    async def sleep(self, seconds: float) -> None:
        """Wait for the given number of seconds."""


class SystemClock:
    """The real wall clock and `asyncio.sleep`."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ManualClock:
    """A clock that moves only when told to; `sleep` advances it at once.

    Tests and soaks use it so that backoff waits, `Retry-After` and the
    simulator's life cycle pass in virtual time.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        self._monotonic = 0.0
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, seconds: float) -> None:
        """Move the clock forward by `seconds`."""
        if seconds < 0:
            raise ValueError(f"cannot move a clock backwards ({seconds} s)")
        self._now += timedelta(seconds=seconds)
        self._monotonic += seconds

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(max(seconds, 0.0))
        await asyncio.sleep(0)
