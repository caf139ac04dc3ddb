"""`chorus-tui check FILE...`: detect the Chorus Pro data of invoices and run every pre-deposit check.

Each file is read, its deposit form pre-filled from the detection, and every check run
against Chorus Pro: the in-process simulator with `--demo` (or a profile whose environment
is the demo), otherwise the profile's configured environment. Nothing is deposited.
When the profile has no credentials (or its configuration cannot be read), only the checks
that need no Chorus Pro lookup run, and each file gets one warning that names why the
directory checks were skipped. Its summary line then does not call the invoice ready to deposit.
With `--json`, one JSON object per file and per line. The exit status is 0 when nothing
blocks, and 1 when a check blocks the deposit of at least one file, a file cannot be read
(which blocks its deposit too) or a folder named yields no PDF; 2 means no file was named.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chorus_tui.i18n import t

if TYPE_CHECKING:
    from chorus_tui.commands.detect import UnusableFolder

EXIT_OK = 0
EXIT_BLOCKING = 1
EXIT_NO_FILES = 2

_LONE_SURROGATES = re.compile("[\ud800-\udfff]")

_LEVEL_KEYS = {"pass": "checks.cli_level_pass", "warning": "checks.cli_level_warning",
               "blocking": "checks.cli_level_blocking"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", metavar="FILE", type=Path, help=t("checks.cli_help_files"))
    parser.add_argument("--json", action="store_true", help=t("checks.cli_help_json"))
    parser.add_argument("--supplier-siret", action="append", default=[], metavar="SIRET", dest="supplier_sirets",
                        help=t("checks.cli_help_supplier_siret"))
    parser.add_argument("--today", type=date.fromisoformat, default=None, metavar="AAAA-MM-JJ",
                        help=t("checks.cli_help_today"))


@dataclass
class Supplier:
    """The supplier that deposits: its SIRETs, Chorus Pro structure id and usual bank account."""

    sirets: frozenset[str] = frozenset()
    structure_id: int | None = None
    bank_account_id: int | None = None


@dataclass
class Connection:
    """A client over the simulator or a configured environment, or why the directory checks are skipped."""

    client: Any = None
    supplier: Supplier = field(default_factory=Supplier)
    skipped_reason: str | None = None

    def skipped_result(self):
        """Return the warning that explains why a file had no Chorus Pro lookup."""
        from chorus_tui.domain import CheckLevel, CheckResult

        return CheckResult("directory", CheckLevel.WARNING, self.skipped_reason or "")


def run(args: argparse.Namespace) -> int:
    from chorus_tui.commands.detect import invoice_paths

    items = invoice_paths(args.files, demo=getattr(args, "demo", False))
    if not items:
        print(t("checks.cli_no_files"), file=sys.stderr)
        return EXIT_NO_FILES
    return asyncio.run(_run(args, items))


def _connect(args: argparse.Namespace) -> Connection:
    """Build the client of the demo simulator or of the active profile."""
    from chorus_tui.chorus.client import ChorusClient
    from chorus_tui.chorus.settings import Environment

    if getattr(args, "demo", False):
        return _demo_connection()

    from chorus_tui.config import ConfigError
    from chorus_tui.profiles import resolve_profile
    from chorus_tui.secrets import SecretsError

    try:
        profile = resolve_profile(getattr(args, "profile", None))
    except ConfigError as error:
        return Connection(skipped_reason=t("checks.cli_directory_skipped_config", reason=str(error.message)))
    except (SecretsError, ValueError) as error:
        reason = str(getattr(error, "message", error))
        return Connection(skipped_reason=t("checks.cli_directory_skipped_config", reason=reason))
    if profile.settings.environment is Environment.DEMO:
        return _demo_connection()
    config = profile.config
    sirets = {config.supplier_siret} if config.supplier_siret else set()
    sirets.update(args.supplier_sirets)
    supplier = Supplier(frozenset(sirets), config.supplier_structure_id, config.bank_account_id)
    if profile.credentials is None:
        reason = t("checks.cli_directory_skipped", profile=profile.name, parts=profile.missing_parts_text())
        return Connection(supplier=supplier, skipped_reason=reason)
    return Connection(ChorusClient(profile.settings, profile.credentials), supplier)


def _demo_connection() -> Connection:
    """Return a client of the in-process simulator, whose state the demo application shares."""
    from pydantic import SecretStr

    from chorus_tui import paths
    from chorus_tui.chorus.client import ChorusClient
    from chorus_tui.chorus.settings import ConnectionSettings, Credentials, Environment
    from chorus_tui.clock import SystemClock
    from chorus_tui.sandbox.directory import DEMO_SUPPLIER
    from chorus_tui.sandbox.simulator import Simulator

    data_dir = paths.make_private_dir(paths.demo_data_dir())
    clock = SystemClock()
    simulator = Simulator(clock, state_file=data_dir / "simulator.json")
    # The simulator accepts any PISTE application; only the demo technical login matters.
    credentials = Credentials("demo", SecretStr("demo"), DEMO_SUPPLIER.technical_login, SecretStr("demo"))
    client = ChorusClient(ConnectionSettings.for_environment(Environment.DEMO), credentials,
                          transport=simulator.transport(), clock=clock)
    supplier = Supplier(frozenset({DEMO_SUPPLIER.siret}), DEMO_SUPPLIER.id_structure_cpp,
                        DEMO_SUPPLIER.bank_accounts[0].id)
    return Connection(client, supplier)


async def _run(args: argparse.Namespace, paths: list[Path | UnusableFolder]) -> int:
    connection = _connect(args)
    if connection.client is None:
        # Without a client, only the checks that need no Chorus Pro lookup can run.
        return await _check_files(args, paths, connection, None)
    async with connection.client as client:
        return await _check_files(args, paths, connection, client)


async def _check_files(args: argparse.Namespace, paths: list[Path | UnusableFolder], connection: Connection,
                       client) -> int:
    """Check and print each file, with every check when `client` is set, else the offline ones only."""
    from chorus_tui.commands.detect import UnusableFolder, _write_safely, unreadable_text
    from chorus_tui.sources import read_invoice
    from chorus_tui.validation import Directory, check_deposit, check_form, form_from_invoice, has_blocking
    from chorus_tui.validation.identifiers import Party, check_siret

    supplier = connection.supplier
    sirets = supplier.sirets | frozenset(args.supplier_sirets)
    today = args.today or paris_today()
    status = EXIT_OK
    ascii_only = (sys.stdout.encoding or "").lower().replace("-", "") != "utf8"
    directory = Directory(client) if client is not None else None
    for path in paths:
        if isinstance(path, UnusableFolder):
            status = EXIT_BLOCKING
            _print_unreadable(args, path.path, path.message(), ascii_only)
            continue
        invoice = read_invoice(path, supplier_sirets=sirets)
        if invoice.errors:
            status = EXIT_BLOCKING
            _print_unreadable(args, path, unreadable_text(invoice, path), ascii_only)
            continue
        form = form_from_invoice(invoice, supplier_id=supplier.structure_id,
                                 bank_account_id=supplier.bank_account_id)
        if directory is not None:
            results = await check_deposit(invoice, form, directory, today=today, supplier_sirets=sirets,
                                          supplier_id=supplier.structure_id)
        else:
            results = check_form(invoice, form, today=today, supplier_sirets=sirets)
            # The recipient's SIRET key is checked before any lookup, so a typo still blocks offline.
            results.append(check_siret(form.recipient_siret, party=Party.RECIPIENT, field="recipient_siret"))
            if supplier.bank_account_id is None:
                # The bank account is chosen on the connection screen after a successful test, so its
                # absence is a missing configuration, which the skipped-checks warning already names.
                results = [result for result in results if result.field != "bank_account_id"]
            results.append(connection.skipped_result())
        if has_blocking(results) and status == EXIT_OK:
            status = EXIT_BLOCKING
        directory_checked = directory is not None
        if args.json:
            report = report_to_json(invoice, form, results, path, directory_checked=directory_checked)
            print(json_line(report, ascii_only=ascii_only))
        else:
            _write_safely(format_report_text(invoice, form, results, path, directory_checked=directory_checked))
        sys.stdout.flush()
    return status


def _print_unreadable(args: argparse.Namespace, path: Path, message: str, ascii_only: bool) -> None:
    """Print the report of a file that cannot be read, or of a folder named that yields no invoice."""
    from chorus_tui.commands.detect import _write_safely, error_to_json, format_error_text

    if args.json:
        report = error_to_json(path, message)
        # Same shape as a checked file: a file that cannot be read blocks its own deposit.
        report["blocking"] = True
        report["checks"] = [{"field": "file", "level": "blocking", "message": message}]
        print(json_line(report, ascii_only=ascii_only))
    else:
        _write_safely(format_error_text(path, message))
    sys.stdout.flush()


def paris_today() -> date:
    """Return today's date in Paris: Chorus Pro compares an invoice date with the French calendar day."""
    from chorus_tui.clock import SystemClock
    from chorus_tui.sync.timezones import paris_date

    return paris_date(SystemClock().now())


