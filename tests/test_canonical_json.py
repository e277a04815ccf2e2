"""RFC 8785 canonical JSON (sync/canonical.py): RFC 8785's own examples, the published
vector pair (docs/vectors/canonical-json.json), and JavaScript itself as a second opinion."""
import hashlib
import json
import random
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from sync.canonical import NotCanonicalisable, canonicalise

VECTOR_FILE = Path(__file__).parent.parent / "docs" / "vectors" / "canonical-json.json"

# RFC 8785 Appendix B: IEEE 754 bits and what ECMAScript writes for them.
RFC_NUMBERS = [
    ("0000000000000000", "0"), ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"), ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"), ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"), ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"), ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"), ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"), ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"), ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


def double(bits_hex):
    return struct.unpack(">d", bytes.fromhex(bits_hex))[0]


@pytest.mark.parametrize("bits, written", RFC_NUMBERS)
def test_it_writes_each_number_of_rfc_8785_appendix_b_as_ecmascript_does(bits, written):
    assert canonicalise(double(bits)) == written.encode()


def test_it_writes_37_and_37_point_0_alike():
    assert canonicalise(json.loads('{"t": 37.0}')) == canonicalise(json.loads('{"t":37}')) \
        == b'{"t":37}'


def test_it_gives_rfc_8785_section_3_2_2_its_own_output():
    text = ('{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
            ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
            ' "literals": [null, true, false]}')
    assert canonicalise(json.loads(text)).decode() == (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')


def test_it_sorts_keys_by_utf16_code_units_as_rfc_8785_section_3_2_3_does():
    keys = ["\u20ac", "\r", "\ufb33", "1", "\U0001F600", "\u0080", "\u00f6"]
    written = canonicalise({key: index for index, key in enumerate(keys)}).decode()
    order = [json.loads(written)[key] for key in json.loads(written)]
    # \r, 1, U+0080, ö, €, 😀 (a surrogate pair, 0xD83D), U+FB33: not code point order.
    assert order == [1, 3, 5, 6, 0, 4, 2]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 10 ** 400, "\ud800",
                                   {"\udc00": 1}, {1: 2}])
def test_it_refuses_what_i_json_does_not_allow(value):
    with pytest.raises(NotCanonicalisable):
        canonicalise(value)


def test_it_refuses_a_document_nested_too_deep_for_a_clear_reason():
    deep = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(NotCanonicalisable):
        canonicalise(deep)


def test_every_published_pair_canonicalises_to_the_published_bytes():
    vector = json.loads(VECTOR_FILE.read_text(encoding="utf-8"))
    for case in vector["same"]:
        expected = case["canonical_utf8"].encode("utf-8")
        assert hashlib.sha256(expected).hexdigest() == case["canonical_sha256_hex"]
        for document in case["documents"]:
            assert canonicalise(json.loads(document)) == expected, case["name"]
    for case in vector["different"]:
        first, second = (canonicalise(json.loads(text)) for text in case["documents"])
        assert first != second, case["name"]


def test_the_published_pair_holds_an_entry_spelt_37_and_37_point_0():
    vector = json.loads(VECTOR_FILE.read_text(encoding="utf-8"))
    spellings = vector["same"][0]["documents"]
    assert any('"temperature_c":37,' in text for text in spellings)
    assert any('"temperature_c" : 37.0' in text for text in spellings)


JS_CANONICALISE = """
const canon = (v) => Array.isArray(v) ? '[' + v.map(canon).join(',') + ']'
  : (v !== null && typeof v === 'object')
    ? '{' + Object.keys(v).sort().map(k => JSON.stringify(k) + ':' + canon(v[k])).join(',') + '}'
    : JSON.stringify(v);
const values = JSON.parse(require('fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(values.map(canon)));
"""


def random_text(rng):
    """Control characters, ASCII, the rest of the BMP and beyond it (surrogate pairs in
    UTF-16), never a lone surrogate, which is not I-JSON."""
    ranges = [(0, 0x20), (0x20, 0x80), (0x80, 0xD800), (0xE000, 0x10000), (0x10000, 0x110000)]
    return "".join(chr(rng.randrange(*rng.choice(ranges))) for _ in range(rng.randrange(5)))


def random_number(rng):
    choice = rng.randrange(4)
    if choice == 0:
        bits = struct.pack(">Q", rng.getrandbits(64))
        value = struct.unpack(">d", bits)[0]
        return value if value == value and abs(value) != float("inf") else 0.5
    if choice == 1:
        return rng.randrange(-10 ** 6, 10 ** 6)
    if choice == 2:
        return rng.random() * 10 ** rng.randrange(-30, 30)
    return rng.choice([0.1, 37.0, 1e21, 1e-7, 123456789.125, -0.0, 2.0 ** 53])


def random_value(rng, depth=0):
    kind = rng.randrange(6 if depth < 3 else 4)
    if kind == 0:
        return random_number(rng)
    if kind == 1:
        return random_text(rng)
    if kind in (2, 3):
        return rng.choice([None, True, False, random_number(rng)])
    if kind == 4:
        return {random_text(rng): random_value(rng, depth + 1) for _ in range(rng.randrange(6))}
    return [random_value(rng, depth + 1) for _ in range(rng.randrange(5))]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_it_writes_what_javascript_writes_for_random_documents():
    """JSON.stringify with keys sorted is RFC 8785 for these values: the bytes a JavaScript
    app computes are the bytes the server computes."""
    rng = random.Random(8785)
    values = [random_value(rng) for _ in range(3000)]
    answer = subprocess.run(["node", "-e", JS_CANONICALISE], input=json.dumps(values),
                            capture_output=True, text=True, timeout=60, check=True)
    from_javascript = json.loads(answer.stdout)
    assert len(from_javascript) == len(values)
    for value, written in zip(values, from_javascript):
        assert canonicalise(value).decode("utf-8") == written, value


@pytest.mark.parametrize("value, written", [
    (9525256551625172.0, "9525256551625172"), (1e20, "100000000000000000000"),
    (2.0 ** 53, "9007199254740992"), (2 ** 53 + 2, "9007199254740994"),
    (10 ** 21, "1e+21"), (0.0001, "0.0001"), (0.00001, "0.00001"), (1e-7, "1e-7"),
    (1e16, "10000000000000000"), (123e18, "123000000000000000000"), (-38.4, "-38.4")])
def test_it_writes_numbers_at_the_edges_of_its_shortcuts_as_ecmascript_does(value, written):
    assert canonicalise(value) == written.encode()
