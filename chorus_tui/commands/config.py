"""`chorus-tui config path|show|test`: the configuration file's location and contents, and a connection test."""

from __future__ import annotations

import argparse
import sys

from chorus_tui.i18n import t


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", choices=["path", "show", "test"], help=t("config.help_action"))


def run(args: argparse.Namespace) -> int:
    from chorus_tui.config import ConfigError, config_path, dump_config, load_config

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

    if args.action == "test":
        return _run_test(args.profile, config)

    # The model has no secret field, so this dump cannot contain one.
    print(f"# {path}")
    print(dump_config(config), end="")
    _print_addresses(config)
    return 0


def _print_addresses(config) -> None:
    """Print, as TOML comments, the addresses each profile's environment contacts, defaults included."""
    names = sorted(set(config.profiles) | {config.default_profile})
    print()
    print(f"# {t('config.addresses_header')}")
    for name in names:
        settings = config.profile(name).connection_settings()
        print("# " + t("config.addresses_line", profile=name, environment=settings.environment.value,
                       token_url=settings.token_url, api_url=settings.api_url))


def _demo_transport(environment):
    """Return the in-process simulator's transport for the demo environment, whose addresses have no server."""
    from chorus_tui.chorus.settings import Environment

    if environment is not Environment.DEMO:
        return None
    from chorus_tui.clock import SystemClock
    from chorus_tui.sandbox.simulator import Simulator

    # A throw-away simulator, as on the connection screen: the test deposits nothing.
    return Simulator(SystemClock()).transport()


def _run_test(profile_name: str | None, config) -> int:
    """Run the connection test of the active profile and print one line per step; exit 1 on failure."""
    import asyncio

    from chorus_tui.connection import Outcome, collect_connection_test
    from chorus_tui.profiles import resolve_profile
    from chorus_tui.secrets import SecretsError

    try:
        profile = resolve_profile(profile_name, config=config)
    except (SecretsError, ValueError) as exc:
        print(getattr(exc, "message", exc), file=sys.stderr)
        return 1
    if profile.credentials is None:
        for message in profile.missing:
            print(message, file=sys.stderr)
        return 1

    report = asyncio.run(collect_connection_test(
        profile.settings, profile.credentials,
        transport=_demo_transport(profile.settings.environment),
        supplier_siret=profile.config.supplier_siret,
        stored_password_expiry=profile.config.technical_password_expiry,
    ))
    marks = {Outcome.SUCCESS: "✓", Outcome.FAILURE: "✗", Outcome.SKIPPED: "-"}
    for result in report.steps:
        print(f"{marks[result.outcome]} {result.title} : {result.explanation}")
        if result.detail is not None:
            print(f"    {result.detail}")
        if result.warning is not None:
            print(f"    ! {result.warning}")
    return 0 if report.ok else 1
