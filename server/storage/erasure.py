"""Crypto-erasure that survives a restore.

A backup taken before an erasure still holds the patient's wrapped key. The ledger of
erasures lives beside the master key, outside the database and its backups, and every
restore re-applies it, so restoring an old backup cannot bring an erased child's data back.
"""
import os

from ..clock import to_db


def ledger_path(config):
    return config.data_dir / "erasures.log"


def record_erasure(config, patient_id: str, now) -> None:
    path = ledger_path(config)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{patient_id} {to_db(now)}\n".encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


def erased_patient_ids(config) -> list[str]:
    try:
        lines = ledger_path(config).read_text("ascii").splitlines()
    except FileNotFoundError:
        return []
    return [line.split()[0] for line in lines if line.strip()]


def reapply_erasures(config, vault, db, now) -> list[str]:
    """Destroy again every key the ledger says was destroyed; returns those it had to."""
    destroyed = []
    for patient_id in erased_patient_ids(config):
        if vault.destroy_patient_key(db, patient_id, now):
            db.execute("UPDATE patients SET status = 'erased', erased_at = ? WHERE id = ?",
                       [to_db(now), patient_id])
            destroyed.append(patient_id)
    return destroyed
