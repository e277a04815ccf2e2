"""Push throughput: sealed diary entries per second through HTTP into ONE server process
(`homeward serve --workers 1`: gunicorn, one gthread worker with 4 threads), batches of 500,
each batch from its own family (a phone back after a long time offline), with opening,
validation, at-rest encryption, rule evaluation and commit - beside the floor measured in
the same run: HPKE-open + AES-GCM + a batched SQLite insert of the same entries into the
same table layout in a tight loop (no HTTP, no validation, no rules).

    .venv/bin/python bench/push_throughput.py [--size small|full] [--workers N] [--threads N]
                                              [--scheduler]

`--workers 2` is the default `homeward serve`; `--threads` sets how many clients push at
once in the concurrent part (default: 2 small, 4 full). Each part also prints the server's
CPU time per stored entry (gunicorn's master and workers, from /proc) beside the floor's:
the rate depends on what else runs on the machine, the CPU per entry much less.
`--scheduler` also runs `homeward scheduler` (its dispatcher wakes on new outbox rows,
alerts/wake.py) and prints its CPU time and the notifications it sent meanwhile: run with
and without it to see whether the wake slows pushes.
"""
import json
import random
import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from common import (Http, Server, arguments, data_folder, latency_line, print_machine,
                    process_cpu_seconds)
from families import diary_envelopes, dumps, enrol_family, push_body, staff_token
from time_to_alert import start_scheduler

BATCH = 500
TARGET = 5000
SIZES = {"small": {"sequential": 4, "threads": 2, "per_thread": 2},
         "full": {"sequential": 16, "threads": 4, "per_thread": 6}}


def load_keyring(data_dir):
    from server.clock import SystemClock
    from server.config import Config
    from server.storage.db import connect
    from server.storage.sealing_keys import load_keyring as load
    from server.storage.vault import Vault

    config = Config.from_env({}, data_dir=data_dir)
    db = connect(config.database_path)
    try:
        return load(db, Vault.open(config, db, SystemClock()))
    finally:
        db.conn.close()


def make_batches(http, staff, count, rng, size=BATCH, fever_every=50):
    """[(family, envelopes JSON bytes, entry count)]: one enrolled family per batch."""
    batches = []
    for index in range(count):
        family = enrol_family(http, staff, index)
        envelopes = diary_envelopes(family, size, rng, fever_every=fever_every)
        batches.append((family, dumps(envelopes), envelopes))
    return batches


