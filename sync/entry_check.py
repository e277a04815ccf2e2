"""The entry document's checks, compiled to plain Python for the push's hot path.

`EntryDocumentSchema` (marshmallow) stays the definition and the API edge's tool; this
module answers exactly as its `load` does, the loaded document or the same messages per
field (tests/test_entry_check.py holds the two to the same answers with hypothesis), for
about a tenth of the time: a push checks every one of up to 500 entries.
"""
from .documents import UUID, read_rfc3339

MISSING = "Missing data for required field."
NULL = "Field may not be null."
NOT_STRING = "Not a valid string."
_MISSING = object()


def _length(low, high):
    message = f"Length must be between {low} and {high}."
    return lambda value: None if low <= len(value) <= high else message


def _regexp(pattern, message):
    return lambda value: None if pattern.match(value) else message


def _one_of(choices):
    message = f"Must be one of: {', '.join(choices)}."
    return lambda value: None if value in choices else message


# name, required, allow_none, kind ("string" | "time" | "raw"), validator or None
FIELDS = (
    ("entry_id", True, False, "string", _regexp(UUID, "Use a UUID.")),
    ("device_id", True, False, "string", None),
    ("patient_id", True, False, "string", None),
    ("questionnaire_id", True, False, "string", _length(1, 100)),
    ("questionnaire_version", True, False, "string", _length(1, 30)),
    ("questionnaire_variant", False, True, "string", _length(1, 60)),
    ("task_id", False, True, "string", _length(1, 100)),
    ("respondent", True, False, "string", _one_of(("caregiver", "patient"))),
    ("recorded_at", True, False, "time", None),
    ("supersedes", False, True, "string", _regexp(UUID, "Use a UUID.")),
    ("answers", True, False, "raw", None),
)


def check_entry_document(raw: dict):
    """(the loaded document, {}) or (None, {field: [message]}), as the schema's `load`."""
    loaded, messages = {}, {}
    for name, required, allow_none, kind, validator in FIELDS:
        value = raw.get(name, _MISSING)
        if value is _MISSING:
            if required:
                messages[name] = [MISSING]
            else:
                loaded[name] = None  # the schema's load_default
            continue
        if value is None:
            if allow_none:
                loaded[name] = None
            else:
                messages[name] = [NULL]
            continue
        if kind == "time":
            moment, problem = read_rfc3339(value)
            if problem:
                messages[name] = [problem]
            else:
                loaded[name] = moment
            continue
        if kind == "string" and not isinstance(value, str):
            messages[name] = [NOT_STRING]
            continue
        problem = validator(value) if validator is not None else None
        if problem:
            messages[name] = [problem]
        else:
            loaded[name] = value
    return (None, messages) if messages else (loaded, {})
