"""`homeward export registry --out DIR [--registry NAME] [--since DATE]`: the de-identified
dataset for a registry (server/records/registry), one folder per registry under DIR."""
import argparse
import getpass
from pathlib import Path

from ..storage import db as storage
from ..records.audit import record_as
from ..clock import SystemClock
from ..storage.installation import check_initialised
from ..records.dates import parse_calendar_date
from ..records.registry.dataset import (ExportProblem, check_request, check_since,
                                        registries_consented)
from ..records.registry.files import EXPORT_FILES, build, write_folder
from ..records.registry.pseudonyms import NoPseudonymKey
from ..storage.vault import Vault
from .checks import CommandError


def register(subparsers):
    parser = subparsers.add_parser("export", help="export data for others to pool")
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
    registry = kinds.add_parser(
        "registry", help="a de-identified toxicity and follow-up dataset (CSV with a data "
                         "dictionary, and a FHIR R4 Bundle) of the children whose families "
                         "consented to a registry")
    registry.add_argument("--out", type=_folder, required=True, metavar="DIR",
                          help="folder to write into; each registry gets DIR/<registry>/")
    registry.add_argument("--registry", metavar="NAME",
                          help="a registry's code as the consents name it (e.g. ebmt); "
                               "default: every registry a consent names")
    registry.add_argument("--since", type=_date, metavar="DATE",
                          help="only children infused on or after DATE (YYYY-MM-DD)")
    registry.set_defaults(run=run_registry)


def _folder(text):
    if not text.strip():
        raise argparse.ArgumentTypeError("name a folder to write the exports into")
    return Path(text)


def _date(text):
    try:
        return parse_calendar_date(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def run_registry(args, config, clock=None):
    exported = export_registries(config, args.out, registry=args.registry, since=args.since,
                                 clock=clock)
    if not exported:
        print("No consent in force names a registry; nothing to export.")
    for registry, count, folder, files in exported:
        print(f"{registry}: {count} patient(s) exported to {folder} ({len(files)} files).")
    return 0


def export_registries(config, out: Path, *, registry=None, since=None, clock=None,
                      actor=None) -> list[tuple]:
    """Write each registry's export under `out` (one registry, or every one a consent names)
    and audit it; -> [(registry, children, folder, file names)]. Everything is checked
    before the first byte is written: a refusal leaves the folder and the audit log as they
    were."""
    clock = clock or SystemClock()
    try:
        check_since(since, clock.now().date())
    except ExportProblem as error:
        raise CommandError(error.message) from None
    check_initialised(config)
    db = storage.connect(config.database_path)
    exported = []
    try:
        storage.migrate(db)
        vault = Vault.open(config, db, clock)
        names = [registry] if registry else registries_consented(db)
        try:
            for name in names:
                check_request(name, config.site_code, known=config.registries)
            built = {name: build(db, vault, registry=name, site_code=config.site_code,
                                 since=since) for name in names}
        except (ExportProblem, NoPseudonymKey) as error:
            raise CommandError(str(error)) from None
        if not names:
            return []
        check_out_folder(out, names)
        for name, (count, files) in built.items():
            folder = out / name
            write_folder(folder, files)
            record_as(db, "registry.export", actor_username=actor or "cli:" + getpass.getuser(),
                      actor_role="operator", now=clock.now(), target=name,
                      details={"registry": name, "patients": count,
                               "since": since.isoformat() if since else None,
                               "site_code": config.site_code, "files": sorted(files)})
            exported.append((name, count, folder, sorted(files)))
    finally:
        db.conn.close()
    return exported


def check_out_folder(out: Path, names) -> None:
    """--out must be a folder (or not exist yet), and each DIR/<registry> must hold nothing
    but an earlier export's files: a data manager's own file there would end up beside
    files whose manifest does not list it, or be lost when the folder is replaced."""
    if out.exists() and not out.is_dir():
        raise CommandError(f"--out {out} is a file, not a folder: name a folder to write "
                           "the exports into.")
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise CommandError(f"--out {out} cannot be made: {parent} is a file, not a "
                               "folder.")
    for name in names:
        folder = out / name
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise CommandError(f"{folder} is not a folder this export can replace; move it "
                               "aside or choose another --out.")
        if folder.is_dir():
            strangers = sorted(p.name for p in folder.iterdir() if p.name not in EXPORT_FILES)
            if strangers:
                raise CommandError(f"{folder} holds files that are not this export's "
                                   f"({', '.join(strangers[:5])}); move them or choose "
                                   "another --out, since the folder is replaced whole.")
