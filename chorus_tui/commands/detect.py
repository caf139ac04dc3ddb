"""`chorus-tui detect FILE...`: show the Chorus Pro data found in invoice PDFs.

With `--json`, one JSON object per file and per line; absent data is null.
The supplier's own SIRETs (`--supplier-siret`, the active profile's, the
demo supplier's with `--demo`) are never proposed as the recipient.
The exit status is 0 when every file was read, 1 when a file could not be read
or a folder named contains no PDF or cannot be listed, and 2 when no file was named.
"""

from __future__ import annotations

import argparse
import codecs
import logging
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from chorus_tui.i18n import t

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_UNREADABLE = 1
EXIT_NO_FILES = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", metavar="FILE", type=Path, help=t("detect.help_files"))
    parser.add_argument("--json", action="store_true", help=t("detect.help_json"))
    parser.add_argument(
        "--supplier-siret",
        action="append",
        default=[],
        metavar="SIRET",
        dest="supplier_sirets",
        help=t("detect.help_supplier_siret"),
    )


def run(args: argparse.Namespace) -> int:
    from chorus_tui.commands.check import json_line
    from chorus_tui.sources import read_invoice

    items = invoice_paths(args.files, demo=getattr(args, "demo", False))
    if not items:
        print(t("detect.no_files"), file=sys.stderr)
        return EXIT_NO_FILES

    supplier_sirets = frozenset(args.supplier_sirets) | _configured_supplier_sirets(args)
    status = EXIT_OK
    ascii_only = (sys.stdout.encoding or "").lower().replace("-", "") != "utf8"
    for item in items:
        if isinstance(item, UnusableFolder):
            status = EXIT_UNREADABLE
            if args.json:
                print(json_line(error_to_json(item.path, item.message()), ascii_only=ascii_only))
            else:
                _write_safely(format_error_text(item.path, item.message()))
            sys.stdout.flush()
            continue
        invoice = read_invoice(item, supplier_sirets=supplier_sirets)
        if invoice.errors:
            status = EXIT_UNREADABLE
        if args.json:
            print(json_line(invoice_to_json(invoice, item), ascii_only=ascii_only))
        else:
            _write_safely(format_invoice_text(invoice, item))
        sys.stdout.flush()
    return status


def _configured_supplier_sirets(args: argparse.Namespace) -> frozenset[str]:
    """Return the supplier SIRET of the demo, or of the active profile when the configuration names one.

    Detection works without it (the legal footer usually gives the supplier
    away), so an unreadable configuration only gets a log line here.
    """
    if getattr(args, "demo", False):
        from chorus_tui.sandbox.directory import DEMO_SUPPLIER

        return frozenset({DEMO_SUPPLIER.siret})
    from chorus_tui.config import ConfigError, load_config
    from chorus_tui.profiles import active_profile_name

    try:
        config = load_config()
        siret = config.profile(active_profile_name(getattr(args, "profile", None), config)).supplier_siret
    except (ConfigError, ValueError) as error:
        log.info("supplier SIRET not taken from the configuration: %s", error)
        return frozenset()
    return frozenset({siret}) if siret else frozenset()


@dataclass(frozen=True)
class UnusableFolder:
    """A folder named on the command line that yields no invoice, reported like a file that cannot be read.

    `error` is the system's reason when the folder cannot be listed; None means it contains no PDF file.
    """

    path: Path
    error: str | None = None

    def message(self) -> str:
        if self.error is not None:
            return t("cli.folder_unreadable", folder=str(self.path), error=self.error)
        return t("cli.folder_without_pdf", folder=str(self.path))


