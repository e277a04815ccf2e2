"""Shared by the benchmarks: the machine, timing and percentiles, a throwaway data folder, a
real `homeward serve` in a subprocess (always stopped), a keep-alive HTTP client, staff
tokens and enrolled families.

Everything binds 127.0.0.1 and every wait is bounded.
"""
import argparse
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOMEWARD = str(Path(sys.executable).with_name("homeward"))


def arguments(description, extra=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--size", choices=("small", "full"), default="small")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    if extra:
        extra(parser)
    return parser.parse_args()


def machine() -> dict:
    cpu = "unknown"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with open("/proc/meminfo") as info:
        for line in info:
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    import cryptography

    return {"cpu": cpu, "cores": os.cpu_count(), "memory": memory,
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "cryptography": cryptography.__version__, "kernel": platform.release()}


def print_machine():
    print("machine: " + ", ".join(f"{key} {value}" for key, value in machine().items()))


def percentiles(values, points=(50, 95, 99)) -> dict:
    """Linear interpolation between closest ranks; {50: ..., 95: ..., 99: ...}."""
    ordered = sorted(values)
    if not ordered:
        return {p: float("nan") for p in points}
    found = {}
    for p in points:
        rank = (len(ordered) - 1) * p / 100
        low = int(rank)
        high = min(low + 1, len(ordered) - 1)
        found[p] = ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
    return found


def ms(seconds) -> str:
    return f"{seconds * 1000:.1f} ms"


def latency_line(name, seconds, target=None) -> str:
    p = percentiles(seconds)
    line = (f"{name:<44} n={len(seconds):<5} p50 {ms(p[50]):>9}  p95 {ms(p[95]):>9}  "
            f"p99 {ms(p[99]):>9}")
    return line + (f"   target {target}" if target else "")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(data_dir, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMEWARD_")}
    env.update(HOMEWARD_DATA_DIR=str(data_dir), HOMEWARD_COOKIE_SECURE="false", **extra)
    return env


@contextmanager
def data_folder(keep=False):
    """A temporary HOMEWARD_DATA_DIR after `homeward init`; removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="homeward-bench-"))
    data_dir = root / "data"
    subprocess.run([HOMEWARD, "init"], env=clean_env(data_dir), check=True,
                   stdout=subprocess.DEVNULL, timeout=120)
    try:
        yield data_dir
    finally:
        if keep:
            print(f"kept {data_dir}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def process_memory(pid) -> dict:
    """VmRSS (now) and VmHWM (peak) in MiB of one process."""
    found = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(("VmRSS", "VmHWM")):
                    found[line.split(":")[0]] = int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return found


def process_cpu_seconds(pid) -> float:
    """User + system CPU time one process has used so far (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_of(pid) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


class Server:
    """`homeward serve --port N --workers W` on 127.0.0.1 with this data folder."""

    def __init__(self, data_dir, workers=1, env=None, command="serve"):
        self.data_dir, self.workers, self.port = data_dir, workers, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(data_dir).parent / f"{command}-{self.port}.log"
        self.env = clean_env(data_dir, **(env or {}))
        self.process = None

    def start(self, timeout=60):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [HOMEWARD, "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--workers", str(self.workers)], env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited; see {self.log_path}")
            try:
                status, _body = Http(self.port).request("GET", "/healthz")
                if status in (200, 503) and len(children_of(self.process.pid)) >= self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer /healthz in {timeout} s")

    def memory(self) -> dict:
        """Per-process VmRSS/VmHWM (MiB) of the gunicorn master and its workers."""
        pids = [self.process.pid, *children_of(self.process.pid)]
        return {pid: process_memory(pid) for pid in pids}

    def cpu_seconds(self) -> float:
        """CPU time the server's processes (gunicorn's master and workers) used so far:
        unlike wall time, it hardly moves when other programs share the cores."""
        return sum(process_cpu_seconds(pid)
                   for pid in [self.process.pid, *children_of(self.process.pid)])

    def memory_line(self) -> str:
        found = self.memory()
        workers = [m for pid, m in found.items() if pid != self.process.pid]
        master = found.get(self.process.pid, {})
        return ("server memory: worker peak RSS (VmHWM) "
                + ", ".join(f"{m.get('VmHWM', 0):.0f} MiB" for m in workers)
                + "; worker RSS now " + ", ".join(f"{m.get('VmRSS', 0):.0f} MiB" for m in workers)
                + f"; master peak {master.get('VmHWM', 0):.0f} MiB")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class Http:
    """One keep-alive connection, like a phone or a browser tab; reconnects when dropped."""

    def __init__(self, port, timeout=60):
        self.port, self.timeout, self.conn = port, timeout, None

    def request(self, method, path, body=None, headers=None):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                       timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise

    def json(self, method, path, payload=None, token=None, expect=(200, 201)):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = None if payload is None else json.dumps(payload).encode()
        status, raw = self.request(method, path, body, headers)
        if status not in expect:
            raise RuntimeError(f"{method} {path} answered {status}: {raw[:300]!r}")
        return json.loads(raw) if raw else None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None
