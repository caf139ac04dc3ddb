"""`chorus-tui` without a subcommand: start the terminal interface (the demo with `--demo`).

`chorus-tui --demo --folder DIR` runs the demo on the PDF files of DIR instead
of the sample invoices, so a user can try detection, checks and deposits on
their own invoices against the simulator before giving any credentials.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chorus_tui import paths
from chorus_tui.i18n import t

if TYPE_CHECKING:
    from chorus_tui.clock import Clock

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `--folder`, the interface's own option, beside the common ones (`--lang`, `--profile`, `--demo`)."""
    parser.add_argument("--folder", type=Path, default=None, metavar=t("cli.folder_metavar"),
                        help=t("cli.opt_folder"))


def demo_folder_data_dir(folder: Path) -> Path:
    """Return the data folder of a demo run on `folder`: its own database and simulator state.

    Each invoice folder gets its own, so the invoices and deposits of a folder
    never show up in the demo on the sample invoices, nor the other way round.
    """
    digest = hashlib.sha256(str(folder.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return paths.demo_data_dir() / "folders" / digest


def folder_error(args: argparse.Namespace) -> str | None:
    """Return why `--folder` cannot be used as given, or None when it can (or is absent)."""
    folder = getattr(args, "folder", None)
    if folder is None:
        return None
    if not args.demo:
        return t("cli.folder_needs_demo", folder=str(folder))
    if not folder.is_dir():
        return t("cli.folder_not_found", folder=str(folder))
    return None


def build_demo(args: argparse.Namespace, *, clock: Clock | None = None, poll_interval: float | None = None):
    """Build the demo application on the sample invoices, or on the folder of `--folder`.

    Tests pass a ManualClock and a long `poll_interval`; the command line passes neither.
    """
    from chorus_tui.factory import build_demo_app
    from chorus_tui.sandbox.directory import DEMO_SUPPLIER
    from chorus_tui.sources import FolderSource

    options: dict[str, Any] = {"clock": clock}
    if poll_interval is not None:
        options["poll_interval"] = poll_interval
    folder = getattr(args, "folder", None)
    if folder is None:
        log.info("starting the demo")
        return build_demo_app(paths.demo_data_dir(), **options)
    # An absolute path, so that the scan notice names the folder even for `--folder .`.
    folder = folder.resolve()
    log.info("starting the demo on the invoice folder %s", folder)
    source = FolderSource(folder, supplier_sirets={DEMO_SUPPLIER.siret})
    return build_demo_app(demo_folder_data_dir(folder), source=source, **options)


def setup_file_logging() -> None:
    """Send every log line to the log file: the terminal belongs to the interface while it runs."""
    log_file = paths.log_file()
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # httpx logs every request line at INFO; one line per poll page is noise in the demo.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def run(args: argparse.Namespace) -> int:
    """Build the application (demo or profile) and run it until the user quits; return the exit code."""
    from chorus_tui.config import ConfigError
    from chorus_tui.factory import build_profile_app
    from chorus_tui.secrets import SecretsError
    from chorus_tui.store import StoreError

    folder_problem = folder_error(args)
    if folder_problem is not None:
        print(folder_problem, file=sys.stderr)
        return 2
    setup_file_logging()
    try:
        if args.demo:
            app = build_demo(args)
        else:
            from chorus_tui.profiles import resolve_profile

            profile = resolve_profile(args.profile)
            log.info("starting profile %s (%s)", profile.name, profile.settings.environment.value)
            app = build_profile_app(profile)
    except (ConfigError, SecretsError, StoreError) as error:
        log.error("start-up failed: %s", error)
        print(t("ui.startup_failed", error=error), file=sys.stderr)
        return 2

    app.run()
    log.info("interface closed")
    return app.return_code or 0
