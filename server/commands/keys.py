"""`homeward keys rotate-master`: rewrap every patient key under a new master key.

Order matters, because a crash between steps must never leave keys wrapped by a master key
nobody has: write the new key beside the old one (master.key.next), rewrap in one database
transaction, then rename the new file over the old. Until the rename, the server loads both.
"""
import os
import secrets

from ..storage import db as storage
from ..clock import SystemClock
from ..storage.installation import check_initialised
from ..storage.sealing_keys import create_sealing_key
from ..storage.keyfiles import b64encode, read_secret, write_secret
from ..storage.vault import Vault, kek_id_of, pending_key_path


def register(subparsers):
    parser = subparsers.add_parser("keys", help="manage encryption keys")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    rotate = actions.add_parser("rotate-master", help="rewrap every patient key under a new "
                                                      "master key (data is not touched)")
    rotate.set_defaults(run=rotate_master)
    sealing = actions.add_parser("rotate-sealing", help="make a new entry-sealing key current; "
                                                        "older keys keep opening late entries")
    sealing.set_defaults(run=rotate_sealing)


def rotate_sealing(args, config, clock=None):
    clock = clock or SystemClock()
    check_initialised(config)
    db = storage.connect(config.database_path)
    try:
        storage.migrate(db)
        vault = Vault.open(config, db, clock)
        with storage.write_transaction(db):
            kid = create_sealing_key(db, vault, clock.now())
            kept = db["sealing_keys"].count - 1
    finally:
        db.conn.close()
    print(f"New sealing key {kid} is current; {kept} older key(s) stay to open entries sealed "
          "before apps fetch the new key set. Running servers pick it up on their next request.")
    return 0


def rotate_master(args, config, clock=None):
    clock = clock or SystemClock()
    check_initialised(config)
    db = storage.connect(config.database_path)
    try:
        storage.migrate(db)
        vault = Vault.open(config, db, clock)
        if config.master_key:
            new_key = secrets.token_bytes(32)
        else:
            pending = pending_key_path(config.master_key_path)
            # Resume an interrupted rotation with the key it already wrote.
            new_key = read_secret(pending) if pending.exists() else _write_pending(pending)
        with storage.write_transaction(db):
            count = vault.rewrap_all(db, new_key, clock.now())
    finally:
        db.conn.close()
    print(f"Rewrapped {count} patient key(s) under master key {kek_id_of(new_key)}; "
          "no sealed value was rewritten.")
    if config.master_key:
        print("The master key comes from HOMEWARD_MASTER_KEY: set it to this value before the "
              f"next start, and keep it as safe as the old one:\n{b64encode(new_key)}")
    else:
        os.replace(pending, config.master_key_path)
        print(f"The new key is in {config.master_key_path}; the old one is gone. Restart the "
              "server and scheduler, and replace the key copy you keep with backups.")
    return 0


def _write_pending(path):
    key = secrets.token_bytes(32)
    write_secret(path, key)
    return key
