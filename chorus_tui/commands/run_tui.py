"""`chorus-tui` without a subcommand: start the terminal interface (the demo with `--demo`)."""

from __future__ import annotations

import argparse
import logging
import sys

from chorus_tui import paths
from chorus_tui.i18n import t

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add nothing: the interface takes only the common options (`--lang`, `--profile`, `--demo`)."""


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
    from chorus_tui.factory import build_demo_app, build_profile_app
    from chorus_tui.secrets import SecretsError
    from chorus_tui.store import StoreError

    setup_file_logging()
    try:
        if args.demo:
            log.info("starting the demo")
            app = build_demo_app(paths.demo_data_dir())
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
