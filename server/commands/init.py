"""`homeward init`: create the data folder, keys and database; safe to run again."""
from .. import db as storage
from ..clock import SystemClock
from ..keyfiles import load_or_create_secret_key
from ..sealing_keys import ensure_sealing_key
from ..vault import Vault


def register(subparsers):
    parser = subparsers.add_parser("init", help="create the data folder, keys and database "
                                                "(safe to re-run)")
    parser.set_defaults(run=run)


def initialise(config, clock=None):
    """Returns the migrations applied; existing keys and data are left as they are."""
    config.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    load_or_create_secret_key(config.secret_key_path)
    database = storage.connect(config.database_path)
    try:
        applied = storage.migrate(database)
        clock = clock or SystemClock()
        vault = Vault.open(config, database, clock)
        with storage.write_transaction(database):
            ensure_sealing_key(database, vault, clock.now())
    finally:
        database.conn.close()
    return applied


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
