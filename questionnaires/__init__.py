"""Instruments, variants for age, respondent and language, validation, scoring, schedules.

Domain code only: imports nothing else of Homeward's and never Flask. See docs/questionnaires.md.
"""
from .age import AGE_BANDS, age_band, age_on
from .catalog import Catalog, load_catalog
from .choosing import Choice, age_at, local_date
from .fhir_export import to_fhir_questionnaire, to_fhir_response
from .fhir_import import from_fhir_questionnaire
from .languages import language_chain, pick_language
from .loading import load_definition_file, parse_definition
from .model import (
    Definition, DefinitionError, Item, NoVariantError, Option, Score, UnknownQuestionnaireError,
)
from .schedules import Schedule, load_schedule, parse_schedule
from .scoring import score
from .tasks import Patient, Task, task_id, tasks_between, tasks_triggered_by
from .validation import AnswerError, ValidationResult, validate_answers

__all__ = [
    "AGE_BANDS", "age_band", "age_on", "age_at", "local_date",
    "Catalog", "load_catalog", "Choice",
    "Definition", "Item", "Option", "Score", "parse_definition", "load_definition_file",
    "DefinitionError", "NoVariantError", "UnknownQuestionnaireError",
    "language_chain", "pick_language",
    "validate_answers", "ValidationResult", "AnswerError", "score",
    "Schedule", "load_schedule", "parse_schedule",
    "Patient", "Task", "task_id", "tasks_between", "tasks_triggered_by",
    "to_fhir_questionnaire", "to_fhir_response", "from_fhir_questionnaire",
]
