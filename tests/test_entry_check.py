"""The push's compiled entry checker answers exactly as the marshmallow schema does: the
same loaded document for a good entry, the same message per field for a bad one."""
import uuid

from hypothesis import given, settings, strategies as st
from marshmallow import ValidationError

from sync.documents import EntryDocumentSchema
from sync.entry_check import check_entry_document

SCHEMA = EntryDocumentSchema()

JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                         st.text(max_size=5))
ANY_JSON = st.recursive(JSON_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)),
    max_leaves=6)
UUIDS = st.one_of(st.uuids().map(str), st.uuids().map(lambda u: str(u).upper()),
                  st.uuids().map(lambda u: str(u) + "\n"), st.uuids().map(lambda u: str(u)[1:]))
TIMES = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat()),
    st.datetimes().map(lambda moment: moment.isoformat()),  # no offset
    st.sampled_from(["2026-11-20T14:02:00Z", "2026-11-20T14:02Z", "2026-02-30T10:00:00Z",
                     "2026-11-20T25:00:00+00:00", "2026-11-20 14:02:00Z",
                     "2026-11-20T14:02:00.123456789-05:00", "2026-11-20T14:02:00+05:00\n"]))


def text_of_length(low, high):
    return st.integers(low, high).map(lambda n: "q" * n)


def field(good, bad=ANY_JSON):
    # Mostly plausible values, sometimes anything JSON can hold, sometimes absent.
    return st.one_of(good, good, bad, st.just(None), st.just(...))


DOCUMENTS = st.fixed_dictionaries({
    "entry_id": field(UUIDS),
    "device_id": field(st.text(max_size=8)),
    "patient_id": field(st.text(max_size=8)),
    "questionnaire_id": field(text_of_length(0, 102)),
    "questionnaire_version": field(text_of_length(0, 32)),
    "questionnaire_variant": field(text_of_length(0, 62)),
    "task_id": field(text_of_length(0, 102)),
    "respondent": field(st.sampled_from(["caregiver", "patient", "Patient", "nurse", ""])),
    "recorded_at": field(TIMES),
    "supersedes": field(UUIDS),
    "answers": field(st.dictionaries(st.text(max_size=4), JSON_SCALARS, max_size=3)),
    "unknown_extra": field(ANY_JSON),
}).map(lambda document: {key: value for key, value in document.items() if value is not ...})


def schema_answer(raw):
    try:
        return SCHEMA.load(raw), {}
    except ValidationError as error:
        return None, error.messages


@settings(max_examples=400, deadline=None)
@given(DOCUMENTS)
def test_it_loads_and_refuses_exactly_as_the_schema_does(raw):
    assert check_entry_document(raw) == schema_answer(raw)


def test_it_loads_a_good_diary_entry_with_its_time_and_defaults():
    entry_id = str(uuid.uuid4())
    raw = {"entry_id": entry_id, "device_id": "d", "patient_id": "p",
           "questionnaire_id": "symptom-diary", "questionnaire_version": "1.0.0",
           "respondent": "caregiver", "recorded_at": "2026-11-20T14:02:00-05:00",
           "answers": {"temperature_c": 38.4}, "from_a_newer_app": True}
    loaded, problems = check_entry_document(raw)
    assert problems == {}
    assert loaded == schema_answer(raw)[0]
    assert loaded["recorded_at"].utcoffset().total_seconds() == -5 * 3600
    assert loaded["task_id"] is None and "from_a_newer_app" not in loaded
