"""Time to alert: 100 devices (threads) push at once, each a small batch every second or two;
about one push in ten carries a fever. Measured per fever: the push's answer, that the
alert row is open with its notification in the outbox the moment the answer arrives, and
push -> delivered to a local webhook receiver (a real http.server on 127.0.0.1, signature
checked) through a notifications file and a `homeward scheduler` subprocess. After each
delivery a nurse resolves the alert through the clinic API, so the device's next fever
opens a new episode (and notifies again).

    .venv/bin/python bench/time_to_alert.py [--size small|full] [--burst]
"""
import json
import random
import sqlite3
import subprocess
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from alerts.notifications import verify_signature
from common import (HOMEWARD, Http, Server, arguments, data_folder, latency_line,
                    print_machine, process_memory)
from families import diary_answers, document, dumps, enrol_family, envelope, push_body, \
    staff_token

DEVICES = 100
ROUNDS = {"small": 20, "full": 60}  # pushes per device
FEVER_SHARE = 0.1
PAUSE = (0.5, 2.5)  # seconds between a device's pushes
SECRET_ENV, SECRET = "BENCH_WEBHOOK_SECRET", "bench-secret-not-for-production"
DELIVERY_TIMEOUT = 20.0


class Receiver:
    """Webhook receiver: first arrival (monotonic) of each alert's alert_raised message."""

    def __init__(self):
        self.arrived, self.bad, self.lock = {}, 0, threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ok = verify_signature(SECRET, self.headers.get("X-Homeward-Timestamp", ""),
                                      body, self.headers.get("X-Homeward-Signature", ""),
                                      datetime.now(timezone.utc))
                payload = json.loads(body)
                with receiver.lock:
                    if not ok:
                        receiver.bad += 1
                    elif payload["kind"] == "alert_raised":
                        receiver.arrived.setdefault(payload["alert_id"], time.monotonic())
                    receiver.lock.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, alert_id, timeout) -> float | None:
        deadline = time.monotonic() + timeout
        with self.lock:
            while alert_id not in self.arrived and time.monotonic() < deadline:
                self.lock.wait(timeout=max(0.0, deadline - time.monotonic()))
            return self.arrived.get(alert_id)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def notifications_file(path, port):
    hook = {"type": "webhook", "url": f"http://127.0.0.1:{port}/hook", "secret_env": SECRET_ENV}
    path.write_text(json.dumps({"channels": {"bench-hook": hook}, "routes": {
        route: ["bench-hook"] for route in ("emergency", "urgent", "attention", "info",
                                            "escalation")}}))
    return path


def start_scheduler(data_dir, env, server):
    log = open(data_dir.parent / "scheduler.log", "ab")
    process = subprocess.Popen([HOMEWARD, "scheduler"], env=env, stdout=log, stderr=log)
    http, deadline = Http(server.port), time.monotonic() + 60
    while time.monotonic() < deadline:
        status, raw = http.request("GET", "/healthz")
        if json.loads(raw)["scheduler"]["status"] == "ok":
            return process
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the scheduler did not take its lease in 60 s")


def device_rounds(family, rounds, rng, fever_share=FEVER_SHARE):
    """Per push, the sealed batch (one to three diary entries, a fever in about one push in
    ten) and the fever's entry id or None; recorded five minutes apart, oldest first."""
    base = datetime.now(timezone.utc) - timedelta(minutes=5 * rounds + 5)
    batches = []
    for r in range(rounds):
        at, fever = base + timedelta(minutes=5 * r), rng.random() < fever_share
        docs = [document(family, at + timedelta(seconds=i), diary_answers(rng))
                for i in range(rng.randint(0, 2))]
        if fever or not docs:
            docs.append(document(family, at + timedelta(seconds=3),
                                 diary_answers(rng, fever=fever)))
        batches.append((dumps([envelope(family, doc) for doc in docs]),
                        docs[-1]["entry_id"] if fever else None))
    return batches


