"""Run polls one after another, waiting between them, backing off while Chorus Pro is down.

The next poll is scheduled only once the previous one has ended, so polls
never overlap. The scheduler does not import Textual: the UI runs `run()`
in a worker and receives reports and state changes through the callbacks.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable

from chorus_tui.chorus.errors import ApiNotSubscribed, ApplicationRefused, ChorusError, TechnicalAccountRefused
from chorus_tui.clock import Clock
from chorus_tui.sync.poller import Poller, PollReport

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 300.0  # seconds between the end of a poll and the start of the next
DEMO_INTERVAL = 5.0
DEFAULT_FIRST_BACKOFF = 30.0
DEFAULT_MAX_BACKOFF = 1800.0

# Errors that no retry can fix: polling waits until `resume()` after the user fixed the credentials.
CREDENTIAL_ERRORS = (ApplicationRefused, TechnicalAccountRefused, ApiNotSubscribed)


class SchedulerState(enum.StrEnum):
    IDLE = "idle"
    POLLING = "polling"
    WAITING = "waiting"  # between two successful polls
    BACKING_OFF = "backing_off"  # Chorus Pro unavailable; retrying after a growing delay
    PAUSED = "paused"  # credentials refused; waits for resume()
    STOPPED = "stopped"


class PollScheduler:
    """Calls `poller.poll_once()` in a loop with `clock.sleep` between polls."""

    def __init__(
        self,
        poller: Poller,
        clock: Clock,
        *,
        interval: float = DEFAULT_INTERVAL,
        first_backoff: float = DEFAULT_FIRST_BACKOFF,
        max_backoff: float = DEFAULT_MAX_BACKOFF,
        on_report: Callable[[PollReport], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        on_state: Callable[[SchedulerState], None] | None = None,
    ) -> None:
        if interval <= 0 or first_backoff <= 0 or max_backoff < first_backoff:
            raise ValueError(
                f"invalid poll timing: interval={interval}, first_backoff={first_backoff}, "
                f"max_backoff={max_backoff} (all positive, max_backoff >= first_backoff)"
            )
        self.poller = poller
        self.clock = clock
        self.interval = interval
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff
        self.on_report = on_report
        self.on_error = on_error
        self.on_state = on_state
        self.state = SchedulerState.IDLE
        self.failures = 0
        self.polls = 0
        self.last_report: PollReport | None = None
        self.last_error: Exception | None = None
        self._wake = asyncio.Event()
        self._stopping = False

    # --- controls ------------------------------------------------------------------

    def stop(self) -> None:
        """End `run()` after the current poll or wait."""
        self._stopping = True
        self._wake.set()

    def poll_now(self) -> None:
        """Cut the current wait short (also leaves the paused state)."""
        self._wake.set()

    def resume(self) -> None:
        """Poll again after the credentials were fixed."""
        self._wake.set()

    def backoff_delay(self) -> float:
        """Return the wait after `self.failures` consecutive failures: doubled each time, capped."""
        return min(self.max_backoff, self.first_backoff * 2 ** max(self.failures - 1, 0))

    # --- loop ----------------------------------------------------------------------

    async def run(self, *, max_polls: int | None = None) -> None:
        """Poll until `stop()` (or until `max_polls` polls were attempted)."""
        try:
            while not self._stopping and (max_polls is None or self.polls < max_polls):
                delay = await self._poll()
                if self._stopping or (max_polls is not None and self.polls >= max_polls):
                    break
                await self._wait(delay)
        finally:
            self._set_state(SchedulerState.STOPPED)

    async def _poll(self) -> float | None:
        """Run one poll; return the delay before the next, or None to wait for `resume()`."""
        self._set_state(SchedulerState.POLLING)
        self.polls += 1
        try:
            report = await self.poller.poll_once()
        except CREDENTIAL_ERRORS as error:
            log.warning("polling paused: Chorus Pro rejected the credentials (%s)", error.message.key)
            self._record_error(error)
            self._set_state(SchedulerState.PAUSED)
            return None
        except ChorusError as error:
            self.failures += 1
            delay = self.backoff_delay()
            log.warning("poll failed (%s); attempt %d, next in %.0f s", error.message.key, self.failures, delay)
            self._record_error(error)
            self._set_state(SchedulerState.BACKING_OFF)
            return delay
        except Exception as error:  # noqa: BLE001 - a bug must not end polling for good; it is logged
            self.failures += 1
            delay = self.backoff_delay()
            log.exception("poll failed unexpectedly; attempt %d, next in %.0f s", self.failures, delay)
            self._record_error(error)
            self._set_state(SchedulerState.BACKING_OFF)
            return delay
        self.failures = 0
        self.last_error = None
        self.last_report = report
        if self.on_report is not None:
            self.on_report(report)
        self._set_state(SchedulerState.WAITING)
        return self.interval

    async def _wait(self, delay: float | None) -> None:
        self._wake.clear()
        if self._stopping:
            return
        waiter = asyncio.ensure_future(self._wake.wait())
        tasks = {waiter}
        if delay is not None:
            tasks.add(asyncio.ensure_future(self.clock.sleep(delay)))
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()

    def _record_error(self, error: Exception) -> None:
        self.last_error = error
        if self.on_error is not None:
            self.on_error(error)

    def _set_state(self, state: SchedulerState) -> None:
        if state is not self.state:
            self.state = state
            if self.on_state is not None:
                self.on_state(state)
