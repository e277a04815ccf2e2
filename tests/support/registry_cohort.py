"""A small cohort for registry exports, recorded through the real API: names, MRNs, dates of
birth and free texts that must never leave, consents to different registries, toxicity
events (one retracted) and a family's follow-up form and neuro checks."""
from dataclasses import dataclass, field

from support.family import create_patient, enrolled_family

CHILDREN = {
    "mateo": {"display_name": "Mateo Ruiz", "mrn": "MRN-5550123", "date_of_birth": "2012-05-01",
              "infusion_date": "2026-11-17", "contact": "Lucinda Ruiz +1 555 010 7788"},
    "ximena": {"display_name": "Ximena Zaldivar", "mrn": "MRN-7770042",
               "date_of_birth": "2016-11-10", "infusion_date": "2026-11-10",
               "contact": "Orrin Zaldivar +1 555 010 4411"},
    "wolfgang": {"display_name": "Wolfgang Okonkwo", "mrn": "MRN-9990001",
                 "date_of_birth": "2011-02-28", "infusion_date": "2026-11-12"},
    "nadia": {"display_name": "Nadia Fairweather", "mrn": "MRN-3330777",
              "date_of_birth": "2014-07-04", "infusion_date": "2026-11-15"},
}
# Free text typed by staff or families: each holds a marker no export may contain.
FREE_TEXT = ["Kikuchi overlap Qzx", "ZX-LupoCART lot 7781", "Zebulon marker",
             "Quillfeather serum", "Vexworth fever", "Jabberwock neck", "Plumtree marker",
             "Marmalade correction", "Gorsebrook retraction", "Thistledown product",
             # what the team writes about the family: contacts, calls, worklist closures
             "Hollowmere contact", "Brackenridge call", "Ana Brackenridge",
             "Fenwick closure", "Larkspur reopening", "Sorrelby transfer"]


@dataclass
class Cohort:
    ids: dict
    family: object
    events: dict = field(default_factory=dict)

    def identifiers(self) -> list[str]:
        """Every value that names a child, in the forms it could leak in."""
        found = []
        for child in CHILDREN.values():
            found += [child["display_name"], *child["display_name"].split(), child["mrn"],
                      child["mrn"].removeprefix("MRN-"), child["date_of_birth"],
                      child["date_of_birth"].replace("-", ""),
                      "/".join(reversed(child["date_of_birth"].split("-"))),
                      child["infusion_date"]]
            if child.get("contact"):
                found += [child["contact"], child["contact"].split("+")[1].strip()]
        return found + list(self.ids.values()) + FREE_TEXT + [self.family.device_id]


def profile(consents, **changes):
    return {"diagnosis": "sle", "organs_involved": ["kidney", "skin"], "car_target": "cd19",
            "lymphodepletion": "flu_cy", "sex_at_birth": "female",
            "product_name": "Thistledown product",
            "registry_consents": [{"registry": r, "consented_on": "2026-11-01"}
                                  for r in consents], **changes}


