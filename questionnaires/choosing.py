"""Which variant a patient gets: age on the day in the patient's own timezone, respondent, language.

The age is taken on the local calendar date, because a child turns twelve at midnight where
they live, not where the server is; the neuro-check switches from CAPD-style to ICE-style
that morning, and quality of life to the adult form on the 18th birthday.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .age import age_on
from .languages import pick_language
from .model import Definition, NoVariantError


@dataclass(frozen=True)
class Choice:
    definition: Definition
    language: str
    age_years: int


def zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"unknown timezone {timezone!r} (use an IANA name such as Europe/Madrid)") from None


def local_date(at: date | datetime, timezone: str) -> date:
    """The patient's calendar date at `at`; a plain date is taken as already local."""
    if isinstance(at, datetime):
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("the time must be timezone-aware")
        return at.astimezone(zone(timezone)).date()
    if isinstance(at, date):
        return at
    raise TypeError("expected a date or a timezone-aware datetime")


def age_at(date_of_birth: date, timezone: str, at: date | datetime) -> int:
    return age_on(date_of_birth, local_date(at, timezone))


def current_variants(definitions, questionnaire_id: str) -> list[Definition]:
    """The newest active version of each variant: older and retired ones only validate old entries."""
    newest: dict[str, Definition] = {}
    for definition in definitions:
        if definition.id != questionnaire_id or definition.status != "active":
            continue
        known = newest.get(definition.variant)
        if known is None or definition.version_tuple > known.version_tuple:
            newest[definition.variant] = definition
    return sorted(newest.values(), key=lambda d: (d.respondent, d.age_min, d.variant))


def choose_variant(definitions, questionnaire_id: str, *, date_of_birth: date, timezone: str,
                   at: date | datetime, respondent: str, language: str | None = None) -> Choice:
    variants = current_variants(definitions, questionnaire_id)
    if not variants:
        raise NoVariantError(f"no questionnaire '{questionnaire_id}' in the catalog")
    when = local_date(at, timezone)
    if when < date_of_birth:
        raise NoVariantError(f"{when} is before the date of birth {date_of_birth}")
    age = age_on(date_of_birth, when)
    fitting = [d for d in variants if d.respondent == respondent and d.fits_age(age)]
    if not fitting:
        offered = ", ".join(f"{d.variant} ({d.respondent}, {_ages(d)})" for d in variants)
        raise NoVariantError(
            f"no variant of '{questionnaire_id}' for a {respondent} respondent when the patient "
            f"is {age} (on {when}); variants: {offered}")
    # The catalog refuses overlapping variants when it loads, so there is at most one.
    definition = fitting[0]
    return Choice(definition, pick_language(definition.languages, language), age)


def overlapping_variants(definitions) -> list[tuple[Definition, Definition]]:
    clashes = []
    for questionnaire_id in sorted({d.id for d in definitions}):
        variants = current_variants(definitions, questionnaire_id)
        for index, first in enumerate(variants):
            for second in variants[index + 1:]:
                if first.respondent == second.respondent and _overlap(first, second):
                    clashes.append((first, second))
    return clashes


def _overlap(a: Definition, b: Definition) -> bool:
    a_end = a.age_max if a.age_max is not None else float("inf")
    b_end = b.age_max if b.age_max is not None else float("inf")
    return a.age_min < b_end and b.age_min < a_end


def _ages(definition: Definition) -> str:
    if definition.age_max is None:
        return f"{definition.age_min}+"
    return f"{definition.age_min} to under {definition.age_max}"
