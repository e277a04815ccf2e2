"""Encryption at rest: the database file must be safe to lose to a thief.

Each patient has a 256-bit data key, stored only wrapped (AES-256-GCM) by the master key,
which lives outside the database. Every sensitive value is sealed with its patient's key and
associated data naming its table, row and column, so a ciphertext copied into another row or
column fails to open. Destroying a patient's wrapped key makes all their values unreadable.
"""
import hashlib
import hmac
import json
import logging
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..clock import to_db
from .keyfiles import KeyFileError, b64decode, read_secret, write_secret

FORMAT = b"\x01"
NONCE_BYTES = 12


class VaultError(Exception):
    status, code = 500, "vault_error"

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class PatientErased(VaultError):
    """The patient's data key was destroyed: their sealed values are gone for good."""

    status, code = 410, "patient_erased"


class TamperedValue(VaultError):
    status, code = 500, "integrity_error"


def kek_id_of(master_key: bytes) -> str:
    """A name for a master key that says nothing about it, to spot the wrong key file."""
    return hashlib.sha256(b"homeward/kek-id|" + master_key).hexdigest()[:16]


def field_aad(table: str, row_id: str, column: str) -> bytes:
    return f"homeward/v1|{table}|{row_id}|{column}".encode()


def wrap_aad(patient_id: str) -> bytes:
    return f"homeward/v1|patient-key|{patient_id}".encode()


def seal(key: bytes | AESGCM, plaintext: bytes, aad: bytes) -> bytes:
    """`key`: raw bytes, or an AESGCM made from them once for many values."""
    aead = key if isinstance(key, AESGCM) else AESGCM(key)
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT + nonce + aead.encrypt(nonce, plaintext, aad)


def unseal(key: bytes | AESGCM, blob: bytes, aad: bytes) -> bytes:
    if not blob or blob[:1] != FORMAT:
        raise TamperedValue("A sealed value has an unknown format.")
    aead = key if isinstance(key, AESGCM) else AESGCM(key)
    nonce, body = blob[1:1 + NONCE_BYTES], blob[1 + NONCE_BYTES:]
    try:
        return aead.decrypt(nonce, body, aad)
    except InvalidTag:
        raise TamperedValue("A sealed value failed its integrity check: it was altered or "
                            "moved from another row or column.") from None


class PatientCipher:
    """One patient's unwrapped data key, for the span of one request or job."""

    def __init__(self, patient_id: str, key: bytes):
        self.patient_id = patient_id
        self._aesgcm_key = key
        self._aesgcm = AESGCM(key)  # made once: a push seals and opens hundreds of values
        self._mac_key = None

    def seal_bytes(self, table, row_id, column, value: bytes) -> bytes:
        return seal(self._aesgcm, value, field_aad(table, row_id, column))

    def open_bytes(self, table, row_id, column, blob: bytes) -> bytes:
        return unseal(self._aesgcm, blob, field_aad(table, row_id, column))

    def seal_text(self, table, row_id, column, value: str | None) -> bytes | None:
        if value is None:
            return None
        return seal(self._aesgcm, value.encode("utf-8"), field_aad(table, row_id, column))

    def open_text(self, table, row_id, column, blob: bytes | None) -> str | None:
        if blob is None:
            return None
        return unseal(self._aesgcm, blob, field_aad(table, row_id, column)).decode("utf-8")

    def mac(self, label: str, data: bytes) -> bytes:
        """A keyed digest, for telling "same content" without a guessable plain hash (a
        plain SHA-256 of {"temperature_c": 38.2} could be confirmed by anyone)."""
        if self._mac_key is None:
            self._mac_key = hashlib.sha256(b"homeward/v1|mac-key|" + self._aesgcm_key).digest()
        return hmac.new(self._mac_key, label.encode() + b"|" + data, hashlib.sha256).digest()

    def seal_json(self, table, row_id, column, value) -> bytes:
        text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
        return self.seal_text(table, row_id, column, text)

    def open_json(self, table, row_id, column, blob: bytes | None):
        text = self.open_text(table, row_id, column, blob)
        return None if text is None else json.loads(text)


