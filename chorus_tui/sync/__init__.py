"""Deposit engine and status poller: everything that talks to Chorus Pro on the store's behalf."""

from chorus_tui.sync.corrections import CorrectionOutcome, CorrectionService, CorrectionState
from chorus_tui.sync.deposit import DepositOutcome, DepositService, DepositState
from chorus_tui.sync.poller import Poller, PollReport, StatusUpdate
from chorus_tui.sync.reconcile import Reconciler, ReconcileReport
from chorus_tui.sync.scheduler import PollScheduler, SchedulerState

__all__ = [
    "CorrectionOutcome",
    "CorrectionService",
    "CorrectionState",
    "DepositOutcome",
    "DepositService",
    "DepositState",
    "PollReport",
    "PollScheduler",
    "Poller",
    "ReconcileReport",
    "Reconciler",
    "SchedulerState",
    "StatusUpdate",
]
