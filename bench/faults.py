"""The fault tests at full size (tests/test_fault_*.py run them reduced in the suite).

    .venv/bin/python bench/faults.py [all|server-kill|scheduler-kill|concurrency|schemathesis]
        [--clients N] [--entries M] [--kills K] [--workers W] [--per-sync S]
        [--families F] [--delay SECONDS] [--real-claim-expiry]
        [--max-examples N] [--full] [--keep]

- server-kill: N phones (threads, each its own state file and family) record M entries
  each and sync in a loop against `homeward serve`; the server's process group is killed
  with SIGKILL K times mid-push and restarted on the same port and data. Every entry must
  be stored exactly once.
- scheduler-kill: F fevers queue F pager notifications; a webhook receiver takes DELAY s
  per delivery; `homeward scheduler` is killed mid-dispatch and started again. Every
  notification is delivered at least once and recorded as sent once. The dispatcher's
  claims last 300 s: by default the claims of the dead dispatcher are aged in the database
  once it is dead; --real-claim-expiry waits them out (about five minutes).
- concurrency: `serve --workers W` plus `scheduler`, N phones pushing (every third entry a
  fever) and three nurses acknowledging and resolving: no 5xx, no "database is locked".
- schemathesis: generated requests for every operation of the OpenAPI document, with fresh
  randomness; --max-examples per operation and mode (--full: 200).

Each scenario runs in its own temporary folder (kept with --keep), binds 127.0.0.1 only,
and stops every process it started. Exit status 1 if any promise failed.
"""
import argparse
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The repository first (tests/questionnaires would otherwise shadow the package), then the
# tests folder, where the scenarios live beside the reduced tests that run them.
sys.path.insert(0, str(REPO))
sys.path.append(str(REPO / "tests"))

from common import print_machine  # noqa: E402

SCENARIOS = ("server-kill", "scheduler-kill", "concurrency", "schemathesis")


def parse():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", nargs="?", default="all", choices=("all",) + SCENARIOS)
    parser.add_argument("--clients", type=int, help="phones (server-kill 16, concurrency 24)")
    parser.add_argument("--entries", type=int,
                        help="entries per phone (server-kill 500, concurrency 200)")
    parser.add_argument("--kills", type=int, default=3, help="server kills (3)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (server-kill 2, "
                                                    "concurrency 3)")
    parser.add_argument("--per-sync", type=int, help="entries recorded between syncs")
    parser.add_argument("--families", type=int, default=20,
                        help="fevers, so notifications (scheduler-kill, 20)")
    parser.add_argument("--delay", type=float, default=1.0,
                        help="seconds the receiver takes per delivery (1.0)")
    parser.add_argument("--real-claim-expiry", action="store_true",
                        help="scheduler-kill: wait out the 300 s claims instead of ageing them")
    parser.add_argument("--max-examples", type=int, default=25,
                        help="schemathesis examples per operation and mode (25)")
    parser.add_argument("--full", action="store_true", help="schemathesis: 200 examples")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    return parser.parse_args()


def scenario_runs(args):
    from test_fault_concurrency import run_concurrency
    from test_fault_scheduler_kill import run_scheduler_kill
    from test_fault_schemathesis import run_schemathesis
    from test_fault_server_kill import run_server_kill

    return {
        "server-kill": lambda root: run_server_kill(
            root, clients=args.clients or 16, entries=args.entries or 500, kills=args.kills,
            workers=args.workers or 2, per_sync=args.per_sync or 10, timeout=1800),
        "scheduler-kill": lambda root: run_scheduler_kill(
            root, families=args.families, delay=args.delay, answered_before_kill=3,
            real_claim_expiry=args.real_claim_expiry, timeout=600),
        "concurrency": lambda root: run_concurrency(
            root, clients=args.clients or 24, entries=args.entries or 200,
            workers=args.workers or 3, per_sync=args.per_sync or 3, timeout=1800),
        "schemathesis": lambda root: run_schemathesis(
            root, max_examples=200 if args.full else args.max_examples, derandomize=False,
            timeout=3600),
    }


def main():
    args = parse()
    print_machine()
    runs = scenario_runs(args)
    failed = []
    for name in SCENARIOS if args.scenario == "all" else (args.scenario,):
        root = Path(tempfile.mkdtemp(prefix=f"homeward-faults-{name}-"))
        started = time.monotonic()
        print(f"\n== {name}", flush=True)
        try:
            figures = runs[name](root)
        except BaseException as error:  # report it, clean up, go on with the next
            failed.append(name)
            print(f"FAILED after {time.monotonic() - started:.1f} s: "
                  f"{type(error).__name__}: {str(error)[:3000]}")
            traceback.print_exc(limit=4)
            if isinstance(error, KeyboardInterrupt):
                break
        else:
            for key, value in figures.items():
                print(f"  {key:<28} {value}")
            print(f"passed in {time.monotonic() - started:.1f} s")
        finally:
            if args.keep or name in failed:
                print(f"  folder: {root}")
            else:
                shutil.rmtree(root, ignore_errors=True)
    print("\n" + ("FAILED: " + ", ".join(failed) if failed else "all promises kept"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
