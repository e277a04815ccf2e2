"""The server's X25519 sealing keys: created by `homeward init`, rotated by
`homeward keys rotate-sealing`, private halves stored only wrapped by the master key.

Older keys stay (listed and able to open) because a phone that was offline when the key
rotated still seals to the key it cached.
"""
import secrets
import threading

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from sync.sealing import KeyRing, public_key_bytes

from ..clock import to_db, to_wire, from_db
from .vault import sealing_key_aad


def create_sealing_key(db, vault, now) -> str:
    """A new current key; the one it replaces stays to open late entries."""
    kid = f"k{now:%Y%m%d}{secrets.token_hex(2)}"
    private = X25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    kek_id, wrapped = vault.wrap_secret(raw, sealing_key_aad(kid))
    db.execute("UPDATE sealing_keys SET retired_at = ? WHERE retired_at IS NULL", [to_db(now)])
    db["sealing_keys"].insert({
        "kid": kid, "public_key": public_key_bytes(private.public_key()), "kek_id": kek_id,
        "wrapped_private": wrapped, "created_at": to_db(now),
    })
    db["changes"].insert({"patient_id": None, "type": "keys", "item_id": "keys",
                          "op": "upsert", "at": to_db(now)})
    return kid


def ensure_sealing_key(db, vault, now) -> str | None:
    """On a new database, make the first key; returns its kid, or None if one exists."""
    if db["sealing_keys"].count_where("retired_at IS NULL"):
        return None
    return create_sealing_key(db, vault, now)


def load_keyring(db, vault) -> KeyRing:
    rows = list(db.query("SELECT * FROM sealing_keys ORDER BY created_at"))
    if not rows:
        raise LookupError("No sealing key exists; run `homeward init`.")
    private_keys, created = {}, {}
    current = None
    for row in rows:
        raw = vault.unwrap_secret(row["kek_id"], row["wrapped_private"],
                                  sealing_key_aad(row["kid"]))
        private_keys[row["kid"]] = X25519PrivateKey.from_private_bytes(raw)
        created[row["kid"]] = to_wire(from_db(row["created_at"]))
        if row["retired_at"] is None:
            current = row["kid"]
    return KeyRing(private_keys, current or rows[-1]["kid"], created)


class KeyRingCache:
    """Unwrapping keys costs a little; checking whether they changed costs one tiny query.
    A rotation by the command line is seen by every worker on its next request."""

    def __init__(self, vault):
        self._vault = vault
        self._lock = threading.Lock()
        self._signature = None
        self._ring = None

    def get(self, db) -> KeyRing:
        signature = tuple(db.execute(
            "SELECT kid, kek_id, retired_at FROM sealing_keys ORDER BY kid").fetchall())
        with self._lock:
            if signature != self._signature:
                self._ring = load_keyring(db, self._vault)
                self._signature = signature
            return self._ring
