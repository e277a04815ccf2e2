"""A push's body read in plain Python (server/api/push_body.py) answers as the schema does:
the same loaded body when it is well formed, and the schema's own answer otherwise."""
from hypothesis import given, settings, strategies as st
from marshmallow import Schema, ValidationError

from server.api.push_body import read_push_body
from server.api.sync import PushSchema

TEXT = st.one_of(st.text(max_size=3), st.text(min_size=99, max_size=101),
                 st.sampled_from(["0f4c2a1e-6a7b-4c1d-9e2f-3a4b5c6d7e8f", "k1", "eyJh-_x"]))
ODD = st.one_of(st.none(), st.integers(-2, 3), st.floats(allow_nan=False), st.booleans(),
                st.lists(st.integers(), max_size=1), st.dictionaries(st.text(max_size=2),
                                                                     st.integers(), max_size=1))
TIME = st.one_of(st.sampled_from(["2026-11-30T01:02:03Z", "2026-11-30T01:02:03.5+01:00",
                                  "2026-11-30T01:02:03", "2026-02-30T01:02:03Z", "yesterday"]),
                 ODD)
ENVELOPE = st.one_of(
    st.fixed_dictionaries({"entry_id": TEXT, "kid": TEXT, "sealed": TEXT}),
    st.fixed_dictionaries({"entry_id": st.one_of(TEXT, ODD), "kid": st.one_of(TEXT, ODD)},
                          optional={"sealed": st.one_of(TEXT, ODD), "extra": ODD}),
    ODD)
BODY = st.one_of(
    st.fixed_dictionaries({"sent_at": TIME, "entries": st.lists(ENVELOPE, max_size=4)},
                          optional={"outbox_pending": st.one_of(
                              st.none(), st.integers(-1, 10_000_001), ODD),
                              "other": ODD}),
    st.fixed_dictionaries({}, optional={"sent_at": TIME, "entries": ODD}),
    ODD)
WELL_FORMED = st.fixed_dictionaries(
    {"sent_at": st.just("2026-11-30T01:02:03.123456-05:00"),
     "entries": st.lists(st.fixed_dictionaries({
         "entry_id": st.text(min_size=1, max_size=100), "kid": st.text(min_size=1, max_size=100),
         "sealed": st.text(min_size=1, max_size=40)}), max_size=5)},
    optional={"outbox_pending": st.one_of(st.none(), st.integers(0, 10_000_000))})


SPOILED = st.one_of(ODD, st.text(min_size=101, max_size=101), st.just(""),
                    st.sampled_from(["2026-11-30T01:02:03", "2026-02-30T01:02:03Z", -1,
                                     10_000_001, True, 3.0, "7"]))


@st.composite
def nearly_well_formed(draw):
    """A well-formed body with one thing spoiled: a field's value, a key gone, one added."""
    body = draw(WELL_FORMED)
    envelopes = body["entries"]
    where = draw(st.sampled_from(["sent_at", "outbox_pending", "entries", "envelope",
                                  "missing", "extra"]))
    if where == "envelope" and envelopes:
        envelope = draw(st.sampled_from(envelopes))
        key = draw(st.sampled_from(sorted(envelope) + ["other"]))
        if draw(st.booleans()) and key in envelope:
            del envelope[key]
        else:
            envelope[key] = draw(SPOILED)
    elif where == "missing":
        body.pop(draw(st.sampled_from(["sent_at", "entries", "outbox_pending"])), None)
    elif where == "extra":
        body["other"] = draw(ODD)
    elif where != "envelope":
        body[where] = draw(SPOILED)
    return body


def schema_reads(body):
    """What marshmallow alone makes of the body: (loaded, None) or (None, its messages)."""
    try:
        return Schema.load(PushSchema(), body), None
    except ValidationError as error:
        return None, error.messages


@settings(max_examples=400, deadline=None)
@given(body=st.one_of(BODY, nearly_well_formed()))
def test_it_reads_a_push_body_as_the_schema_does_or_leaves_it_to_the_schema(body):
    loaded, problems = schema_reads(body)
    fast = read_push_body(body)
    if fast is not None:
        assert problems is None and fast == loaded
    if problems is None:
        assert PushSchema().load(body) == loaded


@settings(max_examples=200, deadline=None)
@given(body=WELL_FORMED)
def test_it_reads_every_well_formed_push_body_itself(body):
    loaded, problems = schema_reads(body)
    assert problems is None and read_push_body(body) == loaded


ENVELOPE_OK = {"entry_id": "0f4c2a1e-6a7b-4c1d-9e2f-3a4b5c6d7e8f", "kid": "k1",
               "sealed": "eyJh-_x"}
