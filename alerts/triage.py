"""The triage colour of what a family reported by phone: red, amber or green, in the style of
the UKONS 24-hour triage tool (one colour per finding, the worst one wins), in our own words
and with CAR T's thresholds (CLINICAL.md). Pure: findings in, a colour and reasons out.

It guides the nurse's disposition; it is not a diagnosis and never chooses for them.
"""
TEMPERATURE_METHODS = ("oral", "axillary", "ear", "forehead", "rectal")
BREATHING = ("normal", "faster_or_harder", "struggling")
DRINKING = ("normal", "less", "hardly")
PASSING_URINE = ("normal", "less", "none_12h")
DIZZINESS = ("none", "dizzy", "fainted")
COLOURS = ("green", "amber", "red")

FEVER_C, WARM_C, COLD_C = 38.0, 37.5, 36.0
LOW_SPO2, BORDERLINE_SPO2 = 92, 95
ICE_RED, ICE_AMBER = 6, 9          # ICE-style total (of 10) at or below these
CAPD_RED = 9                        # CAPD-style total at or above this is positive

# (field, value) -> (colour, what the nurse should read)
WORDED = {
    ("breathing", "struggling"): ("red", "struggling to breathe"),
    ("breathing", "faster_or_harder"): ("amber", "breathing faster or harder than usual"),
    ("drinking", "hardly"): ("red", "hardly drinking"),
    ("drinking", "less"): ("amber", "drinking less than usual"),
    ("passing_urine", "none_12h"): ("red", "no urine for 12 hours or more"),
    ("passing_urine", "less"): ("amber", "passing less urine than usual"),
    ("dizziness", "fainted"): ("red", "fainted (possible low blood pressure)"),
    ("dizziness", "dizzy"): ("amber", "dizzy (possible low blood pressure)"),
}


def temperature_colour(celsius):
    if celsius is None:
        return None
    if celsius >= FEVER_C:
        return "red", f"temperature {celsius:.1f} °C: fever after CAR T"
    if celsius < COLD_C:
        return "red", f"temperature {celsius:.1f} °C: low"
    if celsius >= WARM_C:
        return "amber", f"temperature {celsius:.1f} °C: raised"
    return None


def spo2_colour(percent):
    if percent is None:
        return None
    if percent < LOW_SPO2:
        return "red", f"oxygen saturation {percent} %"
    if percent < BORDERLINE_SPO2:
        return "amber", f"oxygen saturation {percent} %"
    return None


def neuro_colour(neuro):
    """`neuro`: {"variant": "ice-style" or "capd-style", "total": number} or None."""
    if not neuro or neuro.get("total") is None:
        return None
    total = neuro["total"]
    if neuro["variant"] == "ice-style":
        if total <= ICE_RED:
            return "red", f"ICE-style {total:g}/10"
        if total <= ICE_AMBER:
            return "amber", f"ICE-style {total:g}/10"
        return None
    if total >= CAPD_RED:
        return "red", f"CAPD-style {total:g} (positive: 9 or more)"
    if total > 0:
        return "amber", f"CAPD-style {total:g}"
    return None


def triage(findings: dict, neuro: dict | None = None) -> dict:
    """{"colour", "reasons"}: reasons worst first; green with no reasons when nothing
    reported calls for more than advice at home."""
    found = [temperature_colour(findings.get("temperature_c")),
             spo2_colour(findings.get("spo2_percent")), neuro_colour(neuro)]
    for field in ("breathing", "drinking", "passing_urine", "dizziness"):
        found.append(WORDED.get((field, findings.get(field))))
    found = [item for item in found if item]
    found.sort(key=lambda item: -COLOURS.index(item[0]))
    colour = found[0][0] if found else "green"
    return {"colour": colour, "reasons": [text for _colour, text in found]}
