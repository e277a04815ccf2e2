"""The highest ASTCT grade that a family's reported data are compatible with: a prompt for
the team, never a grade. CLINICAL.md: the grade is assigned by clinicians in the record;
software may show this, labelled as such. Pure: takes readings, returns a verdict.

A verdict says "up to" because home data can only rule grades in, by what was reported; the
criteria for CRS grades 3-4 (vasopressors, high-flow oxygen, ventilation) and for ICANS grade
4 from exams (cerebral oedema, motor weakness on examination) exist only at the bedside.
The parent-run neuro checks are adaptations of clinician tools and are not validated at home.

ASTCT consensus (Lee et al. 2019):
- CRS needs fever of 38.0 °C or more. Grade 1: fever. Grade 2: with low blood pressure not
  needing vasopressors or low-flow oxygen. Grades 3-4: the support those need.
- ICANS, 12 and older: ICE 7-9 grade 1, 3-6 grade 2, 0-2 grade 3. Under 12 (CAPD): 1-8 grade
  1 or 2, 9 or more grade 3. Any seizure grade 3 or worse. Depressed consciousness: wakes to
  voice grade 2, only to touch grade 3, cannot be roused grade 4.
"""
from dataclasses import dataclass

FEVER_C = 38.0          # ASTCT's CRS fever, whatever the site's alerting thresholds are
LOW_SPO2_PERCENT = 94   # below this at home, oxygen may be needed: compatible with grade 2
CAPD_POSITIVE = 9
DISCLAIMER = "not a clinical grade; the grade is assigned by clinicians"

CRS_LIMITS = ("Grades 3 and 4 depend on vasopressors, high-flow oxygen or ventilation, which "
              "home reports cannot show.")
ICANS_LIMITS = ("Grade 4 findings (raised intracranial pressure, motor weakness on "
                "examination, an inability to do the check at all) need a clinician.")
OTHER_NEURO_SIGNS = ("confusion", "speech", "handwriting", "tremor", "headache", "weakness",
                     "balance", "personality")


@dataclass(frozen=True)
class Compatibility:
    syndrome: str                # "CRS" or "ICANS"
    grade: int | None            # None: nothing reported bears on it; 0: reports rule it out
    reasons: tuple[str, ...]     # what reported data put the grade there, for the reader
    limits: str

    @property
    def label(self) -> str:
        if self.grade is None:
            found = f"Nothing reported bears on {self.syndrome}"
        elif self.grade == 0:
            found = f"No reported data point to {self.syndrome}"
        else:
            found = f"Reported data compatible with up to {self.syndrome} grade {self.grade}"
        return f"{found} — {DISCLAIMER}"


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def diary_answers(readings):
    return [reading.get("answers") or {} for reading in readings
            if reading.get("questionnaire_id") == "symptom-diary"]


def crs_compatibility(readings) -> Compatibility:
    """`readings`: dicts with questionnaire_id, variant, answers, scores (current entries
    only: the caller drops superseded ones and picks the time window)."""
    answers = diary_answers(readings)
    temperatures = [a["temperature_c"] for a in answers if is_number(a.get("temperature_c"))]
    reasons = []
    if any(is_number(a.get("fever_medicine_hours")) for a in answers):
        reasons.append("fever medicine was given, which can hide a fever")
    if not temperatures:
        return Compatibility("CRS", None, ("no temperature reported", *reasons), CRS_LIMITS)
    highest = max(temperatures)
    if highest < FEVER_C:
        return Compatibility("CRS", 0, (f"highest temperature {highest:.1f} °C, below "
                                        f"{FEVER_C:.1f} °C", *reasons), CRS_LIMITS)
    support = []  # signs of low oxygen or low blood pressure alongside the fever
    spo2 = [a["spo2_percent"] for a in answers if is_number(a.get("spo2_percent"))]
    if spo2 and min(spo2) < LOW_SPO2_PERCENT:
        support.append(f"oxygen saturation {min(spo2)} % (below {LOW_SPO2_PERCENT} %)")
    if any(a.get("breathing_difficulty") is True for a in answers):
        support.append("breathing difficulty")
    if any(a.get("dizzy_or_fainting") is True for a in answers):
        support.append("dizziness or fainting (possible low blood pressure)")
    return Compatibility("CRS", 2 if support else 1,
                         (f"fever {highest:.1f} °C", *support, *reasons), CRS_LIMITS)


def ice_grade(total) -> int:
    if total >= 10:
        return 0
    if total >= 7:
        return 1
    return 2 if total >= 3 else 3


def capd_grade(total) -> int:
    if total <= 0:
        return 0
    return 2 if total < CAPD_POSITIVE else 3


def icans_compatibility(readings) -> Compatibility:
    found: list[tuple[int, str]] = []
    for reading in readings:
        if reading.get("questionnaire_id") != "neuro-check":
            continue
        total = (reading.get("scores") or {}).get("total")
        if not is_number(total):
            continue
        if reading.get("variant") == "capd-style":
            grade = capd_grade(total)
            found.append((grade, f"CAPD-style observation {total:g}/32"
                                 + (" (positive: 9 or more)" if grade == 3 else "")))
        elif reading.get("variant") == "ice-style":
            found.append((ice_grade(total), f"ICE-style check {total:g}/10"))
    signs = {sign for answers in diary_answers(readings)
             for sign in answers.get("neuro_signs") or () if isinstance(sign, str)}
    if "unresponsive" in signs:
        found.append((4, "could not be woken (grade 3-4)"))
    if "seizure" in signs:
        found.append((3, "seizure (grade 3 or worse)"))
    if "sleepiness" in signs:
        found.append((2, "unusual sleepiness (grade 1 if waking on their own, 2 if to voice)"))
    others = sorted(signs.intersection(OTHER_NEURO_SIGNS))
    if not found and not others:
        return Compatibility("ICANS", None, ("no neuro check or neuro sign reported",),
                             ICANS_LIMITS)
    grade = max((grade for grade, _ in found), default=0)
    # The worst findings first: that is what the reader must see.
    reasons = [text for _, text in sorted(found, key=lambda pair: -pair[0])]
    if others:
        reasons.append(f"other neuro signs ({', '.join(others)}): a neuro check grades them")
    return Compatibility("ICANS", grade, tuple(reasons), ICANS_LIMITS)


def compatible_grades(readings) -> tuple[Compatibility, Compatibility]:
    readings = list(readings)
    return crs_compatibility(readings), icans_compatibility(readings)
