"""`chorus-tui config path|show`: where the configuration file is, and what it holds (never a secret)."""

from __future__ import annotations

import argparse
import sys

from chorus_tui.i18n import t


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", choices=["path", "show"], help=t("config.help_action"))


def run(args: argparse.Namespace) -> int:
    from chorus_tui.config import ConfigError, dump_config, config_path, load_config

    if args.action is None:
        print(t("config.missing_action"), file=sys.stderr)
        return 2

    path = config_path()
    if args.action == "path":
        print(path)
        if not path.exists():
            print(t("config.file_absent"), file=sys.stderr)
        return 0

    try:
        config = load_config(path)
    except ConfigError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    # The model has no secret field, so this dump cannot contain one.
    print(f"# {path}")
    print(dump_config(config), end="")
    return 0
