"""`homeward scheduler`: the process that does time-based work (alerts/scheduler.py decides,
alerts/scheduler_process.py runs it).

Run one on each of two machines or units if you like: one holds the lease and acts, the
other stands by and takes over when the first stops heartbeating.
"""
import logging
import sys

from alerts.scheduler import Settings
from alerts.scheduler_process import SchedulerProcess

from ..storage import db as storage
from ..clock import SystemClock
from ..storage.installation import check_initialised
from ..jobs import build_jobs


def register(subparsers):
    parser = subparsers.add_parser(
        "scheduler", help="run the alert scheduler process (one acts, others stand by)")
    parser.set_defaults(run=run)


def run(args, config):
    logging.basicConfig(level=config.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if config.log_level != "DEBUG":
        # APScheduler logs every run at INFO: two lines per heartbeat drown the lease news.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # Never create a database here: a standby pointed at a mistyped data folder would
    # otherwise make an empty one, hold its lease and look healthy.
    check_initialised(config)
    database = storage.connect(config.database_path)
    try:
        applied = storage.migrate(database)
        jobs = build_jobs(config, database)
    finally:
        database.close()
    if applied:
        logging.getLogger("homeward.scheduler").info("applied migrations: %s",
                                                     ", ".join(applied))

    process = SchedulerProcess(
        open_db=lambda: storage.connect(config.database_path), clock=SystemClock(),
        settings=Settings(lease_seconds=config.scheduler_lease_seconds,
                          heartbeat_seconds=config.scheduler_heartbeat_seconds),
        jobs=jobs)
    logging.getLogger("homeward.scheduler").info(
        "scheduler %s starting with %d job(s); lease %s s, heartbeat every %s s",
        process.state.holder, len(jobs), config.scheduler_lease_seconds,
        config.scheduler_heartbeat_seconds)
    process.run()
    return 0