# What an outsider sends: (the body's JSON text, what sent_at and outbox_pending load as, or
# None for a 400). Each goes through json.loads as Flask reads it (duplicate keys: the last
# wins; NaN and Infinity are read as floats).
OUTSIDER_BODIES = [
    ('{"sent_at": "2026-11-30T01:02:03Z", "entries": [], "entries": [%s]}', ("01:02:03", None)),
    ('{"sent_at": "2026-11-30t01:02:03z", "entries": [%s]}', ("01:02:03", None)),
    ('{"sent_at": "2016-12-31T23:59:60Z", "entries": [%s]}', ("23:59:59.999999", None)),
    ('{"sent_at": "2016-12-31T18:59:60.25-05:00", "entries": [%s]}',
     ("18:59:59.999999", None)),
    ('{"sent_at": "2026-11-30T01:02:03-00:00", "entries": [%s]}', ("01:02:03", None)),
    ('{"sent_at": "2026-11-30T01:02:03.123456789Z", "entries": [%s]}',
     ("01:02:03.123456", None)),
    ('{"sent_at": "2026-11-30T01:02:03.000000000001+00:00", "entries": [%s]}',
     ("01:02:03", None)),
    ('{"sent_at": "2026-11-30T01:02:03Z\\n", "entries": [%s]}', None),
    ('{"sent_at": "\\uff12\\uff10\\uff12\\uff16-11-30T01:02:03Z", "entries": [%s]}', None),
    ('{"sent_at": "2026-11-30T01:02:61Z", "entries": [%s]}', None),
    ('{"sent_at": "2026-11-30T01:02:03Z", "entries": [%s], "outbox_pending": true}', None),
    ('{"sent_at": "2026-11-30T01:02:03Z", "entries": [%s], "outbox_pending": false}', None),
    ('{"sent_at": "2026-11-30T01:02:03Z", "entries": [%s], "outbox_pending": 1.0}',
     ("01:02:03", 1)),
    ('{"sent_at": "2026-11-30T01:02:03Z", "entries": [%s], "outbox_pending": 1e2}',
     ("01:02:03", 100)),
    ('{"sent_at": "2026-11-30T01:02:03Z", "entries": [%s], "outbox_pending": NaN}', None),
    ('{"sent_at": "2026-11-30T01:02:03Z", "entries": [%s], "outbox_pending": Infinity}',
     None),
    ('{"sent_at": "2026-11-30T01:02:03Z", "entries": [%s], "outbox_pending": 1e400}', None),
    ('{"sent_at": "2026-11-30T01:02:03Z", "entries": [%s], "outbox_pending": 1%s}' % (
        "%s", "0" * 400), None),
    ('{"sent_at": "2026-11-30T01:02:03Z", "entries": [%s], "extra": 1}', None),
    ('{"sent_at": "2026-11-30T01:02:03Z", "entries": [%s], "sent_at": "yesterday"}', None),
]


def test_it_reads_an_outsiders_bodies_as_the_schema_does():
    import json

    envelope = json.dumps(ENVELOPE_OK)
    for text, expected in OUTSIDER_BODIES:
        body = json.loads(text % envelope)
        loaded, problems = schema_reads(body)
        fast = read_push_body(body)
        assert fast is None or fast == loaded, text
        assert PushSchema().load(body) == loaded if problems is None else True, text
        if expected is None:
            assert problems is not None and fast is None, text
            continue
        assert problems is None, (text, problems)
        clock, pending = expected
        assert loaded["sent_at"].time().isoformat() == clock, text
        assert loaded.get("outbox_pending") == pending, text
        assert loaded["entries"] == [ENVELOPE_OK], text


def test_it_reads_envelopes_with_odd_values_as_the_schema_does():
    odd_values = [True, False, 1, 1.0, None, "", "x" * 101, [], {}, "\x00", "\ud800",
                  "e\u0301", "😀" * 100, "😀" * 101]
    for key in ("entry_id", "kid", "sealed"):
        for value in odd_values:
            body = {"sent_at": "2026-11-30T01:02:03Z",
                    "entries": [ENVELOPE_OK, {**ENVELOPE_OK, key: value}]}
            loaded, problems = schema_reads(body)
            fast = read_push_body(body)
            assert fast is None or (problems is None and fast == loaded), (key, value)
            assert (problems is None) == (type(value) is str and 0 < len(value)
                                          <= (2 * 1024 * 1024 if key == "sealed" else 100)), \
                (key, value, problems)
        for extra in ({**ENVELOPE_OK, "extra": 1}, {"entry_id": "a", "kid": "k"}):
            body = {"sent_at": "2026-11-30T01:02:03Z", "entries": [extra]}
            assert read_push_body(body) is None and schema_reads(body)[1] is not None


def test_it_reads_a_huge_array_of_envelopes_as_the_schema_does():
    body = {"sent_at": "2026-11-30T01:02:03Z", "entries": [ENVELOPE_OK] * 20_000}
    loaded, problems = schema_reads(body)
    assert problems is None and read_push_body(body) == loaded
    body["entries"][-1] = {**ENVELOPE_OK, "kid": 7}
    assert read_push_body(body) is None and schema_reads(body)[1] == {
        "entries": {19_999: {"kid": ["Not a valid string."]}}}


def test_it_stores_a_push_sent_at_a_lowercase_time_and_an_entry_recorded_in_a_leap_second(
        family, clock):
    """RFC 3339 (and docs/protocol.md) allows "t" and "z" in lower case and a 60th second;
    a phone whose encoder writes them must not see its whole push refused, again and again."""
    sent_at = clock.now().strftime("%Y-%m-%dt%H:%M:%S.123456789z")
    document = family.document({"temperature_c": 36.8, "temperature_method": "oral"},
                               recorded_at="2016-12-31T18:59:60-05:00")
    response = family.push([family.envelope(document)], sent_at=sent_at)
    assert response.status_code == 200, response.get_json()
    [result] = response.get_json()["results"]
    assert result["status"] == "accepted", result
