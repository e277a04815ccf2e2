"""`homeward simulate`: drive any Homeward URL with simulated families (sync/simulator.py)."""
import sys
import tempfile
from pathlib import Path

import requests

from sync.simulator import plan_cohort, simulate

from .checks import CommandError


def register(subparsers):
    parser = subparsers.add_parser(
        "simulate", help="drive a Homeward server with simulated families through the protocol")
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--username", required=True, help="a nurse or physician account")
    parser.add_argument("--password-stdin", action="store_true", required=True,
                        help="read that account's password from standard input")
    parser.add_argument("--families", type=int, default=10)
    parser.add_argument("--days", type=int, default=3, help="days of history per family")
    parser.add_argument("--fever-rate", type=float, default=0.1)
    parser.add_argument("--offline-rate", type=float, default=0.1)
    parser.add_argument("--loss-rate", type=float, default=0.05,
                        help="share of push answers lost after the server committed")
    parser.add_argument("--skew-minutes", type=float, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--state-dir", type=Path, help="where the phones keep their state")
    parser.set_defaults(run=run)


def staff_token(url, username, password) -> str:
    if not url.startswith(("http://", "https://")):
        raise CommandError(f"--url must be an http:// or https:// address such as "
                           f"http://127.0.0.1:8000, not {url!r}.")
    try:
        response = requests.post(url.rstrip("/") + "/api/v1/auth/token", timeout=30,
                                 json={"username": username, "password": password})
    except requests.RequestException:
        raise CommandError(f"Nothing answers at {url}; check that `homeward serve` runs "
                           "there, on that port.") from None
    if response.status_code != 200:
        raise CommandError(f"Signing in to {url} as {username} failed: "
                           f"{response.status_code} {refusal(response)}")
    return response.json()["token"]


def refusal(response) -> str:
    """The server's own sentence from the error envelope, or the start of whatever it sent
    (another program may be listening on that port)."""
    try:
        return response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return " ".join(response.text.split())[:120] or "(no body)"


def progress_bar(done, total, out=sys.stderr, width=30):
    filled = int(width * done / max(total, 1))
    out.write(f"\r  families [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        out.write("\n")
    out.flush()


def describe(summary) -> str:
    statuses = ", ".join(f"{count} {status}" for status, count in sorted(summary.statuses.items()))
    lines = [f"Families: {summary.families}. Entries recorded: {summary.entries_sent}.",
             f"Push results: {statuses or 'none'}.",
             f"Entries that raised or extended an alert: {summary.alerts}; alerts open now: "
             f"{summary.open_alerts}."]
    if summary.alert_seconds:
        times = sorted(summary.alert_seconds)
        p50, p95 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.95))]
        lines.append(f"Push round trip of pushes that raised an alert (push → open alert): "
                     f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, n={len(times)}.")
    return "\n".join(lines)


def run(args, config):
    from datetime import datetime, timezone

    password = sys.stdin.readline().rstrip("\n")
    token = staff_token(args.url, args.username, password)
    plans = plan_cohort(args.families, datetime.now(timezone.utc), seed=args.seed,
                        fever_rate=args.fever_rate, offline_rate=args.offline_rate,
                        days=args.days, max_skew_minutes=args.skew_minutes)
    state_dir = args.state_dir or Path(tempfile.mkdtemp(prefix="homeward-phones-"))
    state_dir.mkdir(parents=True, exist_ok=True)
    try:
        summary = simulate(args.url, token, plans, days=args.days, state_dir=state_dir,
                           loss_rate=args.loss_rate, seed=args.seed, progress=progress_bar)
    except requests.RequestException:
        raise CommandError(f"The server at {args.url} stopped answering during the "
                           "simulation.") from None
    except RuntimeError as error:  # the server refused a staff call: its words say why
        raise CommandError(f"The server at {args.url} refused the simulation: "
                           f"{error}") from None
    print(describe(summary))
    return 0
