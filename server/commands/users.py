"""`homeward users`: create, list, disable and re-enable staff accounts, set passwords.

Passwords come on standard input only (`--password-stdin`), never as arguments, which
would land in shell history and in every `ps` listing on the machine.
"""
import getpass
import sys

from ..storage import db as storage
from ..records.audit import record_as
from ..auth import resets, users
from ..clock import SystemClock
from ..web.errors import ApiError
from ..storage.installation import check_initialised


class CommandError(Exception):
    """A problem to print as one line; the command exits 1."""


def register(subparsers):
    parser = subparsers.add_parser("users", help="manage staff accounts")
    commands = parser.add_subparsers(dest="users_command", required=True, metavar="ACTION")

    create = commands.add_parser("create", help="create a staff account")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=users.ROLES)
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input (required)")
    create.set_defaults(run=create_account)

    listing = commands.add_parser("list", help="list staff accounts")
    listing.set_defaults(run=list_accounts)

    disable = commands.add_parser("disable", help="disable an account and end its "
                                                  "sessions and tokens")
    disable.add_argument("username")
    disable.set_defaults(run=disable_account)

    enable = commands.add_parser("enable", help="enable a disabled account again")
    enable.add_argument("username")
    enable.set_defaults(run=enable_account)

    set_password = commands.add_parser("set-password", help="set a new password (ends the "
                                                            "account's sessions and tokens)")
    set_password.add_argument("username")
    set_password.add_argument("--password-stdin", action="store_true",
                              help="read the password from standard input (required)")
    set_password.set_defaults(run=set_account_password)

    set_role = commands.add_parser("set-role", help="give an account another role")
    set_role.add_argument("username")
    set_role.add_argument("role", choices=users.ROLES)
    set_role.set_defaults(run=set_account_role)

    reset_link = commands.add_parser("reset-link", help="print a one-time link (24 h) with "
                                                        "which the person chooses a password")
    reset_link.add_argument("username")
    reset_link.set_defaults(run=make_reset_link)


def _read_password(args):
    if not args.password_stdin:
        raise CommandError("give the password on standard input with --password-stdin; "
                           "passwords never go on the command line.")
    if sys.stdin.isatty():
        first = getpass.getpass("New password: ")
        if getpass.getpass("Same password again: ") != first:
            raise CommandError("the two passwords differ; nothing was changed.")
        return first
    line = sys.stdin.readline()
    return line[:-1] if line.endswith("\n") else line


def _operator():
    try:
        return "cli:" + getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _audit(db, action, user, now, details=None):
    record_as(db, action, actor_username=_operator(), actor_role="operator", now=now,
              target=user.id, details={"username": user.username, **(details or {})})


def _with_database(config, action):
    """Run action(db, now) and turn its errors into one line on stderr and exit status 1."""
    check_initialised(config)
    db = storage.connect(config.database_path)
    try:
        storage.migrate(db)
        return action(db, SystemClock().now()) or 0
    except (ApiError, CommandError) as error:
        print(f"homeward users: {getattr(error, 'message', error)}", file=sys.stderr)
        return 1
    finally:
        db.conn.close()


def create_account(args, config):
    def action(db, now):
        password = _read_password(args)
        user = users.create_user(db, args.username, args.role, password, config, now)
        _audit(db, "user.create", user, now, {"role": user.role})
        print(f"Created {user.username} ({user.role}).")

    return _with_database(config, action)


def list_accounts(args, config):
    def action(db, now):
        accounts = users.list_users(db)
        if not accounts:
            print("No staff accounts yet; create one with "
                  "`homeward users create USERNAME --role admin --password-stdin`.")
            return
        width = max(len(account["username"]) for account in accounts)
        for account in accounts:
            status = ("disabled " + account["disabled_at"].date().isoformat()
                      if account["disabled_at"] else "active")
            print(f"{account['username']:<{width}}  {account['role']:<12}  {status}")

    return _with_database(config, action)


def disable_account(args, config):
    def action(db, now):
        user = users.disable_user(db, args.username, now)
        _audit(db, "user.disable", user, now)
        print(f"Disabled {user.username}; their sessions and tokens have ended.")

    return _with_database(config, action)


def enable_account(args, config):
    def action(db, now):
        user = users.enable_user(db, args.username, now)
        _audit(db, "user.enable", user, now)
        print(f"Enabled {user.username}.")

    return _with_database(config, action)


def set_account_password(args, config):
    def action(db, now):
        password = _read_password(args)
        user = users.set_password(db, args.username, password, config, now)
        _audit(db, "user.set_password", user, now)
        print(f"Set a new password for {user.username}; their sessions and tokens have ended.")

    return _with_database(config, action)


def set_account_role(args, config):
    def action(db, now):
        user, before = users.change_role(db, args.username, args.role, now)
        if before != user.role:
            _audit(db, "user.set_role", user, now, {"role": user.role, "previous_role": before})
        print(f"{user.username} is now {user.role}" + ("." if before != user.role
                                                        else " already; nothing changed."))

    return _with_database(config, action)


def make_reset_link(args, config):
    def action(db, now):
        user, token, expires_at = resets.issue_reset(db, args.username, now,
                                                     issued_by=_operator())
        _audit(db, "user.reset_link", user, now)
        print(f"One-time password link for {user.username}, valid until "
              f"{expires_at:%Y-%m-%d %H:%M} UTC; it works once, and only this newest one:")
        print(resets.reset_address(config, token))

    return _with_database(config, action)
