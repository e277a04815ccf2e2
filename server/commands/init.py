"""`homeward init`: create the data folder, keys and database; safe to run again."""
from ..storage.installation import initialise

__all__ = ["initialise", "register", "run"]


def register(subparsers):
    parser = subparsers.add_parser("init", help="create the data folder, keys and database "
                                                "(safe to re-run)")
    parser.set_defaults(run=run)


def run(args, config):
    applied = initialise(config)
    where = config.database_path
    if applied:
        print(f"Database {where}: applied {len(applied)} migration(s): {', '.join(applied)}.")
    else:
        print(f"Database {where} is up to date.")
    key = "HOMEWARD_MASTER_KEY" if config.master_key else config.master_key_path
    print(f"Master key: {key} (keep a copy apart from the database backups).")
    return 0
