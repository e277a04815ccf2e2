"""JSON Canonicalization Scheme (RFC 8785): one byte string per JSON value.

Duplicate detection compares entry documents by value, not by how a JSON writer spelt them:
JavaScript writes 37 where Kotlin, Swift and Python often write 37.0, and both are the same
IEEE 754 double. RFC 8785 says exactly how to write each value, so an app in any language
can compute the same bytes (docs/protocol.md, "What same content means").
"""
import math
from decimal import Decimal
from json.encoder import encode_basestring

SAFE_INTEGER = 2 ** 53


class NotCanonicalisable(ValueError):
    """The value is outside I-JSON (RFC 7493), which RFC 8785 requires: NaN, an infinity,
    an integer too large for a double, a lone surrogate, a non-string key."""


def canonicalise(value) -> bytes:
    """RFC 8785's UTF-8 bytes for a value as `json.loads` returns it."""
    parts = []
    try:
        write_value(value, parts)
    except RecursionError:
        raise NotCanonicalisable("the value is nested too deeply") from None
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError:
        raise NotCanonicalisable("a string holds a lone surrogate") from None


def write_value(value, parts):
    # Exact types, most common first: this runs for every entry pushed (bench/RESULTS.md).
    kind = type(value)
    if kind is str:
        parts.append(quote(value))
    elif kind is dict:
        parts.append("{")
        for index, key in enumerate(sorted_keys(value)):
            if index:
                parts.append(",")
            parts.append(quote(key))
            parts.append(":")
            write_value(value[key], parts)
        parts.append("}")
    elif kind is list:
        parts.append("[")
        for index, item in enumerate(value):
            if index:
                parts.append(",")
            write_value(item, parts)
        parts.append("]")
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif kind is int or kind is float:
        parts.append(number(value))
    else:
        raise NotCanonicalisable(f"{kind.__name__} is not a JSON value")


def sorted_keys(mapping) -> list:
    """By UTF-16 code units (RFC 8785 section 3.2.3). Python compares code points, which
    agrees unless a key holds a character beyond U+FFFF (a surrogate pair in UTF-16, so it
    sorts below U+E000..U+FFFF): only then sort the slow way."""
    if not all(type(key) is str for key in mapping):
        raise NotCanonicalisable("an object key is not a string")
    keys = sorted(mapping)
    if any(key and max(key) > "\uffff" for key in keys):
        keys.sort(key=utf16_units)
    return keys


def utf16_units(text: str) -> bytes:
    try:
        return text.encode("utf-16-be")
    except UnicodeEncodeError:
        raise NotCanonicalisable("an object key holds a lone surrogate") from None


def quote(text: str) -> str:
    """Only `"`, `\\` and the control characters are escaped, short forms first, the rest as
    lowercase \\u00xx (RFC 8785 section 3.2.2.2); everything else is written as itself.
    That is exactly what the json module's encoder does with ensure_ascii off."""
    return encode_basestring(text)


def number(value) -> str:
    """ECMAScript's Number.prototype.toString of the value as a double (RFC 8785 section
    3.2.2.3): 37 and 37.0 are both "37", 1e21 is "1e+21", 0.1 stays "0.1"."""
    if type(value) is int:
        if -SAFE_INTEGER <= value <= SAFE_INTEGER:
            return str(value)  # exact as a double, and written in full by ECMAScript
        try:
            value = float(value)
        except OverflowError:
            raise NotCanonicalisable("an integer is too large for a double") from None
    elif value.is_integer():
        if -SAFE_INTEGER <= value <= SAFE_INTEGER:
            return str(int(value))  # 37.0 is 37; -0.0 is 0
    elif 1e-4 <= abs(value) < 1e16:
        # Between these, repr() is positional with the shortest round-trip digits, which
        # is exactly ECMAScript's output; outside them the exponent forms differ.
        return repr(value)
    if not math.isfinite(value):
        raise NotCanonicalisable("NaN and the infinities are not JSON")
    if value == 0:
        return "0"  # -0 too
    if value < 0:
        return "-" + number(-value)
    # repr() gives the shortest digits that read back as the same double, as ECMAScript's
    # algorithm does; only the layout around them differs.
    _sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    exponent += len(digit_tuple) - len(digits)
    k = len(digits)
    n = k + exponent  # value = 0.digits x 10^n
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    power = n - 1
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{mantissa}e{'+' if power >= 0 else '-'}{abs(power)}"
