"""The clinic's records with a large clinic in the database (small: 1,000 patients and
50,000 entries; full: 10,000 and 1,000,000, as bench/staff_pages.py): the follow-up
worklist (every active patient's schedule is read), a patient's toxicity summary and the
record page, over HTTP to `homeward serve --workers 2`, against the pages' 100 ms target.
Profiles and three toxicity events each are recorded through the API for the sampled
patients first.

    .venv/bin/python bench/records.py [--size small|full] [--keep] [--data DIR]
"""
import random
from datetime import date, timedelta

from common import Http, Server, arguments, latency_line, print_machine
from families import staff_token
from staff_pages import SIZES, TARGET, measure, sample_patients, seeded_folder, session_cookie

EVENTS = ({"kind": "crs", "grade": 1, "onset": 2, "treatments": []},
          {"kind": "icans", "grade": 2, "onset": 7, "treatments": ["corticosteroids"]},
          {"kind": "infection", "grade": 3, "onset": 40, "treatments": ["antimicrobials"]})


def record(http, token, patient_ids):
    """A profile and three events for each patient, through the API."""
    for patient_id in patient_ids:
        patient = http.json("GET", f"/api/v1/patients/{patient_id}", token=token)
        http.json("PUT", f"/api/v1/patients/{patient_id}/profile", {
            "diagnosis": "sle", "organs_involved": ["kidney", "skin"], "car_target": "cd19",
            "product_name": "bench CAR", "registry_consents": []}, token=token)
        infusion = date.fromisoformat(patient["infusion_date"])
        for event in EVENTS:
            onset = infusion + timedelta(days=event["onset"])
            if onset <= date.today():
                http.json("POST", f"/api/v1/patients/{patient_id}/toxicity-events", {
                    "kind": event["kind"], "grade": event["grade"],
                    "onset_date": str(onset), "treatments": event["treatments"]},
                    token=token)


def run(size="small", keep=False, plan=None, report=print, reuse=None) -> dict:
    plan = plan or SIZES[size]
    rng = random.Random(11)
    results = {}
    with seeded_folder(plan, keep, reuse, rng, report) as data_dir:
        staff_token(data_dir, "nurse")  # the page session is a nurse's
        token = staff_token(data_dir, "physician")
        bearer = {"Authorization": f"Bearer {token}"}
        cookie = session_cookie(data_dir)
        ids = [patient_id for patient_id, _n in sample_patients(data_dir, 20, rng)]
        with Server(data_dir, workers=2) as server:
            http = Http(server.port)
            record(http, token, ids)
            cases = [
                ("API  GET /worklist/follow-up", "/api/v1/worklist/follow-up", bearer),
                ("API  GET /patients/{id}/toxicity",
                 [f"/api/v1/patients/{p}/toxicity" for p in ids], bearer),
                ("page GET /follow-up (worklist)", "/follow-up", cookie),
                ("page GET /patients/{id}/record", [f"/patients/{p}/record" for p in ids],
                 cookie),
            ]
            for name, path, headers in cases:
                repeats = max(5, plan["repeats"] // 6) if "follow-up" in name else plan["repeats"]
                times, status, length = measure(http, path, headers, repeats)
                results[name] = {"times": times, "status": status, "bytes": length}
                note = "" if status == 200 else f"   ANSWERED {status}: not measured"
                report(latency_line(name, times, TARGET) + f"   {length:,} B{note}")
            results["memory"] = server.memory_line()
        report(results["memory"])
    return results


if __name__ == "__main__":
    args = arguments(__doc__.splitlines()[0], lambda parser: parser.add_argument(
        "--data", help="measure a data folder seeded before (kept with --keep)"))
    print_machine()
    print("server: homeward serve --workers 2 (gunicorn gthread, 4 threads each)")
    run(args.size, args.keep, reuse=args.data)
