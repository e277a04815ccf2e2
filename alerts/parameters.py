"""Named thresholds: their types, the checks a site's or a physician's value must pass, and
how the layers (rule file defaults, site settings, one patient's overrides) combine.

A threshold typed in the wrong unit is the failure to fear: 100.4 as a fever threshold in
°C would silence every fever. So each parameter declares bounds, and a value outside them
is refused rather than used.
"""
from __future__ import annotations

import math

TYPES = ("number", "integer", "per_method", "range")
TEMPERATURE_METHODS = ("oral", "axillary", "ear", "forehead", "rectal")
ANY_METHOD = "any"
OVERRIDE_KEYS = ("parameters", "baseline_signs", "always_report_signs")


class ParameterError(ValueError):
    """A parameter value that cannot be used; the message names the parameter."""


def is_number(value) -> bool:
    # bool is an int in Python, and `"spo2_urgent_below": true` is a mistake, not 1.
    # Exact types: bool is an int subclass, and JSON gives only int, float, str, bool, None.
    # ints skip isfinite, which cannot convert a 400-digit int.
    kind = type(value)
    return kind is int or (kind is float and math.isfinite(value))


def normalise_value(name: str, declaration: dict, value):
    """The value in its one canonical shape, or ParameterError saying what is wrong."""
    kind = declaration["type"]
    if kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            raise ParameterError(f"{name}: must be a whole number, not {_shown(value)}")
        _check_bounds(name, declaration, [value])
        return value
    if kind == "number":
        if not is_number(value):
            raise ParameterError(f"{name}: must be a number, not {_shown(value)}")
        _check_bounds(name, declaration, [value])
        return value
    if kind == "range":
        if (not isinstance(value, list) or len(value) != 2
                or not all(is_number(each) for each in value)):
            raise ParameterError(f"{name}: must be [lowest, highest], not {_shown(value)}")
        if value[0] > value[1]:
            raise ParameterError(f"{name}: the lowest value {value[0]} is above the highest {value[1]}")
        _check_bounds(name, declaration, value)
        return list(value)
    return _normalise_per_method(name, declaration, value)


def _normalise_per_method(name, declaration, value) -> dict:
    # A plain number is the everyday case: one threshold for every method.
    if is_number(value):
        value = {ANY_METHOD: value}
    if not isinstance(value, dict):
        raise ParameterError(f"{name}: must be a number or an object of method → number, "
                             f"not {_shown(value)}")
    if ANY_METHOD not in value:
        raise ParameterError(f'{name}: needs "{ANY_METHOD}", the threshold for readings '
                             "without a method or with a method not listed")
    for method, number in value.items():
        if method != ANY_METHOD and method not in TEMPERATURE_METHODS:
            raise ParameterError(f"{name}: unknown temperature method '{method}' "
                                 f"(known: {', '.join(TEMPERATURE_METHODS)})")
        if not is_number(number):
            raise ParameterError(f"{name}: {method} must be a number, not {_shown(number)}")
    _check_bounds(name, declaration, list(value.values()))
    return {method: value[method] for method in sorted(value, key=_method_order)}


def _method_order(method: str) -> tuple:
    return (0, "") if method == ANY_METHOD else (1, method)


def _check_bounds(name, declaration, numbers):
    low, high = declaration.get("min"), declaration.get("max")
    for number in numbers:
        if (low is not None and number < low) or (high is not None and number > high):
            raise ParameterError(f"{name}: {number} is outside the allowed {low} to {high} "
                                 "(is it in the right unit?)")


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def layer_parameters(declarations: dict, base: dict, overrides, label: str) -> dict:
    """`base` with `overrides` (name → value) laid over it; each override is checked."""
    if overrides is None:
        return base
    if not isinstance(overrides, dict):
        raise ParameterError(f"{label}: must be an object of parameter name → value")
    merged = dict(base)
    for name, value in overrides.items():
        if name not in declarations:
            raise ParameterError(f"{label}: unknown parameter '{name}' "
                                 f"(known: {', '.join(sorted(declarations))})")
        try:
            merged[name] = normalise_value(name, declarations[name], value)
        except ParameterError as error:
            raise ParameterError(f"{label}: {error}") from None
    return merged


def resolve(value, method):
    """A per-method threshold for one reading's method; other values are returned as they are."""
    if isinstance(value, dict):
        return value.get(method, value[ANY_METHOD]) if isinstance(method, str) else value[ANY_METHOD]
    return value


def check_patient_overrides(overrides, sign_lists: dict) -> dict:
    """A physician's overrides for one child, checked against the rule set's sign lists.

    `sign_lists` maps each multi-choice linkId that a "new since last" test watches to the
    values it watches: a baseline sign that no rule watches is a typo that would hide nothing
    while the physician believes it does, so it is refused.
    """
    if overrides is None:
        return {}
    if not isinstance(overrides, dict):
        raise ParameterError("patient overrides: must be an object")
    unknown = sorted(set(overrides) - set(OVERRIDE_KEYS))
    if unknown:
        raise ParameterError(f"patient overrides: unknown key '{unknown[0]}' "
                             f"(known: {', '.join(OVERRIDE_KEYS)})")
    checked = {}
    for key in ("baseline_signs", "always_report_signs"):
        checked[key] = _check_signs(key, overrides.get(key), sign_lists)
    for link_id, values in checked["baseline_signs"].items():
        both = sorted(set(values) & set(checked["always_report_signs"].get(link_id, ())))
        if both:
            raise ParameterError(f"patient overrides: '{both[0]}' in {link_id} cannot be both a "
                                 "baseline sign and a sign to always report")
    return checked


def _check_signs(key, signs, sign_lists) -> dict:
    if signs is None:
        return {}
    if not isinstance(signs, dict):
        raise ParameterError(f"patient overrides: {key} must be an object of linkId → values")
    checked = {}
    for link_id, values in signs.items():
        if link_id not in sign_lists:
            raise ParameterError(f"patient overrides: {key}: no rule watches '{link_id}' for "
                                 f"new signs (watched: {', '.join(sorted(sign_lists))})")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ParameterError(f"patient overrides: {key}: {link_id} must be a list of values")
        for value in values:
            if value not in sign_lists[link_id]:
                raise ParameterError(f"patient overrides: {key}: '{value}' is not a sign the "
                                     f"rules watch in {link_id}")
        checked[link_id] = sorted(set(values))
    return checked
