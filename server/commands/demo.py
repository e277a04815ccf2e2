"""`homeward demo` (what `make run` starts): a fresh data folder, demo accounts with random
passwords printed once, the server and the scheduler running, and about forty simulated
families synced through the real protocol, so a newcomer sees Homeward doing its job
within a minute. It keeps a few families active until stopped, so the inbox moves."""
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

from sync.simulator import SimulatedFamily, StaffApi, Summary, plan_cohort, simulate

from ..storage import db as storage
from ..auth.users import create_user
from ..clock import SystemClock
from .checks import CommandError, ensure_port_free, local_url
from .demo_records import seed_records
from .export import export_registries
from .init import initialise
from .serve import bounded
from .simulate import describe, progress_bar, staff_token

MARKER = ".homeward-demo"
ACCOUNTS = (("demo-nurse", "nurse"), ("demo-physician", "physician"),
            ("demo-psychosocial", "psychosocial"))


def register(subparsers):
    parser = subparsers.add_parser("demo", help="start Homeward with a simulated cohort")
    parser.add_argument("--families", type=int, default=40)
    parser.add_argument("--live-every", type=float, default=20.0,
                        help="seconds between live entries after start-up (0: none)")
    parser.add_argument("--stop-after", type=float, default=0,
                        help="stop after so many seconds (0: run until Ctrl-C)")
    parser.add_argument("--port", type=bounded(1, 65535),
                        help="port for the demo's server (default HOMEWARD_PORT, 8000)")
    parser.set_defaults(run=run)


def open_private(path: Path, mode: str):
    """`open`, but a new file is its owner's only (0600), whatever the umask."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    return os.fdopen(os.open(path, flags, 0o600), mode)


def fresh_folder(path: Path):
    """Only ever wipes a folder this command made: a typo must not delete real data."""
    if path.exists() and any(path.iterdir()):
        if not (path / MARKER).exists():
            raise CommandError(f"{path} holds data that is not a demo; point "
                               "HOMEWARD_DATA_DIR at an empty or demo folder.")
        shutil.rmtree(path)
    path.mkdir(parents=True, mode=0o700)
    with open_private(path / MARKER, "w") as marker:
        marker.write("made by `homeward demo`; deleted by the next one\n")


def demo_cohort(count, now):
    plans = plan_cohort(count, now, seed=2026, fever_rate=0.0, offline_rate=0.0, days=5)
    in_window = [plan for plan in plans if 0 <= (now.date() - plan.infusion_date).days <= 14]
    for plan in in_window[:4]:  # fevers in the last hours, one of them barely an hour old
        plan.fever_at = now - timedelta(hours=1 + 2 * in_window.index(plan))
    if len(in_window) > 4:  # one child with new confusion, a few days after infusion
        in_window[4].neuro_change_at = now - timedelta(hours=3)
    for plan in in_window[5:8]:  # families offline for a day who sync late
        plan.offline_from = now - timedelta(hours=24)
    for plan in [p for p in plans if (now.date() - p.infusion_date).days > 90][:3]:
        plan.qol_decline = True
    # One emergency, so the inbox's red banner is seen: a seizure twenty minutes ago, in a
    # child a few days after infusion (when ICANS is most likely).
    seizure = plans[-1]
    seizure.infusion_date = now.date() - timedelta(days=5)
    seizure.emergency_at = now - timedelta(minutes=20)
    seizure.offline_from = None
    return plans


def start(command, env, log_path):
    log = open_private(log_path, "ab")  # access logs name patients' ids
    return subprocess.Popen([sys.executable, "-m", "server.cli", *command], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_for(url, server, log_path, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:  # else whatever answers there would be signed in to
            raise CommandError(f"The demo's server stopped at start-up; see {log_path}.")
        try:
            if requests.get(url + "/healthz", timeout=2).status_code in (200, 503):
                return
        except (requests.ConnectionError, requests.Timeout):  # still starting, or busy
            pass
        time.sleep(0.3)
    raise CommandError(f"The demo's server did not answer at {url} within {seconds} s; "
                       f"see {log_path}.")


def stop(processes):
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def interrupt(signum, frame):
    raise KeyboardInterrupt


def run(args, config):
    # The server and scheduler run in sessions of their own (so Ctrl-C reaches them only
    # through stop()); a SIGTERM from systemd or `timeout`, or a closed terminal, must stop
    # them the same way, not leave them running without the demo.
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGHUP, interrupt)
    if args.port:
        config = config.with_overrides(port=args.port)
    # Before anything is wiped or started: a demo on a busy port would sign in to the
    # other server and fail with a 401 nobody can explain.
    ensure_port_free(config.host, config.port)
    folder = config.data_dir
    fresh_folder(folder)
    demo_config = config.with_overrides(cookie_secure=False)
    initialise(demo_config)
    passwords = {}
    db = storage.connect(demo_config.database_path)
    try:
        for username, role in ACCOUNTS:
            passwords[username] = secrets.token_urlsafe(12)
            create_user(db, username, role, passwords[username], demo_config,
                        SystemClock().now())
    finally:
        db.conn.close()
    url = local_url(config.host, config.port)
    env = {**os.environ, "HOMEWARD_DATA_DIR": str(folder), "HOMEWARD_COOKIE_SECURE": "false",
           "HOMEWARD_PORT": str(config.port)}
    processes = [start(["serve"], env, folder / "server.log"),
                 start(["scheduler"], env, folder / "scheduler.log")]
    try:
        wait_for(url, processes[0], folder / "server.log")
        print(f"Homeward is running at {url}; feeding {args.families} simulated families "
              "through the app protocol…", flush=True)
        token = staff_token(url, "demo-nurse", passwords["demo-nurse"])
        plans = demo_cohort(args.families, datetime.now(timezone.utc))
        summary = simulate(url, token, plans, days=5,
                           state_dir=Path(tempfile.mkdtemp(prefix="phones-", dir=folder)),
                           progress=progress_bar)
        print(describe(summary))
        physician = staff_token(url, "demo-physician", passwords["demo-physician"])
        events = seed_records(url, physician, datetime.now(timezone.utc).date())
        print(f"Recorded clinical profiles and {events} toxicity events.")
        # The registry export on the demo cohort, so docs/registry.md's files can be seen.
        for registry, count, where, _files in export_registries(
                demo_config.with_overrides(site_code=config.site_code or "DEMO"),
                folder / "registry-exports", actor="demo"):
            print(f"Registry export ({registry}, de-identified): {count} children in {where}.")
        print_welcome(url, passwords)
        print_family_link(url, token)
        keep_live(url, token, folder, args)
    except KeyboardInterrupt:
        print("\nStopping the demo.")
    finally:
        stop(processes)
    return 0


def print_welcome(url, passwords):
    print(f"""
