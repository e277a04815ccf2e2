"""The registry export on a large clinic (small: 1,000 patients and 50,000 entries, of whom
200 consent to the registry; full: 10,000, 1,000,000 and 2,000): `homeward export registry`
as an operator runs it (a process, wall time including Python's start) and the admin API's
zip over HTTP to `homeward serve --workers 2`. Profiles with the consent and three toxicity
events each are recorded through the API first (not timed). Checks the runs give the same
bytes.

    .venv/bin/python bench/registry_export.py [--size small|full] [--keep] [--data DIR]
"""
import hashlib
import random
import subprocess
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from common import HOMEWARD, Http, Server, arguments, clean_env, latency_line, print_machine
from families import staff_token
from records import EVENTS
from staff_pages import SIZES, sample_patients, seeded_folder

SITE = "BENCH01"
CONSENTING = {"small": 200, "full": 2_000}


def record(http, token, patient_ids):
    for patient_id in patient_ids:
        patient = http.json("GET", f"/api/v1/patients/{patient_id}", token=token)
        http.json("PUT", f"/api/v1/patients/{patient_id}/profile", {
            "diagnosis": "sle", "organs_involved": ["kidney", "skin"], "car_target": "cd19",
            "sex_at_birth": "female", "product_name": "bench CAR",
            "registry_consents": [{"registry": "ebmt", "consented_on": "2026-01-01"}]},
            token=token)
        infusion = date.fromisoformat(patient["infusion_date"])
        for event in EVENTS:
            onset = infusion + timedelta(days=event["onset"])
            if onset <= date.today():
                http.json("POST", f"/api/v1/patients/{patient_id}/toxicity-events", {
                    "kind": event["kind"], "grade": event["grade"],
                    "onset_date": str(onset), "treatments": event["treatments"]},
                    token=token)


def run_command(data_dir, out) -> float:
    started = time.perf_counter()
    subprocess.run([HOMEWARD, "export", "registry", "--out", str(out), "--registry", "ebmt"],
                   env=clean_env(data_dir, HOMEWARD_SITE_CODE=SITE), check=True,
                   stdout=subprocess.DEVNULL, timeout=1800)
    return time.perf_counter() - started


def digest(folder: Path) -> str:
    return hashlib.sha256(b"".join(path.read_bytes()
                                   for path in sorted(folder.iterdir()))).hexdigest()


def run(size="small", keep=False, plan=None, report=print, reuse=None, consenting=None,
        repeats=3) -> dict:
    plan = plan or SIZES[size]
    consenting = consenting or CONSENTING[size]
    rng = random.Random(14)
    results = {}
    with seeded_folder(plan, keep, reuse, rng, report) as data_dir:
        physician = staff_token(data_dir, "physician")
        admin = {"Authorization": f"Bearer {staff_token(data_dir, 'admin')}"}
        ids = [patient_id for patient_id, _n in sample_patients(data_dir, consenting, rng)]
        with Server(data_dir, workers=2, env={"HOMEWARD_SITE_CODE": SITE}) as server:
            http = Http(server.port)
            record(http, physician, ids)
            times, zips = [], set()
            for _ in range(repeats):
                started = time.perf_counter()
                status, body = http.request("GET", "/api/v1/registry-exports/ebmt",
                                            headers=admin)
                times.append(time.perf_counter() - started)
                zips.add(hashlib.sha256(body).hexdigest())
            results["api"] = {"times": times, "status": status, "bytes": len(body),
                              "identical": len(zips) == 1}
            report(latency_line(f"API  GET /registry-exports/ebmt ({len(ids)} children)",
                                times) + f"   {len(body):,} B zip, "
                   f"{'identical' if len(zips) == 1 else 'DIFFERENT'} across runs")
        with tempfile.TemporaryDirectory() as out:
            times, digests = [], set()
            for number in range(repeats):
                folder = Path(out) / str(number)
                times.append(run_command(data_dir, folder))
                digests.add(digest(folder / "ebmt"))
            size_on_disk = sum(p.stat().st_size for p in (folder / "ebmt").iterdir())
            results["command"] = {"times": times, "bytes": size_on_disk,
                                  "identical": len(digests) == 1}
            report(latency_line("homeward export registry (process)", times)
                   + f"   {size_on_disk:,} B in 8 files, "
                   f"{'identical' if len(digests) == 1 else 'DIFFERENT'} across runs")
    return results


if __name__ == "__main__":
    args = arguments(__doc__.splitlines()[0], lambda parser: parser.add_argument(
        "--data", help="measure a data folder seeded before (kept with --keep)"))
    print_machine()
    run(args.size, args.keep, reuse=args.data)