def record(client, physician, patient_id, event):
    response = client.post(f"/api/v1/patients/{patient_id}/toxicity-events", json=event,
                           headers=physician.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["event_id"]


def set_profile(client, physician, patient_id, body):
    response = client.put(f"/api/v1/patients/{patient_id}/profile", json=body,
                          headers=physician.headers)
    assert response.status_code == 200, response.get_json()


def push(family, document) -> dict:
    response = family.push([family.envelope(document)])
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["results"][0]["status"] == "accepted", response.get_json()
    return response.get_json()["results"][0]


def post(client, who, path, body, status):
    response = client.post(path, json=body, headers=who.headers)
    assert response.status_code == status, response.get_json()


def team_notes(client, nurse, cohort, alert_id):
    """The care team's own words about the families: a follow-up contact, a call about the
    follow-up alert, a worklist closure and reopening, and a transfer. None may leave."""
    mateo, wolfgang = cohort.ids["mateo"], cohort.ids["wolfgang"]
    post(client, nurse, f"/api/v1/patients/{mateo}/follow-up-contacts",
         {"outcome": "reached", "note": "Hollowmere contact"}, 201)
    post(client, nurse, f"/api/v1/alerts/{alert_id}/calls",
         {"reached": "Ana Brackenridge, mother", "disposition": "day_unit",
          "note": "Brackenridge call"}, 201)
    post(client, nurse, f"/api/v1/patients/{mateo}/follow-up-closure",
         {"reason": "on_schedule", "note": "Fenwick closure"}, 201)
    post(client, nurse, f"/api/v1/patients/{mateo}/follow-up-closure/reopening",
         {"note": "Larkspur reopening"}, 200)
    post(client, nurse, f"/api/v1/patients/{wolfgang}/follow-up-closure",
         {"reason": "moved_care", "note": "Sorrelby transfer"}, 201)


def seed_cohort(client, nurse, physician, clock) -> Cohort:
    family = enrolled_family(client, nurse.headers, clock=clock, **CHILDREN["mateo"])
    ids = {"mateo": family.patient_id}
    for name in ("ximena", "wolfgang", "nadia"):
        ids[name] = create_patient(client, nurse.headers, **CHILDREN[name])
    set_profile(client, physician, ids["mateo"], profile(
        ["cibmtr", "ebmt"], diagnosis="other", diagnosis_text="Kikuchi overlap Qzx",
        product_name="ZX-LupoCART lot 7781", sex_at_birth="male"))
    set_profile(client, physician, ids["ximena"], profile(["ebmt"], diagnosis="jdm",
                                                          organs_involved=["muscle", "skin"]))
    set_profile(client, physician, ids["wolfgang"], profile(["cibmtr"]))
    # nadia has no profile, hence no consent: she is in no export.
    cohort = Cohort(ids, family)
    mateo, ximena = ids["mateo"], ids["ximena"]
    cohort.events["crs"] = record(client, physician, mateo, {
        "kind": "crs", "grade": 2, "onset_date": "2026-11-18", "resolution_date": "2026-11-20",
        "treatments": ["tocilizumab", "icu"], "icu_days": 1, "note": "Zebulon marker"})
    record(client, physician, mateo, {"kind": "crs", "grade": 1, "onset_date": "2026-11-17",
                                       "resolution_date": "2026-11-17"})
    record(client, physician, mateo, {"kind": "icans", "grade": 1, "onset_date": "2026-11-19"})
    record(client, physician, mateo, {
        "kind": "infection", "grade": 3, "onset_date": "2026-11-20",
        "treatments": ["antimicrobials", "other"], "treatments_text": "Quillfeather serum"})
    corrected = record(client, physician, ximena, {"kind": "licats", "grade": 1,
                                                   "onset_date": "2026-11-15"})
    response = client.put(f"/api/v1/patients/{ximena}/toxicity-events/{corrected}", json={
        "kind": "licats", "grade": 2, "onset_date": "2026-11-14",
        "resolution_date": "2026-11-19", "treatments": ["corticosteroids"],
        "reason": "Marmalade correction"}, headers=physician.headers)
    assert response.status_code == 200, response.get_json()
    wrong = record(client, physician, ximena, {"kind": "crs", "grade": 4,
                                               "onset_date": "2026-11-12"})
    response = client.post(f"/api/v1/patients/{ximena}/toxicity-events/{wrong}/retraction",
                           json={"reason": "Gorsebrook retraction"}, headers=physician.headers)
    assert response.status_code == 200, response.get_json()
    follow_up = push(family, family.document({
        "infection": True, "infection_details": "Vexworth fever", "infection_hospital": "no",
        "hospital_stay": False, "new_lump": True, "lump_details": "Jabberwock neck",
        "disease_signs": ["rash", "joint_pain"], "notes": "Plumtree marker"},
        questionnaire_id="long-term-follow-up", questionnaire_version="1.1.0"))
    push(family, family.document({"knows_year": True, "knows_month": True,
                                  "knows_city": True, "knows_hospital": False,
                                  "names_objects": 3, "follows_command": True,
                                  "writes_sentence": True, "counts_back": False},
                                 questionnaire_id="neuro-check",
                                 recorded_at="2026-11-19T09:00:00-05:00"))
    team_notes(client, nurse, cohort, follow_up["alert"]["alert_id"])
    return cohort
