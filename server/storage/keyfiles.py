"""Secret files in the data directory: created once, 0600, never overwritten in place."""
import base64
import os
import secrets
from pathlib import Path


class KeyFileError(Exception):
    status, code = 500, "key_file_error"


def b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def write_secret(path: Path, raw: bytes) -> None:
    """Write atomically with 0600 from the first byte: a crash leaves the old file or none,
    and no other user can read the key even for a moment."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = path.with_name(path.name + f".tmp-{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (b64encode(raw) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def read_secret(path: Path, expected_length: int = 32) -> bytes:
    try:
        text = path.read_text("ascii")
    except FileNotFoundError:
        raise KeyFileError(f"The key file {path} does not exist; run `homeward init`.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise KeyFileError(f"The key file {path} cannot be read: {error}.") from None
    try:
        raw = b64decode(text)
    except ValueError:
        raise KeyFileError(f"The key file {path} is not base64url text.") from None
    if len(raw) != expected_length:
        raise KeyFileError(f"The key file {path} holds {len(raw)} bytes, not {expected_length}.")
    if path.stat().st_mode & 0o077:
        raise KeyFileError(f"The key file {path} can be read by other users; "
                           f"run `chmod 600 {path}`.")
    return raw


def load_or_create_secret_key(path: Path) -> bytes:
    if not path.exists():
        write_secret(path, secrets.token_bytes(32))
    return read_secret(path)
