"""`chorus-tui detect FILE...`: show the Chorus Pro data found in invoice PDFs.

With `--json`, one JSON object per file and per line; absent data is null.
The supplier's own SIRETs (`--supplier-siret`, the active profile's, the
demo supplier's with `--demo`) are never proposed as the recipient.
The exit status is 2 when a file could not be read, 0 otherwise.
"""

from __future__ import annotations

import argparse
import logging
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from chorus_tui.i18n import t

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_UNREADABLE = 2


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
    from chorus_tui.sources import FolderSource, demo_invoice_folder, read_invoice

    paths = _expand(args.files)
    if not paths and getattr(args, "demo", False):
        paths = FolderSource(demo_invoice_folder()).pdf_paths()
    if not paths:
        print(t("detect.no_files"), file=sys.stderr)
        return EXIT_UNREADABLE

    supplier_sirets = frozenset(args.supplier_sirets) | _configured_supplier_sirets(args)
    status = EXIT_OK
    ascii_only = (sys.stdout.encoding or "").lower().replace("-", "") != "utf8"
    for path in paths:
        invoice = read_invoice(path, supplier_sirets=supplier_sirets)
        if invoice.errors:
            status = EXIT_UNREADABLE
        if args.json:
            print(json_line(invoice_to_json(invoice, path), ascii_only=ascii_only))
        else:
            _write_safely(format_invoice_text(invoice, path))
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


def _expand(files: list[Path]) -> list[Path]:
    """Replace each folder argument by the PDF files it contains."""
    from chorus_tui.sources import FolderSource

    paths: list[Path] = []
    for path in files:
        if path.is_dir():
            paths.extend(FolderSource(path).pdf_paths())
        else:
            paths.append(path)
    return paths


def _write_safely(text: str) -> None:
    """Print even where the terminal's encoding cannot show every character."""
    encoding = sys.stdout.encoding or "utf-8"
    print(text.encode(encoding, errors="replace").decode(encoding, errors="replace"))


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def invoice_to_json(invoice, path: Path) -> dict[str, Any]:
    """Return the `--json` object of one invoice: strings, nulls and lists only."""
    if invoice.errors:
        return {"file": str(path), "error": " ".join(str(message) for message in invoice.errors)}
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
    }


def format_amount(value: Decimal | None, currency: str = "EUR") -> str:
    """Format an amount for the current language: "1 234,56 €" in French, "1,234.56 €" in English."""
    from chorus_tui.i18n import current_language

    if value is None:
        return t("detect.absent")
    grouped = f"{value:,.2f}"
    if current_language() == "fr":
        grouped = grouped.replace(",", " ").replace(".", ",")
    return f"{grouped} €" if currency == "EUR" else f"{grouped} {currency}"


def format_invoice_text(invoice, path: Path) -> str:
    """Return the readable report of one invoice, one labelled line per field."""
    from chorus_tui.detection.siret import format_siret

    if invoice.errors:
        reason = " ".join(str(message) for message in invoice.errors)
        return f"{path}\n  {t('detect.error_line', message=reason)}\n"
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
        (t("detect.invoice_date"), invoice.invoice_date.strftime("%d/%m/%Y") if invoice.invoice_date else None),
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
