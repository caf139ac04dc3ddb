"""The poll scheduler in virtual time: spacing, backoff while unavailable, pause on refused credentials."""

from __future__ import annotations

import asyncio

import pytest

from chorus_tui.chorus.errors import ChorusUnavailable, TechnicalAccountRefused
from chorus_tui.chorus.settings import Environment
from chorus_tui.clock import ManualClock
from chorus_tui.sync.poller import PollReport
from chorus_tui.sync.scheduler import PollScheduler, SchedulerState


class ScriptedPoller:
    """Returns a report or raises the next scripted error, counting calls."""

    def __init__(self, clock: ManualClock, script: list[Exception | None]) -> None:
        self.clock = clock
        self.script = list(script)
        self.calls = 0

    async def poll_once(self) -> PollReport:
        self.calls += 1
        step = self.script.pop(0) if self.script else None
        if step is not None:
            raise step
        return PollReport(started_at=self.clock.now(), finished_at=self.clock.now())


def unavailable() -> ChorusUnavailable:
    return ChorusUnavailable("server", "factures/v1/rechercher/fournisseur", 503)


async def test_waits_interval_between_polls():
    clock = ManualClock()
    poller = ScriptedPoller(clock, [])
    reports = []
    scheduler = PollScheduler(poller, clock, interval=300, on_report=reports.append)
    await scheduler.run(max_polls=3)
    assert poller.calls == 3
    assert clock.slept == [300, 300]
    assert len(reports) == 3
    assert scheduler.state is SchedulerState.STOPPED


async def test_backoff_doubles_then_resets():
    clock = ManualClock()
    poller = ScriptedPoller(clock, [unavailable(), unavailable(), unavailable(), None, unavailable()])
    errors = []
    scheduler = PollScheduler(poller, clock, interval=300, first_backoff=30, max_backoff=100, on_error=errors.append)
    await scheduler.run(max_polls=5)
    assert clock.slept == [30, 60, 100, 300]
    assert len(errors) == 4
    assert scheduler.failures == 1


async def test_refused_credentials_pause_until_resume():
    clock = ManualClock()
    refused = TechnicalAccountRefused(Environment.DEMO, "TECH_1_00000000000000@cpro.fr", None)
    poller = ScriptedPoller(clock, [refused])
    states = []
    scheduler = PollScheduler(poller, clock, interval=5, on_state=states.append)
    task = asyncio.create_task(scheduler.run(max_polls=2))
    for _ in range(20):
        await asyncio.sleep(0)
    assert scheduler.state is SchedulerState.PAUSED
    assert poller.calls == 1
    assert clock.slept == []

    scheduler.resume()
    await asyncio.wait_for(task, timeout=5)
    assert poller.calls == 2
    assert SchedulerState.PAUSED in states
    assert scheduler.last_error is None


async def test_stop_ends_the_wait():
    clock = ManualClock()
    poller = ScriptedPoller(clock, [TechnicalAccountRefused(Environment.DEMO, "TECH", None)])
    scheduler = PollScheduler(poller, clock)
    task = asyncio.create_task(scheduler.run())
    for _ in range(20):
        await asyncio.sleep(0)
    scheduler.stop()
    await asyncio.wait_for(task, timeout=5)
    assert scheduler.state is SchedulerState.STOPPED


def test_invalid_timing_rejected():
    with pytest.raises(ValueError):
        PollScheduler(ScriptedPoller(ManualClock(), []), ManualClock(), interval=0)
