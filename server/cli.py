"""`homeward`: the command line that deployments and scripts rely on (PROTOCOL.md).

Each command lives in server/commands/<name>.py with a `register(subparsers)` that sets
`run(args, config) -> exit status`.
"""
import argparse
import sys
from importlib import import_module

from alerts.notifications.routing import RoutingError
from alerts.ruleset import RulesError

from .alert_runtime import AlertConfigError
from .config import Config, ConfigError
from .keyfiles import KeyFileError

# Errors that mean "the installation is set up wrong": one sentence, exit status 2.
SETUP_ERRORS = (ConfigError, KeyFileError, RulesError, RoutingError, AlertConfigError)

COMMANDS = ("init", "serve", "scheduler", "users", "keys", "patients", "backup", "config",
            "client", "simulate", "demo")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="homeward",
        description="Homeward: symptom diaries, offline sync and nurse alerts after CAR T. "
                    "Settings come from HOMEWARD_* variables (docs/configuration.md).")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        import_module(f"server.commands.{name}").register(subparsers)
    return parser


def main(argv=None, environ=None):
    args = build_parser().parse_args(argv)
    try:
        config = Config.from_env(environ)
        return args.run(args, config) or 0
    except SETUP_ERRORS as error:
        print(f"homeward: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
