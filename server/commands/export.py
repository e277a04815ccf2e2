"""`homeward export registry --out DIR [--registry NAME] [--since DATE]`: the de-identified
dataset for a registry (server/records/registry), one folder per registry under DIR."""
import argparse
import getpass
from datetime import date
from pathlib import Path

from ..storage import db as storage
from ..records.audit import record_as
from ..clock import SystemClock
from ..storage.installation import check_initialised
from ..records.registry.dataset import ExportProblem, check_request, registries_consented
from ..records.registry.files import build, write_files
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
    registry.add_argument("--out", type=Path, required=True, metavar="DIR",
                          help="folder to write into; each registry gets DIR/<registry>/")
    registry.add_argument("--registry", metavar="NAME",
                          help="a registry's code as the consents name it (e.g. ebmt); "
                               "default: every registry a consent names")
    registry.add_argument("--since", type=_date, metavar="DATE",
                          help="only children infused on or after DATE (YYYY-MM-DD)")
    registry.set_defaults(run=run_registry)


def _date(text):
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


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
    and audit it; -> [(registry, children, folder, file names)]."""
    clock = clock or SystemClock()
    check_initialised(config)
    db = storage.connect(config.database_path)
    exported = []
    try:
        storage.migrate(db)
        vault = Vault.open(config, db, clock)
        out.mkdir(parents=True, exist_ok=True, mode=0o700)
        for name in [registry] if registry else registries_consented(db):
            try:
                check_request(name, config.site_code)
                count, files = build(db, vault, registry=name, site_code=config.site_code,
                                     since=since)
            except (ExportProblem, NoPseudonymKey) as error:
                raise CommandError(str(error)) from None
            folder = out / name
            write_files(folder, files)
            record_as(db, "registry.export", actor_username=actor or "cli:" + getpass.getuser(),
                      actor_role="operator", now=clock.now(), target=name,
                      details={"registry": name, "patients": count,
                               "since": since.isoformat() if since else None,
                               "site_code": config.site_code, "files": sorted(files)})
            exported.append((name, count, folder, sorted(files)))
    finally:
        db.conn.close()
    return exported