def json_line(report: dict[str, Any], *, ascii_only: bool) -> str:
    """Serialise one report as a line of JSON that any UTF-8 reader can decode.

    A file name made of bytes that are not UTF-8 reaches Python as lone surrogates
    (PEP 383), which UTF-8 cannot encode: each one becomes U+FFFD, the replacement
    character, so the line still prints and parses.
    """
    text = json.dumps(report, ensure_ascii=False)
    text = _LONE_SURROGATES.sub("\ufffd", text)
    if ascii_only:
        # Parse and dump again so that every non-ASCII character is escaped the JSON way.
        return json.dumps(json.loads(text), ensure_ascii=True)
    return text


def _decimal_text(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def form_to_json(form) -> dict[str, Any]:
    """Return the pre-filled deposit form as JSON values: strings, numbers as strings, nulls."""
    amounts = form.amounts
    return {
        "invoice_number": form.invoice_number,
        "invoice_date": form.invoice_date.isoformat() if form.invoice_date else None,
        "recipient_siret": form.recipient_siret or None,
        "service_code": form.service_code,
        "engagement_number": form.engagement_number,
        "contract_number": form.contract_number,
        "billing_frame": form.billing_frame,
        "validator_siret": form.validator_siret,
        "vat_type": form.vat_type,
        "vat_exemption_reason": form.vat_exemption_reason,
        "kind": str(form.kind),
        "original_invoice_number": form.original_invoice_number,
        "total_ht": _decimal_text(amounts.total_ht),
        "total_vat": _decimal_text(amounts.total_vat),
        "total_ttc": _decimal_text(amounts.total_ttc),
        "amount_due": _decimal_text(amounts.amount_due),
        "supplier_id": form.supplier_id,
        "bank_account_id": form.bank_account_id,
        "payment_mode": form.payment_mode,
        "route": str(form.route),
    }


def result_to_json(result) -> dict[str, Any]:
    entry: dict[str, Any] = {"field": result.field, "level": str(result.level), "message": str(result.message)}
    if result.options:
        entry["options"] = [{"value": option.value, "label": option.label} for option in result.options]
    return entry


def report_to_json(invoice, form, results, path: Path, *, directory_checked: bool = True) -> dict[str, Any]:
    """Return the `--json` object of one file: the detected fields, the pre-filled form and the checks.

    `directory_checked` is false when the Chorus Pro directory checks were skipped
    (no credentials), so `blocking: false` then covers the offline checks only.
    """
    from chorus_tui.commands.detect import invoice_to_json
    from chorus_tui.validation import has_blocking, suggest_billing_frame

    report = invoice_to_json(invoice, path)
    _frame, reason = suggest_billing_frame(invoice)
    report["form"] = form_to_json(form)
    report["billing_frame_reason"] = str(reason)
    report["blocking"] = has_blocking(results)
    report["directory_checked"] = directory_checked
    report["checks"] = [result_to_json(result) for result in results]
    return report


def format_report_text(invoice, form, results, path: Path, *, directory_checked: bool = True) -> str:
    """Return the readable report of one file: detected data, one line per check, then a summary.

    The summary counts every warning printed above it: the detection warnings
    under "Avertissements" and the checks marked ATTENTION.
    """
    from chorus_tui.commands.detect import format_invoice_text

    lines = [format_invoice_text(invoice, path).rstrip("\n"), f"  {t('checks.cli_checks_header')}"]
    for result in results:
        lines.append(f"    [{t(_LEVEL_KEYS[str(result.level)])}] {result.message}")
        for option in result.options:
            lines.append(f"        - {option.label}")
    blocking = sum(1 for result in results if str(result.level) == "blocking")
    warnings = sum(1 for result in results if str(result.level) == "warning") + len(invoice.detection.warnings)
    warnings_text = t("checks.cli_warning_count", count=warnings)
    if blocking:
        blocking_text = t("checks.cli_blocking_count", count=blocking)
        lines.append(f"  {t('checks.cli_summary_blocked', blocking=blocking_text, warnings=warnings_text)}")
    elif directory_checked:
        lines.append(f"  {t('checks.cli_summary_ready', warnings=warnings_text)}")
    else:
        lines.append(f"  {t('cli.check_summary_offline', warnings=warnings_text)}")
    return "\n".join(lines) + "\n"