def run(size="small", keep=False, devices=DEVICES, rounds=None, report=print,
        burst=False) -> dict:
    """`burst`: the stress case, every device pushes a fever within the same second, three
    times over (a barrier starts each round)."""
    rounds = rounds or (3 if burst else ROUNDS[size])
    fever_share, pause = (1.0, (0.0, 1.0)) if burst else (FEVER_SHARE, PAUSE)
    rng = random.Random(11)
    receiver = Receiver()
    samples, pushes, problems, lock = [], [], [], threading.Lock()
    try:
        with data_folder(keep) as data_dir:
            env = {"HOMEWARD_NOTIFICATIONS_FILE": str(notifications_file(
                data_dir.parent / "notifications.json", receiver.port)), SECRET_ENV: SECRET}
            with Server(data_dir, workers=2, env=env) as server:
                scheduler = start_scheduler(data_dir, server.env, server)
                try:
                    http = Http(server.port)
                    nurse = staff_token(data_dir)
                    plans = []
                    for index in range(devices):
                        family = enrol_family(http, nurse, index)
                        plans.append((family, device_rounds(family, rounds, rng, fever_share)))
                    database = data_dir / "homeward.db"
                    barrier = threading.Barrier(devices, timeout=120)
                    pause_of = pause

                    def device(family, batches, seed):
                        local, pause = Http(server.port), random.Random(seed)
                        pause_range = pause_of
                        db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
                        barrier.wait()  # every device starts together
                        for body, fever_id in batches:
                            if burst:
                                barrier.wait()  # and in a burst, every round
                            time.sleep(pause.uniform(*pause_range))
                            began = time.monotonic()
                            status, raw = local.request("POST", "/api/v1/sync/push",
                                                        push_body(body), family.headers)
                            answered = time.monotonic()
                            if status != 200:
                                raise RuntimeError(f"push answered {status}: {raw[:200]!r}")
                            with lock:
                                pushes.append(answered - began)
                            if fever_id is None:
                                continue
                            result = next(r for r in json.loads(raw)["results"]
                                          if r["entry_id"] == fever_id)
                            alert_id = (result.get("alert") or {}).get("alert_id")
                            visible = alert_id is not None and db.execute(
                                "SELECT COUNT(*) FROM alerts a JOIN notifications n ON "
                                "n.alert_id = a.id WHERE a.id = ? AND a.status = 'open'",
                                [alert_id]).fetchone()[0] > 0
                            delivered = receiver.wait_for(alert_id, DELIVERY_TIMEOUT) \
                                if alert_id else None
                            with lock:
                                samples.append({"push": answered - began, "visible": visible,
                                                "delivered": None if delivered is None
                                                else delivered - began,
                                                "after_answer": None if delivered is None
                                                else delivered - answered})
                            if alert_id:
                                local.json("POST", f"/api/v1/alerts/{alert_id}/resolve",
                                           {"outcome": "false_alarm"}, token=nurse)
                        db.close()
                        local.close()

                    def guarded(*args):
                        try:
                            device(*args)
                        except Exception as error:  # reported, never hangs the others
                            with lock:
                                problems.append(repr(error))
                            barrier.abort()

                    threads = [threading.Thread(target=guarded, args=(f, b, i))
                               for i, (f, b) in enumerate(plans)]
                    for thread in threads:
                        thread.start()
                    for thread in threads:
                        thread.join(timeout=rounds * (DELIVERY_TIMEOUT + pause[1] + 10))
                    scheduler_memory = process_memory(scheduler.pid)
                    server_memory = server.memory_line()
                finally:
                    scheduler.terminate()
                    scheduler.wait(timeout=60)
    finally:
        receiver.close()
    return summarise(samples, pushes, problems, receiver.bad, server_memory, scheduler_memory,
                     report)


def summarise(samples, pushes, problems, bad_signatures, server_memory, scheduler_memory,
              report):
    delivered = [s["delivered"] for s in samples if s["delivered"] is not None]
    invisible = sum(1 for s in samples if not s["visible"])
    report(f"{len(pushes)} pushes (1-3 entries) from {DEVICES} concurrent devices, "
           f"{len(samples)} with a fever; alert open with its notification queued when the "
           f"push answered: {len(samples) - invisible}/{len(samples)} (target: all)")
    report(latency_line("push answered, any", pushes))
    report(latency_line("push answered, with a fever", [s["push"] for s in samples]))
    report(latency_line("push -> delivered to the webhook", delivered, "p99 < 250 ms"))
    # The dispatcher's own share, apart from the push's time in a busy server's queue.
    report(latency_line("push answered -> delivered", [
        s["after_answer"] for s in samples if s["after_answer"] is not None]))
    report(f"not delivered within {DELIVERY_TIMEOUT:.0f} s: {len(samples) - len(delivered)}; "
           f"bad signatures: {bad_signatures}; errors: {problems[:3]}")
    report(server_memory)
    report(f"scheduler memory: peak RSS {scheduler_memory.get('VmHWM', 0):.0f} MiB")
    return {"samples": samples, "pushes": pushes, "invisible": invisible,
            "problems": problems, "delivered": delivered}


if __name__ == "__main__":
    args = arguments(__doc__.splitlines()[0], lambda parser: parser.add_argument(
        "--burst", action="store_true", help="stress: every device pushes a fever at once"))
    print_machine()
    print("server: homeward serve --workers 2 (gunicorn gthread, 4 threads each); "
          "homeward scheduler (notifications woken by new outbox rows; 1 s tick as fallback)")
    found = run(args.size, args.keep, burst=args.burst)
    # The design's promise, checked on every fever: the alert exists when the push answers.
    assert found["invisible"] == 0, f"{found['invisible']} alerts were not visible in time"