def floor(data_dir, batches) -> dict:
    """HPKE-open each envelope, AES-GCM-seal its plaintext, insert the batch with one
    executemany in one transaction (WAL, synchronous=FULL, the same table and indexes as
    `entries`) into a separate database file on the same disk."""
    from server.storage.vault import PatientCipher

    keyring = load_keyring(data_dir)
    cpu_started = time.process_time()
    source = sqlite3.connect(Path(data_dir) / "homeward.db")
    schema = [sql for (sql,) in source.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'entries' AND sql IS NOT NULL")]
    source.close()
    conn = sqlite3.connect(Path(data_dir) / "floor.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    for sql in schema:
        conn.execute(sql)
    cipher = PatientCipher("floor", b"k" * 32)
    columns = "entry_id, patient_id, device_id, status, received_at, content_mac, document"
    insert = f"INSERT INTO entries ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?)"
    total, started = 0, time.perf_counter()
    for family, _body, envelopes in batches:
        received = datetime.now(timezone.utc).isoformat()
        rows = []
        for env in envelopes:
            plaintext = keyring.open(env["kid"], env["sealed"], env["entry_id"],
                                     family.device_id)
            rows.append((env["entry_id"], family.patient_id, family.device_id, "accepted",
                         received, b"", cipher.seal_bytes("entries", env["entry_id"],
                                                          "document", plaintext)))
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(insert, rows)
        conn.execute("COMMIT")
        total += len(rows)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    conn.close()
    return {"entries": total, "seconds": elapsed, "rate": total / elapsed, "cpu": cpu}


def sent_notifications(data_dir) -> str:
    db = sqlite3.connect(Path(data_dir) / "homeward.db")
    try:
        return ", ".join(f"{status} {count}" for status, count in db.execute(
            "SELECT status, COUNT(*) FROM notifications GROUP BY status"))
    finally:
        db.close()


def push_all(port, batches, threads=1) -> dict:
    """Push every batch over HTTP, `threads` clients at once (each its own connection);
    returns entries/s over the wall time and each push's latency."""
    latencies, statuses, failed, lock = [], {}, [], threading.Lock()
    queues = [batches[i::threads] for i in range(threads)]

    def client(mine):
        http = Http(port)
        for family, body, _envelopes in mine:
            began = time.perf_counter()
            status, raw = http.request("POST", "/api/v1/sync/push", push_body(body),
                                       family.headers)
            took = time.perf_counter() - began
            with lock:
                latencies.append(took)
                if status != 200:  # counted, not raised: a failed push is a result too
                    failed.append(f"{status} {raw[:120]!r}")
                    continue
                for result in json.loads(raw)["results"]:
                    statuses[result["status"]] = statuses.get(result["status"], 0) + 1
        http.close()

    workers = [threading.Thread(target=client, args=(mine,)) for mine in queues]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=600)
    elapsed = time.perf_counter() - started
    stored = statuses.get("accepted", 0) + statuses.get("quarantined", 0)
    return {"entries": stored, "seconds": elapsed, "rate": stored / elapsed,
            "latencies": latencies, "statuses": statuses, "failed": failed}


def run(size="small", keep=False, sizes=None, batch=BATCH, report=print, workers=1,
        threads=None, scheduler=False) -> dict:
    plan = dict((sizes or SIZES)[size])
    if threads:
        plan["threads"] = threads
    rng = random.Random(7)
    with data_folder(keep) as data_dir, Server(data_dir, workers=workers) as server:
        http = Http(server.port)
        staff = staff_token(data_dir)
        warmup = make_batches(http, staff, 1, rng, size=20)
        sequential = make_batches(http, staff, plan["sequential"], rng, size=batch)
        concurrent = make_batches(http, staff, plan["threads"] * plan["per_thread"], rng,
                                  size=batch)
        push_all(server.port, warmup)
        figures = {"floor": floor(data_dir, sequential + concurrent)}
        dispatcher = start_scheduler(data_dir, server.env, server) if scheduler else None
        try:
            for name, batches, threads in (("sequential", sequential, 1),
                                           ("concurrent", concurrent, plan["threads"])):
                cpu = server.cpu_seconds()
                dispatcher_cpu = process_cpu_seconds(dispatcher.pid) if dispatcher else 0
                figures[name] = push_all(server.port, batches, threads=threads)
                figures[name]["server_cpu"] = server.cpu_seconds() - cpu
                if dispatcher:
                    figures[name]["scheduler_cpu"] = (process_cpu_seconds(dispatcher.pid)
                                                      - dispatcher_cpu)
            if dispatcher:
                figures["sent"] = sent_notifications(data_dir)
        finally:
            if dispatcher:
                dispatcher.terminate()
                dispatcher.wait(timeout=60)
        figures.update(memory=server.memory_line(), threads=plan["threads"])
    floor_rate = figures["floor"]["rate"]
    floor_cpu = figures["floor"]["cpu"] / figures["floor"]["entries"] * 1e6
    report(f"floor (HPKE open + AES-GCM + executemany, in-process): "
           f"{figures['floor']['entries']} entries, {floor_rate:,.0f} entries/s, "
           f"CPU {floor_cpu:.0f} us/entry")
    for name in ("sequential", "concurrent"):
        found = figures[name]
        clients = 1 if name == "sequential" else figures["threads"]
        report(f"HTTP push, {clients} client(s), batches of {batch}: {found['entries']} "
               f"entries, {found['rate']:,.0f} entries/s = {found['rate'] / floor_rate:.2f} "
               f"x floor (target {TARGET:,}/s) statuses {found['statuses']}"
               + (f"; FAILED pushes: {len(found['failed'])}, e.g. {found['failed'][0]}"
                  if found["failed"] else ""))
        server_cpu = found["server_cpu"] / max(found["entries"], 1) * 1e6
        report(f"  server CPU {server_cpu:.0f} us/entry = {server_cpu / floor_cpu:.1f} x the "
               f"floor's (all workers; steadier than the rate when others share the cores)")
        if "scheduler_cpu" in found:
            report(f"  homeward scheduler meanwhile: CPU {found['scheduler_cpu'] * 1e3:.0f} ms "
                   f"over {found['seconds']:.1f} s")
        report(latency_line(f"  one push of {batch}", found["latencies"]))
    if "sent" in figures:
        report(f"notifications sent by the scheduler by the end: {figures['sent']}")
    report(figures["memory"])
    return figures


if __name__ == "__main__":
    args = arguments(__doc__.splitlines()[0], lambda parser: (
        parser.add_argument("--workers", type=int, default=1),
        parser.add_argument("--threads", type=int, default=None),
        parser.add_argument("--scheduler", action="store_true")))
    print_machine()
    print(f"server: homeward serve --workers {args.workers} (gunicorn gthread, 4 threads each)")
    run(args.size, args.keep, workers=args.workers, threads=args.threads,
        scheduler=args.scheduler)
