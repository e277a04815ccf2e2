"""What a notification says: built from an allow-list, so a name can never slip through.

The message leaves the hospital's systems (a mail relay, a paging provider), so by default
it carries only the pseudonymous patient id, codes, times and a link; the nurse opens the
alert behind the staff login to see who it is. `clinical` detail adds the evidence (for
channels the site trusts) and never names.
"""
import json
from datetime import datetime, timezone
from urllib.parse import quote

from ..teams import DEFAULT_TEAM, for_whom, team_words

DETAILS = ("minimal", "clinical")
KIND_LABELS = {"alert_raised": "", "alert_escalated": " ESCALATED",
               "alert_level_raised": " LEVEL RAISED", "emergency": "",
               "alert_recheck_missed": " RECHECK MISSED"}


def reason_codes(reasons) -> list[str]:
    """The alerts table keeps reasons as text (a JSON list or comma-separated codes)."""
    if isinstance(reasons, (list, tuple)):
        return [str(code) for code in reasons]
    text = (reasons or "").strip()
    if text.startswith("["):
        return [str(code) for code in json.loads(text)]
    return [code.strip() for code in text.split(",") if code.strip()]


def _wire_time(value) -> str | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        raise ValueError("alert times must be timezone-aware")
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def evidence_text(evidence) -> str | None:
    """Evidence as one readable line, e.g. "temperature 38.6 °C axillary"."""
    if evidence is None or evidence == "" or evidence == {} or isinstance(evidence, bytes):
        return None  # bytes are the vault's sealed column: never sent, never shown sealed
    if isinstance(evidence, str):
        return evidence
    if isinstance(evidence, dict):
        return "; ".join(f"{key.replace('_', ' ')} {value}" for key, value in evidence.items())
    if isinstance(evidence, (list, tuple)):
        return "; ".join(evidence_text(item) or "" for item in evidence)
    return str(evidence)


def build_payload(alert: dict, kind: str, base_url: str, detail: str = "minimal") -> dict:
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {', '.join(DETAILS)}, not {detail!r}")
    if not base_url.startswith(("http://", "https://")):
        raise ValueError(f"base_url must be an http(s) address, not {base_url!r}")
    alert_id = alert["id"]
    payload = {
        "kind": kind,
        "alert_id": alert_id,
        "patient": alert["patient_id"],
        "level": alert["level"],
        "team": alert.get("team") or DEFAULT_TEAM,
        # The team in words, for a pager or an integration engine that shows a line as is.
        "for_team": for_whom(alert.get("team")),
        "reasons": reason_codes(alert.get("reasons")),
        "raised_at": _wire_time(alert.get("raised_at")),
        "reported_late_minutes": alert.get("reported_late_minutes"),
        "link": f"{base_url.rstrip('/')}/alerts/{quote(str(alert_id), safe='')}",
    }
    if detail == "clinical":
        text = evidence_text(alert.get("evidence"))
        if text:
            payload["evidence"] = text
    return payload


def short_patient(patient_id: str) -> str:
    # Enough to tell two alerts apart in an inbox; the full id is in the body and the link.
    return patient_id if len(patient_id) <= 8 else patient_id[:7] + "…"


def subject(payload: dict) -> str:
    level = str(payload.get("level", "")).upper()
    label = KIND_LABELS.get(payload.get("kind"), "")
    reasons = ", ".join(code.replace("_", " ") for code in payload.get("reasons", [])) or "alert"
    team = payload.get("team") or DEFAULT_TEAM
    # Only a team other than the CAR T nurses is named: their subjects stay as they were.
    whom = "" if team == DEFAULT_TEAM else f" — for {team_words(team)}"
    return (f"[Homeward {level}{label}] {reasons} — patient "
            f"{short_patient(str(payload.get('patient', '?')))}{whom} — open the alert")


def text_body(payload: dict) -> str:
    late = payload.get("reported_late_minutes")
    lines = [
        f"Homeward alert: {str(payload.get('level', '')).upper()} "
        f"({str(payload.get('kind', '')).replace('_', ' ')})",
        "",
        f"Reasons:  {', '.join(payload.get('reasons', [])) or '-'}",
        f"For:      {team_words(payload.get('team'))}",
        f"Patient:  {payload.get('patient')} (pseudonymous id)",
        f"Alert:    {payload.get('alert_id')}",
        f"Raised:   {payload.get('raised_at')}"
        + (f" (reported {late} minutes after it was recorded)" if late else ""),
    ]
    if payload.get("evidence"):
        lines.append(f"Evidence: {payload['evidence']}")
    lines += ["", f"Open the alert: {payload.get('link')}", "",
              "This message names no one by design: open the alert to see the patient."]
    return "\n".join(lines) + "\n"
