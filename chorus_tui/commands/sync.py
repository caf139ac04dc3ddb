"""`chorus-tui sync`: poll Chorus Pro once (for cron) and print a summary.

It first resolves deposits left without a response, then runs one poll, and
with `--reconcile` first links the invoices already on Chorus Pro. Exit
status: 0 done, 1 Chorus Pro unreachable, 2 credentials refused, 3 profile
incomplete (missing credentials or configuration error).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import date
from typing import Any

from chorus_tui.i18n import t

EXIT_OK = 0
EXIT_UNREACHABLE = 1
EXIT_CREDENTIALS = 2
EXIT_CONFIGURATION = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=t("sync.help_json"))
    parser.add_argument("--reconcile", action="store_true", help=t("sync.help_reconcile"))
    parser.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD", help=t("sync.help_since"))


def run(args: argparse.Namespace) -> int:
    from chorus_tui.clock import SystemClock

    clock = SystemClock()
    try:
        connection = _connect(args, clock)
    except _ConfigurationProblem as problem:
        return _print_failure(args, EXIT_CONFIGURATION, "configuration", problem.lines)
    return asyncio.run(_run(args, connection, clock))


class _ConfigurationProblem(Exception):
    def __init__(self, lines: list[str]) -> None:
        super().__init__("; ".join(lines))
        self.lines = lines


class _Connection:
    def __init__(self, client: Any, store: Any, simulator: Any = None) -> None:
        self.client = client
        self.store = store
        self.simulator = simulator


def _connect(args: argparse.Namespace, clock) -> _Connection:
    from chorus_tui.chorus.client import ChorusClient
    from chorus_tui.store import Store, StoreError

    if getattr(args, "demo", False):
        return _demo_connection(clock)

    from chorus_tui.chorus.settings import Environment
    from chorus_tui.config import ConfigError
    from chorus_tui.profiles import resolve_profile
    from chorus_tui.secrets import SecretsError

    try:
        profile = resolve_profile(args.profile)
    except (ConfigError, SecretsError, ValueError) as error:
        message = getattr(error, "message", None)
        raise _ConfigurationProblem([str(message) if message is not None else str(error)]) from None
    if profile.credentials is None:
        raise _ConfigurationProblem([str(message) for message in profile.missing])
    try:
        store = Store(profile.database, clock=clock)
    except StoreError as error:
        raise _ConfigurationProblem([str(error.message)]) from None
    simulator = None
    transport = None
    if profile.settings.environment is Environment.DEMO:
        # A profile of the demo environment talks to the simulator the application uses for that profile.
        from chorus_tui.factory import profile_simulator

        simulator = profile_simulator(profile.name, clock)
        transport = simulator.transport()
    client = ChorusClient(profile.settings, profile.credentials, transport=transport, clock=clock)
    return _Connection(client, store, simulator)


def _demo_connection(clock) -> _Connection:
    """Connect to the in-process simulator, sharing the demo application's database and simulator state."""
    from pydantic import SecretStr

    from chorus_tui import paths
    from chorus_tui.chorus.client import ChorusClient
    from chorus_tui.chorus.settings import ConnectionSettings, Credentials, Environment
    from chorus_tui.sandbox.directory import DEMO_SUPPLIER
    from chorus_tui.sandbox.simulator import Simulator
    from chorus_tui.store import Store

    data_dir = paths.make_private_dir(paths.demo_data_dir())
    simulator = Simulator(clock, state_file=data_dir / "simulator.json")
    # The simulator accepts any PISTE application; only the demo technical login matters.
    credentials = Credentials("demo", SecretStr("demo"), DEMO_SUPPLIER.technical_login, SecretStr("demo"))
    client = ChorusClient(ConnectionSettings.for_environment(Environment.DEMO), credentials,
                          transport=simulator.transport(), clock=clock)
    return _Connection(client, Store(data_dir / "demo.sqlite3", clock=clock), simulator)


