"""Stable per-registry pseudonyms: HMAC-SHA256 of the registry's code and the patient id
under one secret key made by `homeward init`.

The key is wrapped by the master key and kept in the database, so it goes with every backup
and survives a restore on another machine: a child keeps their pseudonym for the fifteen
years of follow-up, and a registry can join this year's file to last year's. Each registry
gets different pseudonyms for the same child, so two registries cannot link their rows
without the site.
"""
import base64
import hashlib
import hmac
import secrets

from ...clock import to_db

AAD = b"homeward/v1|registry-pseudonym-key"
LENGTH = 16  # base32 characters: 80 bits, no collision in any cohort a site will ever have


class NoPseudonymKey(Exception):
    """The database predates registry exports and `homeward init` has not run since."""

    status, code = 409, "not_initialised"


def ensure_pseudonym_key(db, vault, now) -> bool:
    """Make the key on a database that has none; True if one was made."""
    if db["pseudonym_keys"].count:
        return False
    kek_id, wrapped = vault.wrap_secret(secrets.token_bytes(32), AAD)
    db["pseudonym_keys"].insert({"kek_id": kek_id, "wrapped_key": wrapped,
                                 "created_at": to_db(now)})
    return True


def load_pseudonym_key(db, vault) -> bytes:
    rows = list(db.query("SELECT kek_id, wrapped_key FROM pseudonym_keys ORDER BY id LIMIT 1"))
    if not rows:
        raise NoPseudonymKey("This data folder has no registry pseudonym key yet; run "
                             "`homeward init` once to create it.")
    return vault.unwrap_secret(rows[0]["kek_id"], rows[0]["wrapped_key"], AAD)


def rewrap_pseudonym_keys(db, vault, new_kek_id, seal_with_new) -> None:
    """For a master key rotation (Vault.rewrap_all), in its transaction."""
    for row in list(db.query("SELECT id, kek_id, wrapped_key FROM pseudonym_keys")):
        raw = vault.unwrap_secret(row["kek_id"], row["wrapped_key"], AAD)
        db.execute("UPDATE pseudonym_keys SET kek_id = ?, wrapped_key = ? WHERE id = ?",
                   [new_kek_id, seal_with_new(raw, AAD), row["id"]])


def pseudonym(key: bytes, registry: str, patient_id: str) -> str:
    message = f"{registry}\x00{patient_id}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:LENGTH]
