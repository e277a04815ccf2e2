"""Making a data folder (`homeward init`, only) and recognising one (everything else).

A folder is initialised when its database holds Homeward's tables with a master key and a
sealing key on record: the last things `initialise` writes, so a folder where `init` was
interrupted counts as not initialised, and running `init` again finishes it. Every other
entry point (serve, scheduler, the WSGI app, the maintenance commands) only checks: a typo in
HOMEWARD_DATA_DIR must stop with a sentence, not start a clinic on an empty database with a
new master key nobody keeps a copy of.
"""
import sqlite3

from . import db as storage
from ..clock import SystemClock
from .keyfiles import load_or_create_secret_key
from ..records.registry.pseudonyms import ensure_pseudonym_key
from .sealing_keys import ensure_sealing_key
from .vault import Vault


class NotInitialised(Exception):
    """The data folder was never set up by `homeward init`; the message names it."""

    status, code = 500, "not_initialised"


def initialise(config, clock=None) -> list[str]:
    """Create or finish the data folder; returns the migrations applied. Safe to run again:
    existing keys and data are left as they are."""
    for folder in dict.fromkeys((config.data_dir, config.database_path.parent)):
        _make_folder(folder)
    if config.database_path.is_dir():
        raise NotInitialised(f"{config.database_path} is a folder; HOMEWARD_DATABASE must "
                             "name the database file.")
    load_or_create_secret_key(config.secret_key_path)
    database = storage.connect(config.database_path)
    try:
        applied = storage.migrate(database)
        clock = clock or SystemClock()
        vault = Vault.open(config, database, clock)
        with storage.write_transaction(database):
            ensure_sealing_key(database, vault, clock.now())
            ensure_pseudonym_key(database, vault, clock.now())
    finally:
        database.conn.close()
    return applied


def _make_folder(folder):
    if folder.exists() and not folder.is_dir():
        raise NotInitialised(f"{folder} is a file, not a folder; point HOMEWARD_DATA_DIR "
                             "(or HOMEWARD_DATABASE) at a folder for Homeward's data.")
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise NotInitialised(f"Cannot create the data folder {folder}: "
                             f"{error.strerror or error}.") from None


def check_initialised(config) -> None:
    """Raise NotInitialised, naming the folder and `homeward init`, unless `initialise` has
    run to the end here. Creates nothing, not even an empty database file."""
    folder, path = config.data_dir, config.database_path
    run_init = "run `homeward init` to create it, or check HOMEWARD_DATA_DIR for a typo."
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        raise NotInitialised(f"The data folder {folder} {what}; {run_init}")
    if not path.is_file():
        raise NotInitialised(f"The data folder {folder} was never initialised (there is no "
                             f"database at {path}); {run_init}")
    try:
        # mode=rw: opening must never create the file it is checking for.
        connection = sqlite3.connect(path.absolute().as_uri() + "?mode=rw", uri=True)
        try:
            masters = connection.execute("SELECT COUNT(*) FROM master_keys").fetchone()[0]
            sealing = masters and connection.execute(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sealing_keys'").fetchone()[0]
            sealing = sealing and connection.execute(
                "SELECT COUNT(*) FROM sealing_keys").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.OperationalError as error:
        if "no such table" not in str(error):
            raise NotInitialised(f"The database {path} cannot be opened ({error}); check its "
                                 "owner and mode.") from None
        masters = 0
    except sqlite3.DatabaseError:
        masters = 0  # not SQLite at all
    if masters:  # without a sealing key: an init interrupted at its last step, or a database
        if not sealing:  # from before sealing keys, which init brings up to date
            raise NotInitialised(f"The database {path} has no sealing key yet; run `homeward "
                                 "init` to finish setting it up.")
        return
    raise NotInitialised(f"{path} is not a Homeward database; {run_init}")
