"""`chorus-tui sandbox serve`: run the embedded Chorus Pro simulator as a local HTTP server.

It listens on 127.0.0.1 only, prints the token URL and the API URL to put in a profile's
configuration, and serves until Ctrl-C. The exit status is 2 for invalid options.
"""

from __future__ import annotations

import argparse
import sys

from chorus_tui.i18n import t

EXIT_OK = 0
EXIT_USAGE = 2
DEFAULT_PORT = 8790
API_FAMILIES = ("factures", "structures", "transverses", "utilisateurs", "engagementsJuridiques")
MAX_PORT = 65535


def port_number(text: str) -> int:
    """Parse a TCP port for argparse (0 lets the system pick a free one) instead of a later OverflowError."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(t("sandbox.bad_port", port=text, max=MAX_PORT)) from None
    if not 0 <= port <= MAX_PORT:
        raise argparse.ArgumentTypeError(t("sandbox.bad_port", port=text, max=MAX_PORT))
    return port


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="sandbox_action", metavar="ACTION")
    serve = actions.add_parser("serve", help=t("sandbox.cmd_serve"), description=t("sandbox.cmd_serve"))
    serve.add_argument("--port", type=port_number, default=DEFAULT_PORT, help=t("sandbox.opt_port", default=DEFAULT_PORT))
    serve.add_argument("--seed", type=int, default=0, help=t("sandbox.opt_seed"))
    serve.add_argument("--faults", default="", metavar="PROFILE", help=t("sandbox.opt_faults"))
    serve.add_argument("--refuse-application", action="store_true", help=t("sandbox.opt_refuse_application"))
    serve.add_argument("--refuse-account", action="store_true", help=t("sandbox.opt_refuse_account"))
    serve.add_argument("--unsubscribe", action="append", default=[], choices=API_FAMILIES, metavar="FAMILY",
                       help=t("sandbox.opt_unsubscribe", families=", ".join(API_FAMILIES)))
    serve.add_argument("--maintenance", action="store_true", help=t("sandbox.opt_maintenance"))
    serve.add_argument("--state-file", default=None, metavar="PATH", help=t("sandbox.opt_state_file"))
    serve.add_argument("--step-seconds", type=float, nargs=2, default=(10.0, 20.0), metavar=("MIN", "MAX"),
                       help=t("sandbox.opt_step_seconds"))


def run(args: argparse.Namespace) -> int:
    if getattr(args, "sandbox_action", None) != "serve":
        print(t("sandbox.no_action"), file=sys.stderr)
        return EXIT_USAGE

    from pathlib import Path

    from chorus_tui.clock import SystemClock
    from chorus_tui.sandbox.faults import AuthPolicy, FaultProfile
    from chorus_tui.sandbox.server import make_server
    from chorus_tui.sandbox.simulator import Simulator

    try:
        faults = FaultProfile.parse(args.faults)
    except ValueError as error:
        print(t("sandbox.bad_faults", spec=args.faults, error=error), file=sys.stderr)
        return EXIT_USAGE
    auth = AuthPolicy(refuse_application=args.refuse_application, refuse_account=args.refuse_account,
                      unsubscribed=frozenset(args.unsubscribe), maintenance=args.maintenance)
    try:
        simulator = Simulator(SystemClock(), seed=args.seed, faults=faults, auth=auth,
                              state_file=Path(args.state_file) if args.state_file else None,
                              status_step_seconds=tuple(args.step_seconds))
    except ValueError as error:
        print(t("sandbox.bad_options", error=error), file=sys.stderr)
        return EXIT_USAGE
    try:
        server = make_server(simulator, args.port)
    except OSError as error:
        print(t("sandbox.port_unavailable", port=args.port, error=error), file=sys.stderr)
        return EXIT_USAGE

    print(t("sandbox.listening", url=server.base_url))
    print(t("sandbox.token_url", url=server.token_url))
    print(t("sandbox.api_url", url=server.base_url))
    fault_text = faults.describe()
    print(t("sandbox.faults", profile=fault_text) if fault_text != "none" else t("sandbox.no_faults"))
    print(t("sandbox.stop_hint"), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print(t("sandbox.stopped"))
    finally:
        server.server_close()
    return EXIT_OK
