"""`homeward patients erase ID`: crypto-erasure of one patient, for a withdrawal of consent."""
import getpass
import sys

from ..storage import db as storage
from ..clock import SystemClock
from ..web.errors import NotFound
from ..storage.installation import check_initialised
from ..records.patients import erase_patient
from ..storage.vault import Vault


def register(subparsers):
    parser = subparsers.add_parser("patients", help="patient data operations")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    erase = actions.add_parser("erase", help="destroy a patient's data key: everything sealed "
                                             "for them becomes unreadable, for good")
    erase.add_argument("patient_id")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.set_defaults(run=run_erase)


def run_erase(args, config, clock=None, confirm=None):
    clock = clock or SystemClock()
    check_initialised(config)
    if not args.yes:
        answer = (confirm or input)(f"Erase {args.patient_id} for good? Type the patient id to confirm: ")
        if answer.strip() != args.patient_id:
            print("Not erased.", file=sys.stderr)
            return 1
    db = storage.connect(config.database_path)
    try:
        storage.migrate(db)
        vault = Vault.open(config, db, clock)
        result = erase_patient(db, vault, config, args.patient_id, clock.now())
        from ..records.audit import record_as

        record_as(db, "patient.erase", actor_username="cli:" + getpass.getuser(),
                  actor_role="operator",
                  now=clock.now(), patient_id=args.patient_id)
    except NotFound as error:
        print(f"homeward: {error.message}", file=sys.stderr)
        return 1
    finally:
        db.conn.close()
    state = "destroyed" if result["key_destroyed"] else "was already destroyed"
    print(f"Patient {args.patient_id}: data key {state}. Now unreadable:")
    for table, count in result["unreadable"].items():
        print(f"  {table}: {count} sealed value(s)")
    print("The erasure is in the erasure ledger and is re-applied by every restore.")
    return 0
