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
