"""Chart series and their table twins, from server.records.trends results. Pure: no Flask.

Every chart on a page also has a table with the same points, so the numbers are there for a
screen reader, a printout, or a browser with scripts off. x values are epoch milliseconds:
Chart.js draws them on a linear axis without a date library, and the page's script labels
the ticks at midnights of the site's time zone, which every time on the pages is shown in.
"""
from datetime import datetime

from . import present

NEURO_VARIANTS = {"ice-style": "ICE-style check (0-10, lower is worse)",
                  "capd-style": "CAPD-style observation (0-32, higher is worse)"}
QOL_DOMAINS = ("total", "physical", "emotional", "social", "school")
# (shape on the page, method, words): the same shapes static/charts.js draws each point with.
METHOD_KEY = (("●", "oral", "in the mouth"), ("▲", "axillary", "under the arm"),
              ("■", "ear", "in the ear"), ("◆", "forehead", "on the forehead"),
              ("★", "rectal", "in the bottom"), ("✕", "not given", "method not given"))


def zone_label(zone) -> str:
    return zone.replace("_", " ")


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def point(raw, zone, with_year=False, **extra) -> dict:
    at = present.parse(raw["at"])
    return {"x": millis(at), "y": raw["value"],
            "when": present.local(at, zone, True, with_year=with_year),
            "status": raw.get("status"), **extra}


def temperature_chart(trend, zone) -> dict:
    threshold = trend.get("threshold_c")
    return {"kind": "temperature", "timezone": zone, "zone_label": zone_label(zone),
            "threshold": threshold, "key": METHOD_KEY,
            "points": [point(raw, zone, method=raw.get("method") or "not given",
                             medicine=raw.get("fever_medicine_hours"),
                             fever=threshold is not None and raw["value"] >= threshold)
                       for raw in trend["points"]]}


def neuro_chart(trend, zone) -> dict:
    """One series per variant, each drawn against that variant's own baseline."""
    series = {}
    for raw in trend["points"]:
        variant = raw.get("variant") or "unknown"
        found = series.setdefault(variant, {
            "variant": variant, "label": NEURO_VARIANTS.get(variant, variant),
            "baseline": raw.get("baseline"), "points": []})
        found["points"].append(point(raw, zone, baseline=raw.get("baseline")))
    return {"kind": "neuro", "timezone": zone, "zone_label": zone_label(zone),
            "series": list(series.values())}


def band_changes(points) -> list[dict]:
    """Where the instrument's age band, variant or respondent changed between two readings:
    the line stays continuous, and the chart marks the change so nobody reads a jump from
    proxy to self-report as a change in the child."""
    changes, before = [], None
    for raw in points:
        now = (raw.get("age_band"), raw.get("variant"), raw.get("respondent"))
        if before is not None and now != before:
            what = []
            if now[0] != before[0]:
                what.append(f"age band {before[0]} → {now[0]}")
            if now[2] != before[2]:
                what.append(f"{before[2]} → {now[2]} report")
            if now[1] != before[1] and not what:
                what.append(f"form {before[1]} → {now[1]}")
            changes.append({"x": millis(present.parse(raw["at"])), "label": "; ".join(what),
                            "at": raw["at"]})
        before = now
    return changes


def qol_chart(trends: dict, zone) -> dict:
    """`trends`: domain → the quality_of_life.<domain> trend."""
    total = trends["total"]["points"]
    return {"kind": "qol", "timezone": zone, "band_changes": band_changes(total),
            "series": [{"domain": domain, "points": [
                point(raw, zone, True, band=raw.get("age_band"), variant=raw.get("variant"),
                      respondent=raw.get("respondent"))
                for raw in trends[domain]["points"]]} for domain in QOL_DOMAINS]}


def distress_chart(trend, zone) -> dict:
    return {"kind": "distress", "timezone": zone,
            "points": [point(raw, zone, True, want_contact=raw.get("want_contact"))
                       for raw in trend["points"]]}


def qol_rows(trends: dict, zone) -> list[dict]:
    """One row per quality-of-life entry, all domains side by side, oldest first."""
    rows = {}
    for domain in QOL_DOMAINS:
        for raw in trends[domain]["points"]:
            row = rows.setdefault(raw["entry_id"], {
                "at": raw["at"],
                "when": present.local(present.parse(raw["at"]), zone, True, with_year=True),
                "band": raw.get("age_band"), "variant": raw.get("variant"),
                "respondent": raw.get("respondent")})
            row[domain] = raw["value"]
    return sorted(rows.values(), key=lambda row: row["at"])


def symptom_rows(entries, zone) -> list[dict]:
    """Diary entries that reported a symptom beyond a temperature, newest first."""
    rows = []
    for entry in entries:
        if entry.questionnaire_id != "symptom-diary" or entry.superseded_by is not None:
            continue
        answers = entry.answers
        row = {"when": present.local(entry.corrected_at, zone, True),
               "neuro": present.signs(answers.get("neuro_signs")),
               "organ": present.signs(answers.get("organ_signs")),
               "spo2": answers.get("spo2_percent"),
               "breathing": answers.get("breathing_difficulty") is True,
               "dizzy": answers.get("dizzy_or_fainting") is True,
               "notes": answers.get("notes"), "status": entry.status}
        if row["neuro"] or row["organ"] or row["spo2"] is not None or row["breathing"] \
                or row["dizzy"] or row["notes"]:
            rows.append(row)
    return rows