async def _run(args: argparse.Namespace, connection: _Connection, clock) -> int:
    from chorus_tui.chorus.errors import ChorusError
    from chorus_tui.sync.deposit import STALE_SENDING_AFTER, DepositService
    from chorus_tui.sync.poller import Poller
    from chorus_tui.sync.reconcile import Reconciler
    from chorus_tui.sync.scheduler import CREDENTIAL_ERRORS

    store = connection.store
    result: dict[str, Any] = {"ok": True}
    try:
        try:
            async with connection.client as client:
                deposit_service = DepositService(client, store, clock)
                # The TUI may be sending right now: leave its fresh attempts alone.
                recovered = await deposit_service.recover_pending(min_age=STALE_SENDING_AFTER)
                result["recovered"] = [
                    {"invoice_id": outcome.invoice_id, "state": outcome.state.value} for outcome in recovered
                ]
                if args.reconcile:
                    today = clock.now().date()
                    reconciler = Reconciler(client, store, clock)
                    # Without --since, an interrupted run resumes over its own range rather than one
                    # that moves with today.
                    since, until = (args.since, today) if args.since else reconciler.suggested_range(today)
                    reconciliation = await reconciler.reconcile(since, until)
                    result["reconciliation"] = _reconciliation_json(reconciliation)
                report = await Poller(client, store, clock, deposit_service=deposit_service).poll_once()
                result["poll"] = _report_json(report)
        except CREDENTIAL_ERRORS as error:
            return _print_failure(args, EXIT_CREDENTIALS, "credentials", [str(error.message)],
                                  headline=_credential_headline(error))
        except ChorusError as error:
            return _print_failure(args, EXIT_UNREACHABLE, "unreachable", [str(error.message)])
        result["counts"] = {category.value: count for category, count in store.counts_by_category().items()}
    finally:
        store.close()

    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))
    else:
        _print_summary(result, verbose=getattr(args, "verbose", 0) > 0)
    return EXIT_OK


def _report_json(report) -> dict[str, Any]:
    from chorus_tui.statuses import status_label

    return {
        "window": [day.isoformat() for day in report.window] if report.window else None,
        "pages": report.pages,
        "invoices_seen": report.invoices_seen,
        "history_calls": report.history_calls,
        "flows_checked": report.flows_checked,
        "unmatched": report.unmatched,
        "mismatched": report.mismatched,
        "changes": [
            {
                "invoice_id": change.invoice_id,
                "number": change.number,
                "old_status": change.old_status,
                "new_status": change.new_status,
                "old_label": status_label(change.old_status),
                "new_label": status_label(change.new_status),
                "comment": change.comment,
            }
            for change in report.changes
        ],
    }


def _reconciliation_json(report) -> dict[str, Any]:
    def link(item) -> dict[str, Any]:
        return {"invoice_id": item.invoice_id, "local_number": item.local_number,
                "chorus_number": item.chorus_number, "chorus_invoice_id": item.chorus_invoice_id,
                "status": item.status_code}

    return {
        "from": report.date_from.isoformat(),
        "to": report.date_to.isoformat(),
        "resumed_from": report.resumed_from.isoformat() if report.resumed_from else None,
        "pages": report.pages,
        "invoices_seen": report.invoices_seen,
        "already_linked": report.already_linked,
        "linked": [link(item) for item in report.linked],
        "proposed": [link(item) for item in report.proposed],
        "ambiguous": [link(item) for item in report.ambiguous],
        "drafts": [{"chorus_invoice_id": draft.chorus_invoice_id, "number": draft.number,
                    "invoice_date": draft.invoice_date.isoformat() if draft.invoice_date else None,
                    "recipient": draft.recipient_name} for draft in report.drafts],
        "unmatched": [{"chorus_invoice_id": summary.invoice_id, "number": summary.invoice_number}
                      for summary in report.unmatched],
        "reused_numbers": [link(item) for item in report.reused_numbers],
        "history_missing": list(report.history_missing),
        "incomplete_months": [month.isoformat() for month in report.incomplete_months],
    }


def _print_reconciliation_warnings(reconciliation: dict[str, Any]) -> None:
    """Print the reconciliation's reused numbers, missing histories and incomplete months, when any."""
    from chorus_tui.validation.display import Day

    if reconciliation["reused_numbers"]:
        print(t("reconcile.summary_reused", count=len(reconciliation["reused_numbers"])))
        for item in reconciliation["reused_numbers"]:
            print(t("sync.cli_reused", local=item["local_number"], chorus=item["chorus_number"]))
    if reconciliation["history_missing"]:
        print(t("reconcile.summary_history", count=len(reconciliation["history_missing"])))
    if reconciliation["incomplete_months"]:
        months = ", ".join(str(Day(date.fromisoformat(month))) for month in reconciliation["incomplete_months"])
        print(t("reconcile.summary_incomplete", months=months))


