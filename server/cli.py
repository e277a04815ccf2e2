"""`homeward`: the command line that deployments and scripts rely on (PROTOCOL.md).

Each command lives in server/commands/<name>.py with a `register(subparsers)` that sets
`run(args, config) -> exit status`.
"""
import argparse
import sqlite3
import sys
from importlib import import_module

from alerts.notifications.routing import RoutingError
from alerts.ruleset import RulesError

from .alert_runtime import AlertConfigError
from .commands.checks import CommandError
from .config import Config, ConfigError
from .storage.installation import NotInitialised
from .storage.keyfiles import KeyFileError

# Errors that mean "the installation is set up wrong", or another mistake the operator can
# fix: one sentence on stderr, exit status 2, never a traceback.
SETUP_ERRORS = (ConfigError, KeyFileError, RulesError, RoutingError, AlertConfigError,
                NotInitialised, CommandError)

COMMANDS = ("init", "serve", "scheduler", "users", "keys", "patients", "backup", "config",
            "client", "simulate", "demo", "export")


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
    except OSError as error:
        # A folder or file the operator named cannot be used (permissions, a full disk):
        # the system's own words and the path say what to fix.
        where = f" ({error.filename})" if error.filename else ""
        print(f"homeward: {error.strerror or error}{where}.", file=sys.stderr)
        return 2
    except sqlite3.Error as error:  # a path that is a folder, not SQLite, or unwritable
        print(f"homeward: SQLite could not use a file given to this command: {error}.",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