Open {url}/login in a browser and sign in (these passwords are shown only now):
""")
    for username, role in ACCOUNTS:
        print(f"  {username:<19} {passwords[username]:<18} ({role})")
    print(f"""
Where to click:
  {url}/alerts           the nurses' alert inbox: fevers, a neurological change, late syncs
  {url}/patients         every child by day after infusion; open one for the timeline
  {url}/wellbeing        (as demo-psychosocial) quality of life and caregiver distress
  {url}/api/v1/docs      the API, generated from the code
Notifications go to the log (no notifications file is set): see scheduler.log.
A new entry arrives every few seconds; leave the inbox open and watch. Ctrl-C stops it.""",
          flush=True)


def print_family_link(url, token):
    from ..family.demo import create_family_link

    link = create_family_link(url, token, datetime.now(timezone.utc).date())
    print(f"\nBe the family: open {link} in another browser window on this computer\n"
          "(a phone needs HTTPS) and connect; then record 38.5 °C and watch the inbox.",
          flush=True)


def keep_live(url, token, folder, args):
    """A few families keep using their app: calm diaries, and now and then a fever."""
    if not args.live_every:
        return
    started, staff, summary = time.monotonic(), StaffApi(url, token), Summary()
    now = datetime.now(timezone.utc)
    plans = plan_cohort(3, now, seed=int(now.timestamp()), fever_rate=0, offline_rate=0)
    for plan in plans:
        plan.infusion_date = now.date() - timedelta(days=2)
    families = [SimulatedFamily(staff, plan, url, Path(tempfile.mkdtemp(dir=folder)),
                                rng=__import__("random").Random(i))
                for i, plan in enumerate(plans)]
    beat = 0
    while not args.stop_after or time.monotonic() - started < args.stop_after:
        time.sleep(args.live_every)
        family = families[beat % len(families)]
        fever = beat % 4 == 1
        answers = {"temperature_c": 38.7 if fever else 36.8, "temperature_method": "axillary"}
        family.record_now("symptom-diary", answers, summary)
        beat += 1