class Vault:
    def __init__(self, master_keys: dict[str, bytes], current_kek_id: str):
        self._master_keys = master_keys
        self.current_kek_id = current_kek_id

    @classmethod
    def open(cls, config, db, clock):
        """Load the master key and check it is the one this database's keys are wrapped by.

        On a new database with no key yet, create the key file; never create one where
        patient keys exist, because a new key would make every one of them unreadable.
        """
        # Only unretired keys count: after a rotation the old key must be refused.
        known = {row["kek_id"] for row in db["master_keys"].rows_where("retired_at IS NULL")}
        if config.master_key:
            try:
                master_key = b64decode(config.master_key)
            except ValueError:
                master_key = b""
            if len(master_key) != 32:
                raise KeyFileError("HOMEWARD_MASTER_KEY must be 32 bytes in base64url.")
        elif not config.master_key_path.exists() and not known:
            master_key = create_key_file_once(config.master_key_path)
        else:
            master_key = read_secret(config.master_key_path)
        keys = {kek_id_of(master_key): master_key}
        # A rotation interrupted after writing the next key but before renaming it: both
        # keys are needed until `homeward keys rotate-master` runs again and finishes.
        pending = pending_key_path(config.master_key_path)
        if not config.master_key and pending.exists():
            next_key = read_secret(pending)
            keys[kek_id_of(next_key)] = next_key
        current = kek_id_of(master_key)
        if not known:
            db["master_keys"].insert({"kek_id": current, "created_at": to_db(clock.now())},
                                     ignore=True)
        elif not known & set(keys):
            raise KeyFileError(
                "The master key does not match this database (its keys are wrapped by key "
                f"{', '.join(sorted(known))}, the key given is {current}); point "
                "HOMEWARD_MASTER_KEY_FILE or HOMEWARD_MASTER_KEY at the right key.")
        else:
            current = sorted(known & set(keys))[0]
        vault = cls(keys, current)
        from .db import migrate_with_keys

        applied = migrate_with_keys(db, vault)  # steps that seal need the checked key
        if applied:
            logging.getLogger("homeward.vault").info("applied migration(s) that seal: %s",
                                                     ", ".join(applied))
        return vault

    def create_patient_key(self, db, patient_id: str, now) -> PatientCipher:
        key = secrets.token_bytes(32)
        db["patient_keys"].insert({
            "patient_id": patient_id, "kek_id": self.current_kek_id,
            "wrapped_key": seal(self._master_keys[self.current_kek_id], key,
                                wrap_aad(patient_id)),
            "created_at": to_db(now),
        })
        return PatientCipher(patient_id, key)

    def for_patient(self, db, patient_id: str) -> PatientCipher:
        rows = list(db.query("SELECT kek_id, wrapped_key FROM patient_keys WHERE patient_id = ?",
                             [patient_id]))
        if not rows:
            raise VaultError(f"No data key exists for patient {patient_id}.")
        return self._unwrap(patient_id, rows[0])

    def for_patients(self, db, patient_ids) -> dict[str, PatientCipher]:
        """Many patients' keys in one query, for lists; erased patients are left out."""
        ids = list(dict.fromkeys(patient_ids))
        ciphers = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in db.query(f"SELECT patient_id, kek_id, wrapped_key FROM patient_keys "
                                f"WHERE patient_id IN ({marks}) AND wrapped_key IS NOT NULL",
                                chunk):
                ciphers[row["patient_id"]] = self._unwrap(row["patient_id"], row)
        return ciphers

    def _unwrap(self, patient_id, row) -> PatientCipher:
        if row["wrapped_key"] is None:
            raise PatientErased(f"Patient {patient_id} was erased; their data cannot be read.")
        master_key = self._master_keys.get(row["kek_id"])
        if master_key is None:
            raise VaultError(f"Patient {patient_id}'s key is wrapped by master key "
                             f"{row['kek_id']}, which this server does not have.")
        key = unseal(master_key, row["wrapped_key"], wrap_aad(patient_id))
        return PatientCipher(patient_id, key)

    def wrap_secret(self, raw: bytes, aad: bytes) -> tuple[str, bytes]:
        """Seal a server secret (a sealing private key) under the current master key."""
        return self.current_kek_id, seal(self._master_keys[self.current_kek_id], raw, aad)

    def unwrap_secret(self, kek_id: str, blob: bytes, aad: bytes) -> bytes:
        master_key = self._master_keys.get(kek_id)
        if master_key is None:
            raise VaultError(f"A server key is wrapped by master key {kek_id}, which this "
                             "server does not have.")
        return unseal(master_key, blob, aad)

    def destroy_patient_key(self, db, patient_id: str, now) -> bool:
        """Crypto-erasure: overwrite the wrapped key; True if there was one to destroy."""
        result = db.execute("UPDATE patient_keys SET wrapped_key = NULL, destroyed_at = ? "
                            "WHERE patient_id = ? AND wrapped_key IS NOT NULL",
                            [to_db(now), patient_id])
        return result.rowcount == 1

    def rewrap_all(self, db, new_master_key: bytes, now) -> int:
        """Rewrap every patient key and sealing key under a new master key, in the caller's
        transaction. Sealed values are untouched: only 32-byte keys are re-encrypted."""
        new_id = kek_id_of(new_master_key)
        if not db["master_keys"].count_where("kek_id = ?", [new_id]):
            db["master_keys"].insert({"kek_id": new_id, "created_at": to_db(now)})
        count = 0
        rows = db.query("SELECT patient_id, kek_id, wrapped_key FROM patient_keys "
                        "WHERE wrapped_key IS NOT NULL")
        for row in list(rows):
            cipher = self._unwrap(row["patient_id"], row)
            db.execute("UPDATE patient_keys SET kek_id = ?, wrapped_key = ? WHERE patient_id = ?",
                       [new_id, seal(new_master_key, cipher._aesgcm_key,
                                     wrap_aad(row["patient_id"])), row["patient_id"]])
            count += 1
        for row in list(db.query("SELECT kid, kek_id, wrapped_private FROM sealing_keys")):
            aad = sealing_key_aad(row["kid"])
            private = self.unwrap_secret(row["kek_id"], row["wrapped_private"], aad)
            db.execute("UPDATE sealing_keys SET kek_id = ?, wrapped_private = ? WHERE kid = ?",
                       [new_id, seal(new_master_key, private, aad), row["kid"]])
        from ..records.registry.pseudonyms import rewrap_pseudonym_keys

        # Registry pseudonyms must not change with the master key: same key, new wrapping.
        rewrap_pseudonym_keys(db, self, new_id, lambda raw, aad: seal(new_master_key, raw, aad))
        db.execute("UPDATE master_keys SET retired_at = ? WHERE kek_id != ? AND retired_at IS NULL",
                   [to_db(now), new_id])
        self._master_keys[new_id] = new_master_key
        self.current_kek_id = new_id
        return count


def sealing_key_aad(kid: str) -> bytes:
    return f"homeward/v1|sealing-key|{kid}".encode()


def pending_key_path(path):
    return path.with_name(path.name + ".next")


def create_key_file_once(path) -> bytes:
    """Create the master key file unless another process just did; both then use one key."""
    key = secrets.token_bytes(32)
    temp = path.with_name(path.name + f".new-{secrets.token_hex(4)}")
    write_secret(temp, key)
    try:
        os.link(temp, path)  # fails if the file appeared meanwhile, unlike a rename
    except FileExistsError:
        pass
    finally:
        temp.unlink()
    return read_secret(path)
