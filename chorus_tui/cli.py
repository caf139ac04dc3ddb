"""Command line entry point: `chorus-tui` starts the TUI; subcommands run headless.

Each subcommand lives in `chorus_tui.commands.<name>` and exposes
`add_arguments(parser)` and `run(args) -> int`. Those modules import their
heavy dependencies inside `run`, so `chorus-tui --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from chorus_tui import __version__
from chorus_tui.i18n import resolve_language, set_language, t

# Subcommand name -> module under chorus_tui.commands.
SUBCOMMANDS = {
    "detect": "detect",
    "check": "check",
    "sync": "sync",
    "sandbox": "sandbox",
    "config": "config",
    "profiles": "profiles",
}


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=["fr", "en"], default=argparse.SUPPRESS,
                        help=t("cli.opt_lang"))
    common.add_argument("--profile", default=argparse.SUPPRESS, help=t("cli.opt_profile"))
    common.add_argument("--demo", action="store_true", default=argparse.SUPPRESS, help=t("cli.opt_demo"))
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common_options()
    parser = argparse.ArgumentParser(prog="chorus-tui", description=t("cli.description"), parents=[common])
    parser.add_argument("--version", action="version", version=f"chorus-tui {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in SUBCOMMANDS.items():
        module = importlib.import_module(f"chorus_tui.commands.{module_name}")
        sub = subparsers.add_parser(name, parents=[common], help=t(f"cli.cmd_{name}"),
                                    description=t(f"cli.cmd_{name}"))
        module.add_arguments(sub)
    return parser


def _early_language(argv: list[str]) -> str | None:
    """Read `--lang` before the parser exists, so that `--help` is already translated."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)

    from chorus_tui.config import load_language_setting

    set_language(resolve_language(_early_language(argv), load_language_setting()))
    args = build_parser().parse_args(argv)
    args.lang = getattr(args, "lang", None)
    args.profile = getattr(args, "profile", None)
    args.demo = getattr(args, "demo", False)

    if args.command is None:
        from chorus_tui.commands import run_tui

        return run_tui.run(args)
    module = importlib.import_module(f"chorus_tui.commands.{SUBCOMMANDS[args.command]}")
    return module.run(args)