def _print_summary(result: dict[str, Any], *, verbose: bool = False) -> None:
    """Print what changed for the user, and the request counts only with `verbose`."""
    from chorus_tui.statuses import Category, category_label

    recovered = result.get("recovered") or []
    if recovered:
        print(t("sync.cli_recovered", count=len(recovered)))
    reconciliation = result.get("reconciliation")
    if reconciliation:
        print(t("sync.cli_reconciled",
                linked=t("sync.cli_linked_count", count=len(reconciliation["linked"])),
                proposed=t("sync.cli_proposed_count", count=len(reconciliation["proposed"])),
                drafts=t("sync.cli_drafts_count", count=len(reconciliation["drafts"])),
                unmatched=t("sync.cli_unmatched_count", count=len(reconciliation["unmatched"]))))
        for item in reconciliation["proposed"]:
            print(t("sync.cli_proposed", local=item["local_number"], chorus=item["chorus_number"]))
        if reconciliation["proposed"]:
            print(t("sync.cli_proposed_confirm"))
        for draft in reconciliation["drafts"]:
            print(t("sync.cli_draft", number=draft["number"] or "?"))
        _print_reconciliation_warnings(reconciliation)

    poll = result["poll"]
    confirmed = [change for change in poll["changes"] if _confirms_deposit(change)]
    changed = [change for change in poll["changes"] if not _confirms_deposit(change)]
    if confirmed:
        print(t("sync.cli_confirmed", count=len(confirmed)))
        _print_changes(confirmed)
    if changed:
        print(t("sync.cli_changed", count=len(changed)))
        _print_changes(changed)
    if not confirmed and not changed:
        print(t("sync.cli_nothing_changed"))
    if poll["mismatched"]:
        print(t("sync.cli_mismatched", count=poll["mismatched"]))
    if verbose:
        print(t("sync.cli_technical", pages=poll["pages"], history=poll["history_calls"],
                flows=poll["flows_checked"], seen=poll["invoices_seen"], unmatched=poll["unmatched"]))
    counts = result["counts"]
    print(" · ".join(t("sync.cli_category_count", category=category_label(Category(key)), count=value)
                     for key, value in counts.items()))


def _confirms_deposit(change: dict[str, Any]) -> bool:
    """Tell whether a change is Chorus Pro accepting a deposit that was still being sent or integrated."""
    from chorus_tui.statuses import FLOW_DONE_STATES, FLOW_FAILED_STATES, FLOW_PENDING_STATES, SENDING

    not_yet_accepted = FLOW_PENDING_STATES | {SENDING}
    waiting = not_yet_accepted | FLOW_DONE_STATES
    return change["old_status"] in waiting and change["new_status"] not in not_yet_accepted | FLOW_FAILED_STATES


def _print_changes(changes: list[dict[str, Any]]) -> None:
    for change in changes:
        line = t("sync.cli_change", number=change["number"] or "?", old=change["old_label"], new=change["new_label"])
        if change["comment"]:
            line += t("sync.cli_comment", comment=change["comment"])
        print(line)


def _credential_headline(error: Exception) -> str:
    """Name the credential that was rejected: the PISTE application, the technical account or an API subscription."""
    from chorus_tui.chorus.errors import ApplicationRefused, TechnicalAccountRefused

    if isinstance(error, ApplicationRefused):
        return t("sync.cli_failed_application")
    if isinstance(error, TechnicalAccountRefused):
        return t("sync.cli_failed_technical_account")
    return t("sync.cli_failed_subscription")


def _print_failure(args: argparse.Namespace, code: int, kind: str, lines: list[str], *,
                   headline: str | None = None) -> int:
    if args.json:
        print(json.dumps({"ok": False, "error": kind, "messages": lines}, ensure_ascii=False))
    else:
        print(headline or t(f"sync.cli_failed_{kind}"), file=sys.stderr)
        for line in lines:
            print(f"  {line}", file=sys.stderr)
    return code
