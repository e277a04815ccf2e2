"""Password hashing with argon2id, and the same work for names that don't exist.

The cost comes from the configuration so a site can raise it as hardware gets faster;
`needs_rehash` lets a login quietly upgrade a hash made under an older, cheaper setting.
"""
import unicodedata
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
# argon2 copes with long inputs, but nobody types 1,024 characters and a cap keeps a login
# form from being used to make the server hash megabytes.
MAX_LENGTH = 1024


@lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1,
                          type=Type.ID)


def hasher(config) -> PasswordHasher:
    return _hasher(config.argon2_time_cost, config.argon2_memory_kib)


def normalise(password: str) -> str:
    # An iPad and a Windows keyboard can send the same accented letter as different code
    # points; NFKC makes them one password (NIST SP 800-63B, 5.1.1.2).
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str, config) -> str:
    return hasher(config).hash(normalise(password))


def verify_password(stored_hash: str, password: str, config) -> bool:
    try:
        return hasher(config).verify(stored_hash, normalise(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str, config) -> bool:
    try:
        return hasher(config).check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@lru_cache(maxsize=8)
def _decoy_hash(time_cost: int, memory_kib: int) -> str:
    return _hasher(time_cost, memory_kib).hash("no account has this password")


def spend_verify_time(password: str, config) -> None:
    """Do the work of a real verification, so an unknown username answers as slowly as a
    wrong password and the timing doesn't tell which usernames exist."""
    decoy = _decoy_hash(config.argon2_time_cost, config.argon2_memory_kib)
    verify_password(decoy, password, config)
