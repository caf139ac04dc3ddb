"""`chorus-tui profiles`: list the profiles, marking the default and the active one."""

from __future__ import annotations

import argparse
import sys

from chorus_tui.i18n import t


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=t("connection.help_profiles_json"))


def run(args: argparse.Namespace) -> int:
    import json

    from chorus_tui.config import ConfigError, load_config
    from chorus_tui.profiles import active_profile_name, list_profiles

    try:
        config = load_config()
        active = active_profile_name(args.profile, config)
    except ConfigError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2

    infos = list_profiles(config, active)
    if args.json:
        print(json.dumps([
            {"name": info.name, "environment": str(info.environment), "default": info.is_default,
             "active": info.is_active, "in_file": info.in_file, "client_id": info.client_id,
             "technical_login": info.technical_login, "supplier_siret": info.supplier_siret,
             "database": str(info.database), "configured": info.is_configured, "has_data": info.has_data}
            for info in infos
        ], indent=2, ensure_ascii=False))
        return 0

    for info in infos:
        active_mark = "*" if info.is_active else " "
        default_mark = "D" if info.is_default else " "
        marks = active_mark + default_mark
        if info.is_configured:
            details = [t(f"connection.environment_{info.environment}")]
        else:
            details = [t("profiles.not_configured")]
        if info.supplier_siret:
            details.append(f"SIRET {info.supplier_siret}")
        if info.has_data and not info.in_file:
            details.append(t("profiles.data_without_configuration", folder=info.database.parent))
        print(f"{marks} {info.name}  ({', '.join(details)})")
    print(t("connection.profiles_legend"))
    return 0
