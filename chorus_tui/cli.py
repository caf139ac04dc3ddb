"""Command line entry point: `chorus-tui` starts the TUI; subcommands run headless.

Each subcommand lives in `chorus_tui.commands.<name>` and exposes
`add_arguments(parser)` and `run(args) -> int`. Those modules import their
heavy dependencies inside `run`, so `chorus-tui --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
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


# argparse's own texts (usage line, error prefix, group titles…) -> key of the `argparse` catalogue area.
# These are the msgids of Python 3.11's argparse that a user of this program can meet.
ARGPARSE_MESSAGES = {
    "usage: ": "argparse.usage",
    "positional arguments": "argparse.positional_arguments",
    "options": "argparse.options",
    "show this help message and exit": "argparse.help",
    "%(prog)s: error: %(message)s\n": "argparse.error",
    "argument %(argument_name)s: %(message)s": "argparse.argument",
    "invalid choice: %(value)r (choose from %(choices)s)": "argparse.invalid_choice",
    "invalid %(type)s value: %(value)r": "argparse.invalid_value",
    "the following arguments are required: %s": "argparse.required",
    "unrecognized arguments: %s": "argparse.unrecognized",
    "expected one argument": "argparse.expected_one",
    "expected at most one argument": "argparse.expected_at_most_one",
    "expected at least one argument": "argparse.expected_at_least_one",
    "ambiguous option: %(option)s could match %(matches)s": "argparse.ambiguous",
    "not allowed with argument %s": "argparse.not_allowed_with",
    "one of the arguments %s is required": "argparse.one_required",
    "ignored explicit argument %r": "argparse.ignored_explicit",
    "can't open '%(filename)s': %(error)s": "argparse.cannot_open",
}
ARGPARSE_PLURAL_MESSAGES = {
    "expected %s argument": "argparse.expected_count",
}


def translate_argparse_message(message: str) -> str:
    """Return argparse's built-in `message` in the current language, or unchanged when it has no translation."""
    key = ARGPARSE_MESSAGES.get(message)
    return t(key) if key else message


def translate_argparse_plural(singular: str, plural: str, count: int) -> str:
    key = ARGPARSE_PLURAL_MESSAGES.get(singular)
    if key is None:
        return singular if count == 1 else plural
    # Keep the `%s` that argparse fills in afterwards: `count` is only used to pick the form.
    return t(key, count=count).replace(str(count), "%s", 1)


def install_argparse_translations() -> None:
    """Make argparse's usage lines, group titles and errors follow the current language.

    argparse (Python 3.11) looks its texts up through the module-level names
    `_` and `ngettext` that it imports from gettext, and this program ships no
    .mo file, so those two names are replaced by lookups in the catalogue.
    """
    argparse._ = translate_argparse_message  # type: ignore[attr-defined]
    argparse.ngettext = translate_argparse_plural  # type: ignore[attr-defined]


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=["fr", "en"], default=argparse.SUPPRESS,
                        help=t("cli.opt_lang"))
    common.add_argument("--profile", default=argparse.SUPPRESS, help=t("cli.opt_profile"))
    common.add_argument("--demo", action="store_true", default=argparse.SUPPRESS, help=t("cli.opt_demo"))
    common.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS, help=t("cli.opt_verbose"))
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common_options()
    parser = argparse.ArgumentParser(prog="chorus-tui", description=t("cli.description"), parents=[common])
    parser.add_argument("--version", action="version", version=f"chorus-tui {__version__}",
                        help=t("cli.opt_version"))
    # Options of the interface itself (no subcommand), such as `--folder`.
    importlib.import_module("chorus_tui.commands.run_tui").add_arguments(parser)
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


class _CommandLogHandler(logging.FileHandler):
    """The log file handler of a command-line run, replaced (not stacked) when `main` runs again."""


def configure_command_logging(verbose: int) -> None:
    """Send warnings and errors of a subcommand to the log file, and to stderr only with `-v`.

    Without a handler, Python prints warnings to stderr, where retry notices
    ("giving up after 2 attempts…") would mix with the command's output.
    """
    from chorus_tui import paths

    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _CommandLogHandler) or getattr(handler, "chorus_tui_verbose", False):
            root.removeHandler(handler)
            handler.close()

    log_file = paths.log_file()
    log_file.parent.mkdir(parents=True, exist_ok=True)
    file_handler = _CommandLogHandler(log_file, encoding="utf-8")
    file_handler.setLevel(logging.INFO if verbose else logging.WARNING)
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(file_handler)
    if verbose:
        terminal = logging.StreamHandler(sys.stderr)
        terminal.chorus_tui_verbose = True  # type: ignore[attr-defined]
        terminal.setLevel(logging.INFO)
        terminal.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(terminal)
        root.setLevel(logging.INFO)
        logging.getLogger("httpx").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)

    from chorus_tui.config import load_language_setting

    set_language(resolve_language(_early_language(argv), load_language_setting()))
    install_argparse_translations()
    parser = build_parser()
    args = parser.parse_args(argv)
    args.lang = getattr(args, "lang", None)
    args.profile = getattr(args, "profile", None)
    args.demo = getattr(args, "demo", False)
    args.verbose = getattr(args, "verbose", 0)

    if args.command is None:
        from chorus_tui.commands import run_tui

        return run_tui.run(args)
    if getattr(args, "folder", None) is not None:
        # `--folder` sits before the subcommand, so argparse takes it for the interface's option.
        parser.error(t("cli.folder_with_command", command=args.command))
    configure_command_logging(args.verbose)
    module = importlib.import_module(f"chorus_tui.commands.{SUBCOMMANDS[args.command]}")
    return module.run(args)
