"""Instruments, variants for age, respondent and language, validation, scoring, schedules."""
from .age import AGE_BANDS, age_band, age_on

__all__ = ["AGE_BANDS", "age_band", "age_on"]