def invoice_paths(files: list[Path], *, demo: bool) -> list[Path | UnusableFolder]:
    """Return what to read, in argument order: each file named and the PDF files of each folder named.

    The demo invoices stand in only when no argument is given at all, so a
    folder without PDF files is reported as such and never replaced by them.
    """
    from chorus_tui.sources import FolderSource, demo_invoice_folder

    if not files:
        return list(FolderSource(demo_invoice_folder()).pdf_paths()) if demo else []
    items: list[Path | UnusableFolder] = []
    for path in files:
        if not path.is_dir():
            items.append(path)
            continue
        try:
            pdf_paths = FolderSource(path).pdf_paths()
        except OSError as error:
            items.append(UnusableFolder(path, error.strerror or str(error)))
            continue
        items.extend(pdf_paths or [UnusableFolder(path)])
    return items


def _write_safely(text: str) -> None:
    """Print even where the terminal's encoding cannot show every character."""
    encoding = sys.stdout.encoding or "utf-8"
    print(text.encode(encoding, errors="replace").decode(encoding, errors="replace"))


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


# Leading bytes of common file formats that are not PDF, mapped to the catalogue key naming the format.
_FILE_SIGNATURES = (
    (b"PK\x03\x04", "cli.content_zip"),
    (b"\xd0\xcf\x11\xe0", "cli.content_office"),
    (b"\x89PNG", "cli.content_png"),
    (b"\xff\xd8\xff", "cli.content_jpeg"),
    (b"{\\rtf", "cli.content_rtf"),
    (b"<", "cli.content_markup"),
)


def describe_content(path: Path) -> str | None:
    """Name what a file that is not a PDF seems to be, from its first bytes; None when unknown or unreadable."""
    try:
        with path.open("rb") as file:
            start = file.read(512)
    except OSError:
        return None
    stripped = start.removeprefix(b"\xef\xbb\xbf").lstrip()
    for signature, key in _FILE_SIGNATURES:
        if stripped.startswith(signature):
            return t(key)
    try:
        # An incremental decoder keeps a character cut at byte 512 pending instead of failing on it.
        text = codecs.getincrementaldecoder("utf-8")().decode(start, final=False)
    except UnicodeDecodeError:
        return None
    if text and all(character.isprintable() or character in "\t\r\n" for character in text):
        return t("cli.content_text")
    return None


def unreadable_text(invoice, path: Path) -> str:
    """Return why `invoice` could not be read; a file that is not a PDF also gets what it seems to be."""
    text = " ".join(str(message) for message in invoice.errors)
    if any(getattr(message, "key", None) == "sources.not_a_pdf" for message in invoice.errors):
        content = describe_content(path)
        if content is not None:
            text = f"{text} {t('cli.content_hint', content=content)}"
    return text


def error_to_json(path: Path, message: str) -> dict[str, Any]:
    """Return the `--json` object of a file or folder that could not be read."""
    return {"file": str(path), "error": message}


def candidate_to_json(candidate) -> dict[str, Any]:
    """Return one recipient SIRET candidate of detection, with its rank score and the reason for it."""
    return {"siret": candidate.siret, "source": candidate.source, "score": candidate.score,
            "reason": str(candidate.reason), "checksum_valid": candidate.checksum_valid}


def invoice_to_json(invoice, path: Path) -> dict[str, Any]:
    """Return the `--json` object of one invoice: strings, nulls and lists only.

    `candidates` lists every SIRET that detection weighed, best first, with
    the reason of its score.
    """
    if invoice.errors:
        return error_to_json(path, unreadable_text(invoice, path))
    detection = invoice.detection
    amounts = invoice.amounts
    return {
        "file": str(path),
        "invoice_number": invoice.invoice_number,
        "invoice_date": invoice.invoice_date.isoformat() if invoice.invoice_date else None,
        "kind": str(invoice.kind),
        "original_invoice_number": invoice.original_invoice_number,
        "customer_name": invoice.customer_name,
        "total_ht": _decimal_text(amounts.total_ht),
        "total_vat": _decimal_text(amounts.total_vat),
        "total_ttc": _decimal_text(amounts.total_ttc),
        "currency": amounts.currency,
        "facturx_profile": invoice.facturx_profile,
        "recipient_siret": detection.recipient_siret,
        "recipient_kind": detection.recipient_kind,
        "service_code": detection.service_code,
        "engagement_number": detection.engagement_number,
        "contract_number": detection.contract_number,
        "mandataire_siret": detection.mandataire_siret,
        "mandataire_name": detection.mandataire_name,
        "sources": dict(detection.sources),
        "warnings": [str(message) for message in detection.warnings],
        "candidates": [candidate_to_json(candidate) for candidate in detection.candidates],
    }


