"""`homeward backup PATH` and `homeward restore PATH` (server/storage/backup.py does the work)."""
import sys
from pathlib import Path

from ..storage.backup import BackupError, backup, restore
from ..clock import SystemClock
from ..storage.erasure import ledger_path


def register(subparsers):
    parser = subparsers.add_parser(
        "backup", help="copy the database to PATH while the server runs (keys not included)")
    parser.add_argument("path", type=Path, metavar="PATH", help="the backup file to write")
    parser.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    parser.set_defaults(run=run_backup)

    parser = subparsers.add_parser(
        "restore", help="replace the database with a backup and re-apply erasures")
    parser.add_argument("path", type=Path, metavar="PATH", help="the backup file to restore")
    parser.add_argument("--force", action="store_true",
                        help="restore even though a scheduler's lease is live")
    parser.set_defaults(run=run_restore)


def human_size(size: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024


def key_location(config) -> str:
    return "HOMEWARD_MASTER_KEY" if config.master_key else str(config.master_key_path)


def run_backup(args, config):
    try:
        report = backup(config, args.path, force=args.force)
    except BackupError as error:
        print(f"homeward: {error}", file=sys.stderr)
        return 1
    print(f"Backup written to {report.path}: {human_size(report.size_bytes)} in "
          f"{report.seconds:.2f} s, integrity check ok.")
    print(f"The master key is NOT in the backup: keep a copy of {key_location(config)} "
          f"apart from it, and {ledger_path(config)} with the key. Without the key the "
          "backup cannot be read; keep them apart so one theft does not give both.")
    return 0


def run_restore(args, config):
    try:
        report = restore(config, args.path, SystemClock(), force=args.force)
    except BackupError as error:
        print(f"homeward: {error}", file=sys.stderr)
        return 1
    print(f"Restored {report.backup} into {report.database} in {report.seconds:.2f} s.")
    for path in report.moved_aside:
        print(f"The database it replaced was kept as {path}.")
    if report.migrations_applied:
        print(f"Applied {len(report.migrations_applied)} migration(s): "
              f"{', '.join(report.migrations_applied)}.")
    print(f"Re-applied {len(report.erasures_reapplied)} erasure(s) recorded in "
          f"{ledger_path(config)} after the backup was taken.")
    print("Start `homeward serve` and `homeward scheduler` again.")
    return 0
