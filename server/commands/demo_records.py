"""What a physician would have recorded for the demo cohort: clinical profiles for every
child and a few toxicity events (mostly mild CRS, some ICANS, a LICATS flare, an
infection), through the clinic API like any client, so the record pages and the summary
show something real."""
from datetime import date, timedelta

import requests

PROFILES = (  # (diagnosis, organs involved, CAR target)
    ("sle", ["kidney", "skin", "joints", "blood"], "cd19"),
    ("jdm", ["muscle", "skin"], "cd19"),
    ("ssc", ["skin", "lungs", "gut"], "cd19"),
    ("sle", ["kidney", "skin"], "cd19_bcma"),
    ("aav", ["kidney", "lungs"], "cd19"),
)


def events_for(index, day):
    """Toxicity events for the index-th child, `day` days after infusion: only those
    that would have begun by now, at the days CLINICAL.md reports."""
    events = []
    if day >= 3 and index % 3 != 2:  # CRS in most children, mild in autoimmune disease
        grade = 2 if index % 4 == 1 else 1
        events.append({"kind": "crs", "grade": grade, "onset": 2, "length": 2 + grade,
                       "treatments": ["tocilizumab"] if grade == 2 else []})
    if day >= 9 and index % 4 == 1:
        events.append({"kind": "icans", "grade": 1, "onset": 7, "length": 2,
                       "treatments": ["corticosteroids"]})
    if day >= 14 and index % 5 == 0:
        events.append({"kind": "licats", "grade": 2, "onset": 10, "length": 11,
                       "treatments": ["corticosteroids"]})
    if day >= 75 and index % 2 == 0:
        events.append({"kind": "infection", "grade": 3, "onset": 60, "length": 7,
                       "treatments": ["antimicrobials", "icu"], "icu_days": 2})
    return events


def seed_records(url, token, today: date) -> int:
    """Profiles for every active child and their events; returns how many events."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    api = url.rstrip("/") + "/api/v1/patients"
    patients = session.get(api, params={"status": "active"}, timeout=30).json()["patients"]
    recorded = 0
    for index, patient in enumerate(sorted(patients, key=lambda p: p["patient_id"])):
        diagnosis, organs, target = PROFILES[index % len(PROFILES)]
        session.put(f"{api}/{patient['patient_id']}/profile", timeout=30, json={
            "diagnosis": diagnosis, "organs_involved": organs, "car_target": target,
            "product_name": "Demo CAR-19 (academic)", "lymphodepletion": "flu_cy",
            "sex_at_birth": ("female", "male")[index % 2],
            # Consent is taken before infusion, and never dated in the future: a child whose
            # infusion is tomorrow consented today.
            "registry_consents": [{"registry": "ebmt", "consented_on": str(min(
                date.fromisoformat(patient["infusion_date"]), today))}]
            if index % 3 else []}).raise_for_status()
        infusion = date.fromisoformat(patient["infusion_date"])
        for event in events_for(index, patient["day_post_infusion"]):
            onset = infusion + timedelta(days=event["onset"])
            end = onset + timedelta(days=event["length"])
            session.post(f"{api}/{patient['patient_id']}/toxicity-events", timeout=30, json={
                "kind": event["kind"], "grade": event["grade"], "onset_date": str(onset),
                "resolution_date": str(end) if end <= today else None,
                "treatments": event["treatments"], "icu_days": event.get("icu_days"),
            }).raise_for_status()
            recorded += 1
    return recorded
