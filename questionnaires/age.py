"""A child's age and age band, always on a date in the patient's own timezone.

Bands follow the quality-of-life instruments' splits, because those are the finest the
instruments need; the other instruments choose their variants from the same age in years.
A band changes on the birthday itself, so callers pass the date they care about.
"""
from datetime import date

# (code, lowest age in completed years, first age no longer in the band)
AGE_BANDS = (
    ("0-1", 0, 2),
    ("2-4", 2, 5),
    ("5-7", 5, 8),
    ("8-12", 8, 13),
    ("13-17", 13, 18),
    ("18+", 18, None),
)


def age_on(date_of_birth: date, on: date) -> int:
    """Completed years on `on`; a child born on 29 February turns a year older on 1 March."""
    if on < date_of_birth:
        raise ValueError("the date is before the date of birth")
    had_birthday = (on.month, on.day) >= (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - (0 if had_birthday else 1)


def age_band(age_years: int) -> str:
    for code, low, high in AGE_BANDS:
        if age_years >= low and (high is None or age_years < high):
            return code
    raise ValueError(f"no age band for age {age_years}")
