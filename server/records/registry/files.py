"""One registry's export as files: the CSV tables, their data dictionary, the FHIR Bundle
and a manifest with each file's SHA-256, written 0600 in a 0700 folder, or zipped.

Byte for byte the same for the same data and settings: no time of the run inside, sorted
rows, a fixed key order, and zip entries with a fixed date.
"""
import hashlib
import io
import json
import os
import secrets
import shutil
import zipfile
from pathlib import Path

from .dataset import gather
from .fhir import to_bundle
from .tables import render_tables

FORMAT = "homeward-registry-export/1"
EXPORT_FILES = ("bundle.json", "data_dictionary.csv", "follow_up.csv", "manifest.json",
                "patients.csv", "scores.csv", "toxicity_events.csv", "toxicity_summary.csv")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: a constant, not the run's


def render(dataset) -> dict[str, bytes]:
    files = render_tables(dataset)
    files["bundle.json"] = (json.dumps(to_bundle(dataset), indent=1, ensure_ascii=False)
                            + "\n").encode("utf-8")
    manifest = {"format": FORMAT, "registry": dataset["registry"],
                "site_code": dataset["site_code"], "since": dataset["since"],
                "patients": len(dataset["patients"]),
                "files": {name: {"sha256": hashlib.sha256(body).hexdigest(),
                                 "bytes": len(body)} for name, body in sorted(files.items())}}
    files["manifest.json"] = (json.dumps(manifest, indent=1) + "\n").encode("utf-8")
    return dict(sorted(files.items()))


def build(db, vault, *, registry, site_code, since=None) -> tuple[int, dict[str, bytes]]:
    """(how many children, the files) of one registry's export."""
    dataset = gather(db, vault, registry=registry, site_code=site_code, since=since)
    return len(dataset["patients"]), render(dataset)


def write_folder(folder: Path, files: dict[str, bytes]) -> None:
    """Replace `folder` with exactly these files, 0600 in a 0700 folder: written in full
    into a temporary folder beside it first, then swapped in, so a failure half-way (a full
    disk) leaves the earlier export whole, never half of each."""
    folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = folder.parent / f".{folder.name}.tmp-{secrets.token_hex(4)}"
    old = folder.parent / f".{folder.name}.old-{secrets.token_hex(4)}"
    temp.mkdir(mode=0o700)
    try:
        for name, body in files.items():
            fd = os.open(temp / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
        if folder.exists():
            os.replace(folder, old)
        os.replace(temp, folder)
    except BaseException:
        if old.exists() and not folder.exists():
            os.replace(old, folder)
        shutil.rmtree(temp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


def zip_files(files: dict[str, bytes], prefix: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in files.items():
            info = zipfile.ZipInfo(f"{prefix}/{name}", date_time=ZIP_DATE)
            info.external_attr = (0o100600 << 16)  # unpacked 0600, like every file we write
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, body)
    return buffer.getvalue()