def format_amount(value: Decimal | None, currency: str = "EUR") -> str:
    """Format an amount for the current language: "1 234,56 €" in French, "€1,234.56" in English.

    English follows the check messages (`validation.display.format_money`), so one
    report never shows two money formats. French keeps ordinary spaces, which
    every terminal and `grep` handle.
    """
    from chorus_tui.i18n import current_language
    from chorus_tui.validation.display import format_money

    if value is None:
        return t("detect.absent")
    language = current_language()
    if language != "fr":
        return format_money(value.quantize(Decimal("0.01")), language, currency)
    grouped = f"{value:,.2f}".replace(",", " ").replace(".", ",")
    return f"{grouped} €" if currency == "EUR" else f"{grouped} {currency}"


def format_invoice_date(value) -> str | None:
    """Format a date as the check messages do: 02/07/2026 in French, 2026-07-02 in English."""
    from chorus_tui.i18n import current_language
    from chorus_tui.validation.display import format_day

    return format_day(value, current_language()) if value else None


def format_error_text(path: Path, message: str) -> str:
    """Return the readable report of a file or folder that could not be read."""
    return f"{path}\n  {t('detect.error_line', message=message)}\n"


def format_invoice_text(invoice, path: Path) -> str:
    """Return the readable report of one invoice, one labelled line per field."""
    from chorus_tui.detection.siret import format_siret

    if invoice.errors:
        return format_error_text(path, unreadable_text(invoice, path))
    detection = invoice.detection
    absent = t("detect.absent")
    kind = t("detect.kind_credit_note") if invoice.kind == "AVOIR" else t("detect.kind_invoice")
    mandataire = None
    if detection.mandataire_siret or detection.mandataire_name:
        siret = format_siret(detection.mandataire_siret) if detection.mandataire_siret else ""
        mandataire = " ".join(part for part in (detection.mandataire_name, siret) if part)
    rows = [
        (t("detect.kind"), kind),
        (t("detect.invoice_number"), invoice.invoice_number),
        (t("detect.original_invoice"), invoice.original_invoice_number),
        (t("detect.invoice_date"), format_invoice_date(invoice.invoice_date)),
        (t("detect.customer"), invoice.customer_name),
        (t("detect.total_ht"), format_amount(invoice.amounts.total_ht, invoice.amounts.currency)),
        (t("detect.total_vat"), format_amount(invoice.amounts.total_vat, invoice.amounts.currency)),
        (t("detect.total_ttc"), format_amount(invoice.amounts.total_ttc, invoice.amounts.currency)),
        (
            t("detect.facturx"),
            t("detect.facturx_profile", profile=invoice.facturx_profile or "?")
            if invoice.is_facturx
            else t("detect.facturx_none"),
        ),
        (t("detect.recipient_siret"), format_siret(detection.recipient_siret) if detection.recipient_siret else None),
        (t("detect.service_code"), detection.service_code),
        (t("detect.engagement_number"), detection.engagement_number),
        (t("detect.contract_number"), detection.contract_number),
        (t("detect.mandataire"), mandataire),
    ]
    if invoice.kind != "AVOIR":
        rows = [row for row in rows if row[0] != t("detect.original_invoice")]
    width = max(len(label) for label, _ in rows)
    lines = [str(path)]
    lines.extend(f"  {label.ljust(width)}  {value if value else absent}" for label, value in rows)
    if detection.warnings:
        lines.append(f"  {t('detect.warnings_header')}")
        lines.extend(f"    - {message}" for message in detection.warnings)
    return "\n".join(lines) + "\n"
